#!/bin/sh
# tests/test_render.sh - tools/render end to end: trains a tiny run, renders
# it, and checks the video (frame count, size, content) against ffprobe and
# the frames ffmpeg decodes, the return against the trainer's own evaluation,
# --frames, --all, and the failures (exit codes, messages, no leftovers),
# among them broken MP4s that ffmpeg exits 0 after (a fake ffmpeg, and a
# full tmpfs when mounting is permitted).
# Run from the repository root (tests/run does).
cd "$(dirname "$0")/.." || exit 1
failed=0
ok() { echo "ok - render: $1"; }
notok() { echo "not ok - render: $1"; failed=1; }
check() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2${3:+: $3}"; fi; }

need() {   # need TOOL: skip everything when a tool is missing (fail under CI)
    if ! command -v "$1" >/dev/null 2>&1; then
        if [ "${CI:-}" = true ]; then echo "not ok - render: $1 is missing under CI=true"; exit 1; fi
        echo "skip - render: $1 not installed (tools/install-deps)"; exit 0
    fi
}
need ffmpeg
need ffprobe
need cc

T=$(mktemp -d "${TMPDIR:-/tmp}/es-test-render.XXXXXX") || exit 1
mnt=""     # the full tmpfs of section 7, once mounted
trap '[ -n "$mnt" ] && umount "$mnt"; rm -rf "$T"' EXIT INT TERM

B=${BUILD:-build}     # make's BUILD: build/mujoco3 in make test's MuJoCo 3.x pass
if ! make -s "$B/train_half_cheetah" "$B/render" >"$T/make.log" 2>&1 ||
   ! cc -std=c99 -O2 -I. tests/render_check.c -o build/render_check -lm -lpthread >>"$T/make.log" 2>&1; then
    cat "$T/make.log"; notok "build"; exit 1
fi
chk=build/render_check

# A tiny run: 3 generations of 8 members, 50-step episodes, a checkpoint each.
run="$T/run"
"$B/train_half_cheetah" --generations 3 --npop 8 --max-steps 50 --ckpt-every 1 --threads 2 \
    --seed 7 --out "$run" --quiet >"$T/train.log" 2>&1
check $? "a tiny run trains" "$(tail -n 3 "$T/train.log")"

# 0. tools/train (what `make train` runs) with --out, then with --resume of
#    a generation checkpoint: the video lands in the run the trainer wrote.
ARGS="--generations 1 --npop 8 --max-steps 20 --ckpt-every 1 --quiet --out $T/mt" tools/train >"$T/mt.log" 2>&1
set -- "$T"/mt/videos/gen_000001_return_*.mp4
[ -f "$1" ]
check $? "tools/train with --out renders into that run" "$(tail -n 3 "$T/mt.log")"
ARGS="--resume $T/mt/checkpoints/gen_000001.ckpt --generations 2 --quiet" tools/train >"$T/mt2.log" 2>&1
set -- "$T"/mt/videos/gen_000002_return_*.mp4
[ -f "$1" ]
check $? "tools/train with --resume continues the checkpoint's run and renders there" "$(tail -n 3 "$T/mt2.log")"

# 0b. Without --steps an episode is as long as the run's --max-steps (50),
#     and its return is the eval_return the run logged for that theta.
tools/render "$run/checkpoints/gen_000002.ckpt" --width 64 --height 48 --out "$T/ms" >"$T/out_ms" 2>&1
grep -q " 50 frames" "$T/out_ms"
check $? "default episode length is the run's --max-steps (50 frames)" "$(cat "$T/out_ms")"
want=$(awk -F, 'NR > 1 && $1 == 2 { printf "%.1f", $7 }' "$run/metrics.csv")
set -- "$T"/ms/gen_000002_return_*.mp4
[ -n "$want" ] && [ "${1##*_return_}" = "$want.mp4" ]
check $? "its return is the eval_return logged for generation 2 ($want)" "${1##*/}"

