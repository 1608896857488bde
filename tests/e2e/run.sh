#!/usr/bin/env bash
# End to end, with real parts only: packages built by their own backends, served by a loopback
# PEP 503 index, locked by real `poetry lock` (or written into a pylock.toml from the index's own
# pages), translated by lock2nix, and built by the real Nix against tests/e2e/nixpkgs (a model of
# nixpkgs whose Python builders really build).
#   run.sh LOCK2NIX
# Every case below must pass, except those in KNOWN_FAILURES: lock2nix does not handle them yet.
# A known failure that fails the expected way is reported as XFAIL and does not fail the run; one
# that fails another way fails the run, and one that passes fails the run too ("remove it from
# the list"), so the list shrinks as fixes land.
set -u
cli=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
started=$SECONDS
# E2E_KEEP=DIR keeps the scratch directory (projects, locks, emitted files) in DIR.
[ -n "${E2E_KEEP:-}" ] && at_exit+=('rm -rf "$E2E_KEEP"; cp -a "$work" "$E2E_KEEP"')

KNOWN_FAILURES=()

PY=/usr/bin/python3 # Debian's: it has poetry, build, installer, setuptools, hatchling
for tool in "$PY" nix-build nix-shell git gcc objdump; do
    command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (tools/setup.sh installs it)"; exit 1; }
done
export NIX_CONFIG=$'build-users-group =\nsubstituters =\nsandbox = false'
# nix-shell looks for <nixpkgs>'s bashInteractive, and puts the shell's directory first on PATH:
# give it a directory holding only bash.
mkdir -p "$work/shell"
ln -s /bin/bash "$work/shell/bash"
export NIX_BUILD_SHELL=$work/shell/bash
export NIX_PATH=
export HOME=$work/home POETRY_CONFIG_DIR=$work/poetry/config POETRY_CACHE_DIR=$work/poetry/cache \
    POETRY_DATA_DIR=$work/poetry/data POETRY_VIRTUALENVS_CREATE=false
mkdir -p "$HOME"
model=$here/nixpkgs
pyver=$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])')
system=$(nix-instantiate --eval --expr builtins.currentSystem | tr -d '"')
pkgs="import $model { }"
stage() { echo "--- $* ($((SECONDS - started)) s)"; }

is_known() {
    local k
    for k in "${KNOWN_FAILURES[@]}"; do
        [ "$k" = "$1" ] && return 0
    done
    return 1
}
xfail=0
# known NAME PATTERN COMMAND...: a known failure must fail with output matching PATTERN.
known() {
    local name=$1 pattern=$2
    shift 2
    # Fixed cases leave the list and are checked like any other: they must pass.
    is_known "$name" || { check "$name" "$@"; return; }
    if "$@" >"$work/case.out" 2>&1; then
        echo "FAIL $name: known failure passes now, remove it from KNOWN_FAILURES"
        fail=$((fail + 1))
    elif grep -Eq -- "$pattern" "$work/case.out"; then
        echo "XFAIL $name:"
        grep -E -- "$pattern" "$work/case.out" | sed 's/^/    /' | head -4
        xfail=$((xfail + 1))
    else
        echo "FAIL $name: a known failure fails otherwise than expected (/$pattern/):"
        tail -25 "$work/case.out"
        fail=$((fail + 1))
    fi
}
# expect_fail DESCRIPTION PATTERN COMMAND...: the command must fail, saying PATTERN.
expect_fail() {
    local what=$1 pattern=$2
    shift 2
    if "$@" >"$work/case.out" 2>&1; then
        echo "FAIL $what: succeeded"
        fail=$((fail + 1))
    elif grep -Eq -- "$pattern" "$work/case.out"; then
        pass=$((pass + 1))
    else
        echo "FAIL $what: failed without /$pattern/:"
        tail -25 "$work/case.out"
        fail=$((fail + 1))
    fi
}
all_of() { # all_of COMMAND...: run every command (each one a string), fail if any failed
    local c rc=0
    for c in "$@"; do
        eval "$c" || rc=1
    done
    return $rc
}
build() { # build PROJECT ATTR: nix-build the attribute of the project's python-env.nix
    nix-build --no-out-link "$work/$1/python-env.nix" --arg pkgs "$pkgs" -A "$2"
}
in_shell() { # in_shell PROJECT COMMAND: run COMMAND in the project's devShell
    (cd "$work/$1" && nix-shell python-env.nix --arg pkgs "$pkgs" -A devShell --run "$2")
}
env_python() { # env_python PROJECT CODE: run CODE with the python of the project's env
    local out
    out=$(build "$1" env 2>"$work/env-build.log") || { cat "$work/env-build.log"; return 1; }
    "$out/bin/python3" -c "$2"
}

# ---- the world: packages built by real backends, served on loopback ----------------------------
stage "building the packages"
check "the packages build with their own backends" $PY "$here/world.py" "$work/world"
[ "$fail" -eq 0 ] || { finish; exit 1; }
$PY "$here/serve.py" "$work/world/index" >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
    grep -q '^PORT ' "$work/server.out" 2>/dev/null && break
    sleep 0.1
done
port=$(awk '/^PORT /{print $2}' "$work/server.out")
index=http://127.0.0.1:$port/simple/
world=$work/world

