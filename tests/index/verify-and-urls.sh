#!/usr/bin/env bash
# Against a loopback index: translation takes the exact URLs the index gives (not predicted ones),
# and `lock2nix verify` downloads each selected file, reports every digest mismatch, exits 1.
set -u
cli=$1
shared=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
mkdir -p "$work/files" "$work/project"
printf 'good wheel bytes' >"$work/files/good_pkg-1.0-py3-none-any.whl"
printf 'tampered sdist bytes' >"$work/files/bad_pkg-2.0.tar.gz"
start_server() { # start_server [--no-file-hashes]
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    rm -f "$work/port"
    python3 "$here/server.py" --fixtures "$shared/fixtures/pypi/python-poetry+poetry/tests/repositories/fixtures" \
        --files "$work/files" "$@" >"$work/port" &
    server_pid=$!
    for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
    port=$(awk '{print $2}' "$work/port")
}
# An index that publishes no digests: translation cannot tell, `verify` must.
start_server --no-file-hashes
good=$(sha256sum "$work/files/good_pkg-1.0-py3-none-any.whl" | cut -d' ' -f1)
wrong=$(printf 'the original sdist' | sha256sum | cut -d' ' -f1)
{
    lock_package good-pkg 1.0 good_pkg-1.0-py3-none-any.whl "sha256:$good" \
        "$(package_source legacy "http://127.0.0.1:$port/simple" local)"
    lock_package bad-pkg 2.0 bad_pkg-2.0.tar.gz "sha256:$wrong" \
        "$(package_source legacy "http://127.0.0.1:$port/simple" local)"
    lock_metadata
} >"$work/project/poetry.lock"

# The index cannot tell, but the translation reads the sdist it builds from source (for its
# [build-system]) and checks the bytes against the lock before opening them.
"$cli" "$work/project/poetry.lock" --system x86_64-linux --python 3.11 --quiet -o "$work/project/env.nix" 2>"$work/err"
check "reading an sdist the lock does not pin stops the translation" [ $? -eq 2 ]
check "the error names the file and both digests" \
    grep -q "sdist \`bad_pkg-2.0.tar.gz\` downloaded from http://127.0.0.1:$port/files/bad_pkg-2.0.tar.gz has sha256:.*, but the lock pins sha256:$wrong" "$work/err"
check "and says to lock again with Poetry" \
    grep -qF 'hint: the index serves another file than the one locked: check the index, then run `poetry lock` again' "$work/err"
check "and leaves no file" [ ! -e "$work/project/env.nix" ]
# With its backend given, nothing needs reading: the translation succeeds, `verify` must tell.
printf '[[bad-pkg]]\nbuild-systems = ["setuptools"]\n' >"$work/bad-pkg.toml"
"$cli" "$work/project/poetry.lock" --system x86_64-linux --python 3.11 --quiet --overrides "$work/bad-pkg.toml" -o "$work/project/env.nix"
check "online translation succeeds" [ $? -eq 0 ]
check "the exact URL from the index is used" grep -q "\"http://127.0.0.1:$port/files/good_pkg-1.0-py3-none-any.whl\"" "$work/project/env.nix"

# On a terminal a progress line counts the index requests; without one, nothing is printed.
if command -v script >/dev/null; then
    script -qec "$cli $work/project/poetry.lock --system x86_64-linux --python 3.11 --refresh --overrides $work/bad-pkg.toml -o $work/project/tty.nix" \
        /dev/null >"$work/tty.out" 2>&1
    check "a terminal gets a progress line" grep -q "index: 2/2" "$work/tty.out"
fi
"$cli" "$work/project/poetry.lock" --system x86_64-linux --python 3.11 --refresh --overrides "$work/bad-pkg.toml" -o "$work/project/notty.nix" 2>"$work/notty.err"
check "no progress line without a terminal" bash -c "! grep -q 'index:' '$work/notty.err'"

"$cli" verify "$work/project/poetry.lock" --system x86_64-linux --python 3.11 --quiet >"$work/verify.out" 2>"$work/verify.err"
check "verify exits 1 on a mismatch" [ $? -eq 1 ]
check "the good file is ok" grep -q "^ok *good_pkg-1.0-py3-none-any.whl" "$work/verify.out"
check "the bad file is reported with both digests" grep -q "^MISMATCH *bad_pkg-2.0.tar.gz.*$wrong.*sha256:" "$work/verify.out"

