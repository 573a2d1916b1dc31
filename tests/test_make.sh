#!/bin/sh
# The Makefile: a second make builds nothing (the remembered MuJoCo prefix
# once made every make relink everything, and tools/sweep's make then
# rewrote the trainer under runs starting beside it: "Text file busy"),
# and a rebuild never leaves a half-written trainer for a run to exec.
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
B=$tmp/b
T=$B/train_half_cheetah
ok() { echo "ok - make: $*"; }
fail() { echo "not ok - make: $*"; FAILED=1; }
FAILED=0
if ! make -s BUILD="$B" "$T" > "$tmp/first.log" 2>&1; then
    fail "build into a fresh BUILD dir"; cat "$tmp/first.log"; exit 1
fi
make BUILD="$B" "$T" > "$tmp/second.log" 2>&1
if grep -q -- "-o $T" "$tmp/second.log"; then fail "a second make relinks the trainer (build/mujoco.prefix never written)"
else ok "a second make builds nothing"; fi
[ -f "$B/mujoco.prefix" ] && ok "the MuJoCo prefix file exists after a build without MUJOCO=" || fail "no $B/mujoco.prefix"

# Exec the trainer in a loop while make -B rebuilds it: every exec must
# find a whole program (before: ETXTBSY or a truncated file while ld wrote it).
make -s -B BUILD="$B" "$T" > "$tmp/rebuild.log" 2>&1 & M=$!
n=0; bad=0
while kill -0 $M 2>/dev/null; do
    "$T" --help > /dev/null 2> "$tmp/err" || { bad=$((bad + 1)); cp "$tmp/err" "$tmp/lasterr"; }
    n=$((n + 1))
done
wait $M || fail "make -B failed: $(tail -n 3 "$tmp/rebuild.log")"
if [ $bad -eq 0 ]; then ok "$n execs of the trainer during a rebuild all ran it"
else fail "$bad of $n execs during a rebuild failed: $(cat "$tmp/lasterr")"; fi
ls "$B"/train_half_cheetah.tmp* > /dev/null 2>&1 && fail "a temporary link output was left in $B" || ok "no temporary file left"
# hiredis installed after a build (make test installs it): the trainer
# built without --redis was kept, and the Redis tests skipped for good.
make -s BUILD="$B" HIREDIS_H=/nonexistent "$T" > "$tmp/nored.log" 2>&1
"$T" --redis localhost:1 --run x --check > "$tmp/nored.out" 2>&1
if [ -f /usr/include/hiredis/hiredis.h ]; then
    make -s BUILD="$B" "$T" > "$tmp/red.log" 2>&1
    "$T" --redis localhost:1 --run x --check > "$tmp/red.out" 2>&1; rc=$?
    if grep -q 'no Redis support' "$tmp/nored.out" && [ $rc -eq 0 ]; then
        ok "a trainer built before hiredis was installed is built again with --redis"
    else fail "built again with hiredis: rc $rc, $(cat "$tmp/nored.out" "$tmp/red.out")"; fi
else
    echo "skip - make: a rebuild once hiredis is installed (libhiredis-dev not installed)"
fi
exit $FAILED
