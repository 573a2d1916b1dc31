#!/bin/sh
# The trainer's run directory: one trainer at a time (a lock held for the
# run's life), a resume that repairs metrics.csv and keeps the run's
# --ckpt-every, and the limits on --threads, memory and names from files.
cd "$(dirname "$0")/.." || exit 1
T=build/train_half_cheetah
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
# wait_rows FILE N: until FILE has N lines (at most 30 s)
wait_rows() { i=0; while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; }
# fields FILE: every line of FILE has 15 fields and its newline
fields() { [ -z "$(tail -c 1 "$1")" ] && awk -F, 'NF != 15 { bad = 1 } END { exit bad }' "$1"; }
quick="--npop 8 --max-steps 60 --quiet"

# Two trainers started at once on one --out: one runs, the other is refused.
$T $quick --generations 3 --max-steps 300 --seed 1 --out "$tmp/both" > "$tmp/a.out" 2>&1 & a=$!
$T $quick --generations 3 --max-steps 300 --seed 2 --out "$tmp/both" > "$tmp/b.out" 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
if [ $ra -eq 0 ]; then win=1; lose=$rb; msg=$(cat "$tmp/b.out"); else win=2; lose=$ra; msg=$(cat "$tmp/a.out"); fi
check "two trainers at once on one --out: one exits 0, the other is refused (exit $ra and $rb): $msg" \
    sh -c "[ $ra -eq 0 -o $rb -eq 0 ] && [ $lose -eq 3 -o $lose -eq 2 ]"
$T $quick --generations 3 --max-steps 300 --seed $win --out "$tmp/alone" > /dev/null 2>&1
check "... and the directory holds the winner's run alone (seed $win)" \
    sh -c "cmp -s $tmp/both/latest.ckpt $tmp/alone/latest.ckpt && grep -q '\"seed\": $win,' $tmp/both/config.json && [ \$(wc -l < $tmp/both/metrics.csv) -eq 4 ]"

# A second trainer before the first one's first checkpoint: refused, exit 3.
$T $quick --minutes 2 --ckpt-every 100000 --seed 1 --out "$tmp/live" > /dev/null 2>&1 & a=$!
wait_rows "$tmp/live/metrics.csv" 3
msg=$($T $quick --generations 2 --seed 2 --out "$tmp/live" 2>&1 >/dev/null); rc=$?
check "a second trainer on a live run without a checkpoint yet exits 3 (got $rc): $msg" \
    sh -c "[ $rc -eq 3 ] && printf '%s' \"$msg\" | grep -q 'in use by a running trainer (pid $a)'"
check "... and leaves the live run's config.json as it was" grep -q '"seed": 1,' "$tmp/live/config.json"
kill -INT $a; wait $a; rc=$?
check "the live run still ends cleanly on Ctrl-C (exit $rc) with one seed's metrics" \
    sh -c "[ $rc -eq 0 ] && [ -f $tmp/live/latest.ckpt ] && [ \"\$(cut -d, -f1 $tmp/live/metrics.csv | uniq -d)\" = '' ]"

# Resume of a live run: refused; its latest.ckpt stays readable (atomic).
$T $quick --minutes 2 --ckpt-every 1 --seed 1 --out "$tmp/live2" > /dev/null 2>&1 & a=$!
wait_rows "$tmp/live2/metrics.csv" 3
msg=$($T --resume "$tmp/live2/latest.ckpt" --generations 100 --quiet 2>&1 >/dev/null); rc=$?
check "--resume of a live run exits 3 and says to wait (got $rc): $msg" \
    sh -c "[ $rc -eq 3 ] && printf '%s' \"$msg\" | grep -q 'resume it after that trainer has stopped'"
n=0; good=0
while [ $n -lt 20 ]; do
    cp "$tmp/live2/latest.ckpt" "$tmp/copy.ckpt" 2>/dev/null
    $T --resume "$tmp/copy.ckpt" --out "$tmp/probe$n" --generations 1 --quiet > /dev/null 2>&1; rc=$?
    [ $rc -eq 0 ] && good=$((good + 1))     # an already-finished checkpoint: loads, nothing to do
    n=$((n + 1))
