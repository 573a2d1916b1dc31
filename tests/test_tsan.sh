#!/bin/sh
# The thread pool and es_runner under ThreadSanitizer: a short 2-thread run
# of the trainer must report no data race.
cd "$(dirname "$0")/.." || exit 1
out=build/tsan
mkdir -p "$out"
if ! cc -std=c99 -O1 -g -fsanitize=thread -I. examples/train_half_cheetah.c -o "$out/train" \
        -lmujoco -lm -lpthread 2> "$out/build.log"; then
    echo "skip - tsan: the compiler cannot build with -fsanitize=thread"; exit 0
fi
rm -rf "$out/run"
"$out/train" --generations 3 --npop 8 --max-steps 50 --threads 2 --eval-episodes 2 \
    --out "$out/run" --quiet > "$out/log" 2>&1
rc=$?
if grep -q "unexpected memory mapping" "$out/log"; then
    echo "skip - tsan: this kernel's address-space layout is not supported by ThreadSanitizer"; exit 0
fi
if [ $rc -eq 0 ]; then echo "ok - tsan: the 2-thread trainer run exits 0"; else echo "not ok - tsan: exit $rc"; fi
if grep -q "WARNING: ThreadSanitizer" "$out/log"; then
    echo "not ok - tsan: $(grep -m1 'WARNING: ThreadSanitizer' "$out/log")"
else
    echo "ok - tsan: no data race reported in the pool, runner or update"
fi
