#!/bin/sh
# tools/sweep on a tiny budget: a grid of 2 configurations x 2 seeds, killed
# (SIGKILL to the sweep and its runs) after its first finished run and run
# again: finished runs are not redone, interrupted ones resume bit-exactly,
# and the summary equals an uninterrupted sweep's; a random search's plan;
# a changed command refused; usage errors (bad --set, --seeds, a trainer
# flag the trainer refuses) and --set threads; tools/measure's line, also
# with spaces in its DIR, and its usage errors; both on a read-only DIR.
cd "$(dirname "$0")/.." || exit 1
ro=""   # the read-only tmpfs at the end, while mounted
tmp=$(mktemp -d); trap '[ -z "$ro" ] || umount "$ro"; rm -rf "$tmp"' EXIT
ok() { echo "ok - sweep: $*"; }
fail() { echo "not ok - sweep: $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
command -v setsid >/dev/null 2>&1 || { echo "skip - sweep: no setsid"; exit 0; }
make -s build/train_half_cheetah >/dev/null 2>&1 || { fail "build"; exit 1; }

args="--set lr=0.01,0.03 --seeds 2 --no-plot -- --generations 16 --npop 8 --max-steps 200 --ckpt-every 1 --eval-every 8 --test-episodes 3"
tools/sweep --out "$tmp/a" --jobs 2 $args > "$tmp/a.out" 2>&1
check "an uninterrupted sweep finishes (exit 0)" [ $? -eq 0 ]
check "summary.csv has one row per configuration, each of 2 runs" \
    sh -c "[ \"\$(tail -n +2 $tmp/a/summary.csv | cut -d, -f1,3 | tr '\n' ' ')\" = 'c001,2 c002,2 ' ]"
check "summary.md is a Markdown table with medians and ranges" grep -q '^| c00[12] | `--lr 0.0[13]` | 2 | ' "$tmp/a/summary.md"
median_ok() {   # the median of 2 runs is the mean of their final test evaluations
    for c in c001 c002; do
        want=$(for s in 1 2; do tail -n 1 "$tmp/a/runs/$c-s$s/evals.csv" | cut -d, -f5; done |
               awk '{ t += $1 } END { printf "%.1f", t / 2 }')
        got=$(grep "^$c," "$tmp/a/summary.csv" | cut -d, -f4)
        [ "$want" = "$got" ] || { echo "  $c: median $got, want $want"; return 1; }
    done
}
check "the median of each configuration is recomputed from the runs' evals.csv" median_ok

setsid tools/sweep --out "$tmp/b" --jobs 1 $args > "$tmp/b1.out" 2>&1 &
pid=$!
n=0
until [ -f "$tmp/b/runs/c001-s1.done" ] && [ -f "$tmp/b/runs/c001-s2/latest.ckpt" ] || [ $n -ge 600 ]; do
    sleep 0.1; n=$((n + 1))
done
env kill -9 -- -"$pid" 2>/dev/null || echo "  (the sweep had ended before the kill)"; wait "$pid" 2>/dev/null
sum_before=$(cat "$tmp/b/runs/c001-s1/metrics.csv" | cksum)
done_before=$(ls "$tmp/b/runs" | grep -c '\.done$')
check "killed with $done_before finished run(s) and one in progress" sh -c "[ $done_before -ge 1 ] && [ $done_before -lt 4 ]"
tools/sweep --out "$tmp/b" --jobs 2 $args > "$tmp/b2.out" 2>&1
check "run again after the kill: finishes (exit 0)" [ $? -eq 0 ]
check "it says $done_before of 4 runs were already done" grep -q "$done_before of 4 runs were already done" "$tmp/b2.out"
check "a finished run was not redone (its metrics.csv unchanged)" \
    [ "$(cat "$tmp/b/runs/c001-s1/metrics.csv" | cksum)" = "$sum_before" ]
same_ckpts() {
    for r in c001-s1 c001-s2 c002-s1 c002-s2; do cmp -s "$tmp/a/runs/$r/latest.ckpt" "$tmp/b/runs/$r/latest.ckpt" || return 1; done
}
check "every run's final checkpoint equals the uninterrupted sweep's" same_ckpts
check "the summary equals the uninterrupted sweep's (but wall times)" \
    sh -c "[ \"\$(cut -d, -f1-7 $tmp/a/summary.csv)\" = \"\$(cut -d, -f1-7 $tmp/b/summary.csv)\" ]"
check "each resumed run's evals.csv has each generation once" \
    sh -c "for r in $tmp/b/runs/*/evals.csv; do [ \"\$(cut -d, -f1 \$r | sort | uniq -d)\" = '' ] || exit 1; done"

# lines FILE: its line count, 0 if it is not there yet
lines() { cat "$1" 2>/dev/null | wc -l; }

# Ctrl-C at a terminal: SIGINT to the sweep's whole process group. Each run
# gets one SIGINT (the sweep passes none on to a run that has it), finishes
# its generation and writes a checkpoint; with two it would stop at once
# (exit 130, work lost). Sent once both runs have logged rows (each has its
# handler then: a trainer not yet started, or starting with SIGINT ignored,
# would miss the signal; with the sweep alone signalled, it would run on).
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' setsid tools/sweep --out "$tmp/c" --jobs 2 --set lr=0.01,0.03 --seeds 1 \
    --no-plot -- --generations 100000 --npop 8 --max-steps 200 --ckpt-every 1000 > "$tmp/c.out" 2>&1 &
pid=$!
n=0
until [ "$(lines "$tmp/c/runs/c001-s1/metrics.csv")" -ge 4 ] && [ "$(lines "$tmp/c/runs/c002-s1/metrics.csv")" -ge 4 ] ||
      [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
env kill -INT -- -"$pid"; wait "$pid"; rc=$?
check "Ctrl-C at the terminal: the sweep exits 130" [ $rc -eq 130 ]
check "... each run was interrupted once and wrote its checkpoint (no 'second Ctrl-C')" \
    sh -c "grep -l 'interrupted; checkpoint written' $tmp/c/runs/c001-s1.log $tmp/c/runs/c002-s1.log | wc -l | grep -qx 2 &&
           ! grep -q 'second Ctrl-C' $tmp/c/runs/*.log"
check "... and no pid file is left" sh -c "! ls $tmp/c/runs/*.pid > /dev/null 2>&1"
# SIGINT to the sweep alone (kill, not the terminal): it passes one to each run.
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' tools/sweep --out "$tmp/c2" --jobs 2 --set lr=0.01,0.03 --seeds 1 \
    --no-plot -- --generations 100000 --npop 8 --max-steps 200 --ckpt-every 1000 > "$tmp/c2.out" 2>&1 &
pid=$!
n=0
until [ "$(lines "$tmp/c2/runs/c001-s1/metrics.csv")" -ge 4 ] && [ "$(lines "$tmp/c2/runs/c002-s1/metrics.csv")" -ge 4 ] ||
      [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
kill -INT "$pid"; wait "$pid"; rc=$?
check "SIGINT to the sweep alone: exit 130, each run interrupted once with its checkpoint written" \
    sh -c "[ $rc -eq 130 ] && grep -l 'interrupted; checkpoint written' $tmp/c2/runs/c001-s1.log $tmp/c2/runs/c002-s1.log | wc -l | grep -qx 2 &&
           ! grep -q 'second Ctrl-C' $tmp/c2/runs/*.log"
# A second sweep on a DIR in use is refused (exit 3); it does not touch the
# first one's run (no checkpoint yet: it used to be deleted), log or pid file.
long="--no-plot -- --generations 100000 --npop 8 --max-steps 200 --ckpt-every 1000"
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' tools/sweep --out "$tmp/l" --seeds 1 $long > "$tmp/l1.out" 2>&1 &
pid=$!
n=0
until [ "$(lines "$tmp/l/runs/c001-s1/metrics.csv")" -ge 3 ] || [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
rows=$(lines "$tmp/l/runs/c001-s1/metrics.csv")
tools/measure --out "$tmp/l" --seeds 1 --steps 1000000 > "$tmp/l2.out" 2>&1; rc2=$?
tools/sweep --out "$tmp/l" --seeds 1 $long > "$tmp/l3.out" 2>&1; rc3=$?
check "a second sweep (or tools/measure) on a DIR in use: exit 3, says so; the first run goes on, its pid file and log kept" \
    sh -c "[ $rc3 -eq 3 ] && grep -q 'in use by another sweep' $tmp/l3.out && [ $rc2 -eq 3 ] && grep -q 'in use by another measurement' $tmp/l2.out &&
           [ ! -e $tmp/l/measure.log ] &&
           [ -f $tmp/l/runs/c001-s1.pid ] && [ \$(wc -l < $tmp/l/runs/c001-s1/metrics.csv) -ge $rows ] && [ ! -s $tmp/l/runs/c001-s1.log ]"
kill -INT "$pid"; wait "$pid"
grep -q 'interrupted; checkpoint written' "$tmp/l/runs/c001-s1.log"
check "... and the first sweep, interrupted, writes its run's checkpoint" [ $? -eq 0 ]
for bad in "--set seed=5,6 --" "--set out=x --" "-- --seed 3" "-- --out=x"; do
    msg=$(tools/sweep --out "$tmp/bad" $bad --generations 1 --max-steps 20 --test-episodes 1 2>&1 > /dev/null); rc=$?
    check "$bad refused: the sweep sets it (exit $rc: $msg)" sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q 'sets'" _ "$msg"
done
tools/sweep --out "$tmp/h" --set 'hidden=4,4|6' --seeds 1 --no-plot -- --generations 1 --npop 8 --max-steps 20 --test-episodes 1 \
    > /dev/null 2>&1; rc=$?
check "--set 'hidden=4,4|6' plans two configurations, --hidden 4,4 and --hidden 6, and ends with exit 0 ($rc; the count of runs read the commas in the flags)" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(cut -f2 $tmp/h/plan.tsv | tr '\n' ' ')\" = '--hidden 4,4 --hidden 6 ' ] && grep -q '\"hidden\": \[4, 4\]' $tmp/h/runs/c001-s1/config.json"

tools/sweep --out "$tmp/b" --set lr=0.02 --seeds 2 --no-plot -- --generations 8 > /dev/null 2>&1
check "other arguments for an existing sweep: exit 2" [ $? -eq 2 ]
tools/sweep --out "$tmp/r" --random 3 --sample-seed 4 --set lr=0.001..0.1:log --set npop=8,16 --seeds 1 --no-plot \
    -- --generations 1 --max-steps 20 --test-episodes 2 > /dev/null 2>&1
check "a random search of 3 configurations finishes" [ $? -eq 0 ]
in_range() {
    [ "$(wc -l < "$tmp/r/plan.tsv")" -eq 3 ] &&
        awk -F'\t' '{ n = split($2, a, " "); for (i = 1; i < n; i++) { if (a[i] == "--lr" && (a[i+1] < 0.001 || a[i+1] > 0.1)) bad = 1
                      if (a[i] == "--npop" && a[i+1] != 8 && a[i+1] != 16) bad = 1 } } END { exit bad }' "$tmp/r/plan.tsv"
}
check "its plan draws lr in [0.001, 0.1] and npop from {8, 16}" in_range
tools/sweep --out "$tmp/x" --set lr=0.001..0.1 -- --generations 1 > /dev/null 2>&1
check "a range without --random: exit 2" [ $? -eq 2 ]
# --set values that made a wrong plan in silence, or runs the trainer
# refused after others had finished: exit 2, the reason, no DIR.
while IFS='|' read -r what pat args; do
    # shellcheck disable=SC2086
    msg=$(tools/sweep --out "$tmp/v" --seeds 1 --no-plot $args -- --generations 1 2>&1 > /dev/null); rc=$?
    check "$what: exit 2 ($rc), says '$pat', no DIR" sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q -- \"\$2\" && [ ! -e '$tmp/v' ]" _ "$msg" "$pat"
    rm -rf "$tmp/v"
done <<'EOF'
--set hidden=32,32 (two runs of --hidden 32)|the value 32 twice (values holding commas|--set hidden=32,32
--set lr=,0.01|an empty value|--set lr=,0.01
--set lr=0.01, |an empty value|--set lr=0.01,
--random with a range 0..0.1:log (lr NaN)|both above 0|--random 2 --set lr=0..0.1:log
--random with a range of kind :lg (drawn uniformly)|expected LO..HI|--random 2 --set lr=0.01..0.1:lg
--random with a range 4.5..8:int|both integers|--random 2 --set npop=4.5..8:int
--random with a range 0.1..0.01|needs LO <= HI|--random 2 --set lr=0.1..0.01
--random 4 of 2 possible configurations (drawn twice)|only 2 different configurations|--random 4 --set lr=0.01,0.02
--sample-seed abc|--sample-seed abc|--random 2 --sample-seed abc --set lr=0.01,0.02
--random with a range and a value in one --set (drawn as one range)|a range is the only value|--random 2 --set lr=0.0001..1:log,0.5
one flag in two --sets (the last value won; the other was planned for nothing)|--set lr=... twice|--set lr=0.01 --set lr=0.02,0.03
EOF
msg=$(tools/sweep --out "$tmp/v" --seeds 1 --no-plot --set lr=0.01,0.02 -- --generations 1 --lr=0.1 2>&1 > /dev/null); rc=$?
check "a flag both in a --set and among the trainer flags (one of them silently lost): exit 2 ($rc), says so, no DIR" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q -- '--lr is both in a --set and among the trainer flags' && [ ! -e '$tmp/v' ]" _ "$msg"
rm -rf "$tmp/v"
for f in --check --help; do
    msg=$(tools/sweep --out "$tmp/v" --seeds 1 --no-plot -- --generations 1 $f 2>&1 > /dev/null); rc=$?
    check "-- $f among the trainer flags (a run that trains nothing): exit 2 ($rc), says so, no DIR" \
        sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q -- '$f among the trainer flags' && [ ! -e '$tmp/v' ]" _ "$msg"
done
# The checks below train runs of a second at most.
tiny_nopop="--env InvertedPendulum-v5 --generations 1 --max-steps 20 --test-episodes 1"   # for a --set npop
tiny="$tiny_nopop --npop 8"
tools/sweep --out="$tmp/eq" --random=2 --sample-seed=3 --set=npop=8,16 --seeds=1 --jobs=1 --no-plot -- $tiny_nopop > "$tmp/eq.out" 2>&1; rc=$?
check "--flag=value for --random, --sample-seed, --seeds, --jobs (it was 'unknown option'): exit $rc, 2 runs" \
    sh -c "[ $rc -eq 0 ] && [ \$(ls '$tmp/eq/runs/'*.done | wc -l) -eq 2 ]"
(cd "$tmp" && "$OLDPWD/tools/sweep" --out=-dash --seeds 1 --no-plot -- $tiny > dash.out 2>&1); rc=$?
check "--out=-dash is a directory -dash (mkdir took it for an option): exit $rc, its summary written" \
    sh -c "[ $rc -eq 0 ] && [ -f '$tmp/-dash/summary.csv' ] && [ -f '$tmp/-dash/runs/c001-s1.done' ]"
# Numbers past the shell's arithmetic: --random read as 0 (the whole grid
# ran), --jobs accepted, --seeds N hung in seq; a missing value was bash's
# "parameter null or not set" and exit 1.
for a in "--random 99999999999999999999" "--jobs 99999999999999999999" "--sample-seed 99999999999999999999" \
         "--jobs 0" "--seeds" "--out" "--set" "--jobs" "--random" "--seeds 99999999999999999999..1"; do
    msg=$(timeout 20 tools/sweep --out "$tmp/big" --set lr=0.01,0.02 --no-plot $a 2>&1 > /dev/null); rc=$?
    check "sweep $a refused: exit 2 with a reason of its own ($rc: $msg), no DIR" \
        sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q '^sweep: ' && ! printf '%s' \"\$1\" | grep -q 'line [0-9]' && [ ! -e '$tmp/big' ]" _ "$msg"
    rm -rf "$tmp/big"
done
# One given seed: 42 alone means 1 to 42, and " 42" was the only way.
tools/sweep --out "$tmp/one" --seeds 42..42 --no-plot -- $tiny > /dev/null 2>&1; rc=$?
check "--seeds 42..42 runs seed 42 alone (exit $rc: $(ls "$tmp/one/runs" 2>/dev/null | tr '\n' ' '))" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(ls '$tmp/one/runs' | grep -c 'done\$')\" = 1 ] && [ -f '$tmp/one/runs/c001-s42.done' ]"
# A seed is a run directory: none (0 runs, exit 0) or one twice (two runs on
# one directory) used to pass.
for bad in 0 "1 1" " " "1 x" "3 03" 5..3 1..x 1..2..3 99999999999 "1 99999999999999999999999"; do
    msg=$(timeout 20 tools/sweep --out "$tmp/sd" --seeds "$bad" --no-plot -- $tiny 2>&1 > /dev/null); rc=$?
    check "--seeds '$bad' refused (exit $rc: $msg), no DIR" sh -c "[ $rc -eq 2 ] && [ ! -e '$tmp/sd' ]"
    rm -rf "$tmp/sd"
done
# A --set value with whitespace was split into other trainer flags (past the
# refusal of --resume in --set).
msg=$(tools/sweep --out "$tmp/ws" --set 'npop=8 --resume x/latest.ckpt' --seeds 1 --no-plot -- $tiny 2>&1 > /dev/null); rc=$?
check "--set 'npop=8 --resume x/latest.ckpt' refused (exit $rc: $msg), no DIR" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q 'whitespace' && [ ! -e '$tmp/ws' ]" _ "$msg"
# ... and so was a value that is a flag (--quiet --resume=...), while a
# negative number is a value.
for bad in 'quiet=--resume=x/latest.ckpt' 'npop=8,--resume=x' 'hidden=8|--resume=x'; do
    msg=$(tools/sweep --out "$tmp/ws" --set "$bad" --seeds 1 --no-plot -- $tiny 2>&1 > /dev/null); rc=$?
    check "--set '$bad' refused (exit $rc: $msg), no DIR" sh -c "[ $rc -eq 2 ] && [ ! -e '$tmp/ws' ]"
done
# --set threads=N wins over --jobs's --threads cores/jobs, which came after it
# (--jobs 64: 1 thread a run below 128 cores).
tools/sweep --out "$tmp/t" --jobs 64 --set threads=2 --seeds 1 --no-plot -- $tiny > "$tmp/t.out" 2>&1
check "--jobs 64 --set threads=2: the run has 2 threads" grep -q '"threads": 2,' "$tmp/t/runs/c001-s1/config.json"
# Flags the trainer refuses (exit 2, a usage error) stop the sweep (exit 2)
# with its message; it used to be a failed run (exit 1, all runs tried).
tools/sweep --out "$tmp/u" --seeds 2 --no-plot -- $tiny --npop 7 > "$tmp/u.out" 2>&1; rc=$?
check "tools/sweep, flags the trainer refuses: exit 2 with the trainer's message, no run" \
    sh -c "[ $rc -eq 2 ] && grep -q 'train_half_cheetah: --npop 7' '$tmp/u.out' && [ ! -e '$tmp/u/runs/c001-s1.log' ]"
# ... checked for every configuration before the first run: c002's --npop 7
# stopped the sweep only after c001's runs, and they were lost to the
# corrected command (another --out).
tools/sweep --out "$tmp/u7" --set npop=8,7 --seeds 1 --no-plot -- $tiny_nopop > "$tmp/u7.out" 2>&1; rc=$?
check "--set npop=8,7: exit 2 before any run, names c002 and the trainer's reason, no DIR" \
    sh -c "[ $rc -eq 2 ] && grep -q '^sweep: c002 (--npop 7): the trainer refuses these flags' '$tmp/u7.out' &&
           grep -q 'train_half_cheetah: --npop 7' '$tmp/u7.out' && [ ! -e '$tmp/u7' ]"
# ... and removes what it made, new parents included, and nothing else: not
# an empty directory reached through .. (keep/new/../x is keep/x).
mkdir -p "$tmp/keep/x"
tools/sweep --out "$tmp/n1/a/b" --set npop=8,7 --seeds 1 --no-plot -- $tiny_nopop > /dev/null 2>&1; rc1=$?
tools/sweep --out "$tmp/keep/new/../x" --set npop=8,7 --seeds 1 --no-plot -- $tiny_nopop > /dev/null 2>&1; rc2=$?
check "refused plans into n1/a/b and keep/new/../x: exit 2, no n1, keep/x kept and empty" \
    sh -c "[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ ! -e '$tmp/n1' ] && [ -d '$tmp/keep/x' ] && [ -z \"\$(ls -A '$tmp/keep/x')\" ]"
# A plan written before these checks (a draw that came twice) still resumes:
# its args must match, its values are not checked again.
tools/sweep --out "$tmp/old" --random 2 --set lr=0.01,0.02 --seeds 1 --no-plot -- $tiny > /dev/null 2>&1
sed -i 's/^random=2$/random=3/' "$tmp/old/args"
printf 'c003\t--lr 0.02\n' >> "$tmp/old/plan.tsv"
tools/sweep --out "$tmp/old" --random 3 --set lr=0.01,0.02 --seeds 1 --no-plot -- $tiny > "$tmp/old.out" 2>&1; rc=$?
check "an older plan holding a configuration twice resumes (exit $rc) and runs its c003" \
    sh -c "[ $rc -eq 0 ] && [ -f '$tmp/old/runs/c003-s1.done' ]"
tools/sweep --out "$tmp/u" --seeds 1 --no-plot -- $tiny > "$tmp/u2.out" 2>&1
check "... and the corrected command may use its DIR (exit 0)" [ $? -eq 0 ]

# tools/measure --env X --seeds N --steps S: its runs and its line.
tools/measure --env InvertedPendulum-v5 --seeds 2 --steps 3000 --out "$tmp/m" --npop 8 --max-steps 100 > "$tmp/m.out" 2>&1
check "tools/measure --env --seeds --steps finishes (exit 0)" [ $? -eq 0 ]
measure_ok() {
    want=$(for s in 1 2; do tail -n 1 "$tmp/m/runs/c001-s$s/evals.csv" | cut -d, -f5; done |
           awk '{ t += $1 } END { printf "%.1f", t / 2 }')
    steps=$(tail -n 1 "$tmp/m/runs/c001-s1/evals.csv" | cut -d, -f2)
    grep -q "^InvertedPendulum-v5, 2 seeds: 10-episode test evaluation median $want " "$tmp/m.out" && [ "$steps" -ge 3000 ] &&
        grep -q '"env": "InvertedPendulum-v5"' "$tmp/m/runs/c001-s1/config.json"
}
check "its line gives the median of the runs' final evaluations, each run past 3000 env steps" measure_ok
root=$(pwd)
(cd "$tmp" && "$root/tools/measure" --env InvertedPendulum-v5 --seeds 1 --steps 500 --out rel --npop 8 --max-steps 50 \
    > "$tmp/rel.out" 2>&1)
check "tools/measure --out rel, run elsewhere, writes where it was run" \
    sh -c "[ -f '$tmp/rel/result.txt' ] && [ ! -e '$root/rel' ] && grep -q '$tmp/rel/curves.png' '$tmp/rel.out'"
tools/measure --npop 8 --env=InvertedPendulum-v5 --max-steps 50 --seeds 1 --steps=500 --out "$tmp/late" > "$tmp/late.out" 2>&1
check "tools/measure takes its options after trainer flags too (--x V and --x=V)" \
    sh -c "grep -q '\"env\": \"InvertedPendulum-v5\"' '$tmp/late/runs/c001-s1/config.json' &&
           grep -q '\"npop\": 8,' '$tmp/late/runs/c001-s1/config.json' && grep -q '\"max_env_steps\": 500,' '$tmp/late/runs/c001-s1/config.json'"
tools/measure --npop 8 --env > /dev/null 2> "$tmp/noval.err"
check "tools/measure --env without a value: exit 2 and says so" sh -c "[ $? -eq 2 ] && grep -q -- '--env needs a value' '$tmp/noval.err'"

# Usage errors of tools/measure that the sweep or the trainer find: they
# left DIR and its measure.log behind (README: checked before anything is made).
for a in "--steps 99999999999999999999999" "--seeds abc" "--jobs 0" "--bogus" "--npop 7"; do
    msg=$(tools/measure --env InvertedPendulum-v5 --steps 500 --out "$tmp/mu/x" $a 2>&1 > /dev/null); rc=$?
    check "tools/measure $a: exit 2 with the reason ($rc: $(printf '%s' "$msg" | tail -n 1)), no DIR" \
        sh -c "[ $rc -eq 2 ] && [ -n \"\$1\" ] && [ ! -e '$tmp/mu' ]" _ "$msg"
    rm -rf "$tmp/mu"
done
# tools/sweep --check: the plan and its configurations checked, nothing made.
msg=$(tools/sweep --check --out "$tmp/ck" --set npop=8,16 --seeds 3 -- $tiny_nopop 2>&1); rc=$?
check "sweep --check of a valid plan: exit 0, '2 configurations x 3 seeds', no DIR ($rc: $msg)" \
    sh -c "[ $rc -eq 0 ] && printf '%s' \"\$1\" | grep -q '2 configurations x 3 seeds' && [ ! -e '$tmp/ck' ]" _ "$msg"
msg=$(tools/sweep --check --out "$tmp/ck" --set npop=8,7 -- $tiny_nopop 2>&1); rc=$?
check "sweep --check of a plan with --npop 7: exit 2, the trainer's reason, no DIR ($rc)" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q -- '--npop 7' && [ ! -e '$tmp/ck' ]" _ "$msg"
msg=$(tools/sweep --out "$tmp/big" --seeds 1 --jobs -- --generations 1 2>&1 > /dev/null); rc=$?
check "sweep --jobs -- TRAINER FLAGS: exit 2, '--jobs needs a value' ($rc: $msg; it named the first trainer flag)" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q -- '--jobs needs a value' && [ ! -e '$tmp/big' ]" _ "$msg"
touch "$tmp/ckfile"
msg=$(tools/sweep --check --out "$tmp/ckfile" --seeds 1 -- $tiny 2>&1); rc=$?
check "sweep --check --out naming a file: exit 1 as the start ($rc: $msg)" \
    sh -c "[ $rc -eq 1 ] && printf '%s' \"\$1\" | grep -q 'Not a directory'" _ "$msg"
mkdir "$tmp/ckbusy"; : > "$tmp/ckbusy/sweep.lock"
msg=$(flock "$tmp/ckbusy/sweep.lock" tools/sweep --check --out "$tmp/ckbusy" --seeds 1 -- $tiny 2>&1); rc=$?
check "sweep --check on a DIR in use: exit 3 as the start ($rc: $msg)" sh -c "[ $rc -eq 3 ]"
sum_m=$(cd "$tmp/m" && find . -type f | sort | xargs cksum | cksum)
msg=$(tools/sweep --check --out "$tmp/m" --seeds 1 -- $tiny 2>&1); rc=$?
check "sweep --check on a DIR of other arguments: exit 2 and says so ($rc)" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q 'other arguments'" _ "$msg"
args_m=$(sed -n 's/^flag=//p' "$tmp/m/args" | tr '\n' ' ')
msg=$(tools/sweep --check --out "$tmp/m" --seeds 2 --no-plot -- $args_m 2>&1); rc=$?
check "sweep --check on a DIR of this plan: exit 0, says it goes on, the DIR as it was ($rc: $msg)" \
    sh -c "[ $rc -eq 0 ] && printf '%s' \"\$1\" | grep -q 'holds this plan' &&
           [ \"\$(cd '$tmp/m' && find . -type f | sort | xargs cksum | cksum)\" = '$sum_m' ]" _ "$msg"

# tools/measure into a directory whose name has spaces: its runs were split
# into words ("6 seeds ... median 0.0" from files not there, exit 0).
sp="$tmp/dir with space"
tools/measure --env InvertedPendulum-v5 --seeds 2 --steps 500 --out "$sp" --npop 8 --max-steps 50 > "$tmp/sp.out" 2>&1; rc=$?
space_ok() {
    want=$(for s in 1 2; do tail -n 1 "$sp/runs/c001-s$s/evals.csv" | cut -d, -f5; done |
           awk '{ t += $1 } END { printf "%.1f", t / 2 }')
    [ $rc -eq 0 ] && grep -q "^InvertedPendulum-v5, 2 seeds: 10-episode test evaluation median $want " "$sp/result.txt" &&
        ! grep -q 'cannot open' "$tmp/sp.out" && { ! command -v gnuplot > /dev/null || [ -f "$sp/curves.png" ]; }
}
check "tools/measure --out 'dir with space': the result of its 2 runs and their plot" space_ok
# A run's evals.csv without a row (cut to its header): no result, exit 1.
head -n 1 "$sp/runs/c001-s2/evals.csv" > "$tmp/header" && cp "$tmp/header" "$sp/runs/c001-s2/evals.csv"
result=$(cat "$sp/result.txt")
tools/measure --env InvertedPendulum-v5 --seeds 2 --steps 500 --out "$sp" --npop 8 --max-steps 50 > "$tmp/sp2.out" 2>&1; rc=$?
check "... a run whose evals.csv has no row: exit 1, says so, no result line" \
    sh -c "[ $rc -eq 1 ] && grep -q 'c001-s2.*no test evaluation' \"\$1\" && ! grep -q 'seeds:' \"\$1\" && [ \"\$(cat \"\$2\")\" = \"\$3\" ]" \
    _ "$tmp/sp2.out" "$sp/result.txt" "$result"

# A usage error is one (exit 2, the reason shown, no "run again"), and an
# unknown --env or a wrong --steps of tools/measure creates no directory.
tools/measure --env Foo-v5 --seeds 1 --steps 500 --out "$tmp/foo" > "$tmp/foo.out" 2>&1; rc=$?
check "tools/measure --env Foo-v5: exit 2, names the tasks, no directory" \
    sh -c "[ $rc -eq 2 ] && grep -q 'Foo-v5.*InvertedPendulum-v5' '$tmp/foo.out' && ! grep -q 'run the same command again' '$tmp/foo.out' &&
           [ ! -e '$tmp/foo' ]"
tools/measure --env InvertedPendulum-v5 --seeds 1 --steps abc --out "$tmp/abc" > "$tmp/abc.out" 2>&1; rc=$?
check "tools/measure --steps abc: exit 2, says so, no directory" \
    sh -c "[ $rc -eq 2 ] && grep -q -- '--steps abc' '$tmp/abc.out' && [ ! -e '$tmp/abc' ]"
tools/measure --env InvertedPendulum-v5 --seeds 2 --steps 500 --out "$tmp/odd" --npop 7 > "$tmp/odd.out" 2>&1; rc=$?
check "tools/measure --npop 7: exit 2 with the trainer's message, no 'run again'" \
    sh -c "[ $rc -eq 2 ] && grep -q 'train_half_cheetah: --npop 7' '$tmp/odd.out' && ! grep -q 'run the same command again' '$tmp/odd.out'"

# tools/measure --minutes 0 was the trainer's "no limit": a measurement
# without end; --seed is --seeds' job; a minute mark no run got to (another
# budget ended them first) was printed as reached.
tools/measure --env InvertedPendulum-v5 --seeds 1 --minutes 0 --out "$tmp/m0" > "$tmp/m0.out" 2>&1; rc=$?
check "tools/measure --minutes 0: exit 2, says so, no directory" \
    sh -c "[ $rc -eq 2 ] && grep -q -- '--minutes 0: expected a number of minutes above 0' '$tmp/m0.out' && [ ! -e '$tmp/m0' ]"
tools/measure --env InvertedPendulum-v5 --seeds 1 --steps 500 --seed 4 --out "$tmp/m4" > "$tmp/m4.out" 2>&1; rc=$?
tools/measure --env InvertedPendulum-v5 --seeds 1 --minutes 1. --generations 1 --npop 8 --max-steps 20 --out "$tmp/m1" \
    > "$tmp/m1.out" 2>&1; rc=$?
check "tools/measure --minutes 1. (as the trainer takes it): exit 0 ($rc)" [ $rc -eq 0 ]
tools/measure --env InvertedPendulum-v5 --seeds 1 --steps 500 --check --out "$tmp/mc" > "$tmp/mc.out" 2>&1; rc=$?
check "tools/measure --check: exit 2, says so, no directory (it was exit 1 and 'run the same command again')" \
    sh -c "[ $rc -eq 2 ] && grep -q -- '--check among the trainer flags' '$tmp/mc.out' && [ ! -e '$tmp/mc' ]"
check "tools/measure --seed 4: exit 2, points to --seeds, no directory" \
    sh -c "[ $rc -eq 2 ] && grep -q -- '--seed: measure sets it for each run (seeds: --seeds' '$tmp/m4.out' && [ ! -e '$tmp/m4' ]"
tools/measure --env InvertedPendulum-v5 --seeds 1 --minutes 2 --generations 2 --npop 8 --max-steps 20 --out "$tmp/mm" \
    > "$tmp/mm.out" 2>&1; rc=$?
check "tools/measure --minutes 2 with runs ended by --generations 2: its line, no minute mark" \
    sh -c "[ $rc -eq 0 ] && grep -q 'InvertedPendulum-v5, 1 seeds' '$tmp/mm.out' && ! grep -q ' min: eval return' '$tmp/mm.out'"

# A read-only DIR is a runtime error (exit 1) with the reason, not a usage
# error: tools/measure exited 2 from its shell's failed redirection. DIR
# itself (holding runs/, so the sweep meets its lock) and a new DIR in it.
mkdir "$tmp/ro"
if mount -t tmpfs tmpfs "$tmp/ro" 2> "$tmp/mount.err"; then
    ro="$tmp/ro"
    mkdir "$ro/runs" && mount -o remount,ro "$ro"
    for d in "$ro" "$ro/new"; do
        tools/measure --env InvertedPendulum-v5 --seeds 1 --steps 500 --out "$d" > "$tmp/ro.out" 2>&1; rc=$?
        check "tools/measure --out ${d#"$tmp"/} read-only: exit 1 ($rc), the reason alone: $(tr "\n" " " < "$tmp/ro.out")" \
            sh -c "[ $rc -eq 1 ] && [ \"\$(cat '$tmp/ro.out')\" = 'tools/measure: cannot write in $d: Read-only file system' ]"
        tools/sweep --out "$d" --seeds 1 --no-plot -- $tiny > "$tmp/ro.out" 2>&1; rc=$?
        check "tools/sweep --out ${d#"$tmp"/} read-only: exit 1 ($rc), the reason alone: $(tr "\n" " " < "$tmp/ro.out")" \
            sh -c "[ $rc -eq 1 ] && [ \"\$(cat '$tmp/ro.out')\" = 'sweep: cannot write in $d: Read-only file system' ]"
    done
    umount "$ro" && ro=""
else
    echo "skip - sweep: read-only DIR: cannot mount a tmpfs here ($(head -n 1 "$tmp/mount.err"); needs root)"
fi
