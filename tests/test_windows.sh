#!/bin/sh
# es.h and es_mlp.h on Windows: built with MinGW-w64 and run under Wine
# (tools/install-deps all installs both). Without POSIX, es.h writes files
# through stdio and replaces them with MoveFileEx; every save after the
# first failed there up to es.h 0.4 (ISO rename refuses an existing file).
#   - tests/windows_save.c saves a policy after each of 10 generations,
#     reads it back, and its policy.ckpt is byte-identical to the Linux
#     build's (same noise, shaping, Adam and normalizer on another OS,
#     compiler and C library);
#   - examples/cartpole.c prints the same lines as on Linux and solves.
cd "$(dirname "$0")/.." || exit 1
cc=x86_64-w64-mingw32-gcc
wine=""
for w in wine64 /usr/lib/wine/wine64 wine; do
    command -v "$w" >/dev/null 2>&1 && { wine=$w; break; }
done
if ! command -v $cc >/dev/null 2>&1 || [ -z "$wine" ]; then
    echo "skip - windows: MinGW-w64 ($cc) or Wine not installed (tools/install-deps all)"
    exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
export WINEPREFIX="$tmp/wine" WINEDEBUG=-all
run_win() { timeout 300 "$wine" "$@" 2>"$tmp/wine.err" | tr -d '\r'; }

check "windows_save.c builds for Windows without a warning (-Wall -Wextra -Werror)" \
    $cc -std=c99 -O2 -Wall -Wextra -Werror -I. tests/windows_save.c -o "$tmp/save.exe"
check "windows_save.c builds for Linux" cc -std=c99 -O2 -I. tests/windows_save.c -o "$tmp/save" -lm -lpthread
mkdir "$tmp/linux" "$tmp/windows"
"$tmp/save" "$tmp/linux" > "$tmp/linux.out"
check "on Linux: every check of windows_save passes" sh -c "! grep -v '^ok - ' '$tmp/linux.out'"
run_win "$tmp/save.exe" "$tmp/windows" > "$tmp/windows.out"
n=$(grep -c '^ok - ' "$tmp/windows.out")
why=""
[ "$n" -eq 5 ] || why=": $(grep '^not ok' "$tmp/windows.out" | head -n 2 | tr '\n' ' ')$(grep -v '^wine: ' "$tmp/wine.err" | head -c 200)"
check "on Windows: the 5 checks of windows_save pass ($n did)$why" [ "$n" -eq 5 ]
check "the policy.ckpt written on Windows is byte-identical to Linux's" \
    cmp -s "$tmp/linux/policy.ckpt" "$tmp/windows/policy.ckpt"
mkdir "$tmp/stdio"
cc -std=c99 -O2 -DES_NO_POSIX -I. tests/windows_save.c -o "$tmp/save-stdio" -lm &&
    "$tmp/save-stdio" "$tmp/stdio" > "$tmp/stdio.out"
check "built with ES_NO_POSIX (stdio only) on Linux: the checks pass and policy.ckpt is the same bytes" \
    sh -c "[ \$(grep -c '^ok - ' '$tmp/stdio.out') -eq 5 ] && cmp -s '$tmp/linux/policy.ckpt' '$tmp/stdio/policy.ckpt'"
check "examples/cartpole.c builds for Windows without a warning" \
    $cc -std=c99 -O2 -Wall -Wextra -Werror examples/cartpole.c -o "$tmp/cartpole.exe"
cc -std=c99 -O2 examples/cartpole.c -o "$tmp/cartpole" -lm -lpthread
"$tmp/cartpole" --seed 1 > "$tmp/cartpole.linux"
run_win "$tmp/cartpole.exe" --seed 1 > "$tmp/cartpole.windows"
check "cartpole --seed 1 on Windows solves and prints Linux's lines, byte for byte ($(tail -n 1 "$tmp/cartpole.windows"))" \
    sh -c "grep -q '^solved' '$tmp/cartpole.windows' && cmp -s '$tmp/cartpole.linux' '$tmp/cartpole.windows'"
