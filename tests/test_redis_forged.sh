#!/bin/sh
# A well-formed forged result: a genuine result of generation 9 chunk 1
# (from another run with the same settings) with one bit of its first reward
# flipped, written into the run before any worker reaches generation 9.
# The worker whose own result loses the first-write race sees that it
# differs, halts the run, and every worker stops with exit 1 and a message
# instead of ending on other bytes than a single-process run.
. tests/test_redis_common.inc
need
start_redis
R="redis-cli -h 127.0.0.1 -p $PORT"
$BIN $FLAGS --redis "127.0.0.1:$PORT" --run donor --out "$T/donor" >"$T/donor.log" 2>&1
check $? "a donor run with the same settings"
FORGE="local v = redis.call('HGET', KEYS[1], '1')
local b = string.byte(v, 33)
redis.call('HSET', KEYS[2], '1', string.sub(v, 1, 32) .. string.char(bit.bxor(b, 1)) .. string.sub(v, 34))
return #v"
n=$($R eval "$FORGE" 2 'es:{donor}:g:9:rew' 'es:{fault}:g:9:rew')
[ "${n:-0}" -gt 32 ] 2>/dev/null
check $? "forged result of generation 9 chunk 1 written ($n bytes, first reward's lowest bit flipped)"
start_worker w1; W1=$LAST
start_worker w2; W2=$LAST
for w in 1 2; do
    eval "p=\$W$w"
    wait "$p"; rc=$?
    [ $rc = 1 ] && grep -q 'forged' "$T/w$w.log"
    check $? "w$w stops with exit 1 (got $rc) and a message naming the forgery"
    [ "$(rows w$w)" -le 11 ]
    check $? "w$w did not run past generation 10 ($(rows w$w) generations logged)"
done
grep -q 'generation 9 chunk 1: the result stored in Redis differs' "$T/w1.log" "$T/w2.log"
check $? "the worker that computed chunk 1 of generation 9 found the mismatch"
exit $FAILED
