#!/bin/sh
# The checkpoint loader under fuzzing: tests/fuzz_checkpoint.c as a plain
# ASan/UBSan driver (20000 built-in mutations of a valid checkpoint, some
# with the CRC made valid again), and, when clang supports it, as a
# libFuzzer target for a bounded run seeded with a valid checkpoint.
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
        echo "ok - fuzz: checkpoint loader survives 20000 mutated checkpoints under ASan/UBSan"
    else
        echo "not ok - fuzz: plain driver failed: $(tail -n 5 "$out/plain.log" | tr '\n' ' ' | cut -c1-400)"
    fi
else
    echo "not ok - fuzz: plain driver does not build: $(head -n 4 "$out/plain-build.log" | tr '\n' ' ')"
fi
"$out/plain" --seed "$out/corpus/seed.ckpt" || echo "not ok - fuzz: writing the seed checkpoint failed"

if [ -n "$have_fuzzer" ]; then
    rm -rf "$out/work"
    mkdir -p "$out/work"
    cp "$out/corpus/seed.ckpt" "$out/work/"
    if "$out/libfuzzer" -runs=100000 -max_total_time=10 -max_len=4096 -rss_limit_mb=2048 -seed=1 \
           -artifact_prefix="$out/" "$out/work" >"$out/libfuzzer.log" 2>&1; then
        echo "ok - fuzz: libFuzzer, bounded run on the checkpoint loader, no crash ($(grep -o 'Done [0-9]* runs' "$out/libfuzzer.log"))"
    else
        echo "not ok - fuzz: libFuzzer found a crash: $(grep -E 'ERROR|SUMMARY|artifact' "$out/libfuzzer.log" | head -n 3 | tr '\n' ' ')"
    fi
else
    echo "skip - fuzz: clang -fsanitize=fuzzer not available"
fi
