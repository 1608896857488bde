#!/usr/bin/env bash
# What projectSource (lib/nix/source.nix) copies of a project, read back from the store: what
# poetry-core packages (its packages, an include glob within a folder, the readme, license files),
# a subpackage named like a build output, and not version control, caches, environments, build
# outputs at the top or `result` links. Usage: source-filter.sh CLI
set -u
cli=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
mkdir -p "$work/p" && cd "$work/p"
one_package_lock six 1.16.0 six-1.16.0-py2.py3-none-any.whl \
    sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa >poetry.lock
cat >pyproject.toml <<'TOML'
[tool.poetry]
name = "proj"
version = "1.0"
description = ""
authors = []
readme = "README.md"
packages = [{ include = "proj", from = "src" }]
include = ["extra/*.json", "notes^1.txt"]
[tool.poetry.dependencies]
python = "^3.8"
six = "*"
[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
TOML
mkdir -p src/proj/build src/proj/__pycache__ extra/deeper .git build dist .venv tests docs
for f in README.md LICENSE src/proj/__init__.py src/proj/build/__init__.py src/proj/__pycache__/x.pyc \
    extra/a.json extra/b.txt extra/deeper/c.json .git/HEAD build/x dist/y .venv/z tests/t.py \
    docs/d.md notes^1.txt; do
    echo "$f" >"$f"
done
ln -s /nonexistent result
"$cli" poetry.lock --offline --quiet --python 3.11 -o python-env.nix
out=$(nix-instantiate --read-write-mode --eval --strict -I "stub=$here" -E "
  (import $work/p/python-env.nix { pkgs = import <stub/stub-nixpkgs.nix> { }; projectDir = $work/p; }).app.src" 2>&1)
out=${out//\"/}
check "the source is a store path ($out)" test -d "$out"
copied=$(cd "$out" 2>/dev/null && find . -type f -o -type l | sort | tr '\n' ' ')
for f in ./pyproject.toml ./README.md ./LICENSE ./src/proj/__init__.py ./src/proj/build/__init__.py \
    ./extra/a.json './notes^1.txt'; do
    check "copied: $f" sh -c "echo ' $copied' | grep -qF ' $f '"
done
for f in ./src/proj/__pycache__/x.pyc ./extra/b.txt ./extra/deeper/c.json ./.git/HEAD ./build/x \
    ./dist/y ./.venv/z ./tests/t.py ./docs/d.md ./result; do
    check "left out: $f" sh -c "! echo ' $copied' | grep -qF ' $f '"
done
finish
