#!/bin/sh
# tests/test_checkpoint_compat.sh - a checkpoint of the older format
# (tests/data/old_format_halfcheetah.ckpt: 60-byte policy shape, the
# trainer's TRNR section, no run metadata; written by the trainer of that
# format with the flags below and --generations 2) with today's trainer and
# renderer: resumed, it continues to the bytes of a fresh run; rendered, it
# keeps its run's --max-steps.
cd "$(dirname "$0")/.." || exit 1
T=build/train_half_cheetah
fixture=tests/data/old_format_halfcheetah.ckpt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/es-test-compat.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
ok() { echo "ok - compat: $*"; }
fail() { echo "not ok - compat: $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
make -s build/train_half_cheetah build/render >/dev/null || { fail "build"; exit 1; }

flags="--npop 8 --max-steps 60 --hidden 8 --eval-episodes 2 --seed 5 --threads 1 --quiet"
$T --generations 3 $flags --out "$tmp/fresh" >/dev/null 2>&1
check "a fresh 3-generation run of the fixture's flags" [ -f "$tmp/fresh/latest.ckpt" ]

mkdir "$tmp/old" && cp "$fixture" "$tmp/old/latest.ckpt"
msg=$($T --resume "$tmp/old/latest.ckpt" --generations 3 --quiet 2>&1 >/dev/null); rc=$?
check "the old-format checkpoint resumes (exit $rc) $msg" [ "$rc" -eq 0 ]
new="$tmp/old/checkpoints/gen_000003.ckpt"
check "... to generation 3 in the new format (run metadata section)" grep -aq '^generation=3$' "$new"
# the settings kept in the old trainer section, in closed form: HalfCheetah
# never ends an episode early, so 3 generations x (8 members + 2 eval) x 60 steps
check "... keeping max_steps 60 and eval_episodes 2 from the old section" \
    sh -c "grep -aq '^max_steps=60\$' '$new' && grep -aq '^eval_episodes=2\$' '$new'"
check "... and its env steps: 1800 = 3 x (8 + 2) x 60" grep -aq '^env_steps=1800$' "$new"
ver=$(grep -a '^mujoco_version=' "$tmp/fresh/latest.ckpt" | head -n 1)
if [ "$ver" = "mujoco_version=2.2.2" ]; then
    check "resumed old checkpoint gives the bytes of a fresh 3-generation run" \
        cmp -s "$tmp/fresh/latest.ckpt" "$tmp/old/latest.ckpt"
else
    echo "skip - compat: byte equality with a fresh run: the fixture was trained with MuJoCo 2.2.2, this build has ${ver#*=}"
fi

# The renderer reads the old section's --max-steps: 60 frames, not the task's 1000.
mkdir "$tmp/r" && cp "$fixture" "$tmp/r/old.ckpt"
out=$(build/render "$tmp/r/old.ckpt" --frames --out "$tmp/r/v" 2>&1); rc=$?
if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -qi 'opengl\|egl\|osmesa'; then
    echo "skip - compat: render of the old checkpoint: no OpenGL here ($(printf '%s' "$out" | tail -n 1))"
else
    n=$(ls "$tmp"/r/v/gen_000002_return_*_frames/ 2>/dev/null | wc -l)
    check "render of the old checkpoint: 60 frames, its run's --max-steps (exit $rc, $n frames)" \
        [ "$rc.$n" = "0.60" ]
fi

# Crafted checkpoints (valid CRC, one bad field in the policy, normalizer or
# run metadata; tests/test_policy.c writes them from the fixture): resume
# and render refuse each with exit 1 and a message.
mkdir "$tmp/bad"
if make -s build/tests/test_policy >/dev/null && build/tests/test_policy --write-crafted "$tmp/bad"; then
    mkdir "$tmp/control" && mv "$tmp/bad/control.ckpt" "$tmp/control/latest.ckpt"
    msg=$($T --resume "$tmp/control/latest.ckpt" --generations 3 --quiet 2>&1 >/dev/null); rc=$?
    check "the crafting itself is sound: its unspoiled control resumes (exit $rc) $msg" [ "$rc" -eq 0 ]
    for f in "$tmp"/bad/*.ckpt; do
        name=$(basename "$f" .ckpt)
        msg=$($T --resume "$f" --generations 3 --quiet 2>&1 >/dev/null); rc=$?
        check "resume refuses $name (exit $rc): $msg" sh -c "[ $rc -eq 1 ] && printf '%s' \"\$1\" | grep -q 'corrupt\|does not match'" _ "$msg"
        if [ -d "$tmp/bad/checkpoints" ]; then fail "resume of $name wrote checkpoints"; rm -rf "$tmp/bad/checkpoints"; fi
        msg=$(build/render "$f" --frames --out "$tmp/bad/v" 2>&1); rc=$?
        check "render refuses $name (exit $rc): $(printf '%s' "$msg" | tail -n 1)" \
            sh -c "[ $rc -eq 1 ] && printf '%s' \"\$1\" | grep -q 'corrupt\|does not match'" _ "$msg"
    done
else
    fail "writing the crafted checkpoints"
fi
