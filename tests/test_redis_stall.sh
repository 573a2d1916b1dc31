#!/bin/sh
# Fault test 5: a worker is stopped (SIGSTOP) past its lease, then continued
# (SIGCONT): the others re-claim its chunk, its late result is dropped
# (HSETNX: first write wins) and it catches up; all end byte-identical to
# a single-process run.
. tests/test_redis_common.inc
GENS=20
FLAGS="--npop 16 --max-steps 150 --seed 7 --threads 1 --quiet --minutes 0 --ckpt-every 4 --generations $GENS"
export ES_REDIS_CHUNK=4
need
start_redis
reference
start_worker w1; W1=$LAST
start_worker w2; W2=$LAST
wait_rows w2 2
tries=0
while [ $tries -lt 6 ] && ! grep -q 'dropped' "$T/w2.log" && kill -0 "$W2" 2>/dev/null; do
    kill -STOP "$W2"
    sleep 2
    kill -CONT "$W2"
    sleep 0.7
    tries=$((tries + 1))
done
wait_exit "$W1" w1
wait_exit "$W2" w2
grep -q 'late result of generation .* dropped' "$T/w2.log"
check $? "w2's late result was dropped after $tries stop(s) of 2 s with a 1 s lease"
check_worker w1
check_worker w2
exit $FAILED
