#!/bin/sh
# Fault test 4: every worker is killed; a fresh worker (new --out) started
# later resumes from the run's checkpoint in Redis, replays the complete
# generations after it and ends byte-identical to a single-process run.
# Once with the defaults, once with sep-CMA-ES (state beyond theta and
# Adam's moments: the joiner must adopt all of it).
. tests/test_redis_common.inc
need
start_redis
BASE=$FLAGS
for strategy in openai sepcma; do
    FLAGS="$BASE --strategy $strategy"
    T0=$T; T=$T0/$strategy; mkdir -p "$T"
    reference
    start_worker "$strategy-w1" --run "resume-$strategy"; W1=$LAST
    start_worker "$strategy-w2" --run "resume-$strategy"; W2=$LAST
    wait_rows "$strategy-w1" 6
    kill -9 "$W1" "$W2"
    wait "$W1" "$W2" 2>/dev/null
    ok "$strategy: both workers killed at generation $(rows "$strategy-w1")"
    start_worker "$strategy-fresh" --run "resume-$strategy"; WF=$LAST
    wait_exit "$WF" "$strategy-fresh"
    check_worker "$strategy-fresh"
    g=$(awk -F, 'NR == 2 { print $1 }' "$T/$strategy-fresh/metrics.csv")
    [ -n "$g" ] && [ "$g" -gt 0 ]
    check $? "$strategy: the fresh worker resumed from the checkpoint of generation ${g:-?} in Redis"
    T=$T0
done
exit $FAILED
