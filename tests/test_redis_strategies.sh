#!/bin/sh
# Each strategy under --redis: two workers end byte-identical to a
# single-process run of the same flags; a worker of another strategy is
# refused by the run's settings.
GENS=3
. tests/test_redis_common.inc
need
start_redis
for s in pgpe snes sepcma clipup; do
    case $s in clipup) sf="--strategy openai --optimizer clipup" ;; *) sf="--strategy $s" ;; esac
    $BIN $FLAGS $sf --out "$T/ref-$s" >"$T/ref-$s.log" 2>&1
    check $? "$s: single-process reference run"
    $BIN $FLAGS $sf --redis "127.0.0.1:$PORT" --run "s-$s" --out "$T/$s-w1" >"$T/$s-w1.log" 2>&1 & W1=$!
    $BIN $FLAGS $sf --redis "127.0.0.1:$PORT" --run "s-$s" --out "$T/$s-w2" >"$T/$s-w2.log" 2>&1 & W2=$!
    PIDS="$PIDS $W1 $W2"
    wait_exit "$W1" "$s: w1"
    wait_exit "$W2" "$s: w2"
    for w in w1 w2; do
        cmp -s "$T/ref-$s/latest.ckpt" "$T/$s-$w/latest.ckpt"
        check $? "$s: $w's latest.ckpt byte-identical to the single-process run"
    done
done
$BIN $FLAGS --strategy snes --redis "127.0.0.1:$PORT" --run s-pgpe --out "$T/bad" >"$T/bad.log" 2>&1
rc=$?
[ $rc != 0 ] && grep -q 'other settings' "$T/bad.log"
check $? "a worker with --strategy snes is refused by the pgpe run (exit $rc: created with other settings)"
exit $FAILED