done
check "a live run's latest.ckpt read 20 times while it is replaced: always a whole checkpoint ($good of 20)" [ $good -eq 20 ]
kill -INT $a; wait $a
g=$(tail -n 1 "$tmp/live2/metrics.csv" | cut -d, -f1)
$T --resume "$tmp/live2/latest.ckpt" --generations $((g + 2)) --quiet > /dev/null 2>&1; rc=$?
check "once the trainer has stopped its run resumes (exit $rc)" [ $rc -eq 0 ]

# A resume keeps the run's --ckpt-every; a flag given again wins.
$T $quick --generations 2 --ckpt-every 3 --seed 4 --out "$tmp/every" > /dev/null
$T --resume "$tmp/every/latest.ckpt" --generations 7 --quiet > /dev/null
check "a resume keeps --ckpt-every 3: checkpoints at generations 3 and 6" \
    sh -c "[ \"\$(ls $tmp/every/checkpoints | tr '\n' ' ')\" = 'gen_000002.ckpt gen_000003.ckpt gen_000006.ckpt gen_000007.ckpt ' ]"
$T --resume "$tmp/every/latest.ckpt" --generations 9 --ckpt-every=1 --quiet > /dev/null
check "--ckpt-every=1 given again on resume wins" [ -f "$tmp/every/checkpoints/gen_000008.ckpt" ]

# Resume repairs metrics.csv: rows after the checkpoint dropped, a torn line removed.
$T $quick --generations 6 --ckpt-every 2 --seed 5 --out "$tmp/ref" > /dev/null
cp -r "$tmp/ref" "$tmp/rep"
$T --resume "$tmp/rep/checkpoints/gen_000004.ckpt" --generations 6 --quiet > /dev/null
check "resume from generation 4 of 6 rewrites rows 4 and 5 once (same columns but wall_s)" \
    sh -c "[ \"\$(cut -d, -f1,2,4- $tmp/rep/metrics.csv)\" = \"\$(cut -d, -f1,2,4- $tmp/ref/metrics.csv)\" ]"
cp -r "$tmp/ref" "$tmp/torn"
head -n 4 "$tmp/ref/metrics.csv" > "$tmp/torn/metrics.csv"
sed -n 5p "$tmp/ref/metrics.csv" | head -c 40 >> "$tmp/torn/metrics.csv"   # row 3 cut short by a crash
$T --resume "$tmp/torn/checkpoints/gen_000004.ckpt" --generations 6 --quiet > /dev/null
check "a torn last row is removed on resume, not glued to the next one" fields "$tmp/torn/metrics.csv"
check "... rows 0 1 2 4 5 remain, each whole" \
    sh -c "[ \"\$(cut -d, -f1 $tmp/torn/metrics.csv | tr '\n' ' ')\" = 'generation 0 1 2 4 5 ' ]"

# Limits: --threads, memory, a task name read from a file.
lim=$(( 4 * $(getconf _NPROCESSORS_ONLN) )); [ $lim -lt 16 ] && lim=16; [ $lim -gt 4096 ] && lim=4096
msg=$($T --threads $((lim + 1)) --generations 1 --out "$tmp/x" 2>&1 >/dev/null); rc=$?
check "--threads $((lim + 1)) exits 2 stating the limit [1, $lim]: $msg" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"$msg\" | grep -qF '[1, $lim]'"
msg=$(ulimit -v 2000000; $T --hidden 30000,30000 --generations 1 --quiet --out "$tmp/big" 2>&1 >/dev/null); rc=$?
check "a policy too big for memory exits 1 and says so (got $rc): $msg" \
    sh -c "[ $rc -eq 1 ] && printf '%s' \"$msg\" | grep -q 'out of memory'"
