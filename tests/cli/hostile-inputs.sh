#!/usr/bin/env bash
# Hostile inputs: symlink loops, unreadable files, directories, huge and odd files, hostile file
# names and URLs in the lock, and long input quoted in messages. Each case must end in a clear error
# naming the file (with a line and column where there is one) and a hint, exit 2, nothing on stdout,
# no output file and nothing overwritten; or, for inputs that are merely unusual (a BOM, CRLF line
# ends, 100k packages), in the same answer as the plain input.
# Usage: hostile-inputs.sh CLI
set -u
cli=$1
here=$(cd "$(dirname "$0")" && pwd)
demo=$(cd "$here/../../examples/demo" && pwd)
. "$here/../lib.sh"
cd "$work"

# refused NAME PATTERN -- COMMAND...: exit 2, nothing on stdout, stderr matches PATTERN (grep -E)
# and has a hint, and no output file `out.nix` appeared.
refused() {
    local what=$1 pattern=$2
    shift 3
    rm -f out.nix
    "$@" >stdout 2>stderr
    local rc=$?
    if [ "$rc" -eq 2 ] && [ ! -s stdout ] && grep -Eq -- "$pattern" stderr &&
        grep -q '^  hint: ' stderr && ! grep -q 'internal error' stderr && [ ! -e out.nix ] &&
        [ -z "$(find . -maxdepth 2 -name '.out.nix.*')" ]; then
        pass=$((pass + 1))
    else
        echo "FAIL $what: exit $rc, expected 2, /$pattern/, a hint and no output"
        head -c 600 stderr
        echo
        fail=$((fail + 1))
    fi
}
# The lock and pyproject of the demo, and a reference translation of them.
mkdir demo
cp "$demo/poetry.lock" "$demo/pyproject.toml" demo/
"$cli" --offline demo/poetry.lock >reference.nix 2>/dev/null
check "the demo translates offline" [ -s reference.nix ]
body() { grep -v -e '^#' -e 'projectDir ?' "$1"; } # without the header and projectDir

# --- symbolic link loops ------------------------------------------------------------------------
# std::filesystem::exists throws on a loop: the lock or pyproject ended in "internal error".
ln -s b.lock a.lock
ln -s a.lock b.lock
loop='Too many levels of symbolic links'
refused "a symlink loop as the lock" "^a.lock: error: cannot open the file: $loop" -- \
    "$cli" a.lock --offline -o out.nix
check "the loop's hint says it is a loop" grep -q 'hint: the path is a loop of symbolic links' stderr
refused "a symlink loop as the lock, to stdout" "^a.lock: error: cannot open the file: $loop" -- \
    "$cli" a.lock --offline
refused "a symlink loop as the lock of inspect" "^a.lock: error: cannot open the file: $loop" -- \
    "$cli" inspect a.lock
refused "a symlink loop as the lock of plan" "^a.lock: error: cannot open the file: $loop" -- \
    "$cli" plan a.lock
refused "a symlink loop as the lock of check" "^a.lock: error: cannot open the file: $loop" -- \
    "$cli" check --lock a.lock --pyproject demo/pyproject.toml
mkdir looped
cp demo/poetry.lock looped/
ln -s pyproject.toml looped/pyproject.toml # a link to itself
refused "a symlink loop as the pyproject beside the lock" \
    "^looped/pyproject.toml: error: cannot open the file: $loop" -- \
    "$cli" looped/poetry.lock --offline -o out.nix
refused "a symlink loop as --pyproject" "^a.lock: error: cannot open the file: $loop" -- \
    "$cli" demo/poetry.lock --pyproject a.lock --offline -o out.nix
refused "a symlink loop as the pyproject of plan" \
    "^looped/pyproject.toml: error: cannot open the file: $loop" -- "$cli" plan looped/poetry.lock
refused "a symlink loop as -o" '^a.lock: error: too many levels of symbolic links' -- \
    "$cli" demo/poetry.lock --offline -o a.lock
