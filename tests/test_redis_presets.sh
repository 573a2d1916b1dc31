#!/bin/sh
# A preset with an lr schedule (Reacher-v5) under --redis: the schedule is
# dropped (not distributed yet), the trainer says so even with --quiet, and
# the run ends byte-identical to a single-process run with
# --lr-schedule constant (not to one with the preset's schedule).
. tests/test_redis_common.inc
FLAGS="--env Reacher-v5 --npop 8 --max-steps 20 --seed 3 --threads 1 --quiet --minutes 0 --generations 3 --test-episodes 2"
need
start_redis
$BIN $FLAGS --lr-schedule constant --out "$T/constant" >"$T/constant.log" 2>&1
check $? "single-process run with --lr-schedule constant"
$BIN $FLAGS --out "$T/schedule" >"$T/schedule.log" 2>&1
check $? "single-process run with the preset's lr schedule"
start_worker w1; W1=$LAST
wait_exit "$W1" w1
grep -q "^note: the preset's lr schedule needs .* no --redis: lr stays constant" "$T/w1.log"
check $? "under --redis with --quiet the trainer says the preset's lr schedule is dropped"
cmp -s "$T/constant/latest.ckpt" "$T/w1/latest.ckpt"
check $? "w1: latest.ckpt byte-identical to the single-process run with --lr-schedule constant"
! cmp -s "$T/schedule/latest.ckpt" "$T/w1/latest.ckpt"
check $? "... and not to the single-process run with the preset's schedule"
exit $FAILED