# 1. A short video of the run's latest checkpoint.
tools/render "$run" --steps 30 --width 160 --height 120 >"$T/out1" 2>"$T/err1"
check $? "renders a run directory (exit 0)" "$(cat "$T/err1")"
set -- "$run"/videos/gen_000003_return_*.mp4
if [ $# -eq 1 ] && [ -f "$1" ]; then ok "video named after generation and return: ${1##*/}"; else notok "video name: $*"; fi
mp4=$1
grep -q "30 frames" "$T/out1" && grep -q "frames/s" "$T/out1" && grep -q "$mp4" "$T/out1"
check $? "progress line with frames, fps and path" "$(cat "$T/out1")"
info=$(ffprobe -v error -count_frames -select_streams v:0 \
    -show_entries stream=codec_name,width,height,pix_fmt,nb_read_frames -of csv=p=0 "$mp4" 2>&1)
[ "$info" = "h264,160,120,yuv420p,30" ]
check $? "ffprobe: h264 160x120 yuv420p with exactly 30 frames" "got '$info'"
rate=$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$mp4" 2>&1)
[ "$rate" = "20/1" ]
check $? "frame rate 1/dt = 20 for HalfCheetah" "got '$rate'"

mkdir "$T/dec"
ffmpeg -v error -i "$mp4" "$T/dec/f%03d.ppm" 2>"$T/err"
n=$(ls "$T/dec" | wc -l)
[ "$n" -eq 30 ]
check $? "ffmpeg decodes 30 frames" "$n frames; $(cat "$T/err")"
var=$($chk stats "$T/dec/f001.ppm" | awk '{print $4}')
awk -v v="$var" 'BEGIN { exit !(v > 100) }'
check $? "first frame is not blank (pixel variance $var > 100)"
d=$($chk diff "$T/dec/f001.ppm" "$T/dec/f030.ppm")
awk -v d="$d" 'BEGIN { exit !(d > 2) }'
check $? "frames change as the robot moves (mean |first - last| = $d > 2)"
# Rows come back bottom-up from OpenGL: the sky (blue, top) must be above the floor.
top=$(ffmpeg -v error -i "$T/dec/f001.ppm" -vf "crop=160:20:0:0,scale=1:1" -f rawvideo -pix_fmt rgb24 - | od -An -tu1)
bottom=$(ffmpeg -v error -i "$T/dec/f001.ppm" -vf "crop=160:20:0:100,scale=1:1" -f rawvideo -pix_fmt rgb24 - | od -An -tu1)
echo "$top $bottom" | awk '{ exit !($3 > $1 && $6 <= $4) }'
check $? "image upright: blue sky on top (rgb$top), floor below (rgb$bottom)"

# 2. The rendered episode is the trainer's evaluation episode: the return of
# gen_000002.ckpt over 50 steps equals metrics.csv's eval_return of generation 2.
tools/render "$run/checkpoints/gen_000002.ckpt" --frames --steps 50 --width 32 --height 32 --out "$T/eval" \
    >"$T/out2" 2>"$T/err2"
got=$(sed -n 's/.*return \(-*[0-9.]*\).*/\1/p' "$T/out2")
want=$(awk -F, 'NR > 1 && $1 == 2 { print $7 }' "$run/metrics.csv")
[ -n "$got" ] && [ -n "$want" ] && awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; exit !(d < 0.01 && d > -0.01) }'
check $? "return equals the trainer's eval_return (rendered $got, metrics $want)" "$(cat "$T/err2")"

# 3. --frames writes N numbered PPM frames.
tools/render "$run/latest.ckpt" --frames --steps 12 --width 64 --height 48 --out "$T/frames" >"$T/out3" 2>"$T/err3"
rc=$?
set -- "$T"/frames/gen_000003_return_*_frames
n=$(ls "$1" 2>/dev/null | grep -c '^frame_0000[01][0-9]\.ppm$')
[ "$rc" -eq 0 ] && [ "$n" -eq 12 ] && [ -f "$1/frame_000012.ppm" ] && [ ! -e "$1/frame_000013.ppm" ]
check $? "--frames writes frame_000001..frame_000012.ppm" "rc $rc, $n frames; $(cat "$T/err3")"
size=$($chk stats "$1/frame_000001.ppm" | awk '{print $1 "x" $2}')
[ "$size" = "64x48" ]
check $? "frames are 64x48 PPM" "got $size"

# 3b. --steps past the task's time limit (Reacher's 50) rendered past it,
# unlike any evaluation of the trainer: it ends there, and says so.
"$B/train_half_cheetah" --env Reacher-v5 --generations 2 --npop 8 --threads 1 --ckpt-every 1 --quiet --out "$T/reacher" \
    >/dev/null 2>&1
tools/render "$T/reacher" --all --frames --steps 80 --width 16 --height 16 --out "$T/rframes" >"$T/out3b" 2>"$T/err3b"
rc=$?
set -- "$T"/rframes/gen_000001_return_*_frames
n=$(ls "$1" 2>/dev/null | grep -c '^frame_.*\.ppm$')
[ "$rc" -eq 0 ] && [ "$n" -eq 50 ] && [ "$(grep -c 'note: --steps 80 is past Reacher-v5.s time limit: its episodes end at 50' "$T/err3b")" -eq 1 ]
check $? "--steps 80 on Reacher's 2 checkpoints: 50 frames, its time limit, and one note" "rc $rc, $n frames; $(cat "$T/err3b")"

