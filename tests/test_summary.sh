#!/bin/sh
# tests/run, the summary of make test: the reason of every skipped check is
# printed with it, before the closing line.
root=$(cd "$(dirname "$0")/.." && pwd) || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" && mkdir build || exit 1
printf '#!/bin/sh\necho "ok - a"\necho "skip - a needs the moon"\n' > one.sh
printf '#!/bin/sh\necho "ok - b"\necho "skip - b needs the sun"\n' > two.sh
chmod +x one.sh two.sh
out=$("$root/tests/run" ./one.sh ./two.sh)
last=$(printf '%s\n' "$out" | tail -n 1)
if [ "$last" = "2 passed, 0 failed, 2 skipped" ] && printf '%s\n' "$out" | grep -q '^    ./one.sh: a needs the moon$' &&
   printf '%s\n' "$out" | grep -q '^    ./two.sh: b needs the sun$'; then
    echo "ok - the summary of make test lists each skip reason with its test, then the closing line"
else
    echo "not ok - the summary of make test lists each skip reason with its test, then the closing line: $out"
fi