# project NAME: writes $work/NAME/pyproject.toml from stdin (@INDEX@, @WORLD@ substituted) with
# the loopback index as Poetry's only source.
project() {
    mkdir -p "$work/$1"
    sed -e "s|@INDEX@|$index|g" -e "s|@WORLD@|$world|g" >"$work/$1/pyproject.toml"
    cat >>"$work/$1/pyproject.toml" <<EOF

[[tool.poetry.source]]
name = "loopback"
url = "$index"
default = true
EOF
}
module() { # module PROJECT PATH CONTENT
    mkdir -p "$(dirname "$work/$1/$2")"
    printf '%s\n' "$3" >"$work/$1/$2"
}
lock_and_translate() {
    (cd "$work/$1" && $PY -m poetry lock --no-update -n) >"$work/$1.lock.log" 2>&1 ||
        { cat "$work/$1.lock.log"; return 1; }
    # Path dependencies live in the world beside the projects: $work holds them all.
    "$cli" "$work/$1/poetry.lock" --system "$system" --python "$pyver" --quiet --project-root "$work" \
        -o "$work/$1/python-env.nix" && nix-instantiate --parse "$work/$1/python-env.nix" >/dev/null
}

# ---- the main project: everything here must work -----------------------------------------------
project main <<'EOF'
[tool.poetry]
name = "e2e-main"
version = "0.1.0"
description = "lock2nix e2e"
authors = ["lock2nix <e2e@example.org>"]
packages = [{ include = "e2e_main", from = "src" }]

[tool.poetry.scripts]
e2e-main = "e2e_main:main"

[tool.poetry.dependencies]
python = "^3.8"
e2e-alpha = "^1.0"
e2e-bravo = "^1.0"
e2e-charlie = "^1.0"
e2e-delta = "^1.0"
e2e-echo = "^1.0"
e2e-foxtrot = { version = "^1.0", extras = ["fancy"] }
e2e-juliet = { git = "file://@WORLD@/git/juliet.git", branch = "main" }
e2e-papa = { path = "@WORLD@/paths/papa", develop = true }

[tool.poetry.group.clash]
optional = true

[tool.poetry.group.clash.dependencies]
e2e-lima-a = "^1.0"
e2e-lima-b = "^1.0"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
EOF
module main src/e2e_main/__init__.py 'import e2e_alpha, e2e_bravo, e2e_charlie, e2e_delta, e2e_golf, e2e_juliet, e2e_papa

def main():
    print("main-ok", e2e_charlie.NAME, e2e_juliet.NAME)'
stage "main: poetry lock, lock2nix"
check "main: poetry lock and lock2nix" lock_and_translate main
check "main: every source is fetched from the loopback index" \
    grep -q "http://127.0.0.1:$port/files/e2e_alpha-1.0.0-py3-none-any.whl" "$work/main/python-env.nix"
stage "main: nix-build -A env"
check "main: nix-build -A env" build main env
check "main: the env imports every package" env_python main \
    'import e2e_alpha, e2e_bravo, e2e_charlie, e2e_delta, e2e_echo, e2e_foxtrot, e2e_golf, e2e_juliet, e2e_papa'
check "main: the env imports from the store, not from the host" env_python main '
import sys, e2e_charlie, e2e_juliet
assert e2e_charlie.__file__.startswith("/nix/store/"), e2e_charlie.__file__
assert e2e_juliet.__file__.startswith("/nix/store/"), e2e_juliet.__file__
assert e2e_charlie.NAME == "charlie+alpha", e2e_charlie.NAME
try:
    import setuptools
except ImportError:
    pass
else:
    sys.exit("the host site-packages leak into the env")'
check "main: the console script of a dependency runs from the env" \
    sh -c "out=\$(nix-build --no-out-link '$work/main/python-env.nix' --arg pkgs '$pkgs' -A env) && \"\$out/bin/e2e-echo\" | grep -qx echo-ok"
stage "main: nix-build -A app"
check "main: nix-build -A app, and its script runs" \
    sh -c "out=\$(nix-build --no-out-link '$work/main/python-env.nix' --arg pkgs '$pkgs' -A app) && \"\$out/bin/e2e-main\" | grep -qx 'main-ok charlie+alpha juliet'"
