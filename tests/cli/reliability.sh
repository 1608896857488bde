#!/usr/bin/env bash
# Failures of the machine, not of the input, on the real binary: a memory limit while reading a
# large lock, a standard output that cannot be written, `-o` naming something that is not a plain
# output file. Each must end in a clear error and a non-zero exit, never in a success with part of
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
else
    echo "SKIPPED reads under memory limits: --no-memory-limit (a sanitizer build reserves more address space)"
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

# --- -o over anything ---------------------------------------------------------------------------
project=$work/project
mkdir -p "$project"
cp "$demo/poetry.lock" "$demo/pyproject.toml" "$project/"
translate() { "$cli" --offline "$project/poetry.lock" -o "$@" 2>"$work/err"; }
refused() { # refused DESCRIPTION TEST-OF-THE-TARGET-AFTERWARDS... (after translate has run)
    local rc=$1 what=$2
    shift 2
    if [ "$rc" -eq 2 ] && grep -q 'error' "$work/err" && "$@"; then
        pass=$((pass + 1))
    else
        echo "FAIL -o $what: exit $rc, expected 2, an error and the target untouched"
        head -3 "$work/err"
        fail=$((fail + 1))
    fi
}
mkdir "$work/outdir"
translate "$work/outdir"
refused $? "a directory" [ -d "$work/outdir" ]
mkfifo "$work/fifo"
translate "$work/fifo"
refused $? "a FIFO" [ -p "$work/fifo" ]
if mknod "$work/null" c 1 3 2>/dev/null; then # a private /dev/null: replacing it harms nothing
    translate "$work/null"
    refused $? "a device" [ -c "$work/null" ]
fi
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$work/socket"
translate "$work/socket"
refused $? "a socket" [ -S "$work/socket" ]
cp "$project/poetry.lock" "$work/lock.orig"
cp "$project/pyproject.toml" "$work/pyproject.orig"
translate "$project/poetry.lock"
refused $? "the input lock" cmp -s "$project/poetry.lock" "$work/lock.orig"
cp "$work/lock.orig" "$project/poetry.lock"; cp "$work/pyproject.orig" "$project/pyproject.toml"
translate "$project/../project/./pyproject.toml"
refused $? "the pyproject beside the lock" cmp -s "$project/pyproject.toml" "$work/pyproject.orig"
cp "$work/lock.orig" "$project/poetry.lock"; cp "$work/pyproject.orig" "$project/pyproject.toml"
ln "$project/poetry.lock" "$work/hardlink.lock"
translate "$work/hardlink.lock"
refused $? "a hard link to the input lock" cmp -s "$project/poetry.lock" "$work/lock.orig"
cp "$work/lock.orig" "$project/poetry.lock"; cp "$work/pyproject.orig" "$project/pyproject.toml"

# The output names the -o path in its header (and places projectDir from it): what a run wrote.
made_by() { grep -qx "# regenerate: lock2nix --offline $project/poetry.lock -o $2" "$1"; }
echo old >"$work/private.nix"
chmod 600 "$work/private.nix"
translate "$work/private.nix"
check "-o over an existing file succeeds" [ $? -eq 0 ]
check "-o over an existing file writes the output" made_by "$work/private.nix" "$work/private.nix"
check "-o over an existing file keeps its mode 600" [ "$(stat -c %a "$work/private.nix")" = 600 ]
translate "$work/new.nix"
check "a new output file is 644" [ "$(stat -c %a "$work/new.nix")" = 644 ]

mkdir "$work/real"
echo old >"$work/real/env.nix"
ln -s real/env.nix "$work/link.nix"
translate "$work/link.nix"
check "-o through a symlink succeeds" [ $? -eq 0 ]
check "-o through a symlink leaves the link a link" [ -L "$work/link.nix" ]
check "-o through a symlink writes its target" made_by "$work/real/env.nix" "$work/link.nix"
ln -s real/dangling.nix "$work/dangling.nix"
translate "$work/dangling.nix"
check "-o through a dangling symlink creates its target" made_by "$work/real/dangling.nix" "$work/dangling.nix"
check "-o through a dangling symlink leaves the link a link" [ -L "$work/dangling.nix" ]
ln -s "$project/poetry.lock" "$work/lock-link.nix"
translate "$work/lock-link.nix"
refused $? "a symlink to the input lock" cmp -s "$project/poetry.lock" "$work/lock.orig"
check "-o through a symlink to the input lock leaves the link a link" [ -L "$work/lock-link.nix" ]

finish
