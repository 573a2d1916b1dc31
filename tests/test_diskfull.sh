#!/bin/sh
# A full disk under the trainer, on a small tmpfs: a failed write of
# metrics.csv, config.json or a checkpoint ends the run with exit 1 and the
# errno text, leaves no torn file, and a resume once there is room again
# ends byte-identical to a run that never met a full disk.
cd "$(dirname "$0")/.." || exit 1
T=build/train_half_cheetah
tmp=$(mktemp -d)
mnt="$tmp/disk"
mkdir "$mnt"
if ! mount -t tmpfs -o size=1m tmpfs "$mnt" 2> "$tmp/mount.err"; then
    echo "skip - full-disk tests: cannot mount a tmpfs here ($(head -n 1 "$tmp/mount.err"); needs root)"
    rm -rf "$tmp"
    exit 0
fi
trap 'kill $(jobs -p) 2>/dev/null; umount "$mnt"; rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
wait_rows() { i=0; while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; }
fields() { [ -z "$(tail -c 1 "$1")" ] && awk -F, 'NF != 15 { bad = 1 } END { exit bad }' "$1"; }
same_metrics() { [ "$(cut -d, -f1,2,4- "$1")" = "$(cut -d, -f1,2,4- "$2")" ]; }
# fill K: the disk full but for K pages of 4 KiB
fill() {
    rm -f "$mnt/fill"
    dd if=/dev/zero of="$mnt/spare" bs=4096 count="$1" 2>/dev/null
    dd if=/dev/zero of="$mnt/fill" bs=4096 2>/dev/null
    rm -f "$mnt/spare"
}
room() { rm -f "$mnt/fill"; }
flags="--npop 8 --max-steps 50 --seed 3 --quiet"

# The reference: 8 generations that never met a full disk.
$T $flags --generations 8 --ckpt-every 2 --out "$tmp/ref" > /dev/null

# metrics.csv: the disk fills between checkpoints.
$T $flags --generations 4 --ckpt-every 2 --out "$mnt/m" > /dev/null
$T --resume "$mnt/m/latest.ckpt" --generations 100000 --minutes 1 --ckpt-every 1000000 --quiet \
    > /dev/null 2> "$tmp/m.err" &
pid=$!
wait_rows "$mnt/m/metrics.csv" 8
fill 0
wait $pid; rc=$?
check "a full disk while appending to metrics.csv: exit 1 (got $rc)" [ $rc -eq 1 ]
check "... with the errno text: $(tr "\n" " " < "$tmp/m.err")" grep -q 'metrics.csv: No space left on device' "$tmp/m.err"
check "... and no torn row: every line whole" fields "$mnt/m/metrics.csv"
room
$T --resume "$mnt/m/latest.ckpt" --generations 8 --ckpt-every 2 --quiet > /dev/null; rc=$?
check "with room again the run resumes from generation 4 (exit $rc) to the reference's bytes" \
    sh -c "[ $rc -eq 0 ] && cmp -s $mnt/m/latest.ckpt $tmp/ref/latest.ckpt"
check "... and metrics.csv repaired: the reference's rows (but wall_s), once each" same_metrics "$mnt/m/metrics.csv" "$tmp/ref/metrics.csv"
rm -rf "$mnt/m"

# Room for one copy of the run's first checkpoint: latest.ckpt is written
# before checkpoints/gen_N.ckpt, so the run resumes with its plain command
# (the other order left checkpoints/ without latest.ckpt: refused).
pages=$(( ($(wc -c < "$tmp/ref/latest.ckpt") + 4095) / 4096 ))
fill $((pages + 5))
$T $flags --generations 2 --ckpt-every 2 --out "$mnt/o" > /dev/null 2> "$tmp/o.err"; rc=$?
check "room for one copy of the first checkpoint: exit 1 (got $rc): $(tr '\n' ' ' < "$tmp/o.err")" [ $rc -eq 1 ]
check "... with latest.ckpt written, not checkpoints/gen_000002.ckpt" \
    sh -c "[ -f $mnt/o/latest.ckpt ] && [ ! -e $mnt/o/checkpoints/gen_000002.ckpt ]"
room
$T --resume "$mnt/o/latest.ckpt" --generations 8 --ckpt-every 2 --quiet > /dev/null 2>&1; rc=$?
check "with room again it resumes (exit $rc) to the reference's bytes" \
    sh -c "[ $rc -eq 0 ] && cmp -s $mnt/o/latest.ckpt $tmp/ref/latest.ckpt"
rm -rf "$mnt/o"

# No room for .lock's pid: a failed start removes the directories it made.
fill 0
$T $flags --generations 1 --out "$mnt/x/y/z" > /dev/null 2> "$tmp/x.err"; rc=$?
check "no room for --out/.lock: exit 1 (got $rc) and no directory of x/y/z left: $(tr '\n' ' ' < "$tmp/x.err")" \
    sh -c "[ $rc -eq 1 ] && [ ! -e $mnt/x ]"
room

# broken NAME PAGES WHAT PATTERN: a run of 2 generations in $mnt/NAME,
# resumed to 4 on a disk with PAGES pages free, fails when writing WHAT:
# exit 1, stderr matching PATTERN, the checkpoint intact, nothing torn.
broken() {
    $T $flags --generations 2 --ckpt-every 2 --out "$mnt/$1" > /dev/null
    cp "$mnt/$1/latest.ckpt" "$tmp/$1.ckpt"
    cp "$mnt/$1/config.json" "$tmp/$1.json"
    fill "$2"
    $T --resume "$mnt/$1/latest.ckpt" --generations 4 --quiet > /dev/null 2> "$tmp/$1.err"; rc=$?
    check "a full disk when $3 is written: exit 1 (got $rc)" [ $rc -eq 1 ]
    check "... with the errno text: $(tr '\n' ' ' < "$tmp/$1.err")" grep -q "$4" "$tmp/$1.err"
    check "... the last checkpoint intact, no partial one, no temporary file" \
        sh -c "cmp -s $mnt/$1/latest.ckpt $tmp/$1.ckpt && [ ! -e $mnt/$1/checkpoints/gen_000004.ckpt ] && [ -z \"\$(find $mnt/$1 -name '*tmp*')\" ]"
    check "... metrics.csv whole" fields "$mnt/$1/metrics.csv"
    room
}

# A checkpoint: the disk has room for the rows but not for the checkpoint.
broken c 6 "a checkpoint" 'cannot write a checkpoint in .*: No space left on device'
$T --resume "$mnt/c/latest.ckpt" --generations 8 --quiet > /dev/null; rc=$?
check "with room again the run resumes (exit $rc) to the reference's bytes" \
    sh -c "[ $rc -eq 0 ] && cmp -s $mnt/c/latest.ckpt $tmp/ref/latest.ckpt"
check "... and metrics.csv: the reference's rows (but wall_s)" same_metrics "$mnt/c/metrics.csv" "$tmp/ref/metrics.csv"
rm -rf "$mnt/c"

# config.json: a resume rewrites it.
broken j 0 "config.json" 'config.json: No space left on device'
check "... and the old config.json is intact" cmp -s "$mnt/j/config.json" "$tmp/j.json"
