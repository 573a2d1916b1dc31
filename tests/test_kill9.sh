#!/bin/sh
# kill -9 at random moments, at least 20 times: after each kill the run's
# latest.ckpt is one of an uninterrupted run's checkpoints, byte for byte;
# resuming after every kill ends on the uninterrupted run's bytes, with its
# metrics rows (but wall_s) once each and no temporary file left behind.
cd "$(dirname "$0")/.." || exit 1
T=build/train_half_cheetah
tmp=$(mktemp -d); trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
# rand N: a random integer in [0, N)
rand() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }
G=100
flags="--npop 8 --max-steps 100 --ckpt-every 1 --seed 11 --threads 2 --quiet"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# The kills are timed from this machine's own speed, so that a fast idle
# machine and a loaded one both see a few generations a life, not the run.
t0=$(ms); $T $flags --generations $G --out "$tmp/ref" > /dev/null; gen_ms=$(( ($(ms) - t0) / G + 1 ))
t0=$(ms); $T $flags --generations 1 --out "$tmp/one" > /dev/null; start_ms=$(( $(ms) - t0 ))
# gens: the checkpoints the run has written (--ckpt-every 1: one a generation)
gens() { ls "$tmp/run/checkpoints" 2>/dev/null | grep -c '^gen_[0-9]*\.ckpt$'; }
kills=0; bad=0; unmatched=""; resumes=0; lives=0; early=0
while [ $kills -lt 24 ] && [ $lives -lt 200 ]; do
    lives=$((lives + 1)); base=$(gens)
    if [ -f "$tmp/run/latest.ckpt" ]; then
        $T --resume "$tmp/run/latest.ckpt" --generations $G --quiet > /dev/null 2>> "$tmp/err" &
        resumes=$((resumes + 1))
    else
        # killed before its first checkpoint: nothing to resume, and the
        # trainer refuses its leftovers (config.json, metrics.csv) as --out
        # of a new run; as it says, they go.
        [ -e "$tmp/run" ] && rm -rf "$tmp/run" && early=$((early + 1))
        $T $flags --generations $G --out "$tmp/run" > /dev/null 2>> "$tmp/err" &
    fi
    pid=$!
    d=$(( start_ms / 2 + $(rand $((start_ms + 2 * gen_ms))) ))   # from mid-startup to a few generations in
    # ... but no later than its 3rd new checkpoint: a machine that got faster
    # since the timing above (its load gone) still sees 20 lives before the end.
    t0=$(ms)
    while [ $(( $(ms) - t0 )) -lt $d ] && [ "$(gens)" -lt $((base + 3)) ]; do sleep 0.01; done
    kill -9 $pid 2>/dev/null && kills=$((kills + 1))
    wait $pid 2>/dev/null
    if [ -f "$tmp/run/latest.ckpt" ]; then
        n=$(ls "$tmp/ref/checkpoints" | while read -r f; do
                cmp -s "$tmp/run/latest.ckpt" "$tmp/ref/checkpoints/$f" && echo "$f"; done | head -n 1)
        [ -n "$n" ] || { bad=$((bad + 1)); unmatched="$unmatched $kills"; }
    fi
    [ -f "$tmp/run/checkpoints/gen_$(printf '%06d' $G).ckpt" ] && break   # finished before the kill
done
last=$(ls "$tmp/run/checkpoints" | grep -v tmp | tail -n 1)
check "$kills kill -9 at random moments (last checkpoint $last; at least 20 before the end; $early before the first checkpoint)" [ $kills -ge 20 ]
check "after every kill latest.ckpt is byte-identical to a checkpoint of the uninterrupted run (mismatches after kills:${unmatched:- none})" [ $bad -eq 0 ]
$T --resume "$tmp/run/latest.ckpt" --generations $G --quiet > /dev/null 2>> "$tmp/err"; rc=$?
check "$resumes resumes and a last one (exit $rc) end on the uninterrupted run's latest.ckpt" \
    sh -c "[ $rc -eq 0 ] && cmp -s $tmp/run/latest.ckpt $tmp/ref/latest.ckpt"
check "... and every checkpoint of the run equals the uninterrupted one's" \
    sh -c "for f in \$(ls $tmp/ref/checkpoints); do cmp -s $tmp/ref/checkpoints/\$f $tmp/run/checkpoints/\$f || exit 1; done"
check "metrics.csv holds the uninterrupted run's rows (but wall_s), once each" \
    sh -c "[ \"\$(cut -d, -f1,2,4- $tmp/run/metrics.csv)\" = \"\$(cut -d, -f1,2,4- $tmp/ref/metrics.csv)\" ]"
check "no temporary file of a killed writer is left" sh -c "[ -z \"\$(find $tmp/run -name '*tmp*')\" ]"
check "no error printed by any trainer: $(head -c 300 "$tmp/err" | tr '\n' ' ')" sh -c "[ ! -s $tmp/err ]"
