#!/bin/sh
# tests/mujoco_versions.sh - the trainer across two MuJoCo versions, run by
# make test's MuJoCo 3.x pass (tests/mujoco3.sh): build/train_half_cheetah
# (the first pass's MuJoCo, Debian's 2.2.2) against BUILD/train_half_cheetah
# (MUJOCO, 3.12.0). A checkpoint resumed on another MuJoCo continues with a
# warning that the continuation is no longer bit-exact, and only then; a
# Redis worker on another MuJoCo than the run's is refused with the setting
# named.
cd "$(dirname "$0")/.." || exit 1
A=build/train_half_cheetah
B=${BUILD:-build}/train_half_cheetah
T=$(mktemp -d "${TMPDIR:-/tmp}/es-mujoco-versions.XXXXXX") || exit 1
REDIS_PID=""
cleanup() { [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
ok() { echo "ok - versions: $*"; }
notok() { echo "not ok - versions: $*"; }
check() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2${3:+: $3}"; fi; }

# The MuJoCo each binary was built against (mjVERSION_HEADER of its headers).
version_of() {   # version_of PREFIX ("" = the system's)
    inc=""; [ -n "$1" ] && inc="-isystem $1/include"
    printf '#include <mujoco/mujoco.h>\nmjVERSION_HEADER\n' | cc -E -P $inc - 2>/dev/null | tail -n 1
}
va=$(version_of "$(cat build/mujoco.prefix 2>/dev/null)")
vb=$(version_of "${MUJOCO:-}")
if [ ! -x "$A" ] || [ ! -x "$B" ] || [ "$A" -ef "$B" ]; then
    notok "needs build/train_half_cheetah and ${BUILD:-build}/train_half_cheetah (make all, then make MUJOCO=/prefix BUILD=dir all)"
    exit 1
fi
if [ -z "$va" ] || [ "$va" = "$vb" ]; then
    echo "skip - versions: both passes use the same MuJoCo ($va); nothing to compare"
    exit 0
fi

# 1. A checkpoint of MuJoCo A resumed on MuJoCo B: a warning naming both
#    versions and bit-exactness, and the run goes on.
flags="--npop 8 --max-steps 60 --seed 3 --threads 2 --quiet"
$A $flags --generations 2 --out "$T/a" >"$T/a.log" 2>&1
check $? "a run on the first MuJoCo" "$(tail -n 2 "$T/a.log")"
cp -r "$T/a" "$T/same"
$B --resume "$T/a/latest.ckpt" --generations 3 --quiet >"$T/b.out" 2>"$T/b.err"; rc=$?
msg=$(tr '\n' ' ' <"$T/b.err")
[ $rc -eq 0 ] && [ -f "$T/a/checkpoints/gen_000003.ckpt" ]
check $? "resumed on the other MuJoCo, the run continues to generation 3 (exit $rc)" "$msg"
grep -qi 'mujoco' "$T/b.err" && grep -q 'bit-exact' "$T/b.err"
check $? "... with a warning that it is no longer bit-exact: $msg"
$A --resume "$T/same/latest.ckpt" --generations 3 --quiet >"$T/s.out" 2>"$T/s.err"; rc=$?
[ $rc -eq 0 ] && ! grep -qi 'mujoco' "$T/s.err"
check $? "resumed on its own MuJoCo: no warning (exit $rc)" "$(tr '\n' ' ' <"$T/s.err")"

# 2. Redis: a worker on another MuJoCo than the run's is refused (exit 2),
#    the MuJoCo setting named.
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then notok "redis-server is missing under CI=true"; exit 1; fi
    echo "skip - versions: redis-server not installed"; exit 0
fi
if "$A" --redis 127.0.0.1:1 --run x 2>&1 | grep -q "no Redis support"; then
    echo "skip - versions: the trainer was built without Redis support (libhiredis-dev missing)"; exit 0
fi
. tests/redis_server.inc
PORT=""
start_redis
unset ES_REDIS_PASSWORD
rflags="--redis 127.0.0.1:$PORT --run versions --npop 8 --max-steps 30 --seed 3 --threads 1 --generations 2 --quiet"
$A $rflags --out "$T/ra" >"$T/ra.log" 2>&1
check $? "a Redis run on the first MuJoCo" "$(tail -n 2 "$T/ra.log")"
$B $rflags --out "$T/rb" >"$T/rb.out" 2>"$T/rb.err"; rc=$?
msg=$(tr '\n' ' ' <"$T/rb.err")
[ $rc -eq 2 ] && grep -q 'mujoco=' "$T/rb.err"
check $? "a worker on the other MuJoCo is refused with exit 2, the setting named: $msg (exit $rc)"
