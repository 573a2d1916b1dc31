#!/bin/sh
# The trainers as a user runs them: minimal.c's promise, the full trainer's
# determinism across threads and resume, its errors and Ctrl-C.
cd "$(dirname "$0")/.." || exit 1
T=${BUILD:-build}/train_half_cheetah
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }

# examples/minimal.c: at most 37 lines, built by the command the README shows.
n=$(wc -l < examples/minimal.c)
check "minimal.c has $n lines (at most 37)" [ "$n" -le 37 ]
cmd='cc -O2 examples/minimal.c -o minimal -lmujoco -lm -lpthread'
# with MUJOCO=/prefix (make test's MuJoCo 3.x pass): the README's command for a downloaded MuJoCo
[ -n "${MUJOCO:-}" ] && cmd='cc -O2 examples/minimal.c -o minimal -I$MUJOCO/include -L$MUJOCO/lib -Wl,-rpath,$MUJOCO/lib -lmujoco -lm -lpthread'
check "README shows the build command of minimal.c" grep -qF "$cmd" README.md
check "minimal.c builds with the README's command" sh -c "$(printf '%s' "$cmd" | sed "s| -o minimal | -o $tmp/minimal |")"
out=$(timeout 120 "$tmp/minimal" | head -n 2)
check "minimal prints a line per generation" sh -c "printf '%s\n' \"$out\" | grep -q '^generation    1  mean return'"

# Same bytes for 1 and 2 threads, and for 2 generations + resume to 4.
flags="--generations 4 --npop 8 --max-steps 60 --ckpt-every 2 --seed 7 --quiet"
$T $flags --threads 1 --out "$tmp/t1" > /dev/null
$T $flags --threads 2 --out "$tmp/t2" > /dev/null
check "checkpoint bytes equal for --threads 1 and 2" cmp -s "$tmp/t1/latest.ckpt" "$tmp/t2/latest.ckpt"
check "generation-2 checkpoints equal for --threads 1 and 2" \
    cmp -s "$tmp/t1/checkpoints/gen_000002.ckpt" "$tmp/t2/checkpoints/gen_000002.ckpt"
$T --generations 2 --npop 8 --max-steps 60 --ckpt-every 2 --seed 7 --quiet --threads 2 --out "$tmp/r" > /dev/null
$T --resume "$tmp/r/latest.ckpt" --generations 4 --quiet --threads 1 > /dev/null
check "2 generations + resume to 4 gives the bytes of 4 in one go" cmp -s "$tmp/t1/latest.ckpt" "$tmp/r/latest.ckpt"
check "resumed run's metrics.csv has generations 0..3 once each" \
    sh -c "[ \"\$(cut -d, -f1 $tmp/r/metrics.csv | tr '\n' ' ')\" = 'generation 0 1 2 3 ' ]"
mkdir "$tmp/rel" && cp -r "$tmp/r/checkpoints" "$tmp/r/config.json" "$tmp/rel/"
(cd "$tmp/rel" && "$OLDPWD/$T" --resume checkpoints/gen_000002.ckpt --generations 4 --quiet > /dev/null)
check "resume from checkpoints/gen_000002.ckpt (relative) continues in its run directory" \
    cmp -s "$tmp/t1/latest.ckpt" "$tmp/rel/latest.ckpt"
before=$(sha256sum < "$tmp/t1/latest.ckpt")
lock_before=$(cat "$tmp/t1/.lock")
msg=$($T --generations 1 --npop 8 --max-steps 60 --seed 9 --quiet --out "$tmp/t1" 2>&1 >/dev/null); rc=$?
check "a fresh run into a run directory exits 2 and points at --resume: $msg" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"$msg\" | grep -q -- '--resume'"
check "... and leaves that run as it was" [ "$(sha256sum < "$tmp/t1/latest.ckpt")" = "$before" ]
check "... and its .lock still names the pid of the trainer that ran it ($lock_before)" \
    [ "$(cat "$tmp/t1/.lock")" = "$lock_before" ]
msg=$($T --resume "$tmp/r/latest.ckpt" --npop 16 --sigma=0.1 --generations 4 --quiet 2>&1 >/dev/null)
check "resume names the settings it ignores: $msg" sh -c "printf '%s' \"$msg\" | grep -q 'ignored: --npop --sigma'"
check "seed changes the result" sh -c "$T --generations 1 --npop 8 --max-steps 60 --seed 8 --quiet --out $tmp/s8 >/dev/null && ! cmp -s $tmp/s8/latest.ckpt $tmp/t1/checkpoints/gen_000001.ckpt"
hdr=$(head -n 1 "$tmp/t1/metrics.csv")
for col in generation env_steps wall_s eval_return theta_hash reward_mean grad_norm update_ratio; do
    check "metrics.csv has column $col" sh -c "printf '%s' '$hdr' | tr ',' '\n' | grep -qx $col"
