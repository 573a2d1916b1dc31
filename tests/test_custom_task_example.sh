#!/bin/sh
# tests/test_custom_task_example.sh - examples/custom_task.c, built by the one
# cc command the README shows, learns its own MJCF task
# (examples/point_mass.xml) within a bounded time: it exits 0 only when all
# 10 noiseless evaluation episodes of a generation end on their target.
# Run from the repository root (tests/run does).
cd "$(dirname "$0")/.." || exit 1
failed=0
ok() { echo "ok - custom_task: $1"; }
notok() { echo "not ok - custom_task: $1"; failed=1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/es-test-custom.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM

# The README's command, with the program written to the scratch directory.
cmd=$(grep -m1 '^cc .*examples/custom_task\.c' README.md)
if [ -z "$cmd" ]; then
    notok "README shows no cc command for examples/custom_task.c"
    exit 1
fi
cmd=$(printf '%s\n' "$cmd" | sed "s| -o custom_task | -o $T/custom_task |")
if sh -c "$cmd -Wall -Wextra -Werror" >"$T/cc.log" 2>&1; then
    ok "builds with the README's command, warning-free: $cmd"
else
    notok "the README's command fails: $cmd: $(head -5 "$T/cc.log")"
    exit 1
fi

start=$(date +%s)
timeout 600 "$T/custom_task" examples/point_mass.xml >"$T/out" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
if [ "$rc" = 0 ] && grep -q '^solved at generation' "$T/out"; then
    ok "learns to reach and stop on the target, 10/10 evaluation episodes ($(grep '^solved' "$T/out" | cut -d: -f1), ${secs}s)"
else
    notok "not solved (exit $rc, ${secs}s): $(tail -3 "$T/out")"
fi
# The criterion is not met by doing nothing: generation 0 reaches no target.
if grep -q '^generation   0 .*on target  0/10' "$T/out"; then
    ok "the untrained policy of generation 0 reaches no target"
else
    notok "generation 0 already on target: $(head -1 "$T/out")"
fi
# A wrong path is a message and exit 1, not a crash.
"$T/custom_task" examples/no_such_model.xml >"$T/bad" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q 'no_such_model.xml' "$T/bad"; then ok "a missing model: exit 1 with its path"
else notok "a missing model: exit $rc: $(cat "$T/bad")"; fi
exit $failed