if command -v python3 > /dev/null; then
    # forge NAME OUT: latest.ckpt of ref with its task renamed (14 bytes), CRC made valid again
    forge() {
        python3 - "$tmp/ref/latest.ckpt" "$2" "$1" <<'EOF'
import sys, zlib
b = bytearray(open(sys.argv[1], 'rb').read())
name = sys.argv[3].encode().decode('unicode_escape').encode('latin-1')
while b'HalfCheetah-v5' in b:
    i = b.index(b'HalfCheetah-v5'); b[i:i + 14] = name
b[-4:] = (zlib.crc32(bytes(b[:-4])) & 0xffffffff).to_bytes(4, 'little')
open(sys.argv[2], 'wb').write(b)
EOF
    }
    forge '\x1b]0;pwned\x07\x1b[2J' "$tmp/evil.ckpt"
    $T --resume "$tmp/evil.ckpt" --quiet --out "$tmp/evil" 2> "$tmp/evil.err" > /dev/null; rc=$?
    check "a task name with terminal escapes in a checkpoint is refused (exit $rc), no escape printed: $(cat "$tmp/evil.err")" \
        sh -c "[ $rc -eq 1 ] && [ -s $tmp/evil.err ] && ! grep -q \"\$(printf '\\033')\" $tmp/evil.err"
    forge 'NoSuchTask-v99' "$tmp/unknown.ckpt"
    $T --resume "$tmp/unknown.ckpt" --quiet --out "$tmp/unknown" 2> "$tmp/unknown.err" > /dev/null; rc=$?
    check "a checkpoint of a task that is not built in is refused by name (exit $rc): $(cat "$tmp/unknown.err")" \
        sh -c "[ $rc -eq 1 ] && grep -qF 'is a checkpoint of \"NoSuchTask-v99\", not a built-in task' $tmp/unknown.err"
else
    echo "skip - task names from checkpoints: python3 is needed to forge the checkpoint's CRC"
fi

# A resume never writes into a directory that holds another run; into an
# empty one it keeps the run's own --ckpt-every; config.json keeps naming
# the run's preset when --env is not given again.
$T $quick --env Hopper-v5 --generations 3 --ckpt-every 2 --out "$tmp/ra" > /dev/null 2>&1
$T $quick --env Swimmer-v5 --generations 3 --out "$tmp/rb" > /dev/null 2>&1
cp "$tmp/rb/latest.ckpt" "$tmp/rb.ckpt"; cp "$tmp/rb/metrics.csv" "$tmp/rb.csv"
msg=$($T --resume "$tmp/ra/latest.ckpt" --out "$tmp/rb" --generations 4 --quiet 2>&1 > /dev/null); rc=$?
check "a resume into another run's --out is refused (exit $rc: $msg)" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q 'holds another run'" _ "$msg"
check "... and that run's checkpoint and metrics are untouched" \
    sh -c "cmp -s $tmp/rb/latest.ckpt $tmp/rb.ckpt && cmp -s $tmp/rb/metrics.csv $tmp/rb.csv && [ ! -e $tmp/rb/checkpoints/gen_000004.ckpt ]"
rm "$tmp/rb/latest.ckpt"   # as if killed before its first checkpoint: its rows and config stay
msg=$($T --resume "$tmp/ra/checkpoints/gen_000002.ckpt" --out "$tmp/rb" --generations 4 --quiet 2>&1 > /dev/null); rc=$?
check "... and so is one into a directory with another run's rows but no checkpoint (exit $rc: $msg)" \
    sh -c "[ $rc -eq 2 ] && cmp -s $tmp/rb/metrics.csv $tmp/rb.csv"
$T --resume "$tmp/ra/latest.ckpt" --out "$tmp/rc" --generations 4 --quiet > /dev/null 2>&1; rc=$?
check "a resume into an empty --out runs (exit $rc) with the run's --ckpt-every 2" \
    sh -c "[ $rc -eq 0 ] && grep -q '\"ckpt_every\": 2,' $tmp/rc/config.json"
$T --resume "$tmp/ra/checkpoints/gen_000002.ckpt" --out "$tmp/ra/" --generations 4 --quiet > /dev/null 2>&1; rc=$?
check "a resume into its own directory, named another way, runs (exit $rc)" [ $rc -eq 0 ]
check "config.json of a run resumed without --env names its preset (Hopper's)" grep -q '"preset": "ARS V2-t' "$tmp/ra/config.json"

