#!/usr/bin/env bash
# Every file of the given corpus directories, rendered by the writer as a Nix string literal, an
# attribute name and a selected attribute, is parsed (nix-instantiate --parse) and evaluated by
# the real Nix and must read back as the same bytes. One Nix invocation for the whole corpus:
# calling Nix per input inside the fuzzer is too slow. Usage: nix-roundtrip.sh ROUNDTRIP-TOOL DIR...
set -euo pipefail
tool=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=()
for dir in "$@"; do
    [ -d "$dir" ] || continue
    while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$dir" -type f -print0)
done
[ "${#files[@]}" -gt 0 ] || { echo "no corpus files"; exit 1; }
"$tool" "${files[@]}" >"$work/check.nix"
nix-instantiate --parse "$work/check.nix" >/dev/null
bad=$(NIX_CONFIG="sandbox = false" nix-instantiate --eval --strict --json "$work/check.nix")
if [ "$bad" != "[]" ]; then
    echo "FAIL: these inputs do not read back through Nix: $bad"
    exit 1
fi
echo "${#files[@]} corpus files read back through Nix"
