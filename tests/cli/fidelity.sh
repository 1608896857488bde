#!/usr/bin/env bash
# Fidelity to the lock on the real binary: duplicate entries chosen by their python-versions,
# targets the lock excludes refused, --offline never cloning, stray files refused, and each
# command's own usage errors. Every lock here is a minimal one made from a corpus lock
# (tests/data/fidelity).
set -u
cli=$1
data=$(cd "$(dirname "$0")/../data/fidelity" && pwd)
pass=0
fail=0
check() { # check DESCRIPTION CONDITION...
    local what=$1
    shift
    if "$@"; then pass=$((pass + 1)); else echo "FAIL $what"; fail=$((fail + 1)); fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/out
err=$work/err
version_of() { # version_of NAME (from $out, a plan --json)
    python3 -c "import json,sys; d=json.load(open('$out')); print(' '.join(p['version'] for p in d['packages'] if p['name']=='$1' and p['default']))"
}

# 1. Duplicates in a pre-2.1 lock (manim): 3.9 takes numpy 2.0.2, 2.2.2 wants >=3.10.
"$cli" plan "$data/manim-numpy/poetry.lock" --system x86_64-linux --python 3.9 --json >"$out" 2>"$err"
check "manim 3.9 plans" [ $? -eq 0 ]
check "manim 3.9 installs numpy 2.0.2 ($(version_of numpy))" [ "$(version_of numpy)" = "2.0.2" ]
"$cli" plan "$data/manim-numpy/poetry.lock" --system x86_64-linux --python 3.10 --json >"$out" 2>"$err"
check "manim 3.10 installs numpy 2.2.2 ($(version_of numpy))" [ "$(version_of numpy)" = "2.2.2" ]
"$cli" explain numpy "$data/manim-numpy/poetry.lock" --system x86_64-linux --python 3.9 >"$out" 2>"$err"
check "explain: 2.0.2 is in, required by the project" grep -q '^numpy 2.0.2 is IN .*required by the project' "$out"
check "explain: 2.2.2 is out for its python-versions" \
    grep -q '^numpy 2.2.2 is OUT .*python-versions `>=3.10` excludes Python 3.9.*numpy 2.0.2, is the one' "$out"

# 2. Targets the lock excludes.
"$cli" plan "$data/python-313-only/poetry.lock" --system x86_64-linux --python 3.11 >"$out" 2>"$err"
check "a 3.13-only lock refuses 3.11 (exit 2)" [ $? -eq 2 ]
check "the refusal names the range, the target and a hint" \
    grep -q 'poetry.lock:[0-9]*:[0-9]*: error: .*python-versions is `>=3.13,<3.14`, which excludes Python 3.11' "$err"
check "the hint names the allowed interpreters" grep -q 'hint: choose a target Python (--python) the lock allows .*3.13' "$err"
check "nothing on stdout after the refusal" [ ! -s "$out" ]
"$cli" --offline "$data/python-313-only/poetry.lock" --system x86_64-linux --python 3.12 >"$out" 2>"$err"
check "translation refuses too" [ $? -eq 2 ]
"$cli" plan "$data/python-313-only/poetry.lock" --system x86_64-linux --json >"$out" 2>"$err"
check "without --python a 3.13-only lock gets 3.13" grep -q '"python": "3.13' "$out"
"$cli" plan "$data/python-below-312/poetry.lock" --system x86_64-linux --json >"$out" 2>"$err"
check "without --python a lock stopping at 3.11 gets 3.11" grep -q '"python": "3.11' "$out"
"$cli" plan "$data/manim-numpy/poetry.lock" --system x86_64-linux --json >"$out" 2>"$err"
check "without --python an open range gets the newest nixpkgs offers (3.13)" grep -q '"python": "3.13' "$out"
# The project's own range counts as the lock's does (a pyproject narrower than its lock).
mkdir -p "$work/narrow"
cp "$data/python-313-only/poetry.lock" "$work/narrow/"
sed -e 's/requires-python = .*/requires-python = ">=3.13,<3.13.1"/' "$data/python-313-only/pyproject.toml" >"$work/narrow/pyproject.toml"
"$cli" plan "$work/narrow/poetry.lock" --system x86_64-linux --python 3.13 >"$out" 2>"$err"
check "the project's requires-python is checked at its position" \
    grep -q 'pyproject.toml:4:[0-9]*: error: the project.s requires-python .*excludes Python 3.13' "$err"

# 3. --offline never reaches the network: a git that records being run.
mkdir -p "$work/bin" "$work/cache"
printf '#!/bin/sh\necho "$@" >>"%s/git-ran"\nexit 1\n' "$work" >"$work/bin/git"
chmod +x "$work/bin/git"
gitlock=$(cd "$data/.." && pwd)/git-source.lock
PATH="$work/bin:$PATH" XDG_CACHE_HOME="$work/cache" "$cli" --offline "$gitlock" --system x86_64-linux --python 3.12 >"$out" 2>"$err"
check "offline git source not cached: exit 2" [ $? -eq 2 ]
check "offline: git was never run" [ ! -e "$work/git-ran" ]
check "offline: names the package, the position and the cache" \
    grep -q 'git-source.lock:[0-9]*:[0-9]*: error: package `demo` 0.1.2: --offline: the git source https://git.invalid/demo/demo.git at 0123456789abcdef0123456789abcdef01234567 is not in lock2nix.s cache' "$err"
check "offline: says how to get it" grep -q 'hint: run lock2nix once online.*(--impure-git' "$err"
# Once cached (as an online run leaves it), --offline uses it.
key=$(printf '%s\n%s' https://git.invalid/demo/demo.git 0123456789abcdef0123456789abcdef01234567 | sha256sum | cut -d' ' -f1)
mkdir -p "$work/cache/lock2nix/git"
printf '{"url":"https://git.invalid/demo/demo.git","rev":"0123456789abcdef0123456789abcdef01234567","hash":"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","submodules":false,"build_requires":["setuptools"]}' \
    >"$work/cache/lock2nix/git/$key.json"
PATH="$work/bin:$PATH" XDG_CACHE_HOME="$work/cache" "$cli" --offline "$gitlock" --system x86_64-linux --python 3.12 >"$out" 2>"$err"
check "offline with the commit cached: exit 0" [ $? -eq 0 ]
check "offline with the commit cached: fetchgit with the cached hash" grep -q 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' "$out"
check "offline with the commit cached: git never ran" [ ! -e "$work/git-ran" ]

# 5. Files of another version.
"$cli" plan "$data/stray-files/poetry.lock" --system x86_64-linux --python 3.11 >"$out" 2>"$err"
check "an entry with only another version's files is refused (exit 2)" [ $? -eq 2 ]
check "the refusal is at the file's position and names both versions" \
    grep -q 'poetry.lock:12:[0-9]*: error: package `opentelemetry-instrumentation` 0.46b0 lists opentelemetry_instrumentation-0.48b0-py3-none-any.whl, a file of version 0.48b0' "$err"
# The same lock without that entry: six lists a 1.16.0 wheel beside its own files.
python3 -c "
import re, sys
text = open(sys.argv[1]).read()
print(re.sub(r'\[\[package\]\]\nname = \"opentelemetry-instrumentation\".*?\n]\n\n', '', text, flags=re.S), end='')
" "$data/stray-files/poetry.lock" >"$work/six.lock"
"$cli" plan "$work/six.lock" --system x86_64-linux --python 3.11 --json >"$out" 2>"$err"
check "a stray file among the entry's own is never installed" \
    python3 -c "import json; d=json.load(open('$out')); assert [p['artifact']['file'] for p in d['packages']]==['six-1.17.0-py2.py3-none-any.whl'], d['packages']"

# 6. Each command takes its own options and says so about others.
"$cli" plan "$data/python-below-312/poetry.lock" --offline --system x86_64-linux >"$out" 2>"$err"
check "plan --offline is accepted" [ $? -eq 0 ]
"$cli" check --python 3.11 --lock "$data/python-below-312/poetry.lock" >"$out" 2>"$err"
check "check --python: exit 2" [ $? -eq 2 ]
check "check --python names the option and the command" grep -q '^lock2nix check: unknown option --python' "$err"
check "check --python shows check's own help, not the whole usage" \
    sh -c "grep -q 'usage: lock2nix check' '$err' && ! grep -q 'commands:' '$err'"
"$cli" explain six "$data/python-below-312/poetry.lock" --json >"$out" 2>"$err"
check "explain --json is refused with explain's help" grep -q 'usage: lock2nix explain' "$err"
"$cli" verify "$data/python-below-312/poetry.lock" -o x.nix >"$out" 2>"$err"
check "verify -o is refused with verify's help" grep -q 'usage: lock2nix verify' "$err"
"$cli" check --help >"$out" 2>"$err"
check "check --help prints check's help and exits 0" sh -c "[ $? -eq 0 ] && grep -q 'usage: lock2nix check' '$out'"
"$cli" check "$data/python-below-312/poetry.lock" >"$out" 2>"$err"
check "check takes the lock as a positional (exit 1: stale, not a usage error)" [ $? -eq 1 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