stage "main: devShell"
check "main: nix-build -A devShell" build main devShell
check "main: the devShell imports the project and the develop path dependency editable" in_shell main "python3 -c '
import e2e_main, e2e_papa
from os.path import realpath
assert realpath(e2e_main.__file__) == realpath(\"$work/main/src/e2e_main/__init__.py\"), e2e_main.__file__
assert realpath(e2e_papa.__file__) == realpath(\"$world/paths/papa/e2e_papa/__init__.py\"), e2e_papa.__file__'"
check "main: the devShell runs the project's script" in_shell main "e2e-main | grep -qx 'main-ok charlie+alpha juliet'"
stage "main: outputs"
check "main: -A scripts puts the project's script on PATH, and only it" \
    sh -c "out=\$(nix-build --no-out-link '$work/main/python-env.nix' --arg pkgs '$pkgs' -A scripts) && [ \"\$(ls \"\$out/bin\")\" = e2e-main ] && \"\$out/bin/e2e-main\" | grep -qx 'main-ok charlie+alpha juliet'"
check "main: mkEnv's extraPackages adds packages beside the locked set" \
    sh -c "out=\$(nix-build --no-out-link -E '(import $work/main/python-env.nix { pkgs = $pkgs; }).mkEnv { extraPackages = ps: [ ps.packaging ]; }') && \"\$out/bin/python3\" -c 'import packaging, e2e_alpha'"
check "main: mkDevShell runs the given shellHook" \
    sh -c "cd '$work/main' && nix-shell -E '(import ./python-env.nix { pkgs = $pkgs; }).mkDevShell { shellHook = \"export E2E_HOOK=hooked\"; }' --run 'test \"\$E2E_HOOK\" = hooked'"
# A flake's projectDir is a store copy: editableRoot = "\$REPO_ROOT" is expanded when Python starts,
# and the devShell sets REPO_ROOT (here: no git repository, so the current folder).
check "main: an editable root of \$REPO_ROOT points at the working tree" \
    sh -c "cd '$work/main' && env -u REPO_ROOT nix-shell python-env.nix --arg pkgs '$pkgs' --argstr editableRoot '\$REPO_ROOT' -A devShell --run \"python3 -c 'import e2e_main, os.path; assert os.path.realpath(e2e_main.__file__) == os.path.realpath(\\\"$work/main/src/e2e_main/__init__.py\\\"), e2e_main.__file__'\""
check "main: the image streams the app's closure with its script as entry point" \
    sh -c "stream=\$(nix-build --no-out-link '$work/main/python-env.nix' --arg pkgs '$pkgs' -A image) && app=\$(nix-build --no-out-link '$work/main/python-env.nix' --arg pkgs '$pkgs' -A app) && \"\$stream\" > '$work/image.tar' && tar -tf '$work/image.tar' | grep -qx \"\${app#/}/bin/e2e-main\" && tar -xOf '$work/image.tar' --wildcards '*-e2e-main-config.json' | $PY -c 'import json,sys; c=json.load(sys.stdin); assert c[\"config\"][\"Entrypoint\"] == [\"'\$app'/bin/e2e-main\"], c'"
stage "main: refusals"
expect_fail "main: two packages installing the same file collide (optional group)" \
    "collision between .*e2e_lima/__init__.py" \
    nix-build --no-out-link -E "(import $work/main/python-env.nix { pkgs = $pkgs; }).mkEnv { groups = [ \"main\" \"clash\" ]; }"
# Sources are what the build backend packages: an edit beside the code (a README the metadata
# does not name, tests, CI files, a virtualenv) leaves the project's and the path dependency's
# derivations as they were; an edit of the code does not.
drv_of() { # drv_of ATTR: the drvPath of an attribute of the main project's file
    nix-instantiate --read-write-mode --eval -E "(import $work/main/python-env.nix { pkgs = $pkgs; }).$1.drvPath"
}
app_drv=$(drv_of app)
papa_drv=$(drv_of packages.e2e-papa)
mkdir -p "$work/main/tests" "$work/main/.github" "$work/main/.venv/lib" "$world/paths/papa/docs"
echo "# e2e-main" >"$work/main/README.md"
echo "def test_x(): pass" >"$work/main/tests/test_x.py"
echo "on: push" >"$work/main/.github/ci.yml"
echo "x" >"$work/main/.venv/lib/junk"
echo "notes" >"$world/paths/papa/docs/notes.md"
check "main: a README, tests and CI files beside the project leave the app's drvPath as it was" \
    [ "$(drv_of app)" = "$app_drv" ]
check "main: a file beside the path dependency's code leaves its drvPath as it was" \
    [ "$(drv_of packages.e2e-papa)" = "$papa_drv" ]
cp "$work/main/src/e2e_main/__init__.py" "$work/main/init.saved"
echo "# edited" >>"$work/main/src/e2e_main/__init__.py"
check "main: an edit of the project's code changes the app's drvPath" [ "$(drv_of app)" != "$app_drv" ]
mv "$work/main/init.saved" "$work/main/src/e2e_main/__init__.py"
check "main: the devShell keeps poetry from making a virtualenv of its own" in_shell main \
    'test "$POETRY_VIRTUALENVS_CREATE" = false'
cp "$work/main/python-env.nix" "$work/main/tampered.nix"
$PY - "$work/main/tampered.nix" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
text, n = re.subn(r'(e2e_alpha-1\.0\.0-py3-none-any\.whl";\s*hash = ")sha256-[^"]+', r"\g<1>sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", text)
assert n == 1, n
open(path, "w").write(text)
PY
expect_fail "main: Nix refuses a tampered hash" "hash mismatch" \
    nix-build --no-out-link "$work/main/tampered.nix" --arg pkgs "$pkgs" -A packages.e2e-alpha

# ---- the model's own checks: each must be able to fail ------------------------------------------
stage "model checks"
main_env="(import $work/main/python-env.nix { pkgs = $pkgs; })"
expect_fail "model: pypa/build's build-requirement check" "Missing dependencies:.*setuptools>=99|setuptools>=99" \
    nix-build --no-out-link -E "let e = $main_env; py = e.python; in py.pkgs.buildPythonPackage {
      pname = \"e2e-kilo\"; version = \"1.0.0\"; pyproject = true;
      src = $world/index/files/e2e-kilo-1.0.0.tar.gz; build-system = [ py.pkgs.setuptools ]; }"
expect_fail "model: the runtime-dependency check" "e2e-alpha not installed" \
    nix-build --no-out-link -E "let e = $main_env; py = e.python; in py.pkgs.buildPythonPackage {
      pname = \"e2e-charlie\"; version = \"1.0.0\"; pyproject = true;
      src = e.packages.e2e-charlie.src; build-system = [ py.pkgs.poetry-core ]; }"
