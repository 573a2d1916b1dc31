#!/bin/sh
# A run whose settings are in Redis but whose checkpoint is not (its
# creator stopped, or lost Redis's reply to SET NX, before storing one):
# two workers started on it at once store their own generation 0 (the same
# bytes from the same settings), adopt it and end byte-identical to a
# single-process run, instead of waiting for a checkpoint nobody stores.
export ES_REDIS_RECONNECT_S=5      # how long the old code waited before exit 1
. tests/test_redis_common.inc
need
start_redis
reference
R="redis-cli -h 127.0.0.1 -p $PORT"
start_worker w0; W0=$LAST          # makes the run's settings (its config key)
wait_exit "$W0" w0
$R --scan --pattern 'es:{fault}:*' | grep -v ':config$' | while read -r k; do $R del "$k" >/dev/null; done
[ "$($R --scan --pattern 'es:{fault}:*')" = 'es:{fault}:config' ]
check $? "Redis holds the run's settings and nothing else"
two_workers
cat "$T/w1.log" "$T/w2.log" | grep -q 'has settings but no checkpoint in Redis.*stores its own'
check $? "a worker said it stores its own state as the run's checkpoint"
exit $FAILED
