#!/bin/sh
# Fault test 4: every worker is killed; a fresh worker (new --out) started
# later resumes from the run's checkpoint in Redis, replays the complete
# generations after it and ends byte-identical to a single-process run.
. tests/test_redis_common.inc
need
start_redis
reference
start_worker w1; W1=$LAST
start_worker w2; W2=$LAST
wait_rows w1 6
kill -9 "$W1" "$W2"
wait "$W1" "$W2" 2>/dev/null
ok "both workers killed at generation $(rows w1)"
start_worker fresh; WF=$LAST
wait_exit "$WF" fresh
check_worker fresh
g=$(awk -F, 'NR == 2 { print $1 }' "$T/fresh/metrics.csv")
[ -n "$g" ] && [ "$g" -gt 0 ]
check $? "the fresh worker resumed from the checkpoint of generation ${g:-?} in Redis"
exit $FAILED