# A resume from an older checkpoint of the run: with nothing left to train
# it changes nothing (it cut the CSV files and, later, latest.ckpt);
# stopped before its next checkpoint, latest.ckpt is a copy of the one
# resumed, so a later resume of latest.ckpt trains the rows the CSV files
# dropped again (it skipped them: latest.ckpt stayed at the later one).
$T $quick --generations 3 --ckpt-every 1 --eval-every 1 --out "$tmp/old" > /dev/null 2>&1
cp "$tmp/old/latest.ckpt" "$tmp/old3.ckpt"; cp "$tmp/old/metrics.csv" "$tmp/old3.csv"
tree() { (cd "$1" && find . | sort && find . -type f | sort | xargs cat) | cksum; }   # names, .lock and contents
tree_old=$(tree "$tmp/old")
$T --resume "$tmp/old/checkpoints/gen_000002.ckpt" --generations 2 --quiet > /dev/null 2> "$tmp/old.err"; rc=$?
check "a resume of an older checkpoint with nothing to train exits 0 ($rc) and changes nothing: $(cat "$tmp/old.err")" \
    sh -c "[ $rc -eq 0 ] && cmp -s $tmp/old/latest.ckpt $tmp/old3.ckpt && cmp -s $tmp/old/metrics.csv $tmp/old3.csv && grep -q 'nothing to train' $tmp/old.err"
check "... not its config.json (it was rewritten with --generations 2), nor its .lock's pid" [ "$(tree "$tmp/old")" = "$tree_old" ]
mkdir "$tmp/e2"
$T --resume "$tmp/old/checkpoints/gen_000002.ckpt" --out "$tmp/e2" --generations 2 --quiet > /dev/null 2>&1; rc=$?
check "... and into an empty --out it leaves that directory empty (exit $rc; it wrote .lock, config.json, checkpoints/)" \
    sh -c "[ $rc -eq 0 ] && [ -z \"\$(ls -A '$tmp/e2')\" ]"
$T --resume "$tmp/old/checkpoints/gen_000002.ckpt" --out "$tmp/e2" --generations 3 --quiet > /dev/null 2>&1; rc=$?
check "... so the command it suggests then runs there (exit $rc; it was 'holds another run's config.json')" [ $rc -eq 0 ]
$T --npop 16 --generations 3 --ckpt-every 1 --threads 1 --seed 4 --quiet --out "$tmp/long" > /dev/null 2>&1
sum=$(cksum < "$tmp/long/checkpoints/gen_000002.ckpt")
$T --resume "$tmp/long/checkpoints/gen_000002.ckpt" --generations 5 --threads 1 --quiet > /dev/null 2> "$tmp/long.err" & pid=$!
i=0; until grep -q 'continues from' "$tmp/long.err" || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $pid; wait $pid; rc=$?
check "stopped (SIGTERM, exit $rc) before its first checkpoint, latest.ckpt is the checkpoint resumed, which keeps its bytes" \
    sh -c "[ $rc -eq 143 ] && cmp -s $tmp/long/latest.ckpt $tmp/long/checkpoints/gen_000002.ckpt && [ \"\$(cksum < $tmp/long/checkpoints/gen_000002.ckpt)\" = '$sum' ]"
$T --resume "$tmp/long/latest.ckpt" --generations 4 --threads 1 --quiet > /dev/null 2>&1
check "... then resumed to 4: the generations of metrics.csv are 0 to 3" \
    sh -c "[ \"\$(cut -d, -f1 $tmp/long/metrics.csv | tr '\n' ' ')\" = 'generation 0 1 2 3 ' ]"

# A plain --resume keeps the run's budget (it trained on with none, or for
# the default 5 minutes, and config.json lost it); --generations alone needs
# no --minutes 0 (5 minutes stopped it).
$T $quick --max-env-steps 400 --out "$tmp/bud" > /dev/null 2>&1
$T $quick --max-env-steps 800 --out "$tmp/bud8" > /dev/null 2>&1
steps=$(tail -n 1 "$tmp/bud/metrics.csv" | cut -d, -f2)
cp -r "$tmp/bud" "$tmp/bud2"
$T --resume "$tmp/bud2/latest.ckpt" --quiet > /dev/null 2>&1; rc=$?
check "a run at its --max-env-steps budget ($steps steps), resumed with no flag, trains nothing (exit $rc)" \
    sh -c "[ $rc -eq 0 ] && cmp -s $tmp/bud/latest.ckpt $tmp/bud2/latest.ckpt && grep -q '\"max_env_steps\": 400,' $tmp/bud2/config.json"
