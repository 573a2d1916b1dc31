#!/bin/sh
# examples/cartpole.c as a user meets it: built by the one cc command the
# README shows, with no MuJoCo; it must solve CartPole (10 of 10 noiseless
# episodes at the maximum 500) and exit 0, the same for 1 and 2 threads.
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }

cmd='cc -O2 examples/cartpole.c -o cartpole -lm -lpthread'
check "README shows the build command of cartpole.c" grep -qF "$cmd" README.md
check "cartpole.c builds with the README's command (no -lmujoco)" \
    sh -c "cc -O2 examples/cartpole.c -o $tmp/cartpole -lm -lpthread"
check "the cartpole binary references no MuJoCo symbol" sh -c "! nm -u $tmp/cartpole | grep -q ' mj'"
if command -v ldd >/dev/null 2>&1; then
    check "the cartpole binary does not load libmujoco" sh -c "! ldd $tmp/cartpole | grep -q mujoco"
fi
for seed in 0 1 2; do
    start=$(date +%s)
    timeout 300 "$tmp/cartpole" --seed $seed --threads 2 > "$tmp/out2.$seed"; rc=$?
    secs=$(( $(date +%s) - start ))
    check "cartpole --seed $seed exits 0 (solved) in ${secs}s: $(tail -n 1 "$tmp/out2.$seed")" [ "$rc" -eq 0 ]
    check "cartpole --seed $seed: the last line says 10 of 10 episodes returned 500" \
        grep -q '^solved: 10 of 10 noiseless episodes returned 500' "$tmp/out2.$seed"
    timeout 300 "$tmp/cartpole" --seed $seed --threads 1 > "$tmp/out1.$seed"
    check "cartpole --seed $seed: the same output on 1 and 2 threads" cmp -s "$tmp/out1.$seed" "$tmp/out2.$seed"
done
timeout 60 "$tmp/cartpole" --seed 0 --generations 1 > /dev/null; rc=$?
check "cartpole exits 1 when not solved within --generations (1)" [ "$rc" -eq 1 ]
"$tmp/cartpole" --bogus > /dev/null 2>&1; rc=$?
check "cartpole exits 2 on a bad flag" [ "$rc" -eq 2 ]