check "-o into a loop leaves both links as they were" \
    sh -c '[ "$(readlink a.lock)" = b.lock ] && [ "$(readlink b.lock)" = a.lock ]'
check "-o into a loop leaves no temporary" sh -c '[ -z "$(find . -maxdepth 1 -name ".a.lock.*" -o -maxdepth 1 -name ".b.lock.*")" ]'

# --- unreadable files -----------------------------------------------------------------------------
# Root reads everything: the runs drop to `nobody`, in a directory and with a binary that user can
# reach ($work is private).
as_other=()
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null; then
        as_other=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    elif command -v runuser >/dev/null; then
        as_other=(runuser -u nobody --)
    fi
fi
if [ "$(id -u)" -eq 0 ] && [ ${#as_other[@]} -eq 0 ]; then
    echo "SKIPPED unreadable files: running as root without setpriv or runuser to drop privileges"
else
    perm=$(mktemp -d /tmp/lock2nix-perm.XXXXXX)
    at_exit+=("chmod -R u+rwx '$perm'; rm -rf '$perm'")
    chmod 1777 "$perm"
    cp "$cli" "$perm/lock2nix"
    chmod 755 "$perm/lock2nix"
    other() { (cd "$perm" && XDG_CACHE_HOME="$perm/cache" HOME="$perm" "${as_other[@]}" "$@"); }
    other_refused() { # like refused, in $perm
        local what=$1 pattern=$2
        shift 3
        other "$@" >stdout 2>stderr
        local rc=$?
        if [ "$rc" -eq 2 ] && [ ! -s stdout ] && grep -Eq -- "$pattern" stderr &&
            grep -q '^  hint: ' stderr && [ ! -e "$perm/out.nix" ]; then
            pass=$((pass + 1))
        else
            echo "FAIL $what: exit $rc, expected 2, /$pattern/, a hint and no output"
            head -c 600 stderr
            echo
            fail=$((fail + 1))
        fi
    }
    mkdir -m 777 "$perm/p"
    cp demo/poetry.lock demo/pyproject.toml "$perm/p/"
    chmod 644 "$perm/p/poetry.lock" "$perm/p/pyproject.toml"
    other ./lock2nix p/poetry.lock --offline -o out.nix 2>stderr
    check "the readable project translates as the other user" [ -s "$perm/out.nix" ]
    rm -f "$perm/out.nix"
    denied='cannot open the file: Permission denied'
    chmod 000 "$perm/p/poetry.lock"
    other_refused "an unreadable lock" "^p/poetry.lock: error: $denied" -- \
        ./lock2nix p/poetry.lock --offline -o out.nix
    check "the hint names the user and permissions" \
        grep -q 'hint: this user (uid [0-9]*) may not read it: check its permissions' stderr
    other_refused "an unreadable lock, inspect" "^p/poetry.lock: error: $denied" -- \
        ./lock2nix inspect p/poetry.lock
    chmod 644 "$perm/p/poetry.lock"
    chmod 000 "$perm/p/pyproject.toml"
    other_refused "an unreadable pyproject beside the lock" "^p/pyproject.toml: error: $denied" -- \
        ./lock2nix p/poetry.lock --offline -o out.nix
    other_refused "an unreadable pyproject, check" "^p/pyproject.toml: error: $denied" -- \
        ./lock2nix check --lock p/poetry.lock
    chmod 644 "$perm/p/pyproject.toml"
    # A directory that may not be entered hides whether the pyproject is there: said, not skipped.
    mkdir -m 777 "$perm/q"
    cp demo/poetry.lock "$perm/q/"
    mkdir -m 777 "$perm/q/sealed"
    cp demo/pyproject.toml "$perm/q/sealed/"
    chmod 000 "$perm/q/sealed"
    other_refused "a pyproject in a directory that may not be entered" \
        "^q/sealed/pyproject.toml: error: $denied" -- \
        ./lock2nix q/poetry.lock --pyproject q/sealed/pyproject.toml --offline -o out.nix
    chmod 755 "$perm/q/sealed"
    # An existing output in a directory the user may not write: kept as it was.
    mkdir "$perm/ro"
    echo old >"$perm/ro/out.nix"
    chmod 755 "$perm/ro"
    chmod 666 "$perm/ro/out.nix"
    other ./lock2nix p/poetry.lock --offline -o ro/out.nix >stdout 2>stderr
    rc=$?
    check "-o in a read-only directory: exit 2 (exit $rc)" [ "$rc" -eq 2 ]
    check "-o in a read-only directory: the error names the output" \
        grep -q '^ro/out.nix: error: cannot create a file next to the output: Permission denied' stderr
    check "-o in a read-only directory: the old output is kept" grep -qx old "$perm/ro/out.nix"
fi

# --- a directory as input ---------------------------------------------------------------------------
mkdir adir
refused "a directory as the lock" '^adir: error: this is a directory, not a file' -- \
    "$cli" adir --offline -o out.nix
refused "a directory as --pyproject" '^adir: error: this is a directory, not a file' -- \
    "$cli" demo/poetry.lock --pyproject adir --offline -o out.nix
refused "a directory as an overrides file" '^adir: error: this is a directory, not a file' -- \
    "$cli" demo/poetry.lock --overrides adir --offline -o out.nix

# --- huge inputs -------------------------------------------------------------------------------------
# A sparse file of 400 MB costs no disk and no time: refused from its size, never read.
truncate -s 400M huge.lock
start=$(date +%s)
refused "a 400 MB lock" '^huge.lock: error: the file is too large: 419430400 bytes' -- \
    "$cli" huge.lock --offline -o out.nix
check "a 400 MB lock is refused at once" [ $(($(date +%s) - start)) -le 5 ]
refused "a 400 MB pyproject" '^huge.lock: error: the file is too large' -- \
    "$cli" demo/poetry.lock --pyproject huge.lock --offline -o out.nix
refused "a 400 MB overrides file" '^huge.lock: error: the file is too large' -- \
    "$cli" demo/poetry.lock --overrides huge.lock --offline -o out.nix
rm -f huge.lock
# Through a pipe the size is not known beforehand: reading stops past the limit.
head -c 400M /dev/zero | "$cli" inspect /dev/stdin >stdout 2>stderr
rc=$?
check "a 400 MB pipe: exit 2 (exit $rc), nothing on stdout" sh -c "[ $rc -eq 2 ] && [ ! -s stdout ]"
check "a 400 MB pipe: too large, counted as read so far" \
    grep -Eq '^/dev/stdin: error: the file is too large: [0-9]+ bytes read so far' stderr
# Just under the limit, and valid: 64 MiB less a little of comment after the demo lock is read.
mkdir big
{
    cat demo/poetry.lock
    head -c $(((64 << 20) - $(stat -c %s demo/poetry.lock) - 1)) /dev/zero | tr '\0' '#'
    echo
} >big/poetry.lock
cp demo/pyproject.toml big/
check "the lock is exactly 64 MiB" [ "$(stat -c %s big/poetry.lock)" -eq $((64 << 20)) ]
"$cli" big/poetry.lock --offline -o big.nix 2>stderr
check "a valid lock of 64 MiB translates" [ -s big.nix ]
check "to the same packages as the plain lock" cmp -s <(body reference.nix) <(body big.nix)
rm -rf big big.nix
# 100,000 packages, one file each (25 MB: benchmarks/gen_lock.py's richer shape passes the 64 MiB
# limit at this size): read whole, translated, nothing lost.
mkdir many
python3 - <<'PY'
n = 100000
with open("many/poetry.lock", "w") as f:
    for i in range(n):
        f.write(f'[[package]]\nname = "p{i}"\nversion = "1.0"\ndescription = ""\noptional = false\n'
                f'python-versions = "*"\ngroups = ["main"]\n'
                f'files = [{{file = "p{i}-1.0-py3-none-any.whl", hash = "sha256:{i:064x}"}}]\n\n')
    f.write('[metadata]\nlock-version = "2.1"\npython-versions = "^3.8"\ncontent-hash = "0"\n')
with open("many/pyproject.toml", "w") as f:
    f.write('[tool.poetry]\nname = "many"\nversion = "0"\ndescription = ""\nauthors = []\n'
            '[tool.poetry.dependencies]\npython = "^3.8"\n')
    f.writelines(f'p{i} = "*"\n' for i in range(n))
PY
"$cli" inspect many/poetry.lock >stdout 2>stderr
check "100,000 packages: inspect lists them all" [ "$(grep -c '^  ' stdout)" -eq 100000 ]
"$cli" many/poetry.lock --offline --python 3.11 -o many.nix 2>stderr
rc=$?
check "100,000 packages: translated (exit $rc)" [ "$rc" -eq 0 ]
check "100,000 packages: every one fetched" [ "$(grep -c 'fetchurl {' many.nix)" -eq 100000 ]
check "100,000 packages: the output parses" nix-instantiate --parse many.nix
rm -rf many many.nix
# Deep nesting through the CLI (the limits themselves are unit-tested in test_hostile.cpp).
{
    printf '[metadata]\nlock-version = "2.1"\ncontent-hash = "0"\nx = '
    head -c 100000 /dev/zero | tr '\0' '['
    head -c 100000 /dev/zero | tr '\0' ']'
    echo
} >deep.lock
refused "100,000 nested arrays" '^deep.lock:4:133: error: an array or table nests deeper than 128' -- \
    "$cli" deep.lock --offline -o out.nix
{
    printf '[metadata]\nlock-version = "2.1"\ncontent-hash = "0"\n['
    for _ in $(seq 20000); do printf 'a.'; done
    printf 'a]\n'
} >deep.lock
refused "a 20,000-deep table header" '^deep.lock:4:[0-9]+: error: a dotted key or table header nests deeper than 128' -- \
    "$cli" deep.lock --offline -o out.nix
rm -f deep.lock

# --- bytes that are not text -------------------------------------------------------------------
# A raw NUL byte (not the \u0000 escape), in the lock and in the pyproject.
head -c 200 demo/poetry.lock >nul.lock
printf 'x\0y' >>nul.lock
tail -c +201 demo/poetry.lock >>nul.lock
refused "a raw NUL byte in the lock" '^nul.lock:[0-9]+:[0-9]+: error: ' -- \
    "$cli" nul.lock --offline -o out.nix
mkdir nulproj
cp demo/poetry.lock nulproj/
{ printf '# \0\n'; cat demo/pyproject.toml; } >nulproj/pyproject.toml
refused "a raw NUL byte in the pyproject" '^nulproj/pyproject.toml:1:[0-9]+: error: ' -- \
    "$cli" nulproj/poetry.lock --offline -o out.nix
# Invalid UTF-8 in the pyproject (the lock's case is in tests/bad-input).
mkdir utf
cp demo/poetry.lock utf/
{ cat demo/pyproject.toml; printf 'description = "caf\xe9"\n'; } >utf/pyproject.toml
refused "invalid UTF-8 in the pyproject" '^utf/pyproject.toml:[0-9]+:[0-9]+: error: ' -- \
    "$cli" utf/poetry.lock --offline -o out.nix
# A byte-order mark and CRLF line ends are text editors' habits: read as the plain files.
mkdir bom crlf
{ printf '\xef\xbb\xbf'; cat demo/poetry.lock; } >bom/poetry.lock
{ printf '\xef\xbb\xbf'; cat demo/pyproject.toml; } >bom/pyproject.toml
sed 's/$/\r/' demo/poetry.lock >crlf/poetry.lock
sed 's/$/\r/' demo/pyproject.toml >crlf/pyproject.toml
for dir in bom crlf; do
    "$cli" --offline $dir/poetry.lock >$dir.nix 2>stderr
    check "a $dir lock and pyproject translate (exit $?)" [ -s $dir.nix ]
    check "a $dir lock and pyproject give the plain answer" cmp -s <(body reference.nix) <(body $dir.nix)
    "$cli" check --lock $dir/poetry.lock >stdout 2>stderr
    check "a $dir lock is fresh for its $dir pyproject" [ $? -eq 0 ]
done

# --- hostile file names and URLs in the lock -----------------------------------------------------
lock_with() { # lock_with FILE-NAME [SOURCE-TOML]: one package `demo` 1.0
    one_package_lock demo 1.0 "$1" sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \
        "${2:-}" >hostile.lock
}
# A file name must not go into predicted URLs as it is: …/source/d/demo/../demo-1.0.tar.gz.
for name in '../demo-1.0.tar.gz' 'a/../demo-1.0.tar.gz' '/etc/demo-1.0.tar.gz' \
    'dir\\demo-1.0.tar.gz' '..' 'demo-1.0.tar.gz\n' 'demo\u001b[31m-1.0.tar.gz' ''; do
    lock_with "$name"
    refused "the file name \"$name\"" '^hostile.lock:8:[0-9]+: error: the file name .* is not a plain file name' -- \
        "$cli" hostile.lock --offline -o out.nix
    check "the file name \"$name\" is printed escaped" sh -c "! grep -q \$'\\x1b' stderr"
done
# A list of files in a message is one line: newlines are escaped in messages, so the list's items
# are separated by "; ", never by a newline that would come out as a literal "\n".
cat >hostile.lock <<'EOF'
[[package]]
name = "demo"
version = "1.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = [
    {file = "demo-1.0-cp27-cp27m-win32.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
    {file = "demo-1.0-cp27-cp27m-macosx_10_9_x86_64.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
]

[metadata]
lock-version = "2.1"
python-versions = "*"
content-hash = "0"
EOF
refused "no usable file" 'has no file usable on .*; the lock has: demo-1.0-cp27-cp27m-macosx_10_9_x86_64.whl \(built for .*\); demo-1.0-cp27-cp27m-win32.whl' -- \
    "$cli" hostile.lock --offline --system x86_64-linux --python 3.11 -o out.nix
check "no usable file: the message is one line and a hint" \
    sh -c '[ "$(wc -l <stderr)" -eq 2 ] && ! grep -qF "\\n" stderr'
# [metadata.files] of lock 1.1 too.
cat >hostile.lock <<'EOF'
[[package]]
name = "demo"
version = "1.0"
description = ""
category = "main"
optional = false
python-versions = "*"

[metadata]
lock-version = "1.1"
python-versions = "*"
content-hash = "0"

[metadata.files]
demo = [{file = "../../demo-1.0.tar.gz", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}]
EOF
refused "a file name with .. in [metadata.files]" '^hostile.lock:15:[0-9]+: error: the file name' -- \
    "$cli" hostile.lock --offline -o out.nix
# URLs: only http(s) for archives and indexes; file:// and javascript: went into fetchurl.
for url in 'javascript:alert(1)//demo-1.0-py3-none-any.whl' 'file:///etc/passwd' \
    'FILE:///tmp/demo-1.0-py3-none-any.whl' 'data:text/plain,x' 'http:///demo-1.0-py3-none-any.whl' \
    '/tmp/demo-1.0-py3-none-any.whl' 'ftp://127.0.0.1/demo-1.0-py3-none-any.whl'; do
    for type in url legacy; do
        lock_with demo-1.0-py3-none-any.whl "$(package_source "$type" "$url" corp)"
        refused "a $type source at $url" "^hostile.lock:12:7: error: the $type source URL .* is not an http:// or https:// URL" -- \
            "$cli" hostile.lock --offline -o out.nix
    done
done
lock_with x.whl "$(package_source url file:///x.whl)"
"$cli" hostile.lock --offline >stdout 2>stderr
check "a file:// URL is pointed at file sources" grep -q 'hint: a local archive is a `file` source' stderr
# Credentials in an archive URL reach neither the fetchurl URL nor the comment above it.
lock_with demo-1.0-py3-none-any.whl "$(package_source url https://alice:s3cret@127.0.0.1:1/demo-1.0-py3-none-any.whl)"
"$cli" hostile.lock --offline -o out.nix 2>stderr
check "an archive URL with credentials translates" [ -s out.nix ]
check "the archive URL is emitted without credentials" \
    grep -q '"https://127.0.0.1:1/demo-1.0-py3-none-any.whl"' out.nix
check "no credentials anywhere in the output or stderr" sh -c '! grep -q -e s3cret -e alice out.nix stderr'
"$cli" plan hostile.lock >stdout 2>stderr
check "nor in plan's output" sh -c '! grep -q -e s3cret -e alice stdout stderr'
rm -f out.nix

# --- long input quoted in messages ---------------------------------------------------------------
# A 50,000-deep marker (about 100 KB) must not come back whole in its own message; every message
# that quotes input quotes a short window of it (or, for a whole value, its ends).
python3 - <<'PY'
import os
huge = "9" * 100000
lock = open("demo/poetry.lock").read()
pyproject = open("demo/pyproject.toml").read()
cases = {
    "marker": ('groups = ["main"]', 'groups = ["main"]\nmarkers = "%s"' % ("(" * 50000 + "python_version >= '3'" + ")" * 50000)),
    "hash": ('hash = "sha256:', 'hash = ":' + huge),
    "lockversion": ('lock-version = "2.1"', 'lock-version = "' + huge + '"'),
    "filename": ('{file = "certifi-', '{file = "' + huge + '/certifi-'),
}
for name, (old, new) in cases.items():
    os.makedirs(name, exist_ok=True)
    open(name + "/poetry.lock", "w").write(lock.replace(old, new, 1))
    open(name + "/pyproject.toml", "w").write(pyproject)
os.makedirs("requirement", exist_ok=True)
open("requirement/poetry.lock", "w").write(lock)
open("requirement/pyproject.toml", "w").write(
    pyproject.replace('dependencies = [', 'dependencies = [\n    "zz (>=' + huge + 'x)",', 1))
open("dist.toml", "w").write('[[requests]]\nwhy = "t"\ndist = "' + huge + '"\n')
open("key.toml", "w").write('[["requests' + huge + '"]]\nwhy = "t"\nnope = 1\n')
open("range.toml", "w").write('[[requests]]\nwhy = "t"\nversions = ">=' + huge + 'x"\n')
PY
long_input() { # long_input NAME WHERE -- COMMAND...
    local what=$1 where=$2
    shift 3
    rm -f out.nix
    "$@" >stdout 2>stderr
    local rc=$? size
    size=$(stat -c %s stderr)
    check "a 100 KB $what: exit 2 (exit $rc)" [ "$rc" -eq 2 ]
    check "a 100 KB $what: a message of $size bytes, under 1 KB" [ "$size" -lt 1024 ]
    check "a 100 KB $what: the message has a position" grep -q "^$where:[0-9]*:[0-9]*.*error: " stderr
    check "a 100 KB $what: with an ellipsis where the input was cut" grep -q '…' stderr
    check "a 100 KB $what: no output" [ ! -e out.nix ]
}
for input in marker hash lockversion filename requirement; do
    long_input "$input" "$input/[a-z]*.[a-z]*" -- "$cli" $input/poetry.lock --offline -o out.nix
done
for input in dist key range; do
    long_input "override $input" $input.toml -- \
        "$cli" demo/poetry.lock --overrides $input.toml --offline -o out.nix
done
mkdir sweep
# Every string of the demo's lock and pyproject in turn replaced by 100 KB of trouble (a marker
# nesting too deep, non-ASCII, words): whatever each command says about it stays under 2 KB.
python3 - "$cli" <<'PY' >sweep.out
import re, subprocess, sys
cli = sys.argv[1]
lock = open("demo/poetry.lock").read()
pyproject = open("demo/pyproject.toml").read()
seen, bad = set(), []
for kind, text, name in (("lock", lock, "poetry.lock"), ("pyproject", pyproject, "pyproject.toml")):
    for m in re.finditer(r'(^|[\s{,\[])([A-Za-z0-9_.-]+)\s*=\s*"([^"\n]*)"', text, re.M):
        if (kind, m.group(2)) in seen:
            continue
        seen.add((kind, m.group(2)))
        for garbage in ("(" * 60000 + "x", "é" * 30000 + "!<>", "a b " * 30000):
            open("sweep/poetry.lock", "w").write(lock)
            open("sweep/pyproject.toml", "w").write(pyproject)
            open("sweep/" + name, "w").write(text[:m.start(3)] + garbage + text[m.end(3):])
            for args in (["inspect", "sweep/poetry.lock"], ["sweep/poetry.lock", "--offline"],
                         ["check", "--lock", "sweep/poetry.lock"], ["plan", "sweep/poetry.lock"]):
                r = subprocess.run([cli] + args, capture_output=True)
                if len(r.stderr) > 2048 or b"internal error" in r.stderr:
                    bad.append(f"{kind} {m.group(2)} = {garbage[:3]}…, {args[0]}: "
                               f"{len(r.stderr)} bytes: {r.stderr[:200]!r}")
print(len(seen), "strings")
for line in bad:
    print(line)
PY
check "100 KB in any string of the lock or pyproject: every message under 2 KB ($(head -1 sweep.out))" \
    [ "$(wc -l <sweep.out)" -eq 1 ]
[ "$(wc -l <sweep.out)" -eq 1 ] || head -20 sweep.out

# The same for every kind of value of an overrides file.
python3 - "$cli" <<'PY' >sweep.out
import subprocess, sys
cli = sys.argv[1]
entries = [
    'why = "{g}"', 'build-systems = ["{g}"]', 'versions = "{g}"', 'build-inputs = ["{g}"]',
    'native-build-inputs = ["{g}"]', 'remove-files = ["{g}"]', 'remove-dependencies = ["{g}"]',
    'env = {{ X = "{g}" }}', 'env = {{ "{g}" = "x" }}', 'post-install = "{g}"',
    'post-install = "@{g}"', 'auto-patchelf-search-paths = [{{package = "{g}", subdir = "x"}}]',
    'auto-patchelf-search-paths = [{{package = "x", subdir = "{g}"}}]',
    'auto-patchelf-ignore-missing = ["{g}"]', 'disabled = "{g}"', '"{g}" = 1', 'patches = ["{g}"]',
    'dist = "{g}"',
]
bad = []
for entry in entries:
    for g in ("(" * 60000 + "x", "é" * 30000 + "!<>", "a b " * 30000, "a@b " * 30000):
        text = '[[requests]]\nwhy = "t"\n' + entry.format(g=g) + "\n"
        if entry.startswith("why"):
            text = '[[requests]]\n' + entry.format(g=g) + '\nbuild-systems = ["x"]\n'
        open("sweep.toml", "w").write(text)
        for args in (["demo/poetry.lock", "--offline", "--overrides", "sweep.toml"],
                     ["overrides", "show", "requests", "--overrides", "sweep.toml"]):
            r = subprocess.run([cli] + args, capture_output=True)
            if len(r.stderr) > 2048 or b"internal error" in r.stderr:
                bad.append(f"{entry} with {g[:3]}…, {args[0]}: {len(r.stderr)} bytes: "
                           f"{r.stderr[:200]!r}")
print(len(entries), "kinds of override values")
for line in bad:
    print(line)
PY
check "100 KB in any override value: every message under 2 KB ($(head -1 sweep.out))" \
    [ "$(wc -l <sweep.out)" -eq 1 ]
[ "$(wc -l <sweep.out)" -eq 1 ] || head -20 sweep.out

"$cli" marker/poetry.lock --offline >stdout 2>stderr
check "the marker's message quotes a window around the place" \
    grep -q 'marker parentheses nest deeper than 100 levels at position 101 of "…((((((((((' stderr

finish
