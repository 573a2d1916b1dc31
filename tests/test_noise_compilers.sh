#!/bin/sh
# The noise stream is bit-identical across compilers and optimization levels
# (es.h CONTRACTS): tests/noise_dump.c built with gcc and clang at -O0..-O3,
# with and without -march=native (FMA), must print the same bytes.
cd "$(dirname "$0")/.." || exit 1
out=build/noise
mkdir -p "$out"
ref=""
n=0
check() {  # check [--known-limit] NAME COMPILER FLAGS...
    limit=""
    if [ "$1" = --known-limit ]; then limit=1; shift; fi
    name=$1; shift
    if ! "$@" -I. tests/noise_dump.c -o "$out/$name" -lm 2>"$out/$name.log"; then
        echo "not ok - noise: $name builds: $(head -c 300 "$out/$name.log")"
        return
    fi
    sum=$("$out/$name" | sha256sum | cut -d' ' -f1)
    if [ -z "$ref" ]; then ref=$sum; refname=$name; fi
    if [ "$sum" = "$ref" ]; then
        echo "ok - noise: $name gives the same 1e6 floats as $refname"
    elif [ -n "$limit" ]; then
        # clang's -ffp-contract=fast fuses across statements and ignores the
        # FP_CONTRACT pragma es.h relies on (like -ffast-math, unsupported).
        echo "skip - noise: $name differs from $refname (clang -ffp-contract=fast ignores FP_CONTRACT pragmas; unsupported flag)"
    else
        echo "not ok - noise: $name differs from $refname ($sum vs $ref)"
    fi
    n=$((n + 1))
}
check gcc-O0 gcc -std=c99 -O0
check gcc-O2 gcc -std=c99 -O2
check gcc-O3 gcc -std=c99 -O3
check gcc-O3-native gcc -std=c99 -O3 -march=native
check gcc-gnu11-O3-native gcc -std=gnu11 -O3 -march=native
# explicit FMA builds run only where the CPU has FMA
fma=""
grep -qw fma /proc/cpuinfo 2>/dev/null && fma=1
[ -n "$fma" ] && check gcc-O2-fma-fast gcc -std=gnu99 -O2 -mfma -ffp-contract=fast
if command -v clang >/dev/null 2>&1; then
    check clang-O0 clang -std=c99 -O0
    check clang-O2 clang -std=c99 -O2
    check clang-O3-native clang -std=c99 -O3 -march=native
    if [ -n "$fma" ]; then
        check clang-O2-fma clang -std=gnu99 -O2 -mfma
        check --known-limit clang-O2-fma-fast clang -std=gnu99 -O2 -mfma -ffp-contract=fast
    fi
else
    echo "skip - noise: clang not installed"
fi
if command -v g++ >/dev/null 2>&1; then
    check g++-O2 g++ -x c++ -std=c++11 -O2
fi
