#!/bin/sh
# The trainer with --strategy and --optimizer clipup: for each strategy, the
# same checkpoint bytes for --threads 1 and 2 and for 1 generation + resume
# to 2; the flags in --help, config.json and the errors; metrics.csv's
# sigma column follows the adaptive strategies' mean sigma.
cd "$(dirname "$0")/.." || exit 1
T=build/train_half_cheetah
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }

flags="--npop 8 --max-steps 40 --ckpt-every 1 --seed 5 --minutes 0 --quiet"
for s in openai-clipup pgpe snes sepcma; do
    case $s in
    openai-clipup) sf="--strategy openai --optimizer clipup" ;;
    *) sf="--strategy $s" ;;
    esac
    $T $flags $sf --generations 2 --threads 1 --out "$tmp/$s-1" > /dev/null 2>&1
    $T $flags $sf --generations 2 --threads 2 --out "$tmp/$s-2" > /dev/null 2>&1
    check "$s: checkpoint bytes equal for --threads 1 and 2" cmp -s "$tmp/$s-1/latest.ckpt" "$tmp/$s-2/latest.ckpt"
    $T $flags $sf --generations 1 --threads 2 --out "$tmp/$s-r" > /dev/null 2>&1
    $T --resume "$tmp/$s-r/latest.ckpt" --generations 2 --threads 1 --quiet > /dev/null 2>&1
    check "$s: 1 generation + resume to 2 gives the bytes of 2 in one go" \
        cmp -s "$tmp/$s-1/latest.ckpt" "$tmp/$s-r/latest.ckpt"
    want=${s%-clipup}
    check "$s: config.json records strategy $want" grep -q "\"strategy\": \"$want\"" "$tmp/$s-1/config.json"
done
check "openai+clipup: config.json records optimizer clipup" grep -q '"optimizer": "clipup"' "$tmp/openai-clipup-1/config.json"
check "pgpe: ClipUp is its default optimizer" grep -q '"optimizer": "clipup"' "$tmp/pgpe-1/config.json"
for s in snes sepcma; do   # they take no optimizer: none recorded (sgd was)
    check "$s: config.json records optimizer none" grep -q '"optimizer": "none"' "$tmp/$s-1/config.json"
done

# A training-only setting (here the reward shift that the presets of Hopper,
# Walker2d, Ant and Humanoid use) puts a TSET section in the checkpoint; with
# the strategies whose lr is their own default (0 in TSET) it must resume to
# the same bytes.
for s in pgpe snes sepcma; do
    $T $flags --strategy $s --reward-shift 1 --generations 2 --threads 1 --out "$tmp/$s-shift" > /dev/null 2>&1
    $T $flags --strategy $s --reward-shift 1 --generations 1 --threads 1 --out "$tmp/$s-shift-r" > /dev/null 2>&1
    msg=$($T --resume "$tmp/$s-shift-r/latest.ckpt" --generations 2 --quiet 2>&1 > /dev/null)
    check "$s with --reward-shift 1: 1 generation + resume to 2 gives the bytes of 2 in one go${msg:+ ($msg)}" \
        cmp -s "$tmp/$s-shift/latest.ckpt" "$tmp/$s-shift-r/latest.ckpt"
done

# metrics.csv: the sigma column (13th) is the fixed sigma for OpenAI-ES and
# the mean of the adapted per-parameter sigma for the others: it moves.
col() { awk -F, -v r="$2" 'NR == r + 1 { print $13 }' "$1/metrics.csv"; }
check "metrics.csv header keeps its columns" sh -c "head -1 '$tmp/snes-1/metrics.csv' | grep -q ',update_ratio,sigma,lr,theta_hash$'"
check "openai: metrics sigma stays 0.03" sh -c "[ '$(col "$tmp/openai-clipup-1" 1)' = 0.03 ] && [ '$(col "$tmp/openai-clipup-1" 2)' = 0.03 ]"
for s in pgpe snes sepcma; do
    a=$(col "$tmp/$s-1" 1); b=$(col "$tmp/$s-1" 2)
    check "$s: metrics sigma is the adapted mean sigma ($a, then $b; started at 0.03)" \
        sh -c "[ '$a' != 0.03 ] && [ '$a' != '$b' ] && [ -n '$b' ]"
done

# Flags in --help; errors are usage errors (exit 2) that say why.
help=$($T --help)
check "--help names --strategy openai|pgpe|snes|sepcma" sh -c "printf '%s' \"\$1\" | grep -q -- '--strategy openai|pgpe|snes|sepcma'" _ "$help"
check "--help names --optimizer clipup" sh -c "printf '%s' \"\$1\" | grep -q -- '--optimizer adam|sgd|clipup'" _ "$help"
usage() { desc=$1; want=$2; shift 2; msg=$($T "$@" --generations 1 --quiet --out "$tmp/u" 2>&1 >/dev/null); rc=$?
          check "$desc (exit $rc: $msg)" sh -c "[ $rc -eq 2 ] && printf '%s' \"\$1\" | grep -q -- \"\$2\"" _ "$msg" "$want"; }
usage "--strategy foo refused" "openai, pgpe, snes or sepcma" --strategy foo
usage "--top-k with --strategy sepcma refused" "top-k" --strategy sepcma --top-k 2
usage "--optimizer adam with --strategy snes refused" "optimizer" --strategy snes --optimizer adam
msg=$($T --resume "$tmp/snes-r/latest.ckpt" --strategy pgpe --generations 2 --quiet 2>&1 >/dev/null)
check "resume keeps the checkpoint's strategy and names --strategy as ignored: $msg" \
    sh -c "printf '%s' \"\$1\" | grep -q 'ignored:.*--strategy'" _ "$msg"
