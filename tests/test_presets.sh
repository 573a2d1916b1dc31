#!/bin/sh
# Per-task presets: --env X picks X's settings (config.json and the start
# line say which), every flag given overrides them, a preset's top-k gives
# way to a smaller population or another strategy, HalfCheetah keeps the
# trainer's defaults. One generation each, 20-step episodes.
cd "$(dirname "$0")/.." || exit 1
T=build/train_half_cheetah
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - presets: $*"; }
fail() { echo "not ok - presets: $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
make -s $T >/dev/null 2>&1 || { fail "build"; exit 1; }
has() { grep -q "\"$2\": $3" "$tmp/$1/config.json"; }
run() { d=$1; shift; $T --generations 1 --max-steps 20 --eval-every 0 --test-episodes 2 --threads 2 --out "$tmp/$d" "$@" > "$tmp/$d.out" 2>&1; }

run hopper --env Hopper-v5
hopper_is_ars() {
    has hopper npop 16, && has hopper top_k 4, && has hopper sigma 0.0250000 && has hopper lr 0.000500000 &&
        has hopper optimizer '"sgd"' && has hopper wd 0, && has hopper policy '"linear"' && has hopper reward_shift 1,
}
check "Hopper-v5: ARS's npop 16 (N 8), top-k 4, sigma 0.025, lr 2*0.025*0.01, sgd, no wd, linear, shift 1" hopper_is_ars
check "the start line names the preset's source" grep -q "preset for Hopper-v5: ARS V2-t" "$tmp/hopper.out"
check "config.json names it too" grep -q '"preset": "ARS V2-t' "$tmp/hopper/config.json"

run hop2 --env Hopper-v5 --npop 64 --policy mlp --hidden 32,32 --lr 0.01 --reward-shift 0 --optimizer adam
overridden() {
    has hop2 npop 64, && has hop2 policy '"mlp"' && has hop2 hidden '\[32, 32\]' && has hop2 lr 0.0099999 &&
        has hop2 reward_shift 0, && has hop2 optimizer '"adam"' && has hop2 top_k 4,
}
check "flags override the preset (npop, policy, hidden, lr, shift, optimizer)" overridden
run hop3 --env Hopper-v5 --npop 4
check "a preset's top-k shrinks to npop/2 under --npop 4" has hop3 top_k "2,"
run hop4 --env Hopper-v5 --strategy pgpe
check "... and leaves with --strategy pgpe" has hop4 top_k "0,"
check "... and so does its SGD lr: pgpe takes ClipUp's 0.15*sigma*sqrt(36) = 0.0225" has hop4 lr 0.0225000
run hop5 --env Hopper-v5 --hidden 16
check "--hidden alone makes the preset's linear policy an MLP" has hop5 policy '"mlp"'
run hum --env Humanoid-v5 --npop 8
check "Humanoid-v5: shift 5" has hum reward_shift "5,"
run cheetah --env HalfCheetah-v5
run plain
cheetah_default() {
    [ "$(grep -v '"out"\|"preset"' "$tmp/cheetah/config.json")" = "$(grep -v '"out"\|"preset"' "$tmp/plain/config.json")" ] &&
        has cheetah npop 64, && has cheetah optimizer '"adam"'
}
check "HalfCheetah-v5's preset is the trainer's defaults (config.json alike)" cheetah_default
check "... and the same checkpoint bytes" cmp -s "$tmp/cheetah/latest.ckpt" "$tmp/plain/latest.ckpt"
run swim --env Swimmer-v5
swimmer_tuned() {
    has swim npop 8, && has swim top_k 0, && has swim optimizer '"adam"' && has swim wd 0, && has swim policy '"linear"' &&
        has swim sigma 0.0299999 && has swim lr 0.0199999
}
check "Swimmer-v5: linear, npop 8, Adam without weight decay (the sweep's winner)" swimmer_tuned
run reach --env Reacher-v5
reacher_tuned() { has reach npop 128, && has reach sigma 0.00999 && has reach lr 0.00999 && has reach policy '"mlp"'; }
check "Reacher-v5: MLP, npop 128, sigma 0.01, lr 0.01" reacher_tuned
# InvertedDoublePendulum and Reacher: lr decays linearly (to lr/10) over the
# run's budget; on a step budget that is the command their records ran.
check "Reacher-v5's lr decays linearly over the run's budget (here --generations 1)" has reach lr_schedule '"linear"'
s="--max-env-steps 3000 --max-steps 20 --eval-every 0 --test-episodes 2 --threads 2 --quiet"
for e in InvertedDoublePendulum-v5 Reacher-v5; do
    $T --env $e $s --out "$tmp/$e-p" > /dev/null 2>&1
    $T --env $e $s --lr-schedule linear --out "$tmp/$e-f" > /dev/null 2>&1
    check "$e on a step budget: the bytes of --lr-schedule linear over it" \
        sh -c "[ -s $tmp/$e-p/latest.ckpt ] && cmp -s $tmp/$e-p/latest.ckpt $tmp/$e-f/latest.ckpt && grep -q '\"schedule_env_steps\": 3000,' $tmp/$e-p/config.json"
done
$T --env InvertedDoublePendulum-v5 --minutes 0.01 --max-steps 20 --eval-every 0 --test-episodes 2 --out "$tmp/idpm" > "$tmp/idpm.out" 2>&1
check "... without a budget (--minutes) lr stays constant, and the start says so" \
    sh -c "grep -q '\"lr_schedule\": \"constant\"' $tmp/idpm/config.json && grep -q 'lr stays constant' $tmp/idpm.out"
run idpsnes --env InvertedDoublePendulum-v5 --strategy snes
check "... and with snes (an lr of its own) too, and the run goes on" \
    sh -c "grep -q '\"lr_schedule\": \"constant\"' $tmp/idpsnes/config.json && [ -s $tmp/idpsnes/latest.ckpt ]"
run idpc --env InvertedDoublePendulum-v5 --lr-schedule constant
check "... and --lr-schedule constant overrides it" has idpc lr_schedule '"constant"'
msg=$($T --env Reacher-v5 --redis 127.0.0.1:1 --run presets --max-env-steps 3000 --quiet 2>&1 > /dev/null | tr -s "\n" " ")
check "... and under --redis (schedules are not distributed yet) it is dropped, not refused:$msg" \
    sh -c "! printf '%s' \"\$1\" | grep -q 'no schedules' && printf '%s' \"\$1\" | grep -q -e 'cannot connect' -e 'no Redis'" _ "$msg"
check "Swimmer-v5 keeps a constant lr (its decay run was no better)" has swim lr_schedule '"constant"'
for e in Swimmer-v5 InvertedPendulum-v5 InvertedDoublePendulum-v5 Reacher-v5 Walker2d-v5 Ant-v5; do
    run "$e" --env "$e" --npop 8
    check "$e has a preset and runs" sh -c "grep -q 'preset for $e' $tmp/$e.out && [ -s $tmp/$e/latest.ckpt ]"
done
