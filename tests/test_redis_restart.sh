#!/bin/sh
# Fault test 3: Redis is killed and restarted empty while two workers run;
# they reconnect, repopulate it (config, checkpoint, final generation, the
# results of their last generation) and end byte-identical to a
# single-process run.
. tests/test_redis_common.inc
need
start_redis
reference
start_worker w1; W1=$LAST
start_worker w2; W2=$LAST
wait_rows w1 4
kill_redis
ok "redis-server killed at generation $(rows w1)"
sleep 1
start_redis
ok "redis-server restarted empty on the same port"
wait_exit "$W1" w1
wait_exit "$W2" w2
check_worker w1
check_worker w2
n=$(cat "$T/w1.log" "$T/w2.log" | grep -c 'repopulating')
[ "$n" -ge 1 ]
check $? "the run was repopulated ($n workers found it gone)"
exit $FAILED
