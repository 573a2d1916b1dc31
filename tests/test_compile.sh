#!/bin/sh
# Compile tests (STYLE.md): each header alone as C99 and C11 under gcc and
# clang and as C++11 under g++, every warning an error, with and without
# ES_IMPLEMENTATION; two translation units linked together; each header
# included twice; ES_STATIC (two static copies linked); ES_NO_THREADS; and
# es.h alone reproducing the Philox known answers; every example and
# MuJoCo test program under the same flags. With MUJOCO=/prefix (make test's
# MuJoCo 3.x pass) against that MuJoCo, whose headers need C++17 from 3.2.3.
cd "$(dirname "$0")/.." || exit 1
out=${BUILD:-build}/compile
mkdir -p "$out"
CWARN="-Wall -Wextra -pedantic -Werror -Wconversion -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
XWARN="-Wall -Wextra -pedantic -Werror -Wshadow"
mjinc=""
mjlib=""
if [ -n "${MUJOCO:-}" ]; then
    mjinc="-isystem $MUJOCO/include"
    mjlib="-L$MUJOCO/lib -Wl,-rpath,$MUJOCO/lib"
fi
mjver=$(printf '#include <mujoco/mujoco.h>\nmjVERSION_HEADER\n' | cc -E -P $mjinc - 2>/dev/null | tail -n 1)
case $mjver in ''|*[!0-9]*) mjver=0 ;; esac
headers="es.h es_mlp.h"
envdef=""
envlib=""
if [ -f es_env_mujoco.h ]; then
    headers="$headers es_env_mujoco.h"
    envdef="-DES_TEST_ENV $mjinc"
    envlib="$mjlib -lmujoco"
fi
cxx_of() {   # cxx_of HEADER: the C++ standard its includes allow
    if [ "$1" = es_env_mujoco.h ] && [ "$mjver" -ge 323 ]; then echo c++17; else echo c++11; fi
}
xenv=$(cxx_of es_env_mujoco.h)
compilers="gcc"
if command -v clang >/dev/null 2>&1; then compilers="gcc clang"; else echo "skip - compile: clang not installed"; fi

# run NAME CMD...: one ok/not ok line (the compiler's first lines on
# failure). Checks run in parallel batches; results print in order at the end.
jobs=0
batch=$(( $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2) * 2 ))
run() {
    jobs=$((jobs + 1))
    name=$1; shift
    (
        if "$@" >"$out/log.$jobs" 2>&1; then
            echo "ok - compile: $name"
        else
            echo "not ok - compile: $name: $(head -n 4 "$out/log.$jobs" | tr '\n' ' ' | cut -c1-400)"
        fi
    ) >"$out/result.$jobs" &
    [ $((jobs % batch)) -eq 0 ] && wait
}
flush() {
    wait
    k=1
    while [ $k -le $jobs ]; do cat "$out/result.$k"; k=$((k + 1)); done
    rm -f "$out"/result.* "$out"/log.*
    jobs=0
}

for h in $headers; do
    for cc in $compilers; do
        for std in c99 c11; do
            run "$h as $std with $cc" $cc -std=$std $CWARN -I. $mjinc "-DES_TEST_HEADER=\"$h\"" -c tests/compile/header.c -o /dev/null
            run "$h as $std with $cc, ES_IMPLEMENTATION" $cc -std=$std $CWARN -I. $mjinc -DES_IMPLEMENTATION "-DES_TEST_HEADER=\"$h\"" -c tests/compile/header.c -o /dev/null
        done
    done
    if command -v g++ >/dev/null 2>&1; then
        x=$(cxx_of "$h")
        run "$h as $x with g++" g++ -x c++ -std=$x $XWARN -I. $mjinc "-DES_TEST_HEADER=\"$h\"" -c tests/compile/header.c -o /dev/null
        run "$h as $x with g++, ES_IMPLEMENTATION" g++ -x c++ -std=$x $XWARN -I. $mjinc -DES_IMPLEMENTATION "-DES_TEST_HEADER=\"$h\"" -c tests/compile/header.c -o /dev/null
    else
        echo "skip - compile: g++ not installed"
    fi
done

for cc in $compilers; do
    run "two translation units linked ($cc)" sh -c "$cc -std=c99 $CWARN -I. -Itests/compile $envdef tests/compile/tu_impl.c tests/compile/tu_user.c -o $out/tu-$cc -lm -lpthread $envlib && $out/tu-$cc"
    run "headers included twice, the second time with ES_IMPLEMENTATION ($cc)" sh -c "$cc -std=c99 $CWARN -I. $envdef tests/compile/twice.c -o $out/twice-$cc -lm -lpthread $envlib && $out/twice-$cc"
    run "ES_STATIC: two translation units with their own static copies ($cc)" sh -c "$cc -std=c99 $CWARN -I. -Itests/compile tests/compile/static_a.c tests/compile/static_b.c -o $out/static-$cc -lm -lpthread && $out/static-$cc"
    run "ES_NO_THREADS builds and runs ($cc)" sh -c "$cc -std=c99 $CWARN -I. tests/compile/no_threads.c -o $out/nothreads-$cc -lm && $out/nothreads-$cc"
