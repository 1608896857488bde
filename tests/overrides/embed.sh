#!/usr/bin/env bash
# usage: embed.sh EMBED_OVERRIDES
# The tool that compiles overrides/*.toml into the binary cuts a file into one block per package
# at the table headers the TOML parser sees: a script line starting with '[' inside a multi-line
# string stays in its entry, and a key outside any table stops the build.
set -u
tool=$1
source "$(dirname "$0")/../lib.sh"

mkdir -p "$work/overrides"
cat >"$work/overrides/x.toml" <<'TOML'
# a comment before the first entry
[[alpha]]
why = "a script whose lines look like headers"
post-patch = '''
[beta]
  [[gamma]]
echo done
'''

[[delta]]
why = "the next entry"
[delta.env]
X = "1"
TOML
check "the file compiles" "$tool" "$work/out.cpp" "$work" overrides/x.toml
blocks() { grep -o 'R"ovr([a-z]*)ovr"' "$work/out.cpp" | tr '\n' ' '; }
check "one block per package, none for the script's lines ($(blocks))" \
    test "$(blocks)" = 'R"ovr(alpha)ovr" R"ovr(delta)ovr" '
check "the script stays in alpha's block" grep -qx 'echo done' "$work/out.cpp"
check "delta's sub-table stays in delta's block" grep -qx 'X = "1"' "$work/out.cpp"

printf 'stray = 1\n[[alpha]]\nwhy = "w"\n' >"$work/overrides/y.toml"
check "a key outside any table is refused" \
    sh -c '! "$1" "$2/out2.cpp" "$2" overrides/y.toml 2>"$2/err" && grep -q "outside any" "$2/err"' \
    sh "$tool" "$work"
finish
