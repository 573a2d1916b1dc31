#!/bin/sh
# Fault test 2: a worker joins a running run: it adopts the newest checkpoint
# in Redis, replays the complete generations after it and ends, with the
# others, byte-identical to a single-process run. A worker with other
# settings (npop, the runner's reward shift) is refused.
. tests/test_redis_common.inc
need
start_redis
reference
start_worker w1; W1=$LAST
start_worker w2; W2=$LAST
wait_rows w1 5
start_worker w3; W3=$LAST
$BIN $FLAGS --npop 32 --redis "127.0.0.1:$PORT" --run fault --out "$T/bad" >"$T/bad.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'npop=16' "$T/bad.log"
check $? "a worker with --npop 32 is refused (exit $rc, names the conflicting setting)"
[ ! -e "$T/bad" ]
check $? "... and leaves no run directory behind (it held a config.json and header-only CSV files: a local run there was refused)"
$BIN $FLAGS --reward-shift 2 --redis "127.0.0.1:$PORT" --run fault --out "$T/shift" >"$T/shift.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'reward_shift=2' "$T/shift.log"
check $? "a worker with --reward-shift 2 is refused (exit $rc, names reward_shift)"
wait_exit "$W1" w1
wait_exit "$W2" w2
wait_exit "$W3" w3
check_worker w1
check_worker w2
check_worker w3
first=$(awk -F, 'NR == 2 { print $1 }' "$T/w3/metrics.csv")
[ -n "$first" ] && [ "$first" -gt 0 ]
check $? "w3 joined late: its first generation is $first"
exit $FAILED
