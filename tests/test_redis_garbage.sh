#!/bin/sh
# Garbage in Redis before the run: final = 0, head and next that are not
# numbers, a malformed result of a future generation, a stray field in a
# generation's results, a run checkpoint entry with a huge generation and
# garbage bytes, keys of the wrong type (the stream, a generation's results). Two workers go on (no early stop, no raw Lua error),
# recompute or replace what is malformed, say so, put a real checkpoint back,
# and end byte-identical to a single-process run.
. tests/test_redis_common.inc
need
start_redis
reference
R="redis-cli -h 127.0.0.1 -p $PORT"
K='es:{fault}:'
$R set "${K}final" 0 >/dev/null
$R set "${K}head" xyz >/dev/null
$R set "${K}g:3:next" abc >/dev/null
$R hset "${K}g:5:rew" 1 garbage >/dev/null
$R hset "${K}g:6:rew" zzz junk >/dev/null
$R hset "${K}ckpt" gen 4000000000 data garbage >/dev/null
$R set "${K}done" 'not a stream' >/dev/null
$R set "${K}g:7:rew" 'not a hash' >/dev/null
two_workers
cat "$T/w1.log" "$T/w2.log" >"$T/both.log"
grep -q 'invalid values, ignored:.* final=0' "$T/both.log"
check $? "final = 0 was named and ignored (the run was not stopped early)"
grep -q 'invalid values, ignored:.* next=abc' "$T/both.log" && grep -q 'invalid values, ignored:.* head=xyz' "$T/both.log"
check $? "next = abc and head = xyz were named and ignored"
grep -q 'generation 5 chunk 1: malformed result' "$T/both.log"
check $? "the malformed result of generation 5 chunk 1 was recomputed or replaced"
grep -q 'fields that are no chunk result ignored' "$T/both.log"
check $? "the stray field of generation 6 was ignored"
grep -q 'invalid values, ignored:.* rew=not a hash' "$T/both.log"
check $? "generation 7's results of the wrong type were named and replaced (and a \"done\" that is no stream did no harm)"
grep -q 'claims generation 4000000000 but holds no valid checkpoint' "$T/both.log"
check $? "the run checkpoint entry of generation 4000000000 was named and replaced"
g=$($R hget "${K}ckpt" gen)
[ "$g" = "$GENS" ]
check $? "the run's checkpoint in Redis is generation $g (the run's last, $GENS)"
exit $FAILED