$T --resume "$tmp/bud2/latest.ckpt" --max-env-steps 800 --quiet > /dev/null 2>&1
$T --resume "$tmp/bud2/latest.ckpt" --quiet > /dev/null 2>&1
check "... given --max-env-steps 800 it goes on to the bytes of a run of 800, and keeps that budget" \
    sh -c "cmp -s $tmp/bud2/latest.ckpt $tmp/bud8/latest.ckpt && grep -q '\"max_env_steps\": 800,' $tmp/bud2/config.json"
$T $quick --generations 2 --out "$tmp/gen" > /dev/null 2>&1
check "--generations alone sets no wall-time limit (config.json minutes 0)" grep -q '"minutes": 0,' "$tmp/gen/config.json"
$T $quick --generations 100000 --minutes 0.002 --out "$tmp/min" > /dev/null 2>&1
$T --resume "$tmp/min/latest.ckpt" --quiet > /dev/null 2>&1; rc=$?
check "a plain --resume keeps the run's --minutes too (exit $rc; it ran without limit)" \
    sh -c "[ $rc -eq 0 ] && grep -q '\"minutes\": 0.002,' $tmp/min/config.json"
cp -r "$tmp/gen" "$tmp/gen2"
$T --resume "$tmp/gen2/latest.ckpt" --minutes 0.002 --quiet > /dev/null 2>&1
check "a --resume given --minutes trains past the run's --generations (it is the continuation's limit)" \
    [ "$(wc -l < "$tmp/gen2/metrics.csv")" -gt 3 ]
cp -r "$tmp/gen" "$tmp/gen3"
sed -i 's/"generations": 2,/"generations":4 ,/' "$tmp/gen3/config.json"
$T --resume "$tmp/gen3/latest.ckpt" --quiet > /dev/null 2>&1
check "the budget is read from a hand-edited config.json (\"generations\":4 ,)" [ "$(wc -l < "$tmp/gen3/metrics.csv")" -eq 5 ]

# Without config.json the run's budget is unknown: a plain --resume is
# refused, not trained for the default 5 minutes (timeout: a regression).
cp -r "$tmp/gen" "$tmp/nocfg"; rm "$tmp/nocfg/config.json"
msg=$(timeout 60 $T --resume "$tmp/nocfg/latest.ckpt" --quiet 2>&1 > /dev/null); rc=$?
check "a plain --resume of a run without config.json is refused (exit $rc: $msg) and changes nothing" \
    sh -c "[ $rc -eq 2 ] && cmp -s $tmp/gen/latest.ckpt $tmp/nocfg/latest.ckpt && cmp -s $tmp/gen/metrics.csv $tmp/nocfg/metrics.csv"
$T --resume "$tmp/nocfg/latest.ckpt" --generations 3 --quiet > /dev/null 2>&1; rc=$?
check "... given --generations 3 it trains (exit $rc)" sh -c "[ $rc -eq 0 ] && [ \$(wc -l < $tmp/nocfg/metrics.csv) -eq 4 ]"

# A run's config.json of before max_env_steps was recorded: a plain
# --resume keeps its generations (a missing max_env_steps is none).
cp -r "$tmp/gen" "$tmp/oldcfg"; sed -i '/"max_env_steps"/d' "$tmp/oldcfg/config.json"; sed -i 's/"generations": 2,/"generations": 3,/' "$tmp/oldcfg/config.json"
$T --resume "$tmp/oldcfg/latest.ckpt" --quiet > /dev/null 2>&1; rc=$?
check "... a config.json without max_env_steps still gives the run's budget (exit $rc, to generation 3)" \
    sh -c "[ $rc -eq 0 ] && [ \$(wc -l < $tmp/oldcfg/metrics.csv) -eq 4 ]"

