#!/bin/sh
# README's command that removes a finished run's keys, run as written
# (host and port replaced): for run names with glob characters and spaces it
# removes exactly that run's keys, none of another run's.
. tests/test_redis_common.inc
need
start_redis
R="redis-cli -h 127.0.0.1 -p $PORT"
cmd=$(awk '/export REDISCLI_AUTH=/, /"es:[{][$]NAME[}]:"$/' README.md | sed 's/^  //; s/-h 10\.0\.0\.1 -p 6379/-h 127.0.0.1 -p "$PORT"/; s/; NAME=[^ ]*$//')
[ -n "$cmd" ]
check $? "README has the command"
for run in 'a*' 'a b' ab a '[a]' 'a?'; do
    for k in config ckpt g:0:rew; do $R set "es:{$run}:$k" 1 >/dev/null; done
done
for run in 'a*' 'a b' '[a]'; do      # (no password here: redis-cli warns about the empty REDISCLI_AUTH)
    n=$(PORT=$PORT NAME=$run ES_REDIS_PASSWORD= sh -c "$cmd" 2>"$T/err.log")
    check $? "the command for run '$run' exits 0"
    [ "$n" = 3 ]
    check $? "... and removes the run's 3 keys (it says ${n:-nothing})"
done
left=$($R --scan --pattern '*' | LC_ALL=C sort | tr '\n' ' ')
[ "$left" = "es:{a?}:ckpt es:{a?}:config es:{a?}:g:0:rew es:{ab}:ckpt es:{ab}:config es:{ab}:g:0:rew es:{a}:ckpt es:{a}:config es:{a}:g:0:rew " ]
check $? "the other runs' keys are all left: $left"
exit $FAILED
