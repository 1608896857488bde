#!/usr/bin/env bash
# Failures of the machine, not of the input, on the real binary: a memory limit while reading a
# large lock, a standard output that cannot be written. Each must end in a clear error and a non-zero exit, never in a success with part of
# the answer. Usage: reliability.sh CLI [--no-memory-limit] (sanitizer builds cannot run under
# an address-space limit).
set -u
cli=$1
memory_limit=yes
[ "${2:-}" = "--no-memory-limit" ] && memory_limit=no
demo=$(cd "$(dirname "$0")/../../examples/demo" && pwd)
. "$(dirname "$0")/../lib.sh"

# --- A lock read under a memory limit: whole, or an error naming it -------------------------
# [metadata] first and a 32 MB comment between two halves of the packages: reading stops inside
# the comment when memory runs out, and what was read so far is still a valid lock, with fewer
# packages. Limits are tried from the lowest that runs lock2nix on the small lock upwards, in
# steps finer than the window in which the read fails but the rest would not.
if [ "$memory_limit" = yes ]; then
    python3 - "$demo/poetry.lock" "$work/big.lock" <<'PY'
import sys
src = open(sys.argv[1]).read()
i = src.index("[metadata]")
packages = src[:i].split("[[package]]")
half = len(packages) // 2
comment = ("# " + "x" * 98 + "\n") * 320000
open(sys.argv[2], "w").write(src[i:] + "\n" + "[[package]]".join(packages[:half]) + comment +
                             "[[package]]" + "[[package]]".join(packages[half:]))
PY
    "$cli" inspect "$work/big.lock" >"$work/full.out"
    want=$(grep -c '^  ' "$work/full.out")
    check "the large lock has all its packages without a limit" \
        [ "$want" -eq "$(grep -c '^  ' <("$cli" inspect "$demo/poetry.lock"))" ]
    base=4
    while [ "$base" -lt 256 ] &&
        ! prlimit --as=$((base << 20)) "$cli" inspect "$demo/poetry.lock" >/dev/null 2>&1; do
        base=$((base + 4))
    done
    bad=0
    tried=0
    for ((mb = base; mb < base + 512; mb += 4)); do
        prlimit --as=$((mb << 20)) "$cli" inspect "$work/big.lock" >"$work/out" 2>"$work/err"
        rc=$?
        tried=$((tried + 1))
        got=$(grep -c '^  ' "$work/out")
        if [ "$rc" -eq 0 ] && [ "$got" -eq "$want" ]; then
            break
        elif [ "$rc" -eq 0 ]; then
            echo "FAIL limit ${mb} MB: exit 0 with $got of $want packages"
            bad=1
        elif [ "$rc" -ne 2 ] || [ -s "$work/out" ] || ! grep -q 'error' "$work/err" ||
            grep -q 'internal error' "$work/err"; then
            echo "FAIL limit ${mb} MB: exit $rc, expected 2, nothing on stdout and a clear error:"
            head -5 "$work/err"
            bad=1
        fi
    done
    check "under every memory limit the lock is read whole or the run fails ($tried limits)" \
        [ "$bad" -eq 0 ]
    check "the last limit tried succeeded" [ "$rc" -eq 0 ]
    rm -f "$work/big.lock"
fi

# --- A standard output that cannot take the answer ---------------------------------------------
# /dev/full fails every write with ENOSPC, as a full disk does; stdio only notices when it flushes.
full_fails() { # full_fails DESCRIPTION -- command...
    local what=$1
    shift 2
    "$@" >/dev/full 2>"$work/err"
    local rc=$?
    if [ "$rc" -eq 2 ] && grep -q 'cannot write to standard output' "$work/err"; then
        pass=$((pass + 1))
    else
        echo "FAIL $what > /dev/full: exit $rc, expected 2 and a message"; head -5 "$work/err"
        fail=$((fail + 1))
    fi
}
full_fails "translate" -- "$cli" --offline "$demo/poetry.lock"
full_fails "inspect" -- "$cli" inspect "$demo/poetry.lock"
full_fails "inspect --json" -- "$cli" inspect "$demo/poetry.lock" --json
full_fails "plan" -- "$cli" plan "$demo/poetry.lock"
full_fails "plan --json" -- "$cli" plan "$demo/poetry.lock" --json
full_fails "check" -- "$cli" check --lock "$demo/poetry.lock"
full_fails "help" -- "$cli" --help

finish
