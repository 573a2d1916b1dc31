#!/bin/sh
# lr/sigma schedules, the adaptive episode cap and the reward shift in the
# trainer: the same checkpoint bytes for 1 and 2 threads and after a resume,
# the logged lr following the schedule's closed form, the cap equal to twice
# the last generation's mean episode length, no trace of them in a default
# run's checkpoint. Tiny budget: Hopper-v5, npop 8, 60-step episodes.
cd "$(dirname "$0")/.." || exit 1
T=build/train_half_cheetah
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - schedules: $*"; }
fail() { echo "not ok - schedules: $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
make -s $T >/dev/null 2>&1 || { fail "build"; exit 1; }

f="--env Hopper-v5 --npop 8 --max-steps 60 --seed 5 --eval-episodes 0 --eval-every 0 --quiet --ckpt-every 1"
s="--lr 0.01 --lr-schedule cosine --lr-end 0.001 --sigma-schedule exp --sigma-end 0.005 --schedule-generations 6"
s="$s --adaptive-cap --reward-shift 1"
$T $f $s --generations 6 --threads 1 --out "$tmp/t1" > /dev/null
$T $f $s --generations 6 --threads 2 --out "$tmp/t2" > /dev/null
check "schedules + adaptive cap + shift: same bytes for --threads 1 and 2" cmp -s "$tmp/t1/latest.ckpt" "$tmp/t2/latest.ckpt"
$T $f $s --generations 3 --threads 2 --out "$tmp/r" > /dev/null
$T --resume "$tmp/r/latest.ckpt" --generations 6 --threads 1 --quiet --eval-every 0 > /dev/null
check "3 generations + resume to 6 gives the bytes of 6 in one go" cmp -s "$tmp/t1/latest.ckpt" "$tmp/r/latest.ckpt"
$T --resume "$tmp/r/checkpoints/gen_000002.ckpt" --generations 6 --threads 2 --quiet --eval-every 0 > /dev/null
check "... and so does resuming from generation 2 over them" cmp -s "$tmp/t1/latest.ckpt" "$tmp/r/latest.ckpt"

# A sigma in the checkpoint's training settings that no flag can give
# (1e-300, a float 0, CRC made valid) is refused on resume, not trained
# until theta is NaN.
if command -v python3 > /dev/null; then
    python3 - "$tmp/t1/latest.ckpt" "$tmp/forged.ckpt" <<'EOF'
import sys, zlib
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.index(b'sigma_start=0.0250000004'); b[i + 12:i + 24] = b'0000001e-300'
b[-4:] = (zlib.crc32(bytes(b[:-4])) & 0xffffffff).to_bytes(4, 'little')
open(sys.argv[2], 'wb').write(b)
EOF
    msg=$($T --resume "$tmp/forged.ckpt" --generations 8 --threads 1 --quiet --out "$tmp/forged" 2>&1 > /dev/null); rc=$?
    check "a checkpoint's sigma_start of 1e-300 is refused on resume (exit $rc: $msg)" \
        sh -c "[ $rc -eq 1 ] && printf '%s' \"\$1\" | grep -q 'training settings (section TSET) are malformed'" _ "$msg"
else
    echo "skip - schedules: a forged sigma: python3 is needed to forge the checkpoint's CRC"
fi

# lr column (14) against lr(g) = end + (start - end) (1 + cos(pi g / 6)) / 2
check "metrics lr follows the cosine schedule 0.01 -> 0.001 over 6 generations" \
    sh -c "tail -n +2 $tmp/t1/metrics.csv | awk -F, '{ want = 0.001 + 0.009 * (1 + cos(3.141592653589793 * \$1 / 6)) / 2
        if (\$14 - want > 1e-5 * want || want - \$14 > 1e-5 * want) bad = 1 } END { exit bad }'"
check "metrics sigma follows the exp schedule 0.025 -> 0.005 (from the preset's sigma 0.025)" \
    sh -c "tail -n +2 $tmp/t1/metrics.csv | awk -F, '{ want = 0.025 * (0.005 / 0.025) ^ (\$1 / 6)
        if (\$13 - want > 1e-5 * want || want - \$13 > 1e-5 * want) bad = 1 } END { exit bad }'"

# The cap after generation 5: ceil(2 * steps of its 8 episodes / 8), at most 60
# (no eval episodes, so env_steps grows by the population's steps alone).
want=$(tail -n 2 "$tmp/t1/metrics.csv" | awk -F, 'NR == 1 { a = $2 } NR == 2 { d = $2 - a; c = int((2 * d + 7) / 8); print (c > 60 ? 60 : c) }')
got=$(tr -c 'a-z0-9_=\n' '\n' < "$tmp/t1/latest.ckpt" | sed -n 's/^member_max_steps=//p')
check "adaptive cap in the checkpoint is twice the last mean episode length ($got, want $want)" [ "$got" = "$want" ]
$T $f --lr 0.01 --lr-schedule cosine --lr-end 0.001 --sigma-schedule exp --sigma-end 0.005 \
    --schedule-generations 6 --reward-shift 1 --generations 6 --threads 2 --out "$tmp/nocap2" > /dev/null
