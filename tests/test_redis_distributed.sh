#!/bin/sh
# examples/distributed.c: two workers on one redis-server (started here on a
# free loopback port, stopped by PID) end with the same theta bytes as the
# same program run alone.
. tests/test_redis_common.inc
D=build/distributed
GENS=2
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    echo "skip - $NAME: redis-server not installed"; exit 0
fi
[ -x "$D" ] || { echo "skip - $NAME: $D not built (libhiredis-dev missing)"; exit 0; }
for hp in 127.0.0.1:abc 127.0.0.1: :6379 127.0.0.1:82537 127.0.0.1:0 127.0.0.1:-1 127.0.0.1:63x 127.0.0.1; do
    $D $GENS "$T/bad.ckpt" "$hp" dist >"$T/bad.log" 2>&1
    rc=$?
    [ $rc = 2 ] && grep -q '^usage: .*PORT 1 to 65535' "$T/bad.log" && [ ! -e "$T/bad.ckpt" ]
    check $? "HOST:PORT $hp is refused with the usage line (exit $rc), not run on another port or host"
done
start_redis
$D $GENS "$T/one.ckpt" >"$T/one.log" 2>&1
check $? "one process alone: $GENS generations"
$D $GENS "$T/a.ckpt" "127.0.0.1:$PORT" dist >"$T/a.log" 2>&1 & A=$!
$D $GENS "$T/b.ckpt" "127.0.0.1:$PORT" dist >"$T/b.log" 2>&1 & B=$!
PIDS="$A $B"
wait_exit "$A" "worker a"
wait_exit "$B" "worker b"
for w in a b; do
    cmp -s "$T/one.ckpt" "$T/$w.ckpt"
    check $? "worker $w: checkpoint (theta, optimizer state) byte-identical to the single process"
done
cmp -s "$T/one.log" "$T/a.log"
check $? "worker a printed the same mean returns as the single process"
# OUT.ckpt is a policy checkpoint (es_policy_save): the renderer reads it.
if [ -x build/render ]; then
    build/render "$T/a.ckpt" --frames --steps 2 --out "$T/frames" >"$T/render.log" 2>&1
    check $? "worker a's checkpoint renders (tools/render reads its task, policy and normalizer): $(tail -n 1 "$T/render.log")"
else
    echo "skip - $NAME: build/render not built, its check of the checkpoint left out"
fi
exit $FAILED
