#!/bin/sh
# A worker that falls behind: w2 is stopped (SIGSTOP) until the run's
# checkpoint in Redis is well past its generation (whose keys are then
# deleted), then continued. It adopts the run's checkpoint instead of
# recomputing the generations it missed alone, leaves no g:N:rew or g:N:next
# below the run's gc cursor (leases expire by themselves), and ends
# byte-identical to a single-process run.
. tests/test_redis_common.inc
GENS=30
FLAGS="--npop 16 --max-steps 60 --seed 7 --threads 1 --quiet --minutes 0 --ckpt-every 4 --generations $GENS"
need
start_redis
reference
R="redis-cli -h 127.0.0.1 -p $PORT"
start_worker w1; W1=$LAST
start_worker w2; W2=$LAST
wait_rows w2 2
kill -STOP "$W2"
s=$(rows w2)
wait_rows w1 $((s + 12))
ok "w2 stopped after $s generations, continued when w1 had $(rows w1) (the run's gc cursor: $($R get 'es:{fault}:gc'))"
kill -CONT "$W2"
wait_exit "$W1" w1
wait_exit "$W2" w2
check_worker w1
cmp -s "$T/ref/latest.ckpt" "$T/w2/latest.ckpt"
check $? "w2: latest.ckpt byte-identical to the single-process run"
grep -q 'fell behind): adopted the run.s checkpoint of generation' "$T/w2.log"
check $? "w2 said it fell behind and adopted the run's checkpoint"
gc=$($R get 'es:{fault}:gc')
below=$($R --scan --pattern 'es:{fault}:g:*' | sed -n 's/^es:{fault}:g:\([0-9]*\):\(rew\|next\)$/\1/p' | sort -un |
        awk -v gc="$gc" '$1 < gc' | tr '\n' ' ')
[ -n "$gc" ] && [ -z "$below" ]
check $? "no result or claim key of a generation below the run's gc cursor ${gc:-?} is left in Redis${below:+ (generations $below)}"
exit $FAILED
