#!/bin/sh
# Signals with long generations: a first Ctrl-C waits for the generation and
# writes a checkpoint (exit 0, tests/test_trainer.sh); a second Ctrl-C or a
# SIGTERM stops within an episode, keeps the last checkpoint as it was and
# exits 130 or 143.
cd "$(dirname "$0")/.." || exit 1
T=build/train_half_cheetah
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
ms() { date +%s%3N; }
# A generation of 64 episodes of 1000 steps on one thread: 4 s and more.
long="--npop 64 --max-steps 1000 --ckpt-every 1 --minutes 10 --threads 1 --quiet"

# Two runs at once, each on a core, until both are in generation 1 with the
# checkpoint of generation 1 written.
$T $long --out "$tmp/int" > /dev/null 2> "$tmp/int.err" & pint=$!
$T $long --out "$tmp/term" > /dev/null 2> "$tmp/term.err" & pterm=$!
i=0; while [ ! -f "$tmp/int/latest.ckpt" ] || [ ! -f "$tmp/term/latest.ckpt" ]; do
    sleep 0.1; i=$((i + 1)); [ $i -gt 1200 ] && break; done
cp "$tmp/int/latest.ckpt" "$tmp/int.before"
cp "$tmp/term/latest.ckpt" "$tmp/term.before"
sleep 0.5

# Both signals go out early in generation 1, SIGTERM first (its checks are
# printed below, after the Ctrl-C's): its generation must not have ended.
t0=$(ms); kill -TERM $pterm; wait $pterm; term_rc=$?; t1=$(ms); term_ms=$((t1 - t0))

# The second Ctrl-C once the first one was handled (its message written):
# two SIGINTs sent before the trainer ran would arrive as one.
pid=$pint
kill -INT $pid
i=0; until grep -q 'interrupted: finishing' "$tmp/int.err" || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
t0=$(ms); kill -INT $pid; wait $pid; rc=$?; t1=$(ms)
check "a second Ctrl-C during a long generation stops within 1.5 s (took $((t1 - t0)) ms)" [ $((t1 - t0)) -lt 1500 ]
check "... exits 130 (got $rc)" [ $rc -eq 130 ]
check "... keeps the last checkpoint as it was (generation 1)" \
    sh -c "cmp -s $tmp/int/latest.ckpt $tmp/int.before && [ ! -e $tmp/int/checkpoints/gen_000002.ckpt ]"
check "... and says so: $(tail -n 1 "$tmp/int.err")" grep -q 'stopped by a second Ctrl-C.*generation 1) is intact' "$tmp/int.err"
check "... leaving metrics.csv whole: the header and row 0" sh -c "[ \$(wc -l < $tmp/int/metrics.csv) -eq 2 ]"
$T --resume "$tmp/int/latest.ckpt" --generations 1 --quiet > /dev/null 2>&1; rc=$?
check "... and a run that resumes (exit $rc)" [ $rc -eq 0 ]

check "SIGTERM during a long generation stops within 1.5 s (took $term_ms ms)" [ $term_ms -lt 1500 ]
check "... exits 143 (got $term_rc)" [ $term_rc -eq 143 ]
check "... keeps the last checkpoint as it was" cmp -s "$tmp/term/latest.ckpt" "$tmp/term.before"
check "--help documents the exit codes 3, 130 and 143" \
    sh -c "$T --help | grep -q '3 run directory in use' && $T --help | grep -q '130 stopped by a second Ctrl-C, 143 stopped by SIGTERM'"

# SIGTERM in a long test evaluation (300 held-out episodes after each generation).
$T --npop 2 --max-steps 1000 --eval-every 1 --test-episodes 300 --threads 1 --quiet --out "$tmp/eval" \
    > /dev/null 2> "$tmp/eval.err" &
pid=$!
i=0; while [ "$(cat "$tmp/eval/metrics.csv" 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
t0=$(ms); kill -TERM $pid; wait $pid; rc=$?; t1=$(ms)
check "SIGTERM during a long test evaluation stops within 1.5 s (took $((t1 - t0)) ms) with exit 143 (got $rc)" \
    sh -c "[ $((t1 - t0)) -lt 1500 ] && [ $rc -eq 143 ]"
check "... and writes no evaluation row of skipped episodes" sh -c "[ \$(wc -l < $tmp/eval/evals.csv) -eq 1 ]"
