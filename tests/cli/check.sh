#!/usr/bin/env bash
# `lock2nix check` as a flake check calls it: 0 fresh, 1 stale (one line on stderr), 2 bad input.
set -u
cli=$1
shared=$2
pass=0
fail=0
expect() { # expect CODE DESCRIPTION -- command...
    local want=$1 what=$2
    shift 3
    "$@" >/tmp/lock2nix-check.out 2>/tmp/lock2nix-check.err
    local rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass=$((pass + 1))
    else
        echo "FAIL $what: exit $rc, expected $want"; cat /tmp/lock2nix-check.out /tmp/lock2nix-check.err
        fail=$((fail + 1))
    fi
}
locks=$shared/fixtures/poetry-locks
expect 0 "fresh 2.1 lock" -- "$cli" check --lock "$locks/poetry-own-2.0.1.lock" --pyproject "$locks/poetry-own-2.0.1.pyproject.toml"
expect 0 "fresh 0.12 lock" -- "$cli" check --lock "$locks/poetry-own-0.12.17.lock" --pyproject "$locks/poetry-own-0.12.17.pyproject.toml"
expect 0 "B hash in a 1.1 lock" -- "$cli" check --lock "$locks/poetry-own-1.1.8.lock" --pyproject "$locks/poetry-own-1.1.8.pyproject.toml"
expect 0 "pyproject found beside the lock" -- "$cli" check --lock "$shared/corpus/real/poetry/poetry.lock"
expect 1 "hand-edited old_lock fixture" -- "$cli" check --lock "$locks/fixtures-old_lock.lock" --pyproject "$locks/fixtures-old_lock.pyproject.toml"
expect 1 "stale corpus project" -- "$cli" check --lock "$shared/corpus/poetry2nix-tests/twisted/poetry.lock"
if [ "$(wc -l </tmp/lock2nix-check.err)" -eq 1 ] && grep -q '^.*stale: ' /tmp/lock2nix-check.err; then
    pass=$((pass + 1))
else
    echo "FAIL: a stale lock must give one line saying why"; cat /tmp/lock2nix-check.err; fail=$((fail + 1))
fi

# A lock made stale by editing its pyproject: copy a fresh pair, change one dependency.
tmp=$(mktemp -d)
cp "$locks/poetry-own-2.0.1.lock" "$tmp/poetry.lock"
cp "$locks/poetry-own-2.0.1.pyproject.toml" "$tmp/pyproject.toml"
expect 0 "copied fresh pair" -- "$cli" check --lock "$tmp/poetry.lock"
sed -i 's/"cleo (>=2.1.0,<3.0.0)"/"cleo (>=2.1.0,<4.0.0)"/' "$tmp/pyproject.toml"
expect 1 "edited dependency" -- "$cli" check --lock "$tmp/poetry.lock"
# Edits Poetry does not hash (description, version) keep it fresh.
cp "$locks/poetry-own-2.0.1.pyproject.toml" "$tmp/pyproject.toml"
sed -i 's/^version = .*/version = "9.9.9"/' "$tmp/pyproject.toml"
expect 0 "edited version only" -- "$cli" check --lock "$tmp/poetry.lock"

# The generated Nix file is stale when the lock changes under it.
cp "$locks/poetry-own-2.0.1.pyproject.toml" "$tmp/pyproject.toml"
"$cli" --offline "$tmp/poetry.lock" --system x86_64-linux --python 3.12 --quiet -o "$tmp/python-env.nix"
expect 0 "fresh Nix file" -- "$cli" check --lock "$tmp/poetry.lock" --nix "$tmp/python-env.nix"
sed -i 's/^description = "Python wrapper for extended filesystem attributes"/description = "changed"/' "$tmp/poetry.lock"
expect 1 "Nix file stale against its lock" -- "$cli" check --lock "$tmp/poetry.lock" --nix "$tmp/python-env.nix"
echo "# not ours" >"$tmp/other.nix"
expect 2 "not a generated file" -- "$cli" check --lock "$tmp/poetry.lock" --nix "$tmp/other.nix"

expect 2 "missing lock" -- "$cli" check --lock "$tmp/nope.lock"
printf 'not = [toml' >"$tmp/pyproject.toml"
expect 2 "broken pyproject" -- "$cli" check --lock "$tmp/poetry.lock"
expect 2 "usage" -- "$cli" check --frobnicate
rm -rf "$tmp"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
