#!/bin/sh
# Golden tests of a tool: runs every case of golden/CASES (default
# cases.txt, the cases of tropicalize) and diffs stdout + stderr (the "time:"
# line and "time_seconds" dropped, the data directory written as DATA)
# against golden/<tool>-<name>.txt, <tool> being the basename of TOOL.
# TROP_UPDATE_GOLDEN=1 rewrites the expected files.
# Usage: golden.sh TOOL DATADIR GOLDENDIR [CASES]
set -u
tool=$1; data=$2; gold=$3; cases=${4:-cases.txt}
prefix=$(basename "$tool")
fail=0; n=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
grep -v '^#' "$gold/$cases" | while IFS='|' read -r name args want; do
    name=$(echo "$name" | tr -d ' '); want=$(echo "$want" | tr -d ' ')
    [ -n "$name" ] || continue
    set -f
    # shellcheck disable=SC2086
    ( cd "$data" && "$tool" $args ) >"$tmp" 2>&1
    got=$?
    set +f
    sed -e '/^time: /d' -e 's/,"time_seconds":[0-9.e+-]*//' -e "s#$data#DATA#g" "$tmp" >"$tmp.f"
    echo "exit status: $got" >>"$tmp.f"
    exp="$gold/$prefix-$name.txt"
    if [ "${TROP_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$tmp.f" "$exp"
    fi
    if [ "$got" != "$want" ] || ! diff -u "$exp" "$tmp.f" >/dev/null 2>&1; then
        echo "not ok - $name (exit $got, expected $want)"
        diff -u "$exp" "$tmp.f" | head -40
        echo "FAIL" >>"$tmp.fails"
    else
        echo "ok - $name"
    fi
    rm -f "$tmp.f"
done
if [ -f "$tmp.fails" ]; then rm -f "$tmp.fails"; exit 1; fi
exit 0