done
check "config.json names the task" grep -q '"env": "HalfCheetah-v5"' "$tmp/t1/config.json"

# Errors: a corrupt checkpoint, a foreign file, flags.
cp "$tmp/t1/latest.ckpt" "$tmp/corrupt.ckpt"
printf 'X' | dd of="$tmp/corrupt.ckpt" bs=1 seek=100 conv=notrunc 2>/dev/null
msg=$($T --resume "$tmp/corrupt.ckpt" --quiet 2>&1 >/dev/null); rc=$?
check "corrupt --resume exits 1 (got $rc)" [ "$rc" -eq 1 ]
check "corrupt --resume says why: $msg" sh -c "printf '%s' \"$msg\" | grep -q corrupt"
head -c 50 "$tmp/t1/latest.ckpt" > "$tmp/short.ckpt"
$T --resume "$tmp/short.ckpt" --quiet > /dev/null 2>&1; rc=$?
check "truncated --resume exits 1 (got $rc)" [ "$rc" -eq 1 ]
$T --resume "$tmp/missing.ckpt" --quiet > /dev/null 2>&1; rc=$?
check "missing --resume exits 1 (got $rc)" [ "$rc" -eq 1 ]
# --env contradicting the file is a usage error, at the start and with --check alike
for chk in "" --check; do
    msg=$($T --resume "$tmp/t1/latest.ckpt" --env Hopper-v5 --quiet $chk 2>&1 >/dev/null); rc=$?
    check "--resume of another task's checkpoint with --env Hopper-v5 ${chk:+($chk) }exits 2 and names both (got $rc): $msg" \
        sh -c "[ $rc -eq 2 ] && printf '%s' \"$msg\" | grep -q 'is a checkpoint of HalfCheetah-v5, not Hopper-v5'"
done
$T --bogus > /dev/null 2>&1; rc=$?
check "unknown flag exits 2 (got $rc)" [ "$rc" -eq 2 ]
$T --npop 7 > /dev/null 2>&1; rc=$?
check "odd --npop exits 2 (got $rc)" [ "$rc" -eq 2 ]
$T --hidden 64,x > /dev/null 2>&1; rc=$?
check "malformed --hidden exits 2 (got $rc)" [ "$rc" -eq 2 ]
msg=$($T --env NoSuchTask-v0 --generations 1 --out "$tmp/x" 2>&1 >/dev/null); rc=$?
check "unknown --env exits 2, a usage error (got $rc)" [ "$rc" -eq 2 ]
check "unknown --env lists the tasks: $msg" sh -c "printf '%s' \"$msg\" | grep -q 'HalfCheetah-v5 Hopper-v5'"
for args in "--bogus" "--hidden 64,,64" "--run x" "--top-k 5 --npop 8" "--adaptive-cap=no" "--quiet=0"; do
    msg=$($T $args --generations 1 --out "$tmp/x" 2>&1 >/dev/null); rc=$?
    check "$args exits 2 and says why: $msg" sh -c "[ $rc -eq 2 ] && printf '%s' \"$msg\" | grep -q 'expected'"
done
check "--top-k error names the value" sh -c "$T --top-k 5 --npop 8 2>&1 | grep -q -- '--top-k 5: expected at most npop/2'"
for args in "--lr 2e6" "--sigma 1e-45" "--minutes 1e308" "--wd 1e7"; do   # refused values: the message states the range
    check "$args: the message states the accepted range" sh -c "$T $args 2>&1 | grep -q -- '${args%% *} ${args#* }: expected .*in \['"
done
check "an unknown last flag is called unknown" sh -c "$T --bogus 2>&1 | grep -q -- '--bogus: expected a known option'"
# A flag after a flag that wants a value is no value: --out --quiet trained
# into a run directory named --quiet, not quietly.
Tabs=$(cd "$(dirname "$T")" && pwd)/$(basename "$T")
(cd "$tmp" && "$Tabs" --generations 1 --npop 8 --max-steps 10 --out --quiet > out_q 2>&1); rc=$?
check "--out --quiet: exit 2, '--out: expected a value', no directory --quiet (rc $rc)" \
    sh -c "[ $rc -eq 2 ] && grep -q -- '^train_half_cheetah: --out: expected a value' '$tmp/out_q' && [ ! -e '$tmp/--quiet' ]"