# A checkpoint named from inside the run's checkpoints/ resumes that run.
cp -r "$tmp/gen" "$tmp/inside"
(cd "$tmp/inside/checkpoints" && "$OLDPWD/$T" --resume gen_000002.ckpt --generations 3 --quiet > /dev/null 2>&1); rc=$?
(cd "$tmp/inside/checkpoints" && "$OLDPWD/$T" --resume ./gen_000003.ckpt --generations 4 --quiet > /dev/null 2>&1); rc2=$?
check "--resume gen_000002.ckpt, then ./gen_000003.ckpt, from inside checkpoints/ (exit $rc, $rc2) train the run on" \
    sh -c "[ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ \$(wc -l < $tmp/inside/metrics.csv) -eq 5 ] && [ ! -e $tmp/inside/checkpoints/metrics.csv ]"

# ... but a directory named checkpoints/ in one that is not a run (a
# config.json of the user's) is not taken for a run's: refused, file kept.
mkdir -p "$tmp/home/checkpoints"; cp "$tmp/gen/latest.ckpt" "$tmp/home/checkpoints/best.ckpt"; echo mine > "$tmp/home/config.json"
msg=$(cd "$tmp/home/checkpoints" && "$OLDPWD/$T" --resume best.ckpt --generations 3 --quiet 2>&1 > /dev/null); rc=$?
check "--resume best.ckpt from a checkpoints/ that is not a run's is refused (exit $rc: $msg), the user's config.json kept" \
    sh -c "[ $rc -eq 2 ] && [ \"\$(cat $tmp/home/config.json)\" = mine ] && [ ! -e $tmp/home/metrics.csv ]"

# A run without latest.ckpt (removed, or written by an older version after
# checkpoints/gen_N.ckpt): the message names the newest checkpoint to resume.
$T $quick --generations 4 --ckpt-every 2 --out "$tmp/nolatest" > /dev/null 2>&1; rm "$tmp/nolatest/latest.ckpt"
msg=$($T $quick --generations 4 --ckpt-every 2 --out "$tmp/nolatest" 2>&1 > /dev/null); rc=$?
check "the same command on a run without latest.ckpt (exit $rc) names its newest checkpoint: $msg" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q -- '--resume $tmp/nolatest/checkpoints/gen_000004.ckpt'" _ "$msg"
mv "$tmp/nolatest/checkpoints/gen_000004.ckpt" "$tmp/nolatest/checkpoints/gen_4.ckpt"; touch "$tmp/nolatest/checkpoints/gen_x.ckpt"
msg=$($T $quick --generations 4 --ckpt-every 2 --out "$tmp/nolatest" 2>&1 > /dev/null)
check "... by the name it has (gen_4.ckpt, the highest number, not gen_x.ckpt): $msg" \
    sh -c "printf '%s' \"\$1\" | grep -q -- '--resume $tmp/nolatest/checkpoints/gen_4.ckpt'" _ "$msg"

# A stop between latest.ckpt and checkpoints/gen_N.ckpt (written in that
# order) leaves gen_N.ckpt out: the resume of latest.ckpt puts it back.
$T $quick --generations 4 --ckpt-every 2 --out "$tmp/gap" > /dev/null 2>&1; cp "$tmp/gap/checkpoints/gen_000004.ckpt" "$tmp/gap4.ckpt"
rm "$tmp/gap/checkpoints/gen_000004.ckpt"
$T --resume "$tmp/gap/latest.ckpt" --generations 6 --quiet > /dev/null 2>&1; rc=$?
check "a resume of latest.ckpt (exit $rc) writes back the missing checkpoints/gen_000004.ckpt, byte for byte" \
    cmp -s "$tmp/gap4.ckpt" "$tmp/gap/checkpoints/gen_000004.ckpt"

# The default --out, runs/<time>: a trainer started in the same second as
# another (here: the next 30 seconds' directories hold runs) takes runs/<time>-2.
mkdir "$tmp/cwd"; now=$(date +%s)
for i in $(seq 0 30); do d="$tmp/cwd/runs/$(date -d "@$((now + i))" +%Y%m%d-%H%M%S)"; mkdir -p "$d"; echo '{}' > "$d/config.json"; done
(cd "$tmp/cwd" && "$OLDPWD/$T" $quick --generations 1 > /dev/null 2>&1); rc=$?
check "no --out, runs/<time> taken by another run: exit $rc, the run in runs/<time>-2" \
    sh -c "[ $rc -eq 0 ] && [ \$(ls -d $tmp/cwd/runs/*-2/latest.ckpt | wc -l) -eq 1 ]"

