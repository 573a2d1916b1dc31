#!/bin/sh
# tests/test_plot.sh - tools/plot draws learning curves from short runs: a PNG
# (signature, size, dimensions in the IHDR chunk), an SVG, seed groups, and
# its usage and runtime errors. Run from the repository root (tests/run does).
cd "$(dirname "$0")/.." || exit 1
failed=0
ok() { echo "ok - plot: $1"; }
notok() { echo "not ok - plot: $1"; failed=1; }
check() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2${3:+: $3}"; fi; }
if ! command -v gnuplot >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then echo "not ok - plot: gnuplot is missing under CI=true"; exit 1; fi
    echo "skip - plot: gnuplot not installed (tools/install-deps)"; exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/es-test-plot.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
make -s build/train_half_cheetah >"$T/make.log" 2>&1 || { cat "$T/make.log"; notok "build"; exit 1; }

# Two runs that differ only by seed (one curve with a band) and one other.
for s in 1 2; do
    build/train_half_cheetah --generations 3 --npop 8 --max-steps 40 --threads 2 --seed $s \
        --out "$T/seed$s" --quiet >"$T/train.log" 2>&1 || notok "training seed $s"
done
build/train_half_cheetah --generations 2 --npop 8 --max-steps 40 --threads 2 --lr 0.05 \
    --out "$T/other" --quiet >"$T/train.log" 2>&1 || notok "training the other run"

tools/plot "$T/seed1" >"$T/out" 2>"$T/err"
check $? "plots one run (exit 0)" "$(cat "$T/err")"
png="$T/seed1/learning_curve.png"
[ -f "$png" ] && grep -q "learning_curve.png" "$T/out"
check $? "default output RUN_DIR/learning_curve.png, path printed"
sig=$(head -c 8 "$png" 2>/dev/null | od -An -tx1 | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ]
check $? "PNG signature" "got '$sig'"
size=$(wc -c <"$png" 2>/dev/null || echo 0)
[ "$size" -gt 10000 ] && [ "$size" -lt 2000000 ]
check $? "PNG size plausible ($size bytes)"
dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 "x" $5*16777216 + $6*65536 + $7*256 + $8 }')
[ "$dims" = 1500x600 ]
check $? "PNG is 1500x600 (IHDR)" "got $dims"

tools/plot "$T/seed1" "$T/seed2" "$T/other/" --out "$T/sub/all.png" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ -s "$T/sub/all.png" ]
check $? "several runs, seed group, --out into a new directory" "rc $rc; $(cat "$T/err")"
tools/plot "$T/seed1" "$T/seed2" --out "$T/all.svg" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && grep -q '<svg' "$T/all.svg" && grep -q 'learning curves' "$T/all.svg" && grep -q 'seed1, seed2' "$T/all.svg"
check $? "SVG with title and a seed-group legend" "rc $rc; $(cat "$T/err")"

# A seed resumed with another --threads (its config.json says so; the bytes
# are the same) is still a seed of its group; one seed twice, at 1 and 2
# threads, is a sweep of --threads: two curves. A run named twice is one run.
at_one_thread() {   # at_one_thread RUN DIR: plots seed1 and a copy of RUN whose config.json says 1 thread into DIR.svg
    mkdir "$T/$2" && cp -r "$T/$1" "$T/$2/$1" && sed -i 's/"threads": 2/"threads": 1/' "$T/$2/$1/config.json" &&
        grep -q '"threads": 1' "$T/$2/$1/config.json" && tools/plot "$T/seed1" "$T/$2/$1" --out "$T/$2.svg" >"$T/out" 2>"$T/err"
}
legends() { grep -o '>[^<]*seed[^<]*<' "$1" | tr '\n' ' '; }
at_one_thread seed2 t1 && grep -q 'seed1, seed2 (mean of 2 seeds' "$T/t1.svg"
check $? "seeds whose config.json differ in threads too are one group" "$(cat "$T/err"; legends "$T/t1.svg")"
at_one_thread seed1 t2 && grep -q '>threads 2 (seed1)<' "$T/t2.svg" && grep -q '>threads 1 (seed1)<' "$T/t2.svg"
check $? "one seed at 1 and 2 threads: two curves, their legends name the threads" "$(cat "$T/err"; legends "$T/t2.svg")"
tools/plot "$T/seed1" "$T/seed1/" "$T/seed2/../seed1" --out "$T/twice.svg" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && grep -q '>seed1<' "$T/twice.svg" && ! grep -q 'seeds' "$T/twice.svg"
check $? "a run named three ways is one run, not 3 seeds" "rc $rc; $(legends "$T/twice.svg")"

# Groups whose run directories share a name: each legend names the
# settings that set it apart (here lr), not only the directory.
mkdir -p "$T/a" "$T/b"
cp -r "$T/seed1" "$T/a/run"; cp -r "$T/other" "$T/b/run"
tools/plot "$T/a/run" "$T/b/run" --out "$T/ab.svg" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && grep -q '>lr 0.02, generations 3, lr_end 0.002 (run)<' "$T/ab.svg" && grep -q '>lr 0.05, generations 2, lr_end 0.005 (run)<' "$T/ab.svg"
check $? "legends of same-named runs name the settings that differ (lr 0.02, lr 0.05)" "rc $rc; $(grep -o '>[^<]*(run)<' "$T/ab.svg" | tr '\n' ' ')"

tools/plot --bogus >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ]; check $? "unknown option: exit 2" "rc $rc"
tools/plot >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ]; check $? "no run: exit 2" "rc $rc"
tools/plot "$T/seed1" --out "$T/x.jpg" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ]; check $? "unsupported extension: exit 2" "rc $rc"
mkdir "$T/empty"
tools/plot "$T/empty" --out "$T/e.png" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "no metrics.csv" "$T/err" && [ ! -e "$T/e.png" ]
check $? "a directory without metrics.csv: exit 1, message, no file" "rc $rc; $(cat "$T/err")"
exit $failed