(cd "$tmp" && "$Tabs" --generations 1 --npop 8 --max-steps 10 --test-episodes 1 --out=--dashed --quiet > out_d 2>&1); rc=$?
check "--out=--dashed still names a run directory --dashed (rc $rc)" sh -c "[ $rc -eq 0 ] && [ -f '$tmp/--dashed/latest.ckpt' ]"
# --check: 0 for flags a run starts with, 2 with the reason otherwise; never
# a file or directory.
(cd "$tmp" && mkdir chk && cd chk && "$Tabs" --env Hopper-v5 --lr-schedule linear --max-env-steps 1000 --check > out 2>&1); rc=$?
check "--check of valid flags: exit 0, says so, writes nothing (rc $rc)" \
    sh -c "[ $rc -eq 0 ] && grep -q 'flags are valid' '$tmp/chk/out' && [ \$(ls -A '$tmp/chk') = out ]"
(cd "$tmp/chk" && "$Tabs" --npop 7 --check > out 2>&1); rc=$?
check "--check of --npop 7: exit 2 with the reason (rc $rc)" sh -c "[ $rc -eq 2 ] && grep -q -- '--npop 7: expected' '$tmp/chk/out'"
# ... and for what the start refuses past the flags one by one: a --redis
# port out of range, sizes whose product is past es.h's 2^34 parameters
# (--check said valid, the start exited 2).
for a in "--redis localhost:99999 --run x" "--redis : --run x" "--redis :6379 --run x" \
         "--hidden 65536,65536,65536,65536,65536,65536,65536,65536"; do
    (cd "$tmp/chk" && "$Tabs" $a --check > out 2>&1); rc=$?
    (cd "$tmp/chk" && "$Tabs" $a --generations 1 --out "$tmp/chk/st" > out2 2>&1); rc2=$?
    check "--check $a: exit 2 as the start ($rc, $rc2), the same reason: $(head -c 150 "$tmp/chk/out")" \
        sh -c "[ $rc -eq 2 ] && [ $rc2 -eq 2 ] && cmp -s '$tmp/chk/out' '$tmp/chk/out2' && [ ! -e '$tmp/chk/st' ]"
done
# --max-steps past the task's time limit ran to the limit without a word.
$T --max-steps 1500 --generations 1 --npop 8 --threads 1 --out "$tmp/ms" > /dev/null 2> "$tmp/ms.err"; rc=$?
check "--max-steps 1500 on HalfCheetah: runs (exit $rc) to its 1000 and says so: $(cat "$tmp/ms.err")" \
    sh -c "[ $rc -eq 0 ] && grep -q 'note: --max-steps 1500 is past HalfCheetah-v5.s time limit: its episodes end at 1000' '$tmp/ms.err' &&
           grep -q '\"max_steps\": 1000,' '$tmp/ms/config.json'"
# --check also answers for the disk, as the start would, touching nothing:
# an --out holding a run, a --resume file that is missing or no checkpoint.
sum_t1=$(cd "$tmp/t1" && find . -type f | sort | xargs cksum | cksum)
chk_rc() { (cd "$tmp/chk" && "$Tabs" "$@" --check > out 2>&1); echo $?; }
rc=$(chk_rc --out "$tmp/t1")
check "--check --out of a run: exit 2, 'already holds a run' (rc $rc)" \
    sh -c "[ $rc -eq 2 ] && grep -q 'already holds a run' '$tmp/chk/out'"
rc=$(chk_rc --resume "$tmp/t1/latest.ckpt" --generations 9)
check "--check --resume of its latest.ckpt: exit 0, 'can resume' (rc $rc)" \
    sh -c "[ $rc -eq 0 ] && grep -q 'the run can resume there' '$tmp/chk/out'"
rc=$(chk_rc --resume "$tmp/t1/latest.ckpt")
check "--check of a plain --resume of a finished run: exit 0 and 'nothing to train', as the start (rc $rc; it said the run can resume)" \
    sh -c "[ $rc -eq 0 ] && grep -q 'nothing to train' '$tmp/chk/out' && ! grep -q 'can resume' '$tmp/chk/out'"
rc=$(chk_rc --resume "$tmp/t1/gone.ckpt")
check "--check --resume of a missing file: exit 1, says so (rc $rc)" \
    sh -c "[ $rc -eq 1 ] && grep -q 'cannot resume from .*gone.ckpt: No such file' '$tmp/chk/out'"
