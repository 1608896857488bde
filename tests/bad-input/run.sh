#!/usr/bin/env bash
# Every file in cases/ is bad input: lock2nix must exit with 2, print nothing on stdout, and
# print exactly the error in the matching .expected file (file:line:column, message, hint).
# A poetry.lock (CASE.lock) or a pyproject (CASE.pyproject.toml) is read by `inspect`. A PEP 751
# lock (pylock.CASE.toml) is planned for x86_64-linux with Python 3.12 instead, since much of
# what the specification makes an installer refuse depends on the target: its requires-python,
# its environments, two entries that both apply, a defect of an entry that installs there.
set -u
cli=$1
cd "$(dirname "$0")"
pass=0
fail=0
for input in cases/*.lock cases/*.pyproject.toml cases/pylock.*.toml; do
    out=$(mktemp)
    err=$(mktemp)
    case $input in
    cases/pylock.*.toml)
        expected=${input%.toml}.expected
        "$cli" plan --offline --system x86_64-linux --python 3.12 "$input" >"$out" 2>"$err"
        ;;
    *)
        expected=${input%.lock}
        expected=${expected%.pyproject.toml}.expected
        "$cli" inspect "$input" --json >"$out" 2>"$err"
        ;;
    esac
    rc=$?
    if [ "$rc" -ne 2 ]; then
        echo "FAIL $input: exit code $rc, expected 2"; fail=$((fail + 1))
    elif [ -s "$out" ]; then
        echo "FAIL $input: printed on stdout"; fail=$((fail + 1))
    elif ! diff -u "$expected" "$err"; then
        echo "FAIL $input: message differs"; fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
    rm -f "$out" "$err"
done
# A missing file is bad input too.
if "$cli" inspect cases/does-not-exist.lock >/dev/null 2>&1; [ $? -eq 2 ]; then
    pass=$((pass + 1))
else
    echo "FAIL: a missing file must exit with 2"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