check "the adaptive cap changes the run" sh -c "! cmp -s $tmp/t1/latest.ckpt $tmp/nocap2/latest.ckpt"
$T $f --reward-shift 0 --generations 6 --threads 2 --out "$tmp/noshift" > /dev/null
$T $f --generations 6 --threads 2 --out "$tmp/shift" > /dev/null
check "the reward shift changes the run" sh -c "! cmp -s $tmp/noshift/latest.ckpt $tmp/shift/latest.ckpt"
check "... but not the logged returns' meaning: generation 0's rewards are the same" \
    sh -c "[ \"\$(sed -n 2p $tmp/noshift/metrics.csv | cut -d, -f4-6)\" = \"\$(sed -n 2p $tmp/shift/metrics.csv | cut -d, -f4-6)\" ]"

# --reward-shift 0 against Hopper's preset shift: a resume must not bring the preset back.
$T $f --reward-shift 0 --generations 3 --threads 2 --out "$tmp/ns" > /dev/null
$T --resume "$tmp/ns/latest.ckpt" --generations 6 --quiet --eval-every 0 > /dev/null
check "a run without a shift resumes without the preset's" cmp -s "$tmp/noshift/latest.ckpt" "$tmp/ns/latest.ckpt"

# A schedule over the --max-env-steps budget: generation g's progress is the
# env steps logged before it (the previous row's) over the budget, held at 1.
b="--lr 0.01 --lr-schedule linear --lr-end 0.001 --max-env-steps 3000"
$T $f $b --threads 1 --out "$tmp/e1" > /dev/null
$T $f $b --threads 2 --out "$tmp/e2" > /dev/null
check "a schedule over env steps: same bytes for --threads 1 and 2" cmp -s "$tmp/e1/latest.ckpt" "$tmp/e2/latest.ckpt"
cp -r "$tmp/e2" "$tmp/er"
$T --resume "$tmp/er/checkpoints/gen_000002.ckpt" --max-env-steps 3000 --quiet --eval-every 0 > /dev/null
check "... and resuming it from generation 2 gives the same bytes" cmp -s "$tmp/e1/latest.ckpt" "$tmp/er/latest.ckpt"
check "metrics lr follows the linear schedule 0.01 -> 0.001 over 3000 env steps" \
    sh -c "tail -n +2 $tmp/e1/metrics.csv | awk -F, '{ t = before / 3000; if (t > 1) t = 1; want = 0.01 - 0.009 * t; before = \$2
        if (\$14 - want > 1e-5 * want || want - \$14 > 1e-5 * want) bad = 1 } END { exit bad || NR < 4 }'"
check "config.json records the schedule's 3000 env steps" grep -q '"schedule_env_steps": 3000,' "$tmp/e1/config.json"
# The smallest sigma the flags take (1e-12, stored as the float just under
# it) and its schedule's end (sigma/10) resume like any other.
$T $f --sigma 1e-12 --sigma-schedule linear --schedule-generations 4 --generations 2 --out "$tmp/tiny" > /dev/null
$T $f --sigma 1e-12 --sigma-schedule linear --schedule-generations 4 --generations 1 --out "$tmp/tiny-r" > /dev/null
msg=$($T --resume "$tmp/tiny-r/latest.ckpt" --generations 2 --quiet --eval-every 0 2>&1 > /dev/null)
check "sigma 1e-12 with a schedule to 1e-13: 1 generation + resume to 2 gives the bytes of 2${msg:+ ($msg)}" \
    cmp -s "$tmp/tiny/latest.ckpt" "$tmp/tiny-r/latest.ckpt"
$T --generations 2 --npop 8 --max-steps 30 --quiet --eval-every 0 --out "$tmp/def" > /dev/null
check "a default run's checkpoint has no training-settings section" sh -c "! grep -q -a 'reward_shift=' $tmp/def/latest.ckpt"
msg=$($T --lr-schedule linear --minutes 1 2>&1 >/dev/null); rc=$?
check "a schedule without --generations, --max-env-steps or --schedule-generations: exit 2 ($msg)" \
    sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q -- --max-env-steps" _ "$msg"
msg=$($T --sigma-schedule cosine --generations 3 --strategy pgpe 2>&1 >/dev/null); rc=$?
check "--sigma-schedule with pgpe: exit 2 ($msg)" [ $rc -eq 2 ]
msg=$($T --lr-schedule bogus --generations 3 2>&1 >/dev/null); rc=$?
check "an unknown schedule: exit 2 ($msg)" [ $rc -eq 2 ]