expect_fail "model: the conflicts check" "Found duplicated packages in closure for dependency 'e2e[-_]alpha'" \
    nix-build --no-out-link -E "let e = $main_env; py = e.python; in py.pkgs.buildPythonPackage {
      pname = \"e2e-alpha-again\"; version = \"1.0.0\"; format = \"wheel\";
      src = e.packages.e2e-alpha.src; dependencies = [ e.packages.e2e-alpha ]; }"
expect_fail "model: mkPythonEditablePackage asserts that root is a string" "assertion .*isString root.* failed" \
    nix-instantiate -E "let py = ($pkgs).python3; in py.pkgs.mkPythonEditablePackage {
      pname = \"x\"; version = \"1\"; root = $work/main; }"
expect_fail "model: Nix refuses a store name with %" "invalid character|contains illegal character|is not a valid store path name|invalid store path name" \
    nix-instantiate -E "($pkgs).fetchurl { url = \"http://127.0.0.1:1/a%2Bb.whl\"; hash = \"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"; }"

# ---- the known failures, one project each -----------------------------------------------------
header='[tool.poetry]
version = "0.1.0"
description = "lock2nix e2e"
authors = ["lock2nix <e2e@example.org>"]'
backend='[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"'
stage "hard cases, and known failures"

# (1) an sdist whose [build-system] requires setuptools>=99 (built with nixpkgs' versions).
project case1 <<EOF
$header
name = "e2e-case1"
packages = [{ include = "e2e_case1" }]
[tool.poetry.dependencies]
python = "^3.8"
e2e-kilo = "^1.0"
$backend
EOF
check "case1: poetry lock and lock2nix" lock_and_translate case1
check "case1: the sdist pinning setuptools>=99 builds with the set's setuptools" env_python case1 'import e2e_kilo'
check "case1: the file names the version it does not check" \
    grep -q "versions not checked, nixpkgs' are used: setuptools>=99" "$work/case1/python-env.nix"
check "case1: so does the translation, on stderr" sh -c "'$cli' '$work/case1/poetry.lock' --system '$system' \
    --python '$pyver' 2>&1 >/dev/null | grep -q 'e2e-kilo 1.0.0 (setuptools>=99)'"

# (2) the old Poetry backend, for a path dependency (in `dev`: the env builds it) and for the root
# project (`app` needs only `main`).
project case2 <<EOF
$header
name = "e2e-case2"
packages = [{ include = "e2e_case2" }]
[tool.poetry.dependencies]
python = "^3.8"
[tool.poetry.group.dev.dependencies]
e2e-oldpoetry = { path = "@WORLD@/paths/oldpoetry" }
[build-system]
requires = ["poetry>=0.12"]
build-backend = "poetry.masonry.api"
EOF
module case2 e2e_case2/__init__.py ''
check "case2: poetry lock and lock2nix" lock_and_translate case2
check "case2: the old Poetry backend builds, path dependency (env) and root project (app)" \
    all_of "env_python case2 'import e2e_oldpoetry'" "build case2 app"

# (3) a local version: the URL has %2B.
project case3 <<EOF
$header
name = "e2e-case3"
packages = [{ include = "e2e_case3" }]
[tool.poetry.dependencies]
python = "^3.8"
e2e-hotel = "1.0.0+local.1"
$backend
EOF
check "case3: poetry lock and lock2nix" lock_and_translate case3
check "case3: a local version (%2B in the URL) builds" env_python case3 'import e2e_hotel'

# (4) a develop path dependency that a locked package depends on.
project case4 <<EOF
$header
name = "e2e-case4"
packages = [{ include = "e2e_case4" }]
[tool.poetry.dependencies]
python = "^3.8"
e2e-mike = { path = "@WORLD@/paths/mike", develop = true }
e2e-november = "^1.0"
$backend
EOF
module case4 e2e_case4/__init__.py ''
check "case4: poetry lock and lock2nix" lock_and_translate case4
check "case4: nix-build -A env" build case4 env
known develop-dep-twice "collision between|Found duplicated packages" \
    in_shell case4 "python3 -c 'import e2e_mike, e2e_november; from os.path import realpath