# 3c. --out naming a file: the reason was mkdir's "File exists".
tools/render "$run/latest.ckpt" --frames --steps 2 --width 16 --height 16 --out "$run/config.json" >/dev/null 2>"$T/err3c"
rc=$?
[ "$rc" -eq 1 ] && grep -q "cannot create $run/config.json: Not a directory" "$T/err3c"
check $? "--out naming a file: exit 1, 'Not a directory'" "rc $rc; $(cat "$T/err3c")"

# 4. --all renders every checkpoint of the run.
tools/render "$run" --all --frames --steps 2 --width 16 --height 16 --out "$T/all" >"$T/out4" 2>"$T/err4"
rc=$?
n=$(ls -d "$T"/all/gen_00000[123]_return_*_frames 2>/dev/null | wc -l)
[ "$rc" -eq 0 ] && [ "$n" -eq 3 ]
check $? "--all renders gen_000001..3" "rc $rc, $n outputs; $(cat "$T/err4")"

# 5. OSMesa, the fallback, when present.
osmesa=""
for f in /usr/lib/*/libOSMesa.so* /usr/lib/libOSMesa.so*; do [ -e "$f" ] && osmesa=$f; done
if [ -n "$osmesa" ]; then
    MUJOCO_GL=osmesa "$B/render" "$run" --steps 5 --width 32 --height 32 --out "$T/osmesa" >"$T/out5" 2>"$T/err5"
    rc=$?
    [ "$rc" -eq 0 ] && grep -q "OpenGL: OSMesa" "$T/out5" && ls "$T"/osmesa/gen_000003_return_*.mp4 >/dev/null 2>&1
    check $? "MUJOCO_GL=osmesa renders" "rc $rc; $(cat "$T/err5")"
else
    echo "skip - render: libOSMesa not installed"
fi

# 6. Failures: exit codes and messages, nothing written.
fails() {   # fails WANT_RC PATTERN NAME -- command...
    want_rc=$1 pat=$2 name=$3; shift 4
    "$@" >"$T/fout" 2>"$T/ferr"
    rc=$?
    [ "$rc" -eq "$want_rc" ] && grep -q "$pat" "$T/ferr"
    check $? "$name: exit $want_rc and a message" "rc $rc; $(cat "$T/ferr")"
    if [ -n "${VERBOSE:-}" ]; then sed 's/^/    /' "$T/ferr"; fi
}
mkdir "$T/bad"
cp "$run/latest.ckpt" "$T/bad/corrupt.ckpt"
printf 'XXXX' | dd of="$T/bad/corrupt.ckpt" bs=1 seek=200 conv=notrunc 2>/dev/null
head -c 100 "$run/latest.ckpt" >"$T/bad/truncated.ckpt"
printf 'hello, not a checkpoint\n' >"$T/bad/text.ckpt"
$chk retask "$run/latest.ckpt" "$T/bad/unknown.ckpt" Flying-v1
$chk retask "$run/latest.ckpt" "$T/bad/foreign.ckpt" -
fails 1 "corrupt" "corrupt checkpoint" -- tools/render "$T/bad/corrupt.ckpt" --out "$T/bad"
fails 1 "truncated" "truncated checkpoint" -- tools/render "$T/bad/truncated.ckpt" --out "$T/bad"
fails 1 "not an es checkpoint" "a file that is no checkpoint" -- tools/render "$T/bad/text.ckpt" --out "$T/bad"
fails 1 "not a policy checkpoint" "a checkpoint without task and policy" -- tools/render "$T/bad/foreign.ckpt" --out "$T/bad"
fails 1 "unknown task 'Flying-v1'" "a checkpoint of an unknown task" -- tools/render "$T/bad/unknown.ckpt" --out "$T/bad"
fails 1 "no such run directory" "a missing path" -- tools/render "$T/nothing" --out "$T/bad"
fails 2 "known option" "a bad flag" -- tools/render "$run" --bogus
fails 2 "even integer" "an odd width" -- tools/render "$run" --width 161
fails 2 "^render: --out: expected a value" "--out followed by a flag (it made a directory --width)" -- \
    sh -c 'cd "$1" && "$2" "$3" --out --width 32 --steps 2' _ "$T" "$PWD/tools/render" "$run"
[ ! -e "$T/--width" ]
check $? "... and no directory --width"
(cd "$T" && "$OLDPWD/tools/render" "$run" --width 32 --height 32 --steps 2 --out=-y >"$T/fout" 2>"$T/ferr"); rc=$?
set -- "$T"/-y/gen_000003_return_*.mp4
[ "$rc" -eq 0 ] && [ -f "$1" ]
check $? "--out=-y, a relative directory starting with -, gets the video (ffmpeg took it for an option)" "rc $rc; $(cat "$T/ferr")"
fails 2 "at least one" "no checkpoint given" -- tools/render --steps 3
mkdir "$T/nopath"
fails 1 "ffmpeg not found" "no ffmpeg on PATH" -- env PATH="$T/nopath" "$B/render" "$run" --out "$T/bad"
printf '#!/bin/sh\ncat >/dev/null\necho "broken encoder" >&2\nexit 1\n' >"$T/nopath/ffmpeg"
chmod +x "$T/nopath/ffmpeg"
fails 1 "ffmpeg failed" "ffmpeg failing" -- env PATH="$T/nopath:$PATH" "$B/render" "$run" --steps 5 --width 32 --height 32 --out "$T/bad"
printf '#!/bin/sh\nexit 3\n' >"$T/nopath/ffmpeg"
fails 1 "ffmpeg" "ffmpeg dying at once" -- env PATH="$T/nopath:$PATH" "$B/render" "$run" --steps 5 --width 32 --height 32 --out "$T/bad"
left=$(ls -A "$T/bad" | grep -v -E '^(corrupt|truncated|text|unknown|foreign)\.ckpt$')
[ -z "$left" ]
check $? "failures leave nothing behind" "found: $left"
printf '#!/bin/sh\ncat >/dev/null\necho "broken encoder" >&2\nexit 1\n' >"$T/nopath/ffmpeg"
mkdir "$T/mine"
fails 1 "ffmpeg failed" "ffmpeg failing into a new --out" -- env PATH="$T/nopath:$PATH" "$B/render" "$run" --steps 5 \
    --width 32 --height 32 --out "$T/mine/new/dirs"
[ -d "$T/mine" ] && [ -z "$(ls -A "$T/mine")" ]
check $? "a failed render removes the directories it made, not the one it found" "left: $(ls -AR "$T/mine" 2>&1)"
mkdir -p "$T/keep/videos"
fails 1 "ffmpeg failed" "ffmpeg failing into --out keep/new/../videos" -- env PATH="$T/nopath:$PATH" "$B/render" "$run" \
    --steps 5 --width 32 --height 32 --out "$T/keep/new/../videos"
[ -d "$T/keep/videos" ] && [ ! -e "$T/keep/new" ]
check $? "... through .., it removes the one it made (new), not the empty one it found (videos)" "left: $(ls -A "$T/keep")"

# A temporary file left by a killed render whose pid this one has is
# overwritten, not taken for an --out it cannot write in.
mkdir "$T/stale"
sh -c 'touch "$1/.render-$$-0.mp4.part"; exec "$2" "$3" --steps 5 --width 32 --height 32 --out "$1"' _ "$T/stale" "$B/render" "$run" \
    >"$T/fout" 2>"$T/ferr"; rc=$?
set -- "$T"/stale/gen_000003_return_*.mp4
[ "$rc" -eq 0 ] && [ -f "$1" ] && [ -z "$(find "$T/stale" -name '.render-*')" ]
check $? "a stale temporary file of the same pid: overwritten, the video made" "rc $rc; $(cat "$T/ferr")"

# 7. A video ffmpeg leaves broken while exiting 0 (ffmpeg 5.1 does when the
#    disk fills as it writes the trailer) is refused: exit 1, nothing kept.
#    A fake ffmpeg writes the given file as its output and exits 0.
printf '#!/bin/sh\ncat >/dev/null\nfor a; do out=$a; done\ncat "$FAKE_MP4" >"$out"\n' >"$T/nopath/ffmpeg"
fake() {   # fake FILE: renders with ffmpeg writing FILE into $T/fake; prints rc
    rm -rf "$T/fake"
    FAKE_MP4=$1 PATH="$T/nopath:$PATH" "$B/render" "$run" --steps 5 --width 32 --height 32 --out "$T/fake" \
        >"$T/fout" 2>"$T/ferr"
    echo $?
}
refused() {   # refused FILE NAME: exit 1, the reason, no video, no temporary file
    rc=$(fake "$1")
    [ "$rc" -eq 1 ] && grep -q "broken video, not kept: $3" "$T/ferr" && [ ! -e "$T/fake" ]
    check $? "$2 is refused: exit 1, nothing left (not even its --out)" "rc $rc; $(cat "$T/ferr"); left: $(ls -A "$T/fake" 2>/dev/null)"
}
size=$(wc -c <"$mp4")
rc=$(fake "$mp4")
[ "$rc" -eq 0 ] && cmp -s "$mp4" "$T"/fake/gen_000003_return_*.mp4
check $? "a whole video (ffmpeg's own) is kept" "rc $rc; $(cat "$T/ferr")"
head -c $((size - 1)) "$mp4" >"$T/cut1.mp4"
refused "$T/cut1.mp4" "a video 1 byte short" "its 'mdat' box is cut short: 1 bytes missing"
head -c $((size / 2)) "$mp4" >"$T/cut2.mp4"
refused "$T/cut2.mp4" "a video cut in half" "its 'mdat' box is cut short"
{ cat "$mp4"; printf 'x'; } >"$T/long.mp4"
refused "$T/long.mp4" "a video with a stray byte after its last box" "1 bytes after its last box"
printf '\0\0\0\040ftypisom\0\0\002\0isomiso2avc1mp41\0\0\0\010free\0\0\0\0mdat0123456789' >"$T/open.mp4"
refused "$T/open.mp4" "ffmpeg's leftover after a full disk (mdat of size 0, no moov)" "its 'mdat' box was never closed"
printf '\0\0\0\020ftypisom\0\0\002\0\0\0\0\010mdat' >"$T/nomoov.mp4"
refused "$T/nomoov.mp4" "a video without moov" "it has no 'moov' box"
printf '\0\0\0\010moov\0\0\0\020ftypisom\0\0\002\0\0\0\0\010mdat' >"$T/late.mp4"
refused "$T/late.mp4" "a video not beginning with ftyp" "it begins with 'moov'"
large='\0\0\0\020ftypisom\0\0\002\0\0\0\0\010moov\0\0\0\001mdat\0\0\0\0\0\0\0\030'
printf "${large}01234567" >"$T/large.mp4"
rc=$(fake "$T/large.mp4")
[ "$rc" -eq 0 ] && ls "$T"/fake/gen_000003_return_*.mp4 >/dev/null 2>&1
check $? "an mdat with a 64-bit size that fits is accepted" "rc $rc; $(cat "$T/ferr")"
printf "${large}0123456" >"$T/large1.mp4"
refused "$T/large1.mp4" "an mdat with a 64-bit size past the end" "its 'mdat' box is cut short: 1 bytes missing"

# 7b. The real thing: ffmpeg writing to a full tmpfs (root only).
mkdir "$T/full"
if mount -t tmpfs -o size=8k tmpfs "$T/full" 2>"$T/mount.err"; then
    mnt="$T/full"
    "$B/render" "$run" --steps 30 --width 160 --height 120 --out "$mnt/v/w" >"$T/fout" 2>"$T/ferr"
    rc=$?
    [ "$rc" -eq 1 ] && grep -q "^render: .*\(broken video\|ffmpeg failed\)" "$T/ferr" && [ -z "$(ls -A "$mnt")" ]
    check $? "a video onto a full disk: exit 1, a message, no video and no directory left" \
        "rc $rc; $(cat "$T/ferr"); left: $(ls -AR "$mnt")"
    "$B/render" "$run" --frames --steps 30 --width 160 --height 120 --out "$mnt/f" >"$T/fout" 2>"$T/ferr"
    rc=$?
    [ "$rc" -eq 1 ] && grep -q "No space left on device" "$T/ferr" && [ -z "$(ls -A "$mnt")" ]
    check $? "frames onto a full disk: exit 1, the errno text, no frames left" "rc $rc; $(cat "$T/ferr"); left: $(ls -AR "$mnt")"
    umount "$mnt" && mnt=""
    # A read-only --out: render's own message gives the reason (ffmpeg's
    # would come to it only as a broken pipe).
    mount -t tmpfs -o ro,size=8k tmpfs "$T/full" && mnt="$T/full"
    "$B/render" "$run" --steps 5 --width 32 --height 32 --out "$mnt" >"$T/fout" 2>"$T/ferr"
    rc=$?
    [ "$rc" -eq 1 ] && grep -q "^render: cannot write in $mnt: Read-only file system" "$T/ferr"
    check $? "a read-only --out: exit 1 and render's own reason" "rc $rc; $(cat "$T/ferr")"
    umount "$mnt" && mnt=""
else
    echo "skip - render: full-disk checks: cannot mount a tmpfs here ($(head -n 1 "$T/mount.err"); needs root)"
fi

left=$(find "$T" -name '.render-*')
[ -z "$left" ]
check $? "no temporary files anywhere" "found: $left"

exit $failed
