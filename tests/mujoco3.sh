#!/bin/sh
# tests/mujoco3.sh - the second pass of `make test`: every MuJoCo-dependent
# test again, built against MuJoCo 3.12.0 into build/mujoco3/: the C tests
# that include es_env_mujoco.h (models against Gymnasium's assets, the
# trajectories of the nine tasks, bad inputs), the compile checks, the
# trainer (resume and thread-count bit-equality), render, and the checks
# across the two versions (tests/mujoco_versions.sh). Each line they print
# is prefixed with "MuJoCo 3.12.0: ".
#
# The MuJoCo: MUJOCO3=/prefix (any MuJoCo 3.x install prefix or release
# folder), else build/mujoco-3.12.0, built once from ../shared/mujoco with its
# build.sh (a few minutes; kept between runs, `make clean` removes it).
# Without ../shared/mujoco this pass skips, or fails under CI=true.
cd "$(dirname "$0")/.." || exit 1
# The sub-makes and scripts get MUJOCO and BUILD from here, not from the
# command line of the `make test` that started this pass.
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p build

pfx=${MUJOCO3:-}
if [ -z "$pfx" ]; then
    pfx=build/mujoco-3.12.0
    if [ ! -f "$pfx/lib/libmujoco.so.3.12.0" ] || [ ! -f "$pfx/include/mujoco/mujoco.h" ]; then
        src=""
        for d in ../shared/mujoco ../../shared/mujoco; do
            [ -f "$d/build.sh" ] && { src=$d; break; }
        done
        if [ -z "$src" ]; then
            if [ "${CI:-}" = true ]; then
                echo "not ok - MuJoCo 3.12.0 pass: ../shared/mujoco is missing under CI=true"
                exit 1
            fi
            echo "skip - MuJoCo 3.12.0 pass: ../shared/mujoco not found (or give a MuJoCo 3.x with make test MUJOCO3=/prefix)"
            exit 0
        fi
        if ! sh "$src/build.sh" "$pfx" >build/mujoco-3.12.0.log 2>&1; then
            echo "not ok - MuJoCo 3.12.0 builds from $src into $pfx: $(tail -n 3 build/mujoco-3.12.0.log | tr '\n' ' ')"
            exit 1
        fi
    fi
fi
if [ ! -f "$pfx/include/mujoco/mujoco.h" ]; then
    echo "not ok - MuJoCo 3.x pass: $pfx holds no include/mujoco/mujoco.h (MUJOCO3 must be a MuJoCo prefix)"
    exit 1
fi
pfx=$(cd "$pfx" && pwd)
num=$(printf '#include <mujoco/mujoco.h>\nmjVERSION_HEADER\n' | cc -E -P -isystem "$pfx/include" - 2>/dev/null | tail -n 1)
case $num in ''|*[!0-9]*) echo "not ok - MuJoCo 3.x pass: cannot read mjVERSION_HEADER in $pfx"; exit 1 ;; esac
if [ "$num" -ge 3005000 ]; then     # 3.5.0 is 3005000; before it, 3.4.0 was 340
    ver="$((num / 1000000)).$((num / 1000 % 1000)).$((num % 1000))"
else
    ver="$((num / 100)).$((num / 10 % 10)).$((num % 10))"
fi
name="MuJoCo $ver"
if [ "$num" -lt 300 ]; then
    echo "not ok - MuJoCo 3.x pass: $pfx holds MuJoCo $ver, not a 3.x"
    exit 1
fi

MUJOCO=$pfx
BUILD=build/mujoco3
export MUJOCO BUILD
mkdir -p "$BUILD"
tag() { sed -e "s/^ok - /ok - $name: /" -e "s/^not ok - /not ok - $name: /" -e "s/^skip - /skip - $name: /"; }

# Everything builds, and with no warning (the project's flags, MuJoCo's
# headers as system headers).
if make -s all >"$BUILD/make.log" 2>&1; then
    if grep -q 'warning:' "$BUILD/make.log"; then
        echo "not ok - $name: make MUJOCO=$pfx all prints warnings: $(grep -m 3 'warning:' "$BUILD/make.log" | tr '\n' ' ' | cut -c1-400)"
    else
        echo "ok - $name: make MUJOCO=prefix all builds with no warning"
    fi
else
    echo "not ok - $name: make MUJOCO=$pfx all fails: $(grep -m 4 -E 'error|Error' "$BUILD/make.log" | tr '\n' ' ' | cut -c1-400)"
    exit 1
fi

progs=""
for src in tests/test_*.c; do
    grep -q 'es_env_mujoco\.h' "$src" && progs="$progs $BUILD/tests/$(basename "$src" .c)"
done
for t in $progs tests/test_compile.sh tests/test_trainer.sh tests/test_render.sh tests/mujoco_versions.sh; do
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out" | tag
    if [ "$rc" -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok - '; then
        echo "not ok - $name: $t exited with status $rc"
    fi
done
exit 0
