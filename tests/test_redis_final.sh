#!/bin/sh
# --minutes on one worker: it sets the run's final generation; the other
# worker (--generations only) ends at the same generation, byte-identical,
# and says why it ended before its --generations.
. tests/test_redis_common.inc
GENS=400
FLAGS="--npop 16 --max-steps 60 --seed 7 --threads 1 --quiet --ckpt-every 4 --generations $GENS"
need
start_redis
start_worker a --minutes 0.002; WA=$LAST
start_worker b --minutes 0; WB=$LAST
wait_exit "$WA" a
wait_exit "$WB" b
fa=$(sed -n 's/^done: generation \([0-9]*\),.*/\1/p' "$T/a.log")
fb=$(sed -n 's/^done: generation \([0-9]*\),.*/\1/p' "$T/b.log")
[ -n "$fa" ] && [ "$fa" -lt $GENS ] && [ "$fa" = "$fb" ]
check $? "both workers end at the final generation a's --minutes set (a: ${fa:-?}, b: ${fb:-?}, --generations $GENS)"
cmp -s "$T/a/latest.ckpt" "$T/b/latest.ckpt"
check $? "a's and b's latest.ckpt are byte-identical"
$BIN $FLAGS --minutes 0 --generations "${fa:-1}" --out "$T/ref" >"$T/ref.log" 2>&1 && cmp -s "$T/ref/latest.ckpt" "$T/a/latest.ckpt"
check $? "... and byte-identical to a single-process run of ${fa:-?} generations"
grep -q "^the run ends at generation $fa (the final generation another worker's --minutes set)" "$T/b.log"
check $? "b says the run ended at generation $fa by another worker's --minutes"
# two workers with a --minutes: the one whose request set the final
# generation says "this worker's", the other (its request came second, or
# never) "another worker's"
redis-cli -h 127.0.0.1 -p "$PORT" flushall >"$T/flush.log"
start_worker c --minutes 0.0001; WC=$LAST
start_worker d --minutes 0.0001; WD=$LAST
wait_exit "$WC" c
wait_exit "$WD" d
n=$(cat "$T/c.log" "$T/d.log" | grep -c "final generation this worker's --minutes set")
m=$(cat "$T/c.log" "$T/d.log" | grep -c "final generation another worker's --minutes set")
[ "$n" = 1 ] && [ "$m" = 1 ]
check $? "of two workers with --minutes, one says its --minutes set the final generation, the other another's ($n, $m)"
exit $FAILED
