#!/bin/sh
# Fault test 5: a worker is stopped (SIGSTOP) past its lease, then continued
# (SIGCONT): the others re-claim its chunk, its late result is dropped
# (HSETNX: first write wins) and it catches up; all end byte-identical to
# a single-process run.
. tests/test_redis_common.inc
GENS=14
FLAGS="--npop 16 --max-steps 150 --seed 7 --threads 1 --quiet --minutes 0 --ckpt-every 100 --generations $GENS"
export ES_REDIS_CHUNK=8
need
start_redis
reference
start_worker w1; W1=$LAST
start_worker w2; W2=$LAST
wait_rows w2 2
# Stops w2 while it holds the lease of a chunk whose result is not stored yet.
HELD="for _, k in ipairs(redis.call('KEYS', ARGV[1])) do
  if redis.call('GET', k) == ARGV[2] then
    local g, c = string.match(k, 'g:(%d+):lease:(%d+)\$')
    if g and redis.call('HEXISTS', ARGV[3] .. g .. ':rew', c) == 0 then return k end
  end
end
return ''"
held() { redis-cli -h 127.0.0.1 -p "$PORT" eval "$HELD" 0 'es:{fault}:g:*:lease:*' "$(uname -n):$W2" 'es:{fault}:g:'; }
tries=0
while [ $tries -lt 6 ] && ! grep -q 'dropped' "$T/w2.log" && kill -0 "$W2" 2>/dev/null; do
    i=0
    while [ -z "$(held)" ] && [ $i -lt 200 ]; do i=$((i + 1)); done
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
