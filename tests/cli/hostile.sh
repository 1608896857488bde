#!/usr/bin/env bash
# Hostile cases on the real binary: a long dependency chain in bounded memory, credentials that
# never reach the output or stderr, honest messages for huge or odd inputs, stale temporaries of
# killed runs removed, absolute file paths kept absolute, override keys quoted.
# Usage: hostile.sh CLI [--no-memory-limit] (sanitizer builds cannot run under an address-space
# limit).
set -u
cli=$1
memory_limit=yes
[ "${2:-}" = "--no-memory-limit" ] && memory_limit=no
benchmarks=$(cd "$(dirname "$0")/../../benchmarks" && pwd)
. "$(dirname "$0")/../lib.sh"
cd "$work"

# --- a 4,000-package chain (lock 1.1) in bounded memory ----------------------------------------
# A copy of its whole path from the root per package is quadratic: 1.4 GB for `plan`.
python3 - <<'PY'
n = 4000
with open("chain.lock", "w") as f:
    for i in range(n):
        f.write(f'[[package]]\nname = "p{i}"\nversion = "1.0"\ndescription = ""\ncategory = "main"\n'
                f'optional = false\npython-versions = "*"\n\n')
        if i + 1 < n:
            f.write(f'[package.dependencies]\np{i + 1} = "*"\n\n')
    f.write('[metadata]\nlock-version = "1.1"\npython-versions = "^3.8"\ncontent-hash = "0"\n\n'
            '[metadata.files]\n')
    for i in range(n):
        f.write(f'p{i} = [{{file = "p{i}-1.0-py3-none-any.whl", hash = "sha256:{i:064x}"}}]\n')
with open("pyproject.toml", "w") as f:
    f.write('[tool.poetry]\nname = "chain"\nversion = "0"\ndescription = ""\nauthors = []\n'
            '[tool.poetry.dependencies]\npython = "^3.8"\np0 = "*"\n')
PY
if [ "$memory_limit" = yes ]; then
    check "plan of a 4,000-package chain runs in 600 MB" \
        prlimit --as=$((600 << 20)) "$cli" plan chain.lock --python 3.11 --json
    check "explain prints the whole path of the chain's last package" \
        sh -c "prlimit --as=$((600 << 20)) '$cli' explain p3999 chain.lock --python 3.11 | grep -q 'p3998 -> p3999'"
    check "translating the chain runs in 600 MB, every package in the output" \
        sh -c "prlimit --as=$((600 << 20)) '$cli' chain.lock --python 3.11 --offline --quiet -o chain.nix &&
            [ \$(grep -o 'p[0-9]*-1.0-py3-none-any.whl' chain.nix | sort -u | wc -l) -eq 4000 ]"
else
    echo "SKIPPED the 4,000-package chain under 600 MB: --no-memory-limit (a sanitizer build reserves more address space)"
fi
check "plan --json keeps the nearest 32 hops of a long path" \
    sh -c "'$cli' plan chain.lock --python 3.11 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = d[\"targets\"][0] if \"targets\" in d else d