rc=$(chk_rc --resume "$tmp/t1/metrics.csv" --out "$tmp/chk/new")
check "--check --resume of a file that is no checkpoint: exit 1, says so, no --out made (rc $rc)" \
    sh -c "[ $rc -eq 1 ] && grep -q 'not an es checkpoint' '$tmp/chk/out' && [ ! -e '$tmp/chk/new' ]"
check "--check left the run it was asked about as it was" \
    [ "$(cd "$tmp/t1" && find . -type f | sort | xargs cksum | cksum)" = "$sum_t1" ]
mkdir "$tmp/chk/nb"; cp "$tmp/t1/latest.ckpt" "$tmp/chk/nb/"   # a run without its config.json
rc=$(chk_rc --resume "$tmp/chk/nb/latest.ckpt")
check "--check of a plain --resume of a run without its budget: exit 2 as the start, says so (rc $rc)" \
    sh -c "[ $rc -eq 2 ] && grep -q \"the run's budget is unknown\" '$tmp/chk/out'"
touch "$tmp/chk/afile"; ln -s nowhere "$tmp/chk/dangling"
for o in afile afile/sub dangling; do
    rc=$(chk_rc --out "$tmp/chk/$o")
    check "--check --out $o, where no directory can be made: exit 1 as the start, says so (rc $rc)" \
        sh -c "[ $rc -eq 1 ] && grep -q 'cannot create .*$o/.lock' '$tmp/chk/out'"
done
(cd "$tmp/chk" && "$Tabs" --generations 1 --out afile > out 2>&1); rc=$?
check "a start into --out afile (a file): exit 1 with one line, no note about restoring a .lock (rc $rc)" \
    sh -c "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/chk/out') -eq 1 ]"
# A refused start into a run directory that had no .lock leaves none.
mkdir "$tmp/chk/nolock"; cp "$tmp/t1/latest.ckpt" "$tmp/t1/config.json" "$tmp/chk/nolock/"
(cd "$tmp/chk" && "$Tabs" --generations 1 --out nolock > out 2>&1); rc=$?
check "a start refused by a run without .lock: exit 2, no .lock left (rc $rc)" \
    sh -c "[ $rc -eq 2 ] && [ ! -e '$tmp/chk/nolock/.lock' ]"
# Flags that would change nothing (and be recorded in config.json as if they had) are refused.
for args in "--env Hopper-v5 --shaping zscore" "--strategy snes --shaping raw" "--lr-end 0.1" "--sigma-end 0.1" \
            "--schedule-generations 5" "--policy linear --hidden 32,32"; do
    msg=$($T $args --generations 1 --out "$tmp/x" 2>&1 >/dev/null); rc=$?
    check "$args exits 2 and says why: $msg" sh -c "[ $rc -eq 2 ] && printf '%s' \"$msg\" | grep -q 'expected'"
done
for flag in --seed --max-env-steps; do   # strtoull skips blanks and wraps a minus
    msg=$($T $flag " -1" --generations 1 --out "$tmp/x" 2>&1 >/dev/null); rc=$?
    check "$flag ' -1' exits 2: $msg" [ $rc -eq 2 ]
done
mkdir -p "$tmp/d"; cp -r "$tmp/t1" "$tmp/d/run"
msg=$($T --resume "$tmp/d/run" --generations 1 2>&1 >/dev/null); rc=$?
check "--resume of a directory exits 1, says so, and locks nothing beside it: $msg" \
    sh -c "[ $rc -eq 1 ] && printf '%s' \"$msg\" | grep -q 'a directory' && [ ! -e '$tmp/d/.lock' ]"
check "--help exits 0 and lists the flags" sh -c "$T --help | grep -q -- '--resume PATH'"
check "-h exits 0 and lists the flags, as --help does" sh -c "$T -h | grep -q -- '--resume PATH'"

# Ctrl-C: finishes the generation, writes a checkpoint, exits 0.
$T --minutes 5 --npop 8 --max-steps 200 --quiet --out "$tmp/int" > /dev/null 2>&1 &
pid=$!
i=0; while [ ! -s "$tmp/int/metrics.csv" ] || [ "$(wc -l < "$tmp/int/metrics.csv")" -lt 2 ]; do
    sleep 0.2; i=$((i + 1)); [ $i -gt 150 ] && break; done
kill -INT $pid; wait $pid; rc=$?
check "SIGINT exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "SIGINT leaves a latest.ckpt that resumes" sh -c "$T --resume $tmp/int/latest.ckpt --generations \$(( \$(tail -n 1 $tmp/int/metrics.csv | cut -d, -f1) + 2 )) --quiet >/dev/null"
check "no temporary files left in checkpoints/" sh -c "! ls $tmp/int/checkpoints | grep -q tmp"
