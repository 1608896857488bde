#!/usr/bin/env bash
# Every file here is a bad override file: lock2nix must exit with 2 and print exactly the error in
# the matching .expected file (file:line:column, what is wrong, a hint).
set -u
cli=$1
cd "$(dirname "$0")"
pass=0
fail=0
for input in *.toml; do
    err=$(mktemp)
    "$cli" overrides show torch==2.5 --overrides "$input" --no-default-overrides >/dev/null 2>"$err"
    rc=$?
    if [ "$rc" -ne 2 ]; then
        echo "FAIL $input: exit code $rc, expected 2"; fail=$((fail + 1))
    elif ! diff -u "${input%.toml}.expected" "$err"; then
        echo "FAIL $input: message differs"; fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
    rm -f "$err"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