p = [x for x in t[\"packages\"] if x[\"name\"] == \"p3999\"][0]
assert len(p[\"path\"]) == 32 and p[\"path_truncated\"] is True, p'"
rm -f chain.lock chain.nix pyproject.toml

# --- one name locked 4,000 times in a lock 1.1, [metadata.files] listing all its files ----------
# A copy of the name's whole list per entry costs 3.4 GB and 32 s for `inspect`.
python3 - <<'PY'
n = 4000
for shape in ("matching", "unmatched"):
    with open(f"dups-{shape}.lock", "w") as f:
        for i in range(n):
            version = f"{i}.0" if shape == "matching" else f"{i}.0.post1"
            f.write(f'[[package]]\nname = "dup"\nversion = "{version}"\ndescription = ""\n'
                    f'category = "main"\noptional = false\npython-versions = "*"\n\n')
        f.write('[metadata]\nlock-version = "1.1"\npython-versions = "^3.8"\ncontent-hash = "0"\n\n'
                '[metadata.files]\ndup = [\n')
        for i in range(n):
            f.write(f'  {{file = "dup-{i}.0-py3-none-any.whl", hash = "sha256:{i:064x}"}},\n')
        f.write(']\n')
PY
limit=()
[ "$memory_limit" = yes ] && limit=(prlimit --as=$((300 << 20)))
"${limit[@]}" "$cli" inspect dups-matching.lock >out 2>err
rc=$?
check "a name locked 4,000 times with 4,000 files: inspect runs in 300 MB (exit $rc)" [ "$rc" -eq 0 ]
check "each entry has the one file of its version" \
    sh -c "[ \$(grep -c '^  dup [0-9]*\.0 (1 files)\$' out) -eq 4000 ]"
"${limit[@]}" "$cli" inspect dups-unmatched.lock >out 2>err
rc=$?
check "the same when no file carries an entry's version: inspect runs in 300 MB (exit $rc)" [ "$rc" -eq 0 ]
check "and no entry takes files of other versions" \
    sh -c "[ \$(grep -c '^  dup [0-9]*\.0\.post1 (0 files)\$' out) -eq 4000 ]"
rm -f dups-*.lock out err

# --- credentials in source URLs reach neither the output nor stderr -----------------------------
cat >pyproject.toml <<'TOML'
[tool.poetry]
name = "creds"
version = "0"
description = ""
authors = []
[tool.poetry.dependencies]
python = "^3.8"
private = { version = "1.0", source = "corp" }
[[tool.poetry.source]]
name = "corp"
url = "https://alice:s3cret@127.0.0.1:1/simple"
TOML
one_package_lock private 1.0 private-1.0-py3-none-any.whl \
    sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \
    "$(package_source legacy https://alice:s3cret@127.0.0.1:1/simple corp)" '^3.8' >poetry.lock
"$cli" poetry.lock --offline --index-url "http://bob:hunter2@127.0.0.1:1/" >out.nix 2>err.txt
rc=$?
check "translation with credentials in URLs succeeds offline (exit $rc)" [ "$rc" -eq 0 ]
check "the emitted URL has no credentials" grep -q '"https://127.0.0.1:1/simple/private-1.0-py3-none-any.whl"' out.nix
check "no password in the output, the regenerate header or stderr" \
    sh -c '! grep -q -e s3cret -e hunter2 -e alice -e bob out.nix err.txt'
check "the regenerate header keeps the index URL, without its user" \
    grep -q -- "--index-url http://127.0.0.1:1/" out.nix
cat >poetry.lock <<'TOML'
[[package]]
name = "gitdep"
version = "1.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = []

[package.source]
type = "git"
url = "https://carol:t0ken@127.0.0.1:1/repo.git"
reference = "main"
resolved_reference = "0123456789abcdef0123456789abcdef01234567"

[metadata]
lock-version = "2.1"
python-versions = "^3.8"
content-hash = "0"
TOML
sed -i 's/^private = .*/gitdep = { git = "https:\/\/carol:t0ken@127.0.0.1:1\/repo.git" }/' pyproject.toml
GIT_TERMINAL_PROMPT=0 "$cli" poetry.lock >out.nix 2>err.txt
rc=$?
check "an unreachable git dependency is an error (exit $rc)" [ "$rc" -eq 2 ]
check "git URL credentials are not in the message" sh -c '! grep -q -e t0ken -e carol err.txt'
check "the message names the repository" grep -q "127.0.0.1:1/repo.git" err.txt
rm -f poetry.lock pyproject.toml out.nix err.txt

# --- huge, odd and hostile inputs ----------------------------------------------------------------
head -c $((300 << 20)) /dev/zero | tr '\0' ' ' >spaces.lock
limit=()
[ "$memory_limit" = yes ] && limit=(prlimit --as=$((200 << 20)))
"${limit[@]}" "$cli" inspect spaces.lock >out 2>err
rc=$?
check "a 300 MB file of spaces: exit 2, nothing on stdout (exit $rc)" sh -c "[ $rc -eq 2 ] && [ ! -s out ]"
check "a 300 MB file of spaces: said to be too large, not empty" \
    sh -c "grep -q 'too large: 314572800 bytes' err && ! grep -q 'empty' err"
rm -f spaces.lock
printf '   \n\t\n' >blank.lock
"$cli" inspect blank.lock >out 2>err
check "a file of whitespace says so" grep -q "only whitespace" err

printf '[[package]]\nname = "a\\u0000b"\nversion = "1.0"\n[metadata]\nlock-version = "2.1"\ncontent-hash = "0"\n' >nul.lock
"$cli" inspect nul.lock >out 2>err
rc=$?
check "a NUL in a name: exit 2 (exit $rc)" [ "$rc" -eq 2 ]
check "a NUL in a name: the error has a position" grep -q '^nul.lock:2:8: error: a NUL byte' err

one_package_lock demo 1.0 'demo-1.0.tar.gz\n\u001b[31mFAKE: error' md5:0 >nl.lock
"$cli" nl.lock --offline >out 2>err
check "a file name with a newline and an escape is printed escaped" \
    sh -c "! grep -q '^.\\[31mFAKE' err && ! grep -q \$'\\x1b' err"

# A file source with an absolute path stays absolute.
mkdir -p proj && cd proj
printf '[tool.poetry]\nname = "abs"\nversion = "0"\ndescription = ""\nauthors = []\n[tool.poetry.dependencies]\npython = "^3.8"\nlocalpkg = { path = "/opt/wheels/localpkg-1.0-py3-none-any.whl" }\n' >pyproject.toml
one_package_lock localpkg 1.0 localpkg-1.0-py3-none-any.whl \
    sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb \
    "$(package_source file /opt/wheels/localpkg-1.0-py3-none-any.whl)" '^3.8' >poetry.lock
"$cli" poetry.lock --offline -o out.nix 2>err
rc=$?
check "an absolute file source outside the project is refused by default (exit $rc)" \
    sh -c "[ $rc -eq 2 ] && [ ! -e out.nix ]"
check "at the package's source in the lock, naming what Nix would copy" \
    grep -q '^poetry.lock:[0-9]*:[0-9]*: error: the path dependency `localpkg` (/opt/wheels/localpkg-1.0-py3-none-any.whl) is outside the project' err
check "and the way to let it through" grep -q 'hint: .*--allow-outside-project' err
"$cli" poetry.lock --offline --allow-outside-project >out.nix 2>err
check "an absolute file source is translated when allowed" [ -s out.nix ]
check "an absolute file source stays absolute" grep -q '(/. + "/opt/wheels/localpkg-1.0-py3-none-any.whl")' out.nix
check "and never becomes projectDir + \"//...\"" sh -c '! grep -q "projectDir + \"//" out.nix'

# `..` out of the project, directly or through a symbolic link, is refused too; a sibling is let
# through by naming the folder that holds both (--project-root).
mkdir -p ../sibling && printf '[tool.poetry]\nname = "sib"\nversion = "1"\n' >../sibling/pyproject.toml
ln -sfn ../sibling inner-link
for path in ../sibling inner-link; do
    one_package_lock sib 1 "" "" "$(package_source directory "$path")" '^3.8' |
        sed 's/^files = .*/files = []/' >paths.lock
    "$cli" paths.lock --offline -o paths.nix 2>err
    rc=$?
    check "a path dependency at $path (outside the project): refused (exit $rc)" \
        sh -c "[ $rc -eq 2 ] && [ ! -e paths.nix ]"
    "$cli" paths.lock --offline --project-root .. -o paths.nix 2>err
    check "a path dependency at $path: allowed inside --project-root .." [ -s paths.nix ]
    rm -f paths.nix
done
rm -f inner-link
# A git dependency's subdirectory stays inside the checkout, whatever the options.
for sub in ../../../etc /etc '../../etc$' "a/../../b'"; do
    printf '%s\n' '[[package]]' 'name = "g"' 'version = "1"' 'description = ""' 'optional = false' \
        'python-versions = "*"' 'groups = ["main"]' 'files = []' '' '[package.source]' 'type = "git"' \
        'url = "https://example.org/g.git"' 'reference = "main"' \
        'resolved_reference = "0123456789abcdef0123456789abcdef01234567"' "subdirectory = \"$sub\"" '' >git.lock
    lock_metadata >>git.lock
    "$cli" git.lock --offline --allow-outside-project -o git.nix 2>err
    rc=$?
    check "a git subdirectory $sub: refused even when outside paths are allowed (exit $rc)" \
        sh -c "[ $rc -eq 2 ] && grep -q '^git.lock:15:[0-9]*: error: the subdirectory' err"
done

# An override key that looks like Nix code is a quoted attribute.
cat >evil.toml <<'TOML'
[[localpkg]]
why = "test"
env = { "inherit (builtins) abort" = "x" }
TOML
"$cli" poetry.lock --offline --allow-outside-project --overrides evil.toml >out.nix 2>err
check "an override env key that looks like Nix is emitted quoted" \
    grep -q '"inherit (builtins) abort" = "x";' out.nix
check "and never as an inherit" sh -c '! grep -q "^ *inherit (builtins) abort" out.nix'
nix-instantiate --parse out.nix >/dev/null 2>err
check "the file with that key still parses" [ $? -eq 0 ]

# Temporaries of a killed -o are removed by the next run; fresh ones (another run's) are not.
printf 'old' >.out.nix.AbC123
touch -d '2 hours ago' .out.nix.AbC123
printf 'new' >.out.nix.XyZ789
"$cli" poetry.lock --offline --allow-outside-project -o out.nix 2>err
check "a stale temporary of -o is removed" [ ! -e .out.nix.AbC123 ]
check "a recent temporary (maybe another run's) is left alone" [ -e .out.nix.XyZ789 ]
check "-o wrote the output" [ -s out.nix ]
cd ..

# --- names and attribute paths that would become code or leave their place ---------------------
mkdir -p names && cd names
one_package_lock six 1.16.0 six-1.16.0-py2.py3-none-any.whl \
    sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa >poetry.lock
printf '[tool.poetry]\nname = "p"\nversion = "1"\ndescription = ""\nauthors = []\n[tool.poetry.dependencies]\npython = "^3.8"\nsix = "*"\n' >base.toml
# Override attribute paths that are Nix keywords would be emitted as code that does not parse.
for value in 'build-inputs = ["if"]' 'build-inputs = ["pkgs.rec"]' 'post-install = "@pkgs.a.then@"' \
    'native-build-inputs = ["or"]'; do
    printf '[[six]]\nwhy = "test"\n%s\n' "$value" >kw.toml
    cp base.toml pyproject.toml
    "$cli" poetry.lock --offline --quiet --overrides kw.toml -o out.nix 2>err
    rc=$?
    check "override $value: refused (exit $rc)" sh -c "[ $rc -eq 2 ] && [ ! -e out.nix ]"
    check "override $value: at its position in the overrides file" grep -q '^kw.toml:3:[0-9]*: error: .*attribute path' err
done
# -o over an overrides file given on the same command line.
printf '[[six]]\nwhy = "test"\nbuild-inputs = ["zlib"]\n' >ov.toml
cp ov.toml ov.saved
"$cli" poetry.lock --offline --quiet --overrides ov.toml -o ov.toml 2>err
rc=$?
check "-o over an --overrides file: refused (exit $rc)" [ "$rc" -eq 2 ]
check "-o over an --overrides file: the file is untouched" cmp -s ov.toml ov.saved
check "-o over an --overrides file: said" grep -q 'would overwrite the input ov.toml' err
# A script name is a file name in bin/.
for name in '../../../../tmp/evil' 'a/b' '..'; do
    { cat base.toml; printf '[tool.poetry.scripts]\n"%s" = "p:main"\n' "$name"; } >pyproject.toml
    "$cli" poetry.lock --offline --quiet -o out.nix 2>err
    rc=$?
    check "script name $name: refused (exit $rc)" sh -c "[ $rc -eq 2 ] && [ ! -e out.nix ]"
    check "script name $name: at its position" grep -q '^pyproject.toml:10:[0-9]*: error: the script name' err
done
cp base.toml pyproject.toml
# md5 and sha1 digests are used, with a warning naming the package.
one_package_lock six 1.16.0 six-1.16.0-py2.py3-none-any.whl md5:0123456789abcdef0123456789abcdef >poetry.lock
"$cli" poetry.lock --offline --quiet -o out.nix 2>err
check "an md5-pinned file translates" grep -q 'hash = "md5-' out.nix
check "with a warning naming the package and the digest" \
    grep -q '^warning: `six` 1.16.0: six-1.16.0-py2.py3-none-any.whl is pinned by md5 only' err
# The same name and version locked three times (three sources): each keeps its own attribute, in
# the plan and in the file alike.
{
    for src in a b c; do
        lock_package six 1.16.0 six-1.16.0-py2.py3-none-any.whl \
            sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \
            "$(package_source legacy "https://$src.example/simple" "$src")"
    done
    lock_metadata
} >poetry.lock
"$cli" plan poetry.lock --offline --json --system x86_64-linux --python 3.11 >plan.json 2>err
"$cli" poetry.lock --offline --quiet --system x86_64-linux --python 3.11 -o out.nix 2>err
check "three entries of one version: three attributes in the plan" \
    python3 -c "import json; d = json.load(open('plan.json')); keys = sorted(p['attribute'] for p in d['packages']); assert keys == ['six', 'six@1.16.0', 'six@1.16.0#2'], keys"
check "three entries of one version: the same three in the file" \
    sh -c 'for k in "six = " "\"six@1.16.0\" = " "\"six@1.16.0#2\" = "; do grep -q "^ *$k" out.nix || exit 1; done'
cd ..

# --- limits on the shapes whose cost grows faster than the lock (docs/limits.md) ----------------
mkdir -p limits && cd limits
# The shapes of benchmarks/shapes.py, one past each limit, and one at it.
python3 - "$benchmarks" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1])
import shapes
for name, make, n in (("groups", shapes.groups, 1001), ("extras", shapes.root_extras, 1001),
                      ("cycle", shapes.cycle, 1001), ("groups-ok", shapes.groups, 998)):
    os.makedirs(name, exist_ok=True)
    lock, pp = make(n)
    open(f"{name}/poetry.lock", "w").write(lock)
    open(f"{name}/pyproject.toml", "w").write(pp)
PY
for shape in groups extras cycle; do
    "$cli" "$shape/poetry.lock" --offline --quiet --system x86_64-linux --python 3.11 -o "$shape/out.nix" 2>err
    rc=$?
    check "limits: 1,001 $shape is refused (exit $rc), nothing written" sh -c "[ $rc -eq 2 ] && [ ! -e $shape/out.nix ]"
done
"$cli" groups/poetry.lock --offline --quiet --system x86_64-linux --python 3.11 -o groups/out.nix 2>err
check "limits: the groups refusal names the count, the limit and its place" \
    grep -q '^groups/pyproject.toml:[0-9]*:[0-9]*: error: this project has 1003 dependency groups, more than lock2nix.s limit of 1000' err
"$cli" extras/poetry.lock --offline --quiet --system x86_64-linux --python 3.11 -o extras/out.nix 2>err
check "limits: the extras refusal names the count and the limit" grep -q 'this project has 1001 extras, more than lock2nix.s limit of 1000' err
"$cli" cycle/poetry.lock --offline --quiet --system x86_64-linux --python 3.11 -o cycle/out.nix 2>err
check "limits: the cycle refusal names the largest cycle, at its place in the lock" \
    grep -q '^cycle/poetry.lock:[0-9]*:[0-9]*: error: the dependency cycles of this lock (the largest has 1001 members' err
"$cli" groups-ok/poetry.lock --offline --quiet --system x86_64-linux --python 3.11 -o groups-ok/out.nix 2>err
check "limits: a project at the limit (main, dev and 998 groups) translates" [ -s groups-ok/out.nix ]
cd ..

finish
