#!/usr/bin/env bash
# Project data never becomes code: the editable root (Poetry's `from`, a `develop = true` path
# dependency's folder) is written into the `.pth` line of nixpkgs' mkPythonEditablePackage, and a
# file script's reference into a shell wrapper. Hostile values are refused at their position, and
# the emitted file refuses them too when they come from its caller (`editableRoot`). The wrapper
# it writes is run for real. Usage: code-paths.sh CLI
set -u
cli=$1
here=$(cd "$(dirname "$0")/../nix" && pwd)
. "$(dirname "$0")/../lib.sh"
cd "$work"

one_package_lock demo 1.0 demo-1.0-py3-none-any.whl \
    sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa >poetry.lock
# pyproject.toml with `packages` (FROM, a TOML value) on line 6, column 40 for its value, and a
# file script (REFERENCE, a TOML value) on line 11, column 22.
pyproject() {
    cat >pyproject.toml <<TOML
[tool.poetry]
name = "proj"
version = "1.0"
description = ""
authors = []
packages = [{ include = "proj", from = $1 }]
[tool.poetry.dependencies]
python = "^3.8"
demo = "*"
[tool.poetry.scripts]
tool = { reference = $2, type = "file" }
TOML
}

# Refused at the position of the value, exit 2, no output file, nothing run.
refused() { # DESCRIPTION LINE:COLUMN WORDS
    local what=$1 at=$2 words=$3
    rm -f out.nix
    "$cli" poetry.lock --offline --python 3.11 -o out.nix 2>err
    local rc=$?
    check "$what: exit 2 (exit $rc)" [ "$rc" -eq 2 ]
    check "$what: no output" [ ! -e out.nix ]
    check "$what: the error is at pyproject.toml:$at" grep -q "^pyproject.toml:$at: error: " err
    check "$what: the error says why ($words)" grep -qF -- "$words" err
    check "$what: nothing ran" [ ! -e PWNED ]
}

# --- `from`: the folder of the packages, the root of the editable install -----------------------
for bad in \
    "'src\")); __import__(\"os\").system(\"touch PWNED\"); ((\"'|holds \`\"\`" \
    "\"src'x\"|holds \`'\`" '"src\\x"|holds `\`' '"../up"|leaves the project' '"/etc"|is absolute' \
    '"a$(id)"|holds `$`' '"a\tb"|control character' '"src/\n"|control character'; do
    pyproject "${bad%%|*}" '"bin/tool.sh"'
    refused "from = ${bad%%|*}" 6:40 "${bad#*|}"
done

# --- a `type = "file"` script: its reference becomes the path in a wrapper -----------------------
for bad in \
    '"bin/t\nLOCK2NIX_EOF\ntouch PWNED\n"|control character' '"bin/$(touch PWNED)"|holds `$`' \
    '"bin/`touch PWNED`"|holds `' '"../../../usr/bin/env"|leaves the project' \
    '"/usr/bin/env"|is absolute' '"a\"b"|holds `"`' '"bin/../../x"|leaves the project'; do
    pyproject '"src"' "${bad%%|*}"
    refused "script reference ${bad%%|*}" 11:22 "${bad#*|}"
done

# --- a `develop = true` path dependency whose folder would close the .pth string ------------------
cat >poetry.lock <<'TOML'
[[package]]
name = "lib"
version = "1.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = []
develop = true

[package.source]
type = "directory"
url = "lib\")); __import__(\"os\").system(\"touch PWNED\"); ((\""

[metadata]
lock-version = "2.1"
python-versions = "^3.8"
content-hash = "0"
TOML
printf '%s\n' '[tool.poetry]' 'name = "proj"' 'version = "1.0"' 'description = ""' 'authors = []' \
    '[tool.poetry.dependencies]' 'python = "^3.8"' 'lib = { path = "lib", develop = true }' >pyproject.toml
"$cli" poetry.lock --offline --python 3.11 -o out.nix 2>err
rc=$?
check "a develop folder that closes the .pth string: exit 2 (exit $rc)" [ "$rc" -eq 2 ]
check "a develop folder: the error is at the lock's url" grep -q '^poetry.lock:13:7: error: ' err
check "a develop folder: the error says why" grep -qF 'holds `"`' err

# --- what is accepted, and what the emitted file does with it -----------------------------------
mkdir -p good/src/proj good/bin && cd good
one_package_lock demo 1.0 demo-1.0-py3-none-any.whl \
    sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa >poetry.lock
