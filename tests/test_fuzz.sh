#!/bin/sh
# The checkpoint loader under fuzzing: tests/fuzz_checkpoint.c (es_load,
# es_policy_load, es_run_info_read) as a plain ASan/UBSan driver (20000
# built-in mutations of each of three kinds of valid checkpoint: es.h's
# sections of each strategy, a policy checkpoint, one in the older layout;
# some with the CRC made valid again), and, when clang supports it, as a
# libFuzzer target for a bounded run seeded with one of each.
cd "$(dirname "$0")/.." || exit 1
out=build/fuzz
mkdir -p "$out/corpus"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# both builds at once (old binaries removed first)
rm -f "$out/plain" "$out/libfuzzer"
cc -std=c99 -O1 -g $SAN -I. tests/fuzz_checkpoint.c -o "$out/plain" -lm -lpthread 2>"$out/plain-build.log" &
have_fuzzer=""
if command -v clang >/dev/null 2>&1 &&
   clang -fsanitize=fuzzer,address,undefined -DES_FUZZ_LIBFUZZER -O1 -g -I. tests/fuzz_checkpoint.c \
       -o "$out/libfuzzer" -lm -lpthread 2>"$out/libfuzzer-build.log"; then
    have_fuzzer=1
fi
wait
if [ -x "$out/plain" ]; then
    if "$out/plain" >"$out/plain.log" 2>&1; then
        echo "ok - fuzz: checkpoint and policy loaders survive 3 x 20000 mutated checkpoints under ASan/UBSan, and what loads is usable"
    else
        echo "not ok - fuzz: plain driver failed: $(tail -n 5 "$out/plain.log" | tr '\n' ' ' | cut -c1-400)"
    fi
else
    echo "not ok - fuzz: plain driver does not build: $(head -n 4 "$out/plain-build.log" | tr '\n' ' ')"
fi
"$out/plain" --seed "$out/corpus/seed.ckpt" && "$out/plain" --seed-policy "$out/corpus/seed-policy.ckpt" &&
    "$out/plain" --seed-old "$out/corpus/seed-old.ckpt" ||
    echo "not ok - fuzz: writing the seed checkpoints failed"

if [ -n "$have_fuzzer" ]; then
    rm -rf "$out/work"
    mkdir -p "$out/work"
    cp "$out/corpus/seed.ckpt" "$out/corpus/seed-policy.ckpt" "$out/corpus/seed-old.ckpt" "$out/work/"
    if "$out/libfuzzer" -runs=100000 -max_total_time=10 -max_len=4096 -rss_limit_mb=2048 -seed=1 \
           -artifact_prefix="$out/" "$out/work" >"$out/libfuzzer.log" 2>&1; then
        echo "ok - fuzz: libFuzzer, bounded run on the checkpoint and policy loaders, no crash ($(grep -o 'Done [0-9]* runs' "$out/libfuzzer.log"))"
    else
        echo "not ok - fuzz: libFuzzer found a crash: $(grep -E 'ERROR|SUMMARY|artifact' "$out/libfuzzer.log" | head -n 3 | tr '\n' ' ')"
    fi
else
    echo "skip - fuzz: clang -fsanitize=fuzzer not available"
fi
