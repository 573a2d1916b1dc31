#!/bin/sh
# A password-protected Redis as the README sets it up, with a password of
# 128 characters (as `openssl rand -hex 64` makes): a worker without
# ES_REDIS_PASSWORD is refused with a message naming it; two workers with it
# end byte-identical to a single-process run; the README's command removes
# the run's keys.
. tests/test_redis_common.inc
need
PASS=$(od -An -N64 -tx1 /dev/urandom | tr -d ' \n')
REDIS_ARGS="--requirepass $PASS"
export REDISCLI_AUTH="$PASS"             # for this script's own redis-cli calls
start_redis
reference
$BIN $FLAGS --redis "127.0.0.1:$PORT" --run fault --out "$T/nopass" >"$T/nopass.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'ES_REDIS_PASSWORD' "$T/nopass.log"
check $? "a worker without ES_REDIS_PASSWORD: exit 1 (got $rc), the message names ES_REDIS_PASSWORD"
ES_REDIS_PASSWORD=wrong $BIN $FLAGS --redis "127.0.0.1:$PORT" --run fault --out "$T/wrong" >"$T/wrong.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'ES_REDIS_PASSWORD was refused' "$T/wrong.log"
check $? "a worker with a wrong ES_REDIS_PASSWORD: exit 1 (got $rc), the message says it was refused, not to set it"
export ES_REDIS_PASSWORD="$PASS"
[ ${#PASS} = 128 ]
check $? "the password has ${#PASS} characters"
two_workers
$BIN $FLAGS --redis "127.0.0.1:$PORT" --run fault --out "$T/late" >"$T/late.log" 2>&1
rc=$?
[ $rc = 0 ] && grep -q '^redis: 0 generations' "$T/late.log" && ! grep -q 'ms a generation' "$T/late.log"
check $? "a worker joining the ended run: exit 0 (got $rc), no time a generation of the none it trained ($(grep '^redis:' "$T/late.log" | cut -c1-60))"
keys() { redis-cli -h 127.0.0.1 -p "$PORT" --scan --pattern 'es:{fault}:*' | wc -l; }
redis-cli -h 127.0.0.1 -p "$PORT" set 'es:{fault}:probe' 1 >/dev/null
before=$(keys)
cmd=$(awk '/export REDISCLI_AUTH=/, /"es:[{][$]NAME[}]:"$/' README.md | sed 's/^  //; s/-h 10\.0\.0\.1 -p 6379/-h 127.0.0.1 -p "$PORT"/; s/; NAME=[^ ]*$//')
(unset REDISCLI_AUTH; PORT=$PORT NAME=fault sh -c "$cmd") >"$T/cleanup.log" 2>&1
after=$(keys)
[ "$before" -gt 0 ] && [ "$after" = 0 ]
check $? "the README's clean-up command removes the run's keys ($before before, $after after)"
exit $FAILED
