#!/bin/sh
# make train as a new user runs it: --out=DIR and --resume=X work like
# --out DIR and --resume X, and Ctrl-C (SIGINT to the whole foreground
# process group, as a terminal sends it) ends with the video of what was
# trained, not with make's "*** Interrupt".
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d); pg=""; trap '[ -n "$pg" ] && kill -9 -"$pg" 2>/dev/null; rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
for p in ffmpeg ffprobe; do
    command -v $p > /dev/null || { echo "skip - make train: $p not installed (tools/install-deps train)"; exit 0; }
done
if ! build/render --help > /dev/null 2>&1 && ! make -s build/render > /dev/null 2>&1; then
    echo "skip - make train: build/render cannot be built"; exit 0
fi
frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
small="--npop 8 --max-steps 30 --quiet"

make -s train ARGS="--out=$tmp/eq --generations 2 $small" > "$tmp/eq.out" 2>&1; rc=$?
v=$(ls "$tmp"/eq/videos/*.mp4 2>/dev/null | tail -n 1)
check "make train ARGS=\"--out=DIR ...\" trains into DIR and renders it there (exit $rc, $v)" \
    sh -c "[ $rc -eq 0 ] && [ -f $tmp/eq/checkpoints/gen_000002.ckpt ] && [ -n '$v' ] && [ \"\$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 '$v')\" = 30 ]"
make -s train ARGS="--resume=$tmp/eq/latest.ckpt --generations 3 --quiet" > "$tmp/re.out" 2>&1; rc=$?
check "make train ARGS=\"--resume=X\" continues run X in place and renders it (exit $rc)" \
    sh -c "[ $rc -eq 0 ] && [ -f $tmp/eq/checkpoints/gen_000003.ckpt ] && ls $tmp/eq/videos | grep -q gen_000003 && [ \$(ls -d $tmp/* | wc -l) -eq 3 ]"

# Ctrl-C: the whole process group gets SIGINT, as from a terminal.
setsid sh -c "exec make -s train ARGS='--out=$tmp/int --minutes 2 $small' > '$tmp/int.out' 2>&1" &
pg=$!
i=0; while [ "$(cat "$tmp/int/metrics.csv" 2>/dev/null | wc -l)" -lt 3 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT -"$pg"
i=0; while kill -0 "$pg" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "Ctrl-C during make train: the trainer writes its checkpoint, then the video is rendered" \
    sh -c "grep -q 'interrupted; checkpoint written' $tmp/int.out && grep -q 'video: .*mp4' $tmp/int.out && ls $tmp/int/videos/*.mp4 > /dev/null 2>&1"
check "... and make does not end in *** Interrupt" sh -c "[ -s $tmp/int.out ] && ! grep -q 'Interrupt' $tmp/int.out"
pg=""

# No --out, and runs/<time> holds another run started in the same second
# (here: the next 30 seconds' directories do): the run goes to
# runs/<time>-2, as the trainer names it (tools/train named it itself, and
# two make train runs in one second collided). In a copy of tools/ whose
# runs/ is the test's.
mkdir -p "$tmp/repo/tools" && cp tools/train tools/render "$tmp/repo/tools/" && ln -s "$PWD/build" "$tmp/repo/build"
now=$(date +%s)
for i in $(seq 0 30); do d="$tmp/repo/runs/$(date -d "@$((now + i))" +%Y%m%d-%H%M%S)"; mkdir -p "$d"; echo '{}' > "$d/config.json"; done
ARGS="--generations 1 $small" "$tmp/repo/tools/train" > "$tmp/same.out" 2>&1; rc=$?
check "tools/train without --out while runs/<time> is taken: exit $rc, the run and its video in runs/<time>-2" \
    sh -c "[ $rc -eq 0 ] && [ \$(ls $tmp/repo/runs/*-2/videos/*.mp4 2>/dev/null | wc -l) -eq 1 ]"
# make train ARGS=--help: the trainer's help, and no empty runs/<time> left.
before=$(ls "$tmp/repo/runs" | wc -l)
ARGS="--help" "$tmp/repo/tools/train" > "$tmp/help.out" 2>&1; rc=$?
check "tools/train with ARGS=--help: exit $rc, the trainer's usage, no new directory in runs/" \
    sh -c "[ $rc -eq 0 ] && grep -q '^usage: train_half_cheetah' '$tmp/help.out' && [ \$(ls '$tmp/repo/runs' | wc -l) -eq $before ]"
