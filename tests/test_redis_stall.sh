#!/bin/sh
# Fault test 5: a worker is stopped (SIGSTOP) past its lease, then continued
# (SIGCONT) once another worker has re-claimed and stored its chunk: its
# late result is dropped (HSETNX: first write wins) and it catches up; all
# end byte-identical to a single-process run.
. tests/test_redis_common.inc
GENS=14
FLAGS="--npop 16 --max-steps 300 --seed 7 --threads 1 --quiet --minutes 0 --ckpt-every 100 --generations $GENS"
export ES_REDIS_CHUNK=8
need
start_redis
reference
start_worker w1; W1=$LAST
start_worker w2; W2=$LAST
wait_rows w2 2
# Stops w2 while it holds the lease of a chunk whose result is not stored
# yet, confirms that while it is stopped, and keeps it stopped until another
# worker (after the lease expired) has stored that chunk: its result is then
# late whatever the machine's load. held prints "generation chunk" or "".
HELD="for _, k in ipairs(redis.call('KEYS', ARGV[1])) do
  if redis.call('GET', k) == ARGV[2] then
    local g, c = string.match(k, 'g:(%d+):lease:(%d+)\$')
    if g and redis.call('HEXISTS', ARGV[3] .. g .. ':rew', c) == 0 then return g .. ' ' .. c end
  end
end
return ''"
held() { redis-cli -h 127.0.0.1 -p "$PORT" eval "$HELD" 0 'es:{fault}:g:*:lease:*' "$(uname -n):$W2" 'es:{fault}:g:'; }
stored() { [ "$(redis-cli -h 127.0.0.1 -p "$PORT" hexists "es:{fault}:g:$1:rew" "$2")" = 1 ]; }
tries=0
while [ $tries -lt 5 ] && ! grep -q 'late result' "$T/w2.log" && kill -0 "$W2" 2>/dev/null; do
    tries=$((tries + 1))
    gc="" i=0
    while [ -z "$gc" ] && [ $i -lt 3000 ] && kill -0 "$W2" 2>/dev/null; do gc=$(held); i=$((i + 1)); done
    [ -n "$gc" ] || continue
    kill -STOP "$W2"
    if [ "$(held)" != "$gc" ]; then kill -CONT "$W2"; continue; fi   # stored meanwhile
    i=0
    while ! stored $gc && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    kill -CONT "$W2"
    i=0
    while ! grep -q 'late result' "$T/w2.log" && kill -0 "$W2" 2>/dev/null && [ $i -lt 600 ]; do
        sleep 0.1; i=$((i + 1))
    done
done
wait_exit "$W1" w1
wait_exit "$W2" w2
grep -q 'late result of generation .* dropped' "$T/w2.log"
check $? "w2's late result was dropped ($tries attempt(s) to stop it while it held a 1 s lease)"
check_worker w1
check_worker w2
exit $FAILED