pyproject '"src"' '"bin/my tool.sh"'
"$cli" poetry.lock --offline --python 3.11 -o python-env.nix 2>err
check "a plain from and script path translate" [ -s python-env.nix ]
# The devShell's environment as the stub sees it, with ROOT as the file's editableRoot.
shell_env() { # ROOT (a Nix expression) ATTRIBUTE
    nix-instantiate --eval --strict --json --option restrict-eval true -I "stub=$here" -I "gen=$PWD" -E "
      let e = import <gen/python-env.nix> {
            pkgs = import <stub/stub-nixpkgs.nix> { }; projectDir = <gen>; editableRoot = $1; };
      in (builtins.head e.devShell.packages).$2"
}
out=$(shell_env '"$REPO_ROOT"' editableRoots 2>&1)
check "the editable root keeps its variable (${out})" [ "$out" = '["$REPO_ROOT/src"]' ]
for hostile in '"/x\")); __import__(\"os\").system(\"id\"); ((\""' "\"/x'y\"" '"/x$(id)"' \
    '"/x`id`"' '"/x\\y"' '"/x\ny"' '"\${HOME:-x}"'; do
    shell_env "$hostile" editableRoots >out 2>&1
    rc=$?
    check "editableRoot = $hostile is refused by the emitted file (exit $rc)" [ "$rc" -ne 0 ]
    check "editableRoot = $hostile: the message says why" grep -q 'lock2nix: the editable root' out
done
# The file script's wrapper, written by the postInstall the file emits and run: it finds the
# script under the expanded root, with a space in its name, and passes arguments through.
shell_env '"$REPO_ROOT"' editablePostInstalls >post.json 2>&1
python3 -c 'import json,sys; sys.stdout.write(json.load(open("post.json"))[0])' >post.sh
check "the editable project's postInstall writes a wrapper" grep -q LOCK2NIX_EOF post.sh
printf '#!/bin/sh\necho "ran $0 with $*"\n' >"bin/my tool.sh"
chmod +x "bin/my tool.sh"
# (The stub's runtimeShell is not a real path: the wrapper is run by bash.)
out=$(out="$work/wrapped" bash post.sh && REPO_ROOT="$work/good" bash "$work/wrapped/bin/tool" a 'b c' 2>&1)
check "the wrapper runs the script under the expanded root (${out})" \
    [ "$out" = "ran $work/good/bin/my tool.sh with a b c" ]
cd ..

# --- the .pth line, round trip: accepted folders with the characters a folder may hold ----------
# nixpkgs' editable.nix (NixOS/nixpkgs pkgs/development/interpreters/python/editable.nix, its
# unpackPhase) writes the root into `echo 'import os.path, sys; sys.path.insert(0,
# os.path.expandvars("ROOT"))' > _PNAME.pth`; Python's site module runs that line at start-up.
# Written by bash and run by Python as they do, the line must put exactly the expanded folder on
# sys.path and nothing else.
mkdir -p odd && cd odd
one_package_lock demo 1.0 demo-1.0-py3-none-any.whl \
    sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa >poetry.lock
for from in 'my src' 'a;b#c' 'x(1)&y|z' 'p%q{r}!' 'ü+~@=,' 'deep/er/src'; do
    pyproject "\"$from\"" '"bin/tool.sh"'
    rm -f python-env.nix
    "$cli" poetry.lock --offline --python 3.11 -o python-env.nix 2>err
    check "from = '$from' translates" [ -s python-env.nix ]
    root=$(shell_env '"$REPO_ROOT"' editableRoots | python3 -c 'import json,sys; print(json.load(sys.stdin)[0])')
    check "from = '$from': the root keeps its variable ($root)" [ "$root" = "\$REPO_ROOT/$from" ]
    ROOT=$root bash -c 'echo '"'"'import os.path, sys; sys.path.insert(0, os.path.expandvars("'"'"'"$ROOT"'"'"'"))'"'"' > _proj.pth'
    got=$(REPO_ROOT="$work/odd" python3 -c 'import sys; before = list(sys.path); exec(open("_proj.pth").read()); assert sys.path[1:] == before; print(sys.path[0])' 2>&1)
    check "from = '$from': the .pth puts the folder on sys.path ($got)" [ "$got" = "$work/odd/$from" ]
done
cd ..
check "nothing ran" sh -c '[ ! -e PWNED ] && [ ! -e good/PWNED ]'

finish