# An index that publishes digests: the mismatch stops the translation itself.
old_port=$port
start_server
sed -i "s#127.0.0.1:$old_port#127.0.0.1:$port#g" "$work/project/poetry.lock"
"$cli" "$work/project/poetry.lock" --system x86_64-linux --python 3.11 --quiet -o "$work/project/env2.nix" 2>"$work/err"
check "a digest the index contradicts stops the translation" [ $? -eq 2 ]
check "the error names the file, both digests and the index" \
    grep -q "the index's digest of \`bad_pkg-2.0.tar.gz\` does not match the lock: lock has sha256:$wrong, http://127.0.0.1:$port/simple/bad-pkg/ has sha256:" "$work/err"
check "and leaves no file" [ ! -e "$work/project/env2.nix" ]

# With the right digest everything verifies.
right=$(sha256sum "$work/files/bad_pkg-2.0.tar.gz" | cut -d' ' -f1)
sed -i "s/$wrong/$right/" "$work/project/poetry.lock"
"$cli" verify "$work/project/poetry.lock" --system x86_64-linux --python 3.11 --quiet >"$work/verify.out" 2>&1
check "verify exits 0 when every digest matches" [ $? -eq 0 ]

# An unreachable index: retries, then a clear error and no output file.
sed -i "s#http://127.0.0.1:$port/simple#http://127.0.0.1:1/simple#" "$work/project/poetry.lock"
"$cli" "$work/project/poetry.lock" --system x86_64-linux --python 3.11 --quiet -o "$work/project/none.nix" 2>"$work/err"
check "an unreachable index is an error" [ $? -eq 2 ]
check "the error names the package and the failure" grep -q "cannot get the file list of \`.*-pkg\`.*gave up after" "$work/err"
check "no output file is written" [ ! -e "$work/project/none.nix" ]

# --- --concurrency bounds the downloads of `verify`, which overlap -------------------------------
report() { # report NAME: the server's /__NAME as JSON
    python3 -c "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())" \
        "http://127.0.0.1:$port/__$1"
}
legacy_lock() { # legacy_lock SOURCE_URL SOURCE_NAME FILE...: one package per wheel in $work/files
    local url=$1 name=$2
    shift 2
    for f in "$@"; do
        lock_package "${f%%-*}" 1.0 "$f" "sha256:$(sha256sum "$work/files/$f" | cut -d' ' -f1)" \
            "$(package_source legacy "$url" "$name")"
    done
    lock_metadata
}
wheels=()
for i in 1 2 3 4 5 6; do
    printf 'wheel %s' "$i" >"$work/files/many$i-1.0-py3-none-any.whl"
    wheels+=("many$i-1.0-py3-none-any.whl")
done
start_server --latency 0.2
mkdir -p "$work/many"
legacy_lock "http://127.0.0.1:$port/simple" local "${wheels[@]}" >"$work/many/poetry.lock"
"$cli" verify "$work/many/poetry.lock" --system x86_64-linux --python 3.11 --quiet --concurrency 2 >"$work/verify.out" 2>&1
check "verify of six files at --concurrency 2 succeeds" [ $? -eq 0 ]
report inflight >"$work/inflight.json"
check "the server saw downloads overlap, never more than 2 at once" \
    python3 -c "import json, sys; m = json.load(open(sys.argv[1]))['files']; sys.exit(0 if 1 < m <= 2 else f'most downloads at once: {m}')" "$work/inflight.json"
report stats >"$work/stats.json"
check "each page once and each file once" \
    python3 -c "import json, sys; s = json.load(open(sys.argv[1])); bad = {p: n for p, n in s.items() if 'many' in p and n != 1}; sys.exit(f'asked more than once: {bad}' if bad else 0)" "$work/stats.json"

# --- A private index's credentials reach its files, from the cache too, and no other host
start_server
printf 'private wheel' >"$work/files/secret-1.0-py3-none-any.whl"
printf 'public wheel' >"$work/files/open-1.0-py3-none-any.whl"
mkdir -p "$work/private"
{
    legacy_lock "http://127.0.0.1:$port/private/simple" corp secret-1.0-py3-none-any.whl | sed '/^\[metadata\]/,$d'
    # localhost: the same server under another host name, with no credentials configured.
    legacy_lock "http://localhost:$port/simple" public open-1.0-py3-none-any.whl
} >"$work/private/poetry.lock"
export POETRY_HTTP_BASIC_CORP_USERNAME=alice POETRY_HTTP_BASIC_CORP_PASSWORD=s3cret
"$cli" verify "$work/private/poetry.lock" --system x86_64-linux --python 3.11 --quiet >"$work/verify.out" 2>&1
check "verify downloads a private index's file with the source's credentials" [ $? -eq 0 ]
"$cli" verify "$work/private/poetry.lock" --system x86_64-linux --python 3.11 --quiet >"$work/verify.out" 2>&1
check "and again with the page from the cache" [ $? -eq 0 ]
unset POETRY_HTTP_BASIC_CORP_USERNAME POETRY_HTTP_BASIC_CORP_PASSWORD
report auth >"$work/auth.json"
check "the private file was asked for with credentials" \
    python3 -c "import json, sys; a = json.load(open(sys.argv[1])); sys.exit(0 if a.get('/private/files/secret-1.0-py3-none-any.whl', 0) == 2 else a)" "$work/auth.json"