done
if command -v g++ >/dev/null 2>&1; then
    run "two translation units linked (g++, $xenv)" sh -c "g++ -x c++ -std=$xenv $XWARN -I. -Itests/compile $envdef tests/compile/tu_impl.c tests/compile/tu_user.c -o $out/tu++ -lm -lpthread $envlib && $out/tu++"
    run "ES_STATIC in C++11 (g++)" sh -c "g++ -x c++ -std=c++11 $XWARN -I. -Itests/compile tests/compile/static_a.c tests/compile/static_b.c -o $out/static++ -lm -lpthread && $out/static++"
    run "C++ starts from es_desc_default()/es_mlp_desc_default() with no -Wextra warning (g++)" sh -c "g++ -x c++ -std=c++11 $XWARN -I. tests/compile/defaults.c -o $out/defaults++ -lm -lpthread && $out/defaults++"
    run "C++: es_desc d = {0} would warn under -Wextra (the check above sees it)" sh -c "! g++ -x c++ -std=c++11 $XWARN -DES_TEST_ZERO_INIT -I. -c tests/compile/defaults.c -o /dev/null"
fi
# A 32-bit size_t (i686): clang checks es.h and es_mlp.h against the
# biarch glibc headers of an amd64 Debian (only gnu/stubs-32.h is missing,
# an empty stand-in is enough for a syntax check).
if command -v clang >/dev/null 2>&1 && [ -d /usr/include/x86_64-linux-gnu ]; then
    mkdir -p "$out/stub32/gnu" && : > "$out/stub32/gnu/stubs-32.h"
    printf '#define ES_IMPLEMENTATION\n#include "es_mlp.h"\n_Static_assert(sizeof(size_t) == 4, "32-bit size_t");\nint main(void) { return 0; }\n' > "$out/size32.c"
    run "es.h and es_mlp.h with a 32-bit size_t (clang --target=i686, syntax only)" \
        clang --target=i686-linux-gnu -std=c11 $CWARN -fsyntax-only -I"$out/stub32" -isystem /usr/include/x86_64-linux-gnu -I. "$out/size32.c"
else
    echo "skip - compile: 32-bit size_t check needs clang and the amd64 biarch headers"
fi

# The examples, tools/bench.c and the MuJoCo test programs as make builds
# them, every warning an error (make MUJOCO=/prefix all must print none).
redis=""
[ -f /usr/include/hiredis/hiredis.h ] && redis="-DES_WITH_REDIS"
for f in examples/*.c tools/bench.c; do
    run "$f with the project's warnings (gcc, C99)" gcc -std=c99 $CWARN $redis -I. $mjinc -fsyntax-only "$f"
done
for f in tests/test_*.c; do
    grep -q 'es_env_mujoco\.h' "$f" || continue
    run "$f with the project's warnings (gcc, C99)" gcc -std=c99 $CWARN -I. $mjinc -fsyntax-only "$f"
done
# MuJoCo 3.2.0 to 3.10.x have no texid/texrepeat/texuniform in mjvGeom
# (render.c then reads the material): on 3.11+ headers, render.c must still
# compile with them edited to look like 3.10.
if [ "$mjver" -ge 3011000 ] && [ -n "${MUJOCO:-}" ]; then
    fake=$out/mujoco-3.10-like/include
    rm -rf "$fake" && mkdir -p "$fake" && cp -r "$MUJOCO/include/mujoco" "$fake/"
    sed -i 's/^#define mjVERSION_HEADER .*/#define mjVERSION_HEADER 3010000/' "$fake/mujoco/mujoco.h"
    awk '/^typedef struct mjvGeom_/ { g = 1 } g && /^} mjvGeom;/ { g = 0 }
         g && /^ *(int|float) +(texid|texuniform|texrepeat\[2\]);/ { next } { print }' \
        "$MUJOCO/include/mujoco/mjvisualize.h" > "$fake/mujoco/mjvisualize.h"
    if grep -A 40 '^typedef struct mjvGeom_' "$fake/mujoco/mjvisualize.h" | grep -q 'texrepeat'; then
        echo "not ok - compile: could not make 3.10-like headers from $MUJOCO"
    else
        run "examples/render.c against headers made to look like MuJoCo 3.10 (mjvGeom without texid/texrepeat/texuniform)" \
            gcc -std=c99 $CWARN -I. -isystem "$fake" -fsyntax-only examples/render.c
    fi
fi
flush
if command -v nm >/dev/null 2>&1; then
    if nm -u "$out/nothreads-gcc" 2>/dev/null | grep -q pthread_; then
        echo "not ok - compile: ES_NO_THREADS still references pthreads"
    else
        echo "ok - compile: ES_NO_THREADS references no pthread symbol"
    fi
fi

# es.h alone and the Philox known answers
ref="${ES_REFERENCE_DIR:-}"
if [ -z "$ref" ]; then
    for d in ../shared/reference ../../shared/reference; do
        [ -f "$d/philox_kat.txt" ] && { ref=$d; break; }
    done
fi
if [ -n "$ref" ] && [ -f "$ref/philox_kat.txt" ]; then
    if gcc -std=c99 $CWARN -I. tests/compile/philox_only.c -o "$out/philox_only" -lm 2>"$out/log"; then
        "$out/philox_only" "$ref/philox_kat.txt"
    else
        echo "not ok - compile: philox_only.c: $(head -n 4 "$out/log" | tr '\n' ' ')"
    fi
elif [ "${CI:-}" = true ]; then
    echo "not ok - compile: es.h alone and the Philox vectors: ../shared/reference is missing under CI=true"
else
    echo "skip - compile: es.h alone and the Philox vectors: ../shared/reference not found"
fi
