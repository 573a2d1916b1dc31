#!/bin/sh
# A run whose checkpoint in Redis is missing or invalid after its gc cursor
# went past 0 can be started again: with no worker left on it, a worker
# stores its own generation 0 and the run is computed again from there
# (byte-identical to a single-process run); with a worker still on it, a
# joiner waits for that worker's next checkpoint and adopts it. A checkpoint
# entry with a generation but no data is replaced too.
export ES_REDIS_RECONNECT_S=5      # how long the old code retried before exit 1
. tests/test_redis_common.inc
need
start_redis
R="redis-cli -h 127.0.0.1 -p $PORT"
reference

# finished NAME: a whole run, its gc cursor past 0 (keys below it deleted)
finished() {
    $R flushall >"$T/flush.log"
    start_worker "$1"; wait_exit "$LAST" "$1"
    [ "$($R get 'es:{fault}:gc')" -gt 0 ] 2>/dev/null
    check $? "$1 finished the run; its gc cursor is $($R get 'es:{fault}:gc')"
}

finished s1
$R del 'es:{fault}:ckpt' >"$T/del.log"
start_worker r1; wait_exit "$LAST" "r1 (checkpoint deleted)"
check_worker r1

finished s2
$R hset 'es:{fault}:ckpt' data garbage >"$T/del.log"
start_worker r2; wait_exit "$LAST" "r2 (checkpoint data corrupted)"
check_worker r2

# an entry with a generation but no data, beside the settings alone
finished s3
$R --scan --pattern 'es:{fault}:*' | grep -v ':config$' | while read -r k; do $R del "$k" >/dev/null; done
$R hset 'es:{fault}:ckpt' gen 5 >"$T/del.log"
start_worker r3; wait_exit "$LAST" "r3 (checkpoint entry of generation 5 without data)"
check_worker r3

# a live worker: the joiner waits for its next checkpoint instead of
# setting the run back to generation 0 (the checkpoint is deleted again and
# again until the joiner has either waited or joined)
$R flushall >"$T/flush.log"
start_worker l1 --generations 48; L1=$LAST
wait_rows l1 10
start_worker l2 --generations 48; L2=$LAST
i=0
while ! grep -q "waiting for the checkpoint\|joined run" "$T/l2.log" && [ $i -lt 200 ]; do
    $R del 'es:{fault}:ckpt' >"$T/del.log"; sleep 0.02; i=$((i + 1))
done
wait_exit "$L1" "l1 (live)"
wait_exit "$L2" "l2 (joined while the checkpoint was missing)"
cmp -s "$T/l1/latest.ckpt" "$T/l2/latest.ckpt"
check $? "l1's and l2's latest.ckpt are byte-identical"
grep -q "joined run fault at generation [1-9]" "$T/l2.log"
check $? "l2 adopted l1's checkpoint (joined after generation 0, $(grep -c 'waiting for the checkpoint' "$T/l2.log") notice of waiting)"
exit $FAILED
