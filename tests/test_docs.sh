#!/bin/sh
# The header manuals against the code: each header's title line names the
# version of the newest entry of its revision history (es.h also its
# ES_VERSION_MAJOR.MINOR), and every es_ function that a manual or the
# README calls is declared by a header.
cd "$(dirname "$0")/.." || exit 1
ok() { echo "ok - docs: $*"; }
fail() { echo "not ok - docs: $*"; }

headers="es.h es_mlp.h es_env_mujoco.h es_redis.h"
for h in $headers; do
    title=$(head -n 1 "$h" | sed -n 's/^.* - v\([0-9][0-9.]*\) - .*$/\1/p')
    newest=$(sed -n '/REVISION HISTORY/,$p' "$h" | grep -oE '^ *(REVISION HISTORY: )?[0-9]+\.[0-9]+ ' |
             head -n 1 | grep -oE '[0-9]+\.[0-9]+')
    if [ -n "$title" ] && [ "$title" = "$newest" ]; then ok "$h title says v$title, its newest revision"
    else fail "$h title says v$title, its revision history's newest entry is $newest"; fi
done
v=$(sed -n 's/^#define ES_VERSION_MAJOR \([0-9]*\)$/\1/p' es.h).$(sed -n 's/^#define ES_VERSION_MINOR \([0-9]*\)$/\1/p' es.h)
if head -n 1 es.h | grep -qF " - v$v - "; then ok "es.h title matches ES_VERSION_MAJOR.MINOR ($v)"
else fail "es.h title $(head -n 1 es.h | cut -c1-20) but ES_VERSION_MAJOR.MINOR is $v"; fi

api=$(grep -hoE '^ES_API[^(]*\bes_[a-z0-9_]+\(' $headers | grep -oE 'es_[a-z0-9_]+\($' | tr -d '(' | sort -u)
missing=""
for f in $headers README.md; do
    case $f in README.md) text=$(cat "$f") ;; *) text=$(awk 'NR == 1, /\*\//' "$f") ;; esac
    for id in $(printf '%s\n' "$text" | grep -oE '\bes_[a-z0-9_]+\(' | tr -d '(' | sort -u); do
        printf '%s\n' "$api" | grep -qx "$id" || missing="$missing $f:$id"
    done
done
if [ -z "$missing" ]; then ok "every es_ function the manuals and the README call is declared ($(printf '%s\n' "$api" | wc -l) functions)"
else fail "called in the docs but declared nowhere:$missing"; fi

# Every trainer flag the README passes to tools/sweep's --set is one the
# trainer knows (a typo there fails every run of the example).
help=$(build/train_half_cheetah --help 2>/dev/null)
bad=""
for name in $(grep -oE -- '--set [a-z_-]+=' README.md | sed 's/--set //; s/=$//' | sort -u); do
    printf '%s\n' "$help" | grep -qE -- "^ +--$name( |$)" || bad="$bad $name"
done
if [ -n "$help" ] && [ -z "$bad" ]; then ok "every --set NAME in the README is a trainer flag"
else fail "README's --set names no trainer flag:${bad:- (no trainer --help; build it first)}"; fi
