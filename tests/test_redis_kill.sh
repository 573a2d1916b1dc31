#!/bin/sh
# Fault test 1: one of three workers is killed (SIGKILL) in the middle of
# the run; its leased chunks are re-claimed and the two survivors end
# byte-identical to a single-process run.
. tests/test_redis_common.inc
need
start_redis
reference
start_worker w1; W1=$LAST
start_worker w2; W2=$LAST
start_worker w3; W3=$LAST
wait_rows w3 3
kill -9 "$W3"
wait "$W3" 2>/dev/null
ok "w3 killed after $(rows w3) generations"
wait_exit "$W1" w1
wait_exit "$W2" w2
check_worker w1
check_worker w2
echo "# chunks re-claimed from expired leases: $(cat "$T/w1.log" "$T/w2.log" | grep -c 're-claimed')"
exit $FAILED