check "the file on another host never was" \
    python3 -c "import json, sys; a = json.load(open(sys.argv[1])); sys.exit('sent to another host' if any('open' in p for p in a) else 0)" "$work/auth.json"
# Credentials in the source URL: the translation reads the page with them and caches it without
# them; the file URLs `verify` then takes from the cache must still get them.
sed -i "s#http://127.0.0.1:$port/private#http://alice:s3cret@127.0.0.1:$port/private#" "$work/private/poetry.lock"
"$cli" "$work/private/poetry.lock" --system x86_64-linux --python 3.11 --quiet -o "$work/private/env.nix" 2>"$work/err"
check "translation with credentials in the source URL" [ $? -eq 0 ]
"$cli" verify "$work/private/poetry.lock" --system x86_64-linux --python 3.11 --quiet >"$work/verify.out" 2>&1
check "verify from the cache sends the URL's credentials with the file" [ $? -eq 0 ]
check "and prints none" sh -c "! grep -q s3cret '$work/verify.out'"
# Two `url` packages whose files share a name, served by two hosts with other bytes: each is
# checked (one check per name let the second pass unseen), and so is the sdist beside a wheel.
mkdir -p "$work/other-files" "$work/same-name"
printf 'first bytes' >"$work/files/shared-1.0-py3-none-any.whl"
printf 'other bytes' >"$work/other-files/shared-1.0-py3-none-any.whl"
python3 "$here/server.py" --fixtures "$shared/fixtures/pypi/python-poetry+poetry/tests/repositories/fixtures" \
    --files "$work/other-files" --no-file-hashes >"$work/port2" &
other_pid=$!
at_exit+=("kill $other_pid 2>/dev/null")
for _ in $(seq 50); do [ -s "$work/port2" ] && break; sleep 0.1; done
port2=$(awk '{print $2}' "$work/port2")
first=$(sha256sum "$work/files/shared-1.0-py3-none-any.whl" | cut -d' ' -f1)
{
    lock_package shared-a 1.0 shared-1.0-py3-none-any.whl "sha256:$first" \
        "$(package_source url "http://127.0.0.1:$port/files/shared-1.0-py3-none-any.whl")"
    lock_package shared-b 1.0 shared-1.0-py3-none-any.whl "sha256:$first" \
        "$(package_source url "http://127.0.0.1:$port2/files/shared-1.0-py3-none-any.whl")"
    lock_metadata
} >"$work/same-name/poetry.lock"
"$cli" verify "$work/same-name/poetry.lock" --system x86_64-linux --python 3.11 --quiet >"$work/verify.out" 2>&1
check "two files of one name from two hosts: verify exits 1" [ $? -eq 1 ]
check "the first is ok" grep -q "^ok *shared-1.0-py3-none-any.whl$" "$work/verify.out"
check "the second, other bytes under the same name, is a mismatch" grep -q "^MISMATCH .*shared-b" "$work/verify.out"
printf 'the sdist' >"$work/other-files/alt-1.0.tar.gz"
printf 'the wheel' >"$work/other-files/alt-1.0-py3-none-any.whl"
wheel_digest=$(sha256sum "$work/other-files/alt-1.0-py3-none-any.whl" | cut -d' ' -f1)
{
    printf '[[package]]\nname = "alt"\nversion = "1.0"\ndescription = ""\noptional = false\n'
    printf 'python-versions = "*"\ngroups = ["main"]\nfiles = [\n'
    printf '  {file = "alt-1.0-py3-none-any.whl", hash = "sha256:%s"},\n' "$wheel_digest"
    printf '  {file = "alt-1.0.tar.gz", hash = "sha256:%s"},\n]\n\n' "$wrong"
    package_source legacy "http://127.0.0.1:$port2/simple" other
    printf '\n\n'
    lock_metadata
} >"$work/same-name/poetry.lock"
"$cli" verify "$work/same-name/poetry.lock" --system x86_64-linux --python 3.11 --quiet >"$work/verify.out" 2>&1
check "the sdist beside the chosen wheel is verified too (exit 1)" grep -q "^MISMATCH .*alt-1.0.tar.gz" "$work/verify.out"
finish