# A new run never writes over a directory with a run's files (or the
# user's config.json) that has no checkpoint; a checkpoint outside a run
# directory is not resumed in place.
mkdir "$tmp/mine"; echo '{"mine": 1}' > "$tmp/mine/config.json"
msg=$($T $quick --generations 1 --out "$tmp/mine" 2>&1 > /dev/null); rc=$?
check "--out holding a config.json but no checkpoint is refused (exit $rc: $msg) and the file kept" \
    sh -c "[ $rc -eq 2 ] && grep -q mine $tmp/mine/config.json"
mkdir "$tmp/lone"; cp "$tmp/gen/latest.ckpt" "$tmp/lone/best.ckpt"
msg=$(cd "$tmp/lone" && "$OLDPWD/$T" --resume best.ckpt --generations 3 --quiet 2>&1 > /dev/null); rc=$?
check "a checkpoint alone in a directory is not resumed in place (exit $rc: $msg)" \
    sh -c "[ $rc -eq 2 ] && [ \"\$(ls -A $tmp/lone)\" = best.ckpt ]"
$T --resume "$tmp/lone/best.ckpt" --generations 3 --out "$tmp/lone/run" --quiet > /dev/null 2>&1; rc=$?
check "... but into a new --out (exit $rc)" [ $rc -eq 0 ]

# Flags a resume ignores are not checked against the defaults they replace.
$T $quick --npop 200 --generations 1 --max-steps 5 --out "$tmp/big" > /dev/null 2>&1
msg=$($T --resume "$tmp/big/latest.ckpt" --top-k 50 --generations 1 --quiet 2>&1 > /dev/null); rc=$?
check "--resume with --top-k 50 (> the default npop/2, ignored) is not refused (exit $rc: $msg)" \
    sh -c "[ $rc -eq 0 ] && printf '%s' \"\$1\" | grep -q 'ignored: --top-k'" _ "$msg"
msg=$($T --resume "$tmp/big/latest.ckpt" --strategy snes --optimizer sgd --lr-schedule linear --generations 1 --quiet 2>&1 > /dev/null); rc=$?
check "--resume with --strategy snes --optimizer sgd --lr-schedule linear (all ignored) is not refused (exit $rc: $msg)" [ $rc -eq 0 ]

# A start that fails before writing anything leaves no directory of its own
# (a --resume of a truncated checkpoint left --out/.lock behind).
head -c 50 "$tmp/gen/latest.ckpt" > "$tmp/short.ckpt"
$T --resume "$tmp/short.ckpt" --out "$tmp/none/run" --quiet > /dev/null 2>&1; rc=$?
check "a failed --resume into a new --out (exit $rc) leaves no new directory (nor its new parent)" sh -c "[ $rc -eq 1 ] && [ ! -e $tmp/none ]"
mkdir "$tmp/kept"
$T --resume "$tmp/short.ckpt" --out "$tmp/kept" --quiet > /dev/null 2>&1
check "... and an existing one stays" [ -d "$tmp/kept" ]
mkdir -p "$tmp/par/mine"
$T --resume "$tmp/short.ckpt" --out "$tmp/par/new/../mine" --quiet > /dev/null 2>&1; rc=$?
check "a failed start with --out par/new/../mine (exit $rc) removes par/new, which it made, not par/mine" \
    sh -c "[ $rc -eq 1 ] && [ -d $tmp/par/mine ] && [ ! -e $tmp/par/new ]"

# Out of memory for a huge population: the message names npop (it blamed
# the 5702-parameter policy, "about 0.0 GB").
msg=$(ulimit -v 2000000; $T --npop 16777216 --generations 1 --threads 1 --quiet --out "$tmp/bignpop" 2>&1 >/dev/null); rc=$?
check "out of memory for --npop 16777216 names npop (exit $rc: $msg)" \
    sh -c "[ $rc -eq 1 ] && printf '%s' \"\$1\" | grep -q 'npop 16777216'" _ "$msg"