assert realpath(e2e_mike.__file__) == realpath(\"$world/paths/mike/e2e_mike/__init__.py\"), e2e_mike.__file__'"

# (5) an editable src-layout path dependency; a script of type "file".
project case5 <<EOF
$header
name = "e2e-case5"
packages = [{ include = "e2e_case5" }]
[tool.poetry.dependencies]
python = "^3.8"
e2e-india = { path = "@WORLD@/paths/india", develop = true }
$backend
EOF
module case5 e2e_case5/__init__.py ''
check "case5: poetry lock and lock2nix" lock_and_translate case5
check "case5: nix-build -A env" build case5 env
known editable-src-layout "No module named 'e2e_india'" \
    in_shell case5 "python3 -c 'import e2e_india'"

project case5b <<EOF
$header
name = "e2e-case5b"
packages = [{ include = "e2e_case5b" }]
[tool.poetry.scripts]
e2e-file-script = { reference = "bin/e2e-file-script", type = "file" }
[tool.poetry.dependencies]
python = "^3.8"
e2e-alpha = "^1.0"
$backend
EOF
module case5b e2e_case5b/__init__.py ''
module case5b bin/e2e-file-script '#!/bin/sh
echo file-script-ok'
chmod +x "$work/case5b/bin/e2e-file-script"
check "case5b: poetry lock and lock2nix" lock_and_translate case5b
# (Not `-A app`: Debian's poetry-core 1.4 names the wheel's .data directory unnormalised, so
# installer does not install file scripts from the wheels it builds; see nixpkgs/README.md.)
known file-script "assert match|parse_entrypoints" \
    in_shell case5b "e2e-file-script | grep -x file-script-ok"

# (6) nvidia-style wheels under the real names, so that lock2nix's default entries (gpu.toml)
# apply: `remove-files` drops the nvidia/__init__.py every nvidia wheel ships, and
# `auto-patchelf-search-paths` points autoPatchelf at the nvidia wheels' lib directories (torch)
# and at torch/lib (torchvision), other store paths.
project case6 <<EOF
$header
name = "e2e-case6"
packages = [{ include = "e2e_case6" }]
[tool.poetry.dependencies]
python = "^3.8"
torch = "^2.5"
torchvision = "^0.20"
$backend
EOF
check "case6: poetry lock and lock2nix" lock_and_translate case6
check "case6: two nvidia wheels in one environment do not collide (remove-files)" \
    nix-build --no-out-link -E "let e = import $work/case6/python-env.nix { pkgs = $pkgs; }; in
      e.python.withPackages (_: [ e.packages.nvidia-cublas-cu12 e.packages.nvidia-cuda-runtime-cu12 ])"
check "case6: torch finds nvidia/cublas/lib and torchvision torch/lib (auto-patchelf-search-paths)" \
    env_python case6 'import torch, torchvision, nvidia.cublas, nvidia.cuda_runtime'
check "case6: the search paths refer to the locked packages" \
    grep -qF 'addAutoPatchelfSearchPath \"${final.torch}/${python.sitePackages}\"/'"'"'torch/lib'"'" "$work/case6/python-env.nix"
# Without the defaults the same lock cannot build: the mechanism, not luck, makes it pass.
check "case6: lock2nix --no-default-overrides" "$cli" "$work/case6/poetry.lock" --system "$system" \
    --python "$pyver" --quiet --no-default-overrides -o "$work/case6/bare.nix"
expect_fail "case6: without the defaults torch's libcublas.so.12 is not found" \
    "could not satisfy dependency libcublas.so.12" \
    nix-build --no-out-link "$work/case6/bare.nix" --arg pkgs "$pkgs" -A packages.torch
expect_fail "case6: without the defaults the nvidia wheels collide" "collision between .*nvidia/(__init__.py|__pycache__)" \
    nix-build --no-out-link -E "let e = import $work/case6/bare.nix { pkgs = $pkgs; }; in
      e.python.withPackages (_: [ e.packages.nvidia-cublas-cu12 e.packages.nvidia-cuda-runtime-cu12 ])"

# (6a) no --python: the default rule picks the interpreter the lock serves. torch's only wheel is
# for the host's CPython, so each newer interpreter of the release has no file for it, and the
# project builds at the host's Python although it is not the newest the release offers.
"$cli" "$work/case6/poetry.lock" --system "$system" --project-root "$work" -o "$work/case6/default.nix" 2>"$work/case6/default.err"
check "case6: with no --python, the target is the host's Python (the one torch has a wheel for)" \
    grep -qx "# targets: $system python$pyver" "$work/case6/default.nix"
check "case6: the header says why the newer ones were passed over" \
    grep -q "^# python: Python $pyver: 3\.[0-9]* has no usable file for torch 2.5.0" "$work/case6/default.nix"
check "case6: the env at the chosen Python builds and imports torch" \
    sh -c "out=\$(nix-build --no-out-link '$work/case6/default.nix' --arg pkgs '$pkgs' -A env) && \"\$out/bin/python3\" -c 'import torch, torchvision'"

# (6b) the override vocabulary from a project's [tool.lock2nix.overrides]: a patch next to the
# pyproject, fix-up phases, store-path interpolation, a `dist`-limited entry, and a package with
# both a wheel and an sdist that `overrides` switches to the sdist without regenerating.
project vocab <<EOF
$header
name = "e2e-vocab"
packages = [{ include = "e2e_vocab" }]
[tool.poetry.dependencies]
python = "^3.8"
e2e-bravo = "^1.0"
e2e-oscar = "^1.0"
[[tool.lock2nix.overrides.e2e-bravo]]
why = "e2e: a patch, fix-up phases and interpolation reach the build"
patches = ["patches/bravo.patch"]
pre-configure = "echo 'CONFIGURED = True' >> e2e_bravo/__init__.py"
env = { E2E_SITE = "@python.sitePackages@" }
pre-build = "echo \\"SITE = '\$E2E_SITE'\\" >> e2e_bravo/__init__.py"
post-fixup = "echo fixed > \$out/@python.sitePackages@/e2e_bravo/FIXED"
[[tool.lock2nix.overrides.e2e-oscar]]
why = "e2e: the sdist's backend, for the sdist only"
dist = "sdist"
build-systems = ["poetry-core"]
$backend
EOF
module vocab e2e_vocab/__init__.py ''
module vocab patches/bravo.patch '--- a/e2e_bravo/__init__.py
+++ b/e2e_bravo/__init__.py
@@ -1 +1 @@
-NAME = "bravo"
+NAME = "bravo-patched"'
check "vocab: poetry lock and lock2nix" lock_and_translate vocab
check "vocab: the patch, pre-configure, pre-build (env interpolated) and post-fixup all ran" env_python vocab '
import os, e2e_bravo
assert e2e_bravo.NAME == "bravo-patched", e2e_bravo.NAME
assert e2e_bravo.CONFIGURED
assert e2e_bravo.SITE.startswith("lib/python3") and e2e_bravo.SITE.endswith("/site-packages"), e2e_bravo.SITE
assert open(os.path.join(os.path.dirname(e2e_bravo.__file__), "FIXED")).read() == "fixed\n"'
check "vocab: e2e-oscar is installed from its wheel by default" sh -c "nix-instantiate --eval -E \
    '(import $work/vocab/python-env.nix { pkgs = $pkgs; }).packages.e2e-oscar.src.name' | grep -q 'py3-none-any.whl'"
flip="(import $work/vocab/python-env.nix { pkgs = $pkgs; overrides = final: prev: { e2e-oscar = prev.e2e-oscar.lock2nix.build \"sdist\"; }; })"
check "vocab: overrides switch e2e-oscar to its sdist without regenerating" sh -c "nix-instantiate --eval -E \
    '$flip.packages.e2e-oscar.src.name' | grep -q 'e2e_oscar-1.0.0.tar.gz' && \
    out=\$(nix-build --no-out-link -E '$flip.env') && \"\$out/bin/python3\" -c 'import e2e_oscar'"

# (7) a hatchling sdist lock2nix has no build-system entry for.
project case7 <<EOF
$header
name = "e2e-case7"
packages = [{ include = "e2e_case7" }]
[tool.poetry.dependencies]
python = "^3.8"
e2e-delta = "^1.0"
$backend
EOF
check "case7: poetry lock and lock2nix" lock_and_translate case7
check "case7: the hatchling sdist builds with the backend it declares" env_python case7 'import e2e_delta'
check "case7: read from the sdist" grep -q "build-system: the sdist's pyproject.toml" "$work/case7/python-env.nix"

stage "a library loaded at run time"

# (8) a library loaded at run time: lock2nix's python-magic entry (native.toml) writes the store
# path of nixpkgs' file into magic/loader.py in place of ctypes.util.find_library('magic'). The
# model's interpreter, like nixpkgs', does not ask ldconfig's cache; find_library's other ways run
# gcc and ld, which here search the host's /usr/lib and on a Nix machine no store library, so the
# environment's python runs with only the environment's programs on PATH.
project runlib <<EOF
$header
name = "e2e-runlib"
packages = [{ include = "e2e_runlib" }]
[tool.poetry.dependencies]
python = "^3.8"
python-magic = "^0.4"
$backend
EOF
nix_python() { # nix_python EXPR CODE: run CODE with the python of the environment EXPR
    local out
    out=$(nix-build --no-out-link -E "$1" 2>"$work/env-build.log") || { cat "$work/env-build.log"; return 1; }
    env PATH="$out/bin" "$out/bin/python3" -c "$2"
}
libmagic=$(nix-build --no-out-link -E "($pkgs).file" 2>"$work/file-build.log")/lib/libmagic.so
magic_code="import magic
found = magic.from_buffer(b'%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n')
assert found.startswith('PDF document, version 1.4'), found
assert magic._lib._name == '$libmagic', magic._lib._name"
runlib="import $work/runlib/python-env.nix { pkgs = $pkgs; }"
check "runlib: poetry lock and lock2nix" lock_and_translate runlib
check "runlib: the installed loader.py names libmagic's store path instead of find_library" sh -c "
    out=\$(nix-build --no-out-link -E '($runlib).packages.python-magic') &&
    grep -qxF \"    path = '$libmagic'\" \"\$out/lib/python$pyver/site-packages/magic/loader.py\" &&
    ! grep -qF \"find_library('magic')\" \"\$out/lib/python$pyver/site-packages/magic/loader.py\""
check "runlib: magic describes a PDF with libmagic from the store (wheel)" nix_python "($runlib).env" "$magic_code"
sdist="import $work/runlib/python-env.nix { pkgs = $pkgs; overrides = final: prev: { python-magic = prev.python-magic.lock2nix.build \"sdist\"; }; }"
check "runlib: the same from the sdist" all_of \
    "nix-instantiate --eval -E '($sdist).packages.python-magic.src.name' | grep -q 'python-magic-0.4.27.tar.gz'" \
    "nix_python '($sdist).env' \"\$magic_code\""
# Without the defaults the same lock builds an environment in which magic cannot load: the fix,
# not the host, finds libmagic.
check "runlib: lock2nix --no-default-overrides" "$cli" "$work/runlib/poetry.lock" --system "$system" \
    --python "$pyver" --quiet --no-default-overrides -o "$work/runlib/bare.nix"
expect_fail "runlib: without the defaults import magic fails" "ImportError: failed to find libmagic" \
    nix_python "(import $work/runlib/bare.nix { pkgs = $pkgs; }).env" "$magic_code"

# ---- a Rust sdist built from the lock alone ------------------------------------------------------
# (9) e2e-rusty's sdist (setuptools-rust, a cdylib formatting numbers with the itoa crate): lock2nix
# reads its rust/Cargo.lock at translation, and the build vendors the crate through the model's
# importCargoLock (fetched from the world's crates.io mirror by the checksum the lock records),
# checks the lock with cargoSetupHook and compiles with Debian's cargo and rustc. No hash is given
# by hand anywhere.
stage "a Rust sdist"
export E2E_CRATES_MIRROR=http://127.0.0.1:$port/crates
project rusty <<EOF
$header
name = "e2e-rust"
packages = [{ include = "e2e_rust" }]
[tool.poetry.dependencies]
python = "^3.8"
e2e-rusty = "^1.0"
$backend
EOF
check "rusty: poetry lock and lock2nix" lock_and_translate rusty
check "rusty: the file vendors the sdist's rust/Cargo.lock" all_of \
    "grep -qF 'cargoDeps = pkgs.rustPlatform.importCargoLock {' '$work/rusty/python-env.nix'" \
    "grep -qF 'cargoRoot = \"rust\";' '$work/rusty/python-env.nix'"
check "rusty: cargo builds the extension from the vendored crate, and it runs" env_python rusty '
import e2e_rusty
assert e2e_rusty.format(18446744073709551615) == "18446744073709551615", e2e_rusty.format(18446744073709551615)
assert e2e_rusty.__file__.startswith("/nix/store/"), e2e_rusty.__file__'
# The vendored lock must be the sdist's, byte for byte: one changed line stops the build.
sed 's|"# It is not intended for manual editing.\\n"|"# edited\\n"|' "$work/rusty/python-env.nix" >"$work/rusty/edited.nix"
expect_fail "rusty: a Cargo.lock that is not the sdist's stops the build (cargoSetupHook)" \
    "Cargo.lock is not the same" \
    nix-build --no-out-link "$work/rusty/edited.nix" --arg pkgs "$pkgs" -A packages.e2e-rusty

# ---- a PEP 751 pylock.toml -----------------------------------------------------------------------
# (10) A pylock written from the loopback index's simple pages (tests/e2e/pylock.py reads every
# file's URL and sha256 from the index, as a locker does): two wheels (one with a console script),
# one sdist built from source (e2e-charlie, which imports e2e-alpha with no edge in the lock), a
# wheel only Windows installs, and the project itself as an editable directory entry. The pylock
# has no dependency graph, so the installed set is the specification's selection and nothing else.
stage "a pylock.toml"
mkdir -p "$work/pylock"
cat >"$work/pylock/pyproject.toml" <<'EOF'
[project]
name = "e2e-pylock"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = ["e2e-alpha", "e2e-charlie", "e2e-echo", "e2e-lima-a; sys_platform == 'win32'"]
[project.scripts]
e2e-pylock = "e2e_pylock:main"
[tool.setuptools]
packages = ["e2e_pylock"]
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
EOF
module pylock e2e_pylock/__init__.py 'import e2e_alpha, e2e_charlie, e2e_echo

def main():
    print("pylock-ok", e2e_charlie.NAME)'
check "pylock: written from the index's simple pages" sh -c "$PY '$here/pylock.py' '$index' e2e-pylock \
    'e2e-alpha wheel' 'e2e-echo wheel' 'e2e-charlie sdist' \"e2e-lima-a wheel sys_platform == 'win32'\" \
    >'$work/pylock/pylock.toml'"
# The premise of the refusals below: the digests are those of the files served.
check "pylock: every digest is the sha256 of the file the index serves" $PY -c '
import hashlib, os, sys, tomllib, urllib.parse
lock = tomllib.load(open(sys.argv[1], "rb"))
files = [f for p in lock["packages"] for f in p.get("wheels", []) + ([p["sdist"]] if "sdist" in p else [])]
assert len(files) == 4, files
for f in files:
    name = urllib.parse.unquote(f["url"].rsplit("/", 1)[1])
    served = hashlib.sha256(open(os.path.join(sys.argv[2], name), "rb").read()).hexdigest()
    assert f["hashes"] == {"sha256": served}, (name, f["hashes"], served)' \
    "$work/pylock/pylock.toml" "$world/index/files"
translate_pylock() { # translate_pylock FILE OUT: lock2nix on $work/pylock/FILE, writing $work/pylock/OUT
    "$cli" "$work/pylock/$1" --system "$system" --python "$pyver" --quiet -o "$work/pylock/$2" &&
        nix-instantiate --parse "$work/pylock/$2" >/dev/null
}
check "pylock: lock2nix" translate_pylock pylock.toml python-env.nix
check "pylock: the files are fetched from the URLs the pylock names" \
    grep -qF "url = \"http://127.0.0.1:$port/files/e2e_charlie-1.0.0.tar.gz\";" "$work/pylock/python-env.nix"
check "pylock: the Windows-only entry is out, for its marker" all_of \
    "! grep -q e2e_lima_a '$work/pylock/python-env.nix'" \
    "'$cli' explain e2e-lima-a '$work/pylock/pylock.toml' --system '$system' --python '$pyver' | grep -q 'is OUT for .*marker is false: sys_platform == \"win32\"'"
stage "pylock: nix-build -A env"
# From /: python -c puts the current folder first on sys.path, and it must not be the project's.
pylock_python() { # pylock_python CODE: run CODE with the python of the pylock's env
    (cd / && env_python pylock "$1")
}
check "pylock: the env imports every module from the store (e2e-charlie's sdist built)" pylock_python '
import e2e_alpha, e2e_charlie, e2e_echo, e2e_pylock
for m in (e2e_alpha, e2e_charlie, e2e_echo, e2e_pylock):
    assert m.__file__.startswith("/nix/store/"), m.__file__
assert e2e_charlie.NAME == "charlie+alpha", e2e_charlie.NAME'
installed='import importlib.metadata, re
names = sorted(re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() for d in importlib.metadata.distributions())
assert names == ["e2e-alpha", "e2e-charlie", "e2e-echo", "e2e-pylock"], names'
check "pylock: the env holds exactly the selected distributions" pylock_python "$installed"
check "pylock: the console scripts of a wheel and of the project run from the env" \
    sh -c "out=\$(nix-build --no-out-link '$work/pylock/python-env.nix' --arg pkgs '$pkgs' -A env) && \
    \"\$out/bin/e2e-echo\" | grep -qx echo-ok && \"\$out/bin/e2e-pylock\" | grep -qx 'pylock-ok charlie+alpha'"
stage "pylock: devShell"
check "pylock: the devShell imports the project editable, beside the same distributions" \
    in_shell pylock "cd / && python3 -c '
import e2e_pylock
from os.path import realpath
assert realpath(e2e_pylock.__file__) == realpath(\"$work/pylock/e2e_pylock/__init__.py\"), e2e_pylock.__file__
$installed'"
check "pylock: the devShell runs the project's script" in_shell pylock "e2e-pylock | grep -qx 'pylock-ok charlie+alpha'"
stage "pylock: refusals"
# pylock_variant NAME PATTERN REPLACEMENT: $work/pylock/pylock.NAME.toml, the pylock with the one
# match of the regular expression PATTERN replaced.
pylock_variant() {
    $PY -c '
import re, sys
source, target, pattern, replacement = sys.argv[1:]
text, n = re.subn(pattern, replacement, open(source).read())
assert n == 1, (pattern, n)
open(target, "w").write(text)' "$work/pylock/pylock.toml" "$work/pylock/pylock.$1.toml" "$2" "$3"
}
zeros=0000000000000000000000000000000000000000000000000000000000000000
pylock_variant empty-alpha '(e2e_alpha-1\.0\.0-py3-none-any\.whl", hashes = )\{[^}]*\}' '\1{}'
expect_fail "pylock: an installed file with hashes = {} is refused at its line" \
    'pylock\.empty-alpha\.toml:[0-9]+:[0-9]+: error: file e2e_alpha-1\.0\.0-py3-none-any\.whl of e2e-alpha has an empty `hashes` table' \
    translate_pylock pylock.empty-alpha.toml empty-alpha.nix
# The specification checks an entry's source only when it installs the entry.
pylock_variant empty-win32 '(e2e_lima_a-1\.0\.0-py3-none-any\.whl", hashes = )\{[^}]*\}' '\1{}'
check "pylock: hashes = {} on the entry no target installs is no obstacle" \
    translate_pylock pylock.empty-win32.toml empty-win32.nix
pylock_variant bad-sdist '(e2e_charlie-1\.0\.0\.tar\.gz", hashes = \{ sha256 = ")[0-9a-f]{64}' "\\g<1>$zeros"
expect_fail "pylock: an sdist whose download is not the one pinned is refused at translation" \
    "sdist \`e2e_charlie-1\.0\.0\.tar\.gz\` downloaded from http://127\.0\.0\.1:$port/files/e2e_charlie-1\.0\.0\.tar\.gz has sha256:[0-9a-f]{64}, but the lock pins sha256:$zeros" \
    translate_pylock pylock.bad-sdist.toml bad-sdist.nix
check "pylock: ... saying to regenerate it with the tool that wrote it, and writing no file" all_of \
    "grep -qF 'hint: the URL the pylock gives serves another file than the one it pins: check that URL, then regenerate the pylock with the tool that wrote it (created-by: lock2nix-e2e)' '$work/case.out'" \
    "[ ! -e '$work/pylock/bad-sdist.nix' ]"
# lock2nix does not download wheels: Nix's fetcher checks them.
pylock_variant bad-wheel '(e2e_alpha-1\.0\.0-py3-none-any\.whl", hashes = \{ sha256 = ")[0-9a-f]{64}' "\\g<1>$zeros"
check "pylock: a wrong wheel digest translates" translate_pylock pylock.bad-wheel.toml bad-wheel.nix
expect_fail "pylock: ... and Nix refuses the wheel it downloads" "hash mismatch" \
    nix-build --no-out-link "$work/pylock/bad-wheel.nix" --arg pkgs "$pkgs" -A packages.e2e-alpha

stage "done"
echo "$xfail known failures (XFAIL)"
finish
