#!/bin/sh
# The trainer's test evaluations (evals.csv, --eval-every, --test-episodes,
# the final line): rows at the right generations, the same figures for any
# thread count, checkpoints untouched by them, resume keeps evals.csv in
# step with the checkpoint.
cd "$(dirname "$0")/.." || exit 1
T=build/train_half_cheetah
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - evals: $*"; }
fail() { echo "not ok - evals: $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
make -s $T >/dev/null 2>&1 || { fail "build"; exit 1; }

flags="--generations 5 --npop 8 --max-steps 40 --seed 3 --quiet"
$T $flags --threads 1 --eval-every 2 --test-episodes 12 --out "$tmp/a" > "$tmp/a.out"
$T $flags --threads 2 --eval-every 2 --test-episodes 12 --out "$tmp/b" > /dev/null
$T $flags --threads 2 --eval-every 0 --out "$tmp/c" > "$tmp/c.out"
check "evals.csv has its header" sh -c "head -n 1 $tmp/a/evals.csv | grep -q '^generation,env_steps,wall_s,episodes,mean,std,min,max,mean_steps,early,failed,eval_s$'"
check "rows at generations 2, 4 and the final 5, each of 12 episodes" \
    sh -c "[ \"\$(tail -n +2 $tmp/a/evals.csv | cut -d, -f1,4 | tr '\n' ' ')\" = '2,12 4,12 5,12 ' ]"
check "the same figures with 1 and 2 threads" \
    sh -c "[ \"\$(cut -d, -f1,2,4-11 $tmp/a/evals.csv)\" = \"\$(cut -d, -f1,2,4-11 $tmp/b/evals.csv)\" ]"
check "evaluations leave the checkpoint bytes alone" cmp -s "$tmp/a/latest.ckpt" "$tmp/c/latest.ckpt"
check "--eval-every 0: only the final evaluation (10 episodes by default)" \
    sh -c "[ \"\$(tail -n +2 $tmp/c/evals.csv | cut -d, -f1,4 | tr '\n' ' ')\" = '5,10 ' ]"
last=$(tail -n 1 "$tmp/a/evals.csv" | cut -d, -f5 | awk '{ printf "%.1f", $1 }')
check "the final line prints the last row's mean ($last)" grep -q "12-episode evaluation mean $last " "$tmp/a.out"
check "min <= mean <= max and std >= 0 in every row" \
    sh -c "tail -n +2 $tmp/a/evals.csv | awk -F, '\$7 > \$5 || \$5 > \$8 || \$6 < 0 { bad = 1 } END { exit bad }'"
check "config.json records eval_every and test_episodes" \
    sh -c "grep -q '\"eval_every\": 2' $tmp/a/config.json && grep -q '\"test_episodes\": 12' $tmp/a/config.json"

# Resume from generation 2: rows after it go, the rest come back the same.
$T --generations 2 --npop 8 --max-steps 40 --seed 3 --quiet --threads 2 --eval-every 2 --test-episodes 12 \
    --ckpt-every 1 --out "$tmp/r" > /dev/null
$T --generations 3 --npop 8 --max-steps 40 --seed 3 --quiet --threads 2 --eval-every 2 --test-episodes 12 \
    --ckpt-every 1 --resume "$tmp/r/latest.ckpt" > /dev/null 2>&1
$T --resume "$tmp/r/checkpoints/gen_000002.ckpt" --generations 5 --quiet --threads 1 --eval-every 2 \
    --test-episodes 12 > /dev/null
check "resume from generation 2 after 3: evals.csv rows 2, 4, 5 once each, the figures of one run" \
    sh -c "[ \"\$(cut -d, -f1,2,4-11 $tmp/a/evals.csv)\" = \"\$(cut -d, -f1,2,4-11 $tmp/r/evals.csv)\" ]"
check "--test-episodes 0 is refused (exit 2)" sh -c "$T --test-episodes 0 >/dev/null 2>&1; [ \$? -eq 2 ]"

# A resume without --eval-every and --test-episodes keeps the run's (from
# its config.json), as it keeps --ckpt-every: no 10-episode rows among 12s.
$T --generations 2 --npop 8 --max-steps 40 --seed 3 --quiet --threads 2 --eval-every 2 --test-episodes 12 \
    --out "$tmp/k" > /dev/null
$T --resume "$tmp/k/latest.ckpt" --generations 5 --quiet --threads 1 > /dev/null 2>&1
check "a resume keeps the run's --eval-every 2 and --test-episodes 12: rows 2, 4, 5 of 12 episodes, as one run" \
    sh -c "[ \"\$(cut -d, -f1,2,4-11 $tmp/a/evals.csv)\" = \"\$(cut -d, -f1,2,4-11 $tmp/k/evals.csv)\" ]"

# --evaluate CKPT: the checkpoint's evaluation on the same held-out episodes,
# with the run's episode cap (40 here), writing nothing.
row=$(tail -n 1 "$tmp/a/evals.csv")
want=$(printf '%s\n' "$row" | awk -F, -v p="$tmp/a/latest.ckpt" '{ printf "%s: HalfCheetah-v5, generation %d, %d env steps: %d-episode evaluation mean %s std %s min %s max %s, mean length %s, %d ended early, %d failed", p, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11 }')
state() { (cd "$tmp/a" && ls -la --time-style=full-iso . checkpoints && find . -type f | sort | xargs cat | cksum); }
before=$(state)
got1=$($T --evaluate "$tmp/a/latest.ckpt" --test-episodes 12 --threads 1 2>&1); rc1=$?
got2=$($T --evaluate="$tmp/a/latest.ckpt" --test-episodes=12 --threads 2 --env HalfCheetah-v5 2>&1); rc2=$?
check "--evaluate prints evals.csv's final row (12 episodes at the run's --max-steps 40): $got1" \
    [ "$rc1" -eq 0 -a "$got1" = "$want" ]
check "--evaluate: the same line with 2 threads and --env given" [ "$rc2" -eq 0 -a "$got2" = "$want" ]
got3=$($T --evaluate "$tmp/a" --test-episodes 12 2>&1)
check "--evaluate of the run directory evaluates its latest.ckpt" [ "$got3" = "$want" ]
check "--evaluate writes nothing in the run directory (names, sizes, times and bytes as before)" \
    [ "$(state)" = "$before" ]
out=$($T --evaluate "$tmp/a/latest.ckpt" --env Hopper-v5 2>&1); rc=$?
check "--evaluate of a HalfCheetah checkpoint with --env Hopper-v5: exit 2 ($out)" \
    sh -c "[ $rc -eq 2 ] && printf '%s' '$out' | grep -q 'is a checkpoint of HalfCheetah-v5, not Hopper-v5'"
out=$($T --evaluate "$tmp/a/latest.ckpt" --npop 8 2>&1); rc=$?
check "--evaluate with a training flag (--npop): exit 2, naming it ($out)" \
    sh -c "[ $rc -eq 2 ] && printf '%s' '$out' | grep -q -- '--npop'"
mkfifo "$tmp/fifo.ckpt"
out=$(timeout 20 $T --evaluate "$tmp/fifo.ckpt" 2>&1); rc=$?
check "--evaluate of a FIFO: exit 1 at once, not a hang ($out)" \
    sh -c "[ $rc -eq 1 ] && printf '%s' '$out' | grep -q 'not a regular file'"
out=$($T --evaluate "$tmp/none.ckpt" 2>&1); rc=$?
check "--evaluate of a missing file: exit 1 ($out)" \
    sh -c "[ $rc -eq 1 ] && printf '%s' '$out' | grep -q 'cannot evaluate .*none.ckpt: No such file'"
