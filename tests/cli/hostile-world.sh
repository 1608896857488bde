#!/usr/bin/env bash
# A hostile world around the inputs: an index that redirects to another host while credentials are
# configured, loops, or lies about its answer; two runs sharing a cache or an output file; runs
# killed mid-download and mid-write; a full disk. What must hold: credentials reach only the index's
# host, no corrupt cache entry is ever served, an output file is the old one or the whole new one,
# and every failure is a clear error with exit 2.
# Usage: hostile-world.sh CLI SHARED_DATA
set -u
cli=$1
shared=$2
here=$(cd "$(dirname "$0")" && pwd)
server_py=$here/../index/server.py
fixtures=$shared/fixtures/pypi/python-poetry+poetry/tests/repositories/fixtures
demo=$(cd "$here/../../examples/demo" && pwd)
. "$here/../lib.sh"
cd "$work"

# start_server NAME [server.py options...]: a loopback index in the background; its port in
# ${NAME}_port, its requests logged (one JSON line each) to NAME.log.
start_server() {
    local name=$1
    shift
    rm -f "$name.port" "$name.log"
    python3 "$server_py" --fixtures "$fixtures" --files "$work/files" --log "$work/$name.log" "$@" \
        >"$name.port" 2>"$name.server-err" &
    local pid=$!
    at_exit+=("kill $pid 2>/dev/null")
    eval "${name}_pid=$pid"
    for _ in $(seq 100); do
        [ -s "$name.port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    eval "${name}_port=$(awk '{print $2}' "$name.port")"
    [ -s "$name.port" ]
}
stop_server() { eval "kill \$${1}_pid 2>/dev/null; wait \$${1}_pid 2>/dev/null"; }

# Twelve small wheels the servers publish (--files), and a lock of all of them from one source.
mkdir files
for i in $(seq 0 11); do
    printf 'wheel %s' "$i" >"files/pkg$i-1.0-py3-none-any.whl"
done
write_project() { # write_project DIR SOURCE-URL [PACKAGES...]
    local dir=$1 url=$2
    shift 2
    mkdir -p "$dir"
    {
        for i in "$@"; do
            lock_package "pkg$i" 1.0 "pkg$i-1.0-py3-none-any.whl" \
                "sha256:$(sha256sum "files/pkg$i-1.0-py3-none-any.whl" | cut -d' ' -f1)" \
                "$(package_source legacy "$url" corp)"
        done
        lock_metadata '^3.8'
    } >"$dir/poetry.lock"
    {
        printf '[tool.poetry]\nname = "p"\nversion = "0"\ndescription = ""\nauthors = []\n'
        printf '[tool.poetry.dependencies]\npython = "^3.8"\n'
        for i in "$@"; do
            printf 'pkg%s = { version = "1.0", source = "corp" }\n' "$i"
        done
        printf '[[tool.poetry.source]]\nname = "corp"\nurl = "%s"\n' "$url"
    } >"$dir/pyproject.toml"
}
translate() { "$cli" "$@" --system x86_64-linux --python 3.11 --quiet; }
body() { grep -v -e '^# regenerate:' -e 'projectDir ?' "$1"; } # without what names the paths

# --- an index that redirects to another host, with credentials configured ----------------------
# 127.0.0.2 is loopback on Linux as 127.0.0.1 is, but another host to an HTTP client.
if start_server other --host 127.0.0.2; then
    start_server index --redirect-to "http://127.0.0.2:$other_port"
    # Both servers log the Authorization header of every request: the index must get it (the
    # credentials are really configured and sent), the other host never.
    credentials_stay() { # credentials_stay DESCRIPTION EXPECTED-AUTHORIZATION
        local what=$1 auth=$2
        check "$what: the index got the credentials" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["authorization"] == sys.argv[2] for r in rows), rows' index.log "$auth"
        check "$what: the other host was asked" grep -q '"path": "/' other.log
        check "$what: the other host got no Authorization header" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["authorization"] is None for r in rows), rows' other.log
        check "$what: and no credentials in any request line" sh -c '! grep -q -e alice -e s3cret -e bob -e hunter2 other.log'
        check "$what: no credentials in the output or stderr" sh -c '! grep -q -e s3cret -e hunter2 out.nix stderr'
    }
    # 1. user:password in the source URL (lock and pyproject).
    write_project userinfo "http://alice:s3cret@127.0.0.1:$index_port/fault/crosshost/0/simple" 0 1
    rm -f index.log other.log
    translate userinfo/poetry.lock -o out.nix 2>stderr
    rc=$?
    check "cross-host redirect, userinfo: translated (exit $rc)" [ "$rc" -eq 0 ]
    check "cross-host redirect, userinfo: the files are where the other host said" \
        grep -q "\"http://127.0.0.2:$other_port/files/pkg0-1.0-py3-none-any.whl\"" out.nix
    credentials_stay "cross-host redirect, userinfo" "Basic $(printf alice:s3cret | base64)"
    # 2. Poetry's variables for the source.
    write_project env "http://127.0.0.1:$index_port/fault/crosshost/0/simple" 0 1
    rm -f index.log other.log
    POETRY_HTTP_BASIC_CORP_USERNAME=alice POETRY_HTTP_BASIC_CORP_PASSWORD=s3cret \
        translate env/poetry.lock --refresh -o out.nix 2>stderr
    rc=$?
    check "cross-host redirect, POETRY_HTTP_BASIC_*: translated (exit $rc)" [ "$rc" -eq 0 ]
    credentials_stay "cross-host redirect, POETRY_HTTP_BASIC_*" "Basic $(printf alice:s3cret | base64)"
    # 3. --index-url with user:password, for a package from PyPI's JSON API.
    mkdir pypi
    one_package_lock attrs 17.4.0 attrs-17.4.0-py2.py3-none-any.whl \
        sha256:1fbfc10ebc8c876dcbab17f016b80ae1a4f0c1413461a695871427960795beb4 >pypi/poetry.lock
    rm -f index.log other.log
    translate pypi/poetry.lock --index-url "http://bob:hunter2@127.0.0.1:$index_port/fault/crosshost/0" \
        -o out.nix 2>stderr
    rc=$?
    check "cross-host redirect, --index-url: translated (exit $rc)" [ "$rc" -eq 0 ]
    check "cross-host redirect, --index-url: the other host answered the JSON API" \
        grep -q '"path": "/pypi/attrs/17.4.0/json"' other.log
    credentials_stay "cross-host redirect, --index-url" "Basic $(printf bob:hunter2 | base64)"
    stop_server other
else
    echo "SKIPPED cross-host redirect: cannot listen on 127.0.0.2 ($(head -c 300 other.server-err))"
    start_server index
fi

# --- redirect loops and answers that lie ---------------------------------------------------------
# PyPI's JSON API through --index-url: the answer must parse strictly, so a lie is found. Each: exit
# 2 naming the URL and what happened, no output, and nothing cached (a private cache stays empty,
# so no later --offline run can be served the bad answer).
mkdir pypi-lies
one_package_lock attrs 17.4.0 attrs-17.4.0-py2.py3-none-any.whl \
    sha256:1fbfc10ebc8c876dcbab17f016b80ae1a4f0c1413461a695871427960795beb4 >pypi-lies/poetry.lock
lying() { # lying KIND PATTERN
    local kind=$1 pattern=$2
    rm -f out.nix
    XDG_CACHE_HOME=$work/lie-cache-$kind translate pypi-lies/poetry.lock \
        --index-url "http://127.0.0.1:$index_port/fault/$kind/0" -o out.nix >stdout 2>stderr
    local rc=$?
    check "$kind: exit 2 (exit $rc)" [ "$rc" -eq 2 ]
    check "$kind: the error names the URL and says what happened" \
        grep -Eq "127.0.0.1:$index_port/fault/$kind/0/pypi/attrs/17.4.0/json.*($pattern)" stderr
    check "$kind: no output" sh -c '[ ! -e out.nix ] && [ ! -s stdout ]'
    check "$kind: nothing cached" \
        sh -c "[ -z \"\$(find '$work/lie-cache-$kind' -type f -name '*.body' 2>/dev/null)\" ]"
}
lying redirectloop 'Number of redirects hit maximum amount'
lying truncate 'Transferred a partial file' # Content-Length larger than the body
# Content-Length smaller than the body: each retry on a new connection (a reused one would read
# the rest of the body as the next reply: "Unsupported protocol"), and a clear verdict.
lying overlength 'the answer is not valid JSON \(gave up after 5 attempts\)'
lying htmljson 'not JSON \(Content-Type: text/html\)' # HTML labelled as such, for JSON
lying gzipbomb 'larger than 64 MiB'
# Well-formed JSON of the wrong shape ("filename": 5) is a clear error. The answer is valid JSON
# and is cached as the server sent it, so an --offline run meets the same error: never a success
# or a crash on it.
for mode in online offline; do
    flags=()
    [ $mode = offline ] && flags=(--offline)
    rm -f out.nix
    XDG_CACHE_HOME=$work/lie-cache-wrongtype translate pypi-lies/poetry.lock "${flags[@]}" \
        --index-url "http://127.0.0.1:$index_port/fault/wrongtype/0" -o out.nix >stdout 2>stderr
    rc=$?
    check "wrongtype, $mode: exit 2 (exit $rc)" [ "$rc" -eq 2 ]
    check "wrongtype, $mode: says which field has which type" \
        grep -q 'PyPI JSON API release whose `urls\[0\].filename` is number, not a string' stderr
    check "wrongtype, $mode: no output" [ ! -e out.nix ]
done
# A server trickling one byte a second is given up on by curl's low-speed limit (20 s below 64
# bytes/s, five attempts: minutes through the CLI); tests/unit/fetch/test_index.cpp shows it with
# a short low-speed time.

# --- two runs sharing one cache, and one output file ---------------------------------------------
stop_server index
start_server index --latency 0.05
all=$(seq 0 11)
write_project shared "http://127.0.0.1:$index_port/simple" $all
export XDG_CACHE_HOME=$work/shared-cache
ok=1
for round in 1 2 3; do
    # --refresh: both runs fetch and both write every cache entry, at the same moments.
    translate shared/poetry.lock --refresh --concurrency 4 -o a.nix 2>a.err &
    first=$!
    translate shared/poetry.lock --refresh --concurrency 4 -o b.nix 2>b.err &
    second=$!
    wait $first || { ok=0; echo "round $round: first run failed"; cat a.err; }
    wait $second || { ok=0; echo "round $round: second run failed"; cat b.err; }
    cmp -s <(body a.nix) <(body b.nix) || { ok=0; echo "round $round: outputs differ"; }
done
check "two runs filling one cache at once both succeed with the same output (3 rounds)" [ "$ok" -eq 1 ]
check "the output has every package from the index" \
    [ "$(grep -c "\"http://127.0.0.1:$index_port/files/pkg" a.nix)" -eq 12 ]
check "no temporary is left in the cache" \
    sh -c "[ -z \"\$(find '$XDG_CACHE_HOME' -name '.*.XXXXXX' -o -name '.*body.*' -type f)\" ]"
# A --concurrency the open-file limit cannot hold is lowered, and the run says so (cache writes
# failing for want of descriptors must not go unsaid).
# (Soft limit only: `128:` leaves the hard limit, which a user may not raise again, alone.)
prlimit --nofile=128: "$cli" shared/poetry.lock --system x86_64-linux --python 3.11 --refresh \
    --concurrency 10000 -o d.nix 2>d.err
rc=$?
check "under ulimit -n 128, --concurrency 10000 runs (exit $rc)" [ "$rc" -eq 0 ]
check "with the same output" cmp -s <(body a.nix) <(body d.nix)
check "and says it lowered the concurrency" grep -Eq "lowered to [0-9]+ .*open-file limit" d.err
stop_server index
translate shared/poetry.lock --offline -o c.nix 2>c.err
check "a third run, offline, from that cache succeeds (exit $?)" [ -s c.nix ]
check "and gives the same output (no corrupt entry)" cmp -s <(body a.nix) <(body c.nix)
start_server index --latency 0.05
write_project shared "http://127.0.0.1:$index_port/simple" $all
translate shared/poetry.lock -o a.nix 2>a.err

# Two runs writing the same -o at once: each replaces the file whole, so it is one run's output.
ok=1
for round in 1 2 3 4 5; do
    translate shared/poetry.lock -o same.nix 2>a.err &
    first=$!
    translate shared/poetry.lock -o same.nix 2>b.err &
    second=$!
    wait $first || { ok=0; cat a.err; }
    wait $second || { ok=0; cat b.err; }
    cmp -s <(body same.nix) <(body a.nix) || { ok=0; echo "round $round: same.nix is not the output"; }
done
check "two runs writing one -o at once both succeed, the file is the whole output (5 rounds)" \
    [ "$ok" -eq 1 ]
check "no temporary of -o is left" sh -c '[ -z "$(find . -maxdepth 1 -name ".same.nix.*")" ]'

# start_victim ARGS...: lock2nix itself in the background (its pid in victim.pid; the subshell
# around it takes the shell's "Killed" report); kill_victim: kill -9 it and wait until it is gone.
start_victim() {
    rm -f victim.pid
    ("$cli" "$@" --system x86_64-linux --python 3.11 --quiet 2>victim.err &
        echo $! >victim.pid
        wait) 2>/dev/null &
    waiter=$!
    for _ in $(seq 100); do [ -s victim.pid ] && break; sleep 0.02; done
}
kill_victim() {
    kill -9 "$(cat victim.pid)"
    wait "$waiter"
}

# --- kill -9 during a download --------------------------------------------------------------------
# The first answer for pkg0's page trickles a byte a second; the run is killed while it arrives.
# The cache must not hold that half page: an offline run finds nothing, the next online run (which
# gets the whole page) and an offline run after it agree with an undisturbed run.
export XDG_CACHE_HOME=$work/killed-cache
write_project killed "http://127.0.0.1:$index_port/fault/trickle/1/simple" 0
start_victim killed/poetry.lock -o killed.nix
for _ in $(seq 100); do grep -q 'fault/trickle/1/simple/pkg0' index.log 2>/dev/null && break; sleep 0.05; done
sleep 2 # a few bytes in
kill_victim
check "the killed run wrote no output" [ ! -e killed.nix ]
translate killed/poetry.lock --offline -o killed.nix >stdout 2>stderr
rc=$?
check "after the kill the cache holds no entry (at most a temporary)" \
    sh -c "[ -z \"\$(find '$XDG_CACHE_HOME' -type f -name '*.body')\" ]"
check "offline after the kill: not served from the cache, the predictable URL (exit $rc)" \
    grep -q "\"http://127.0.0.1:$index_port/fault/trickle/1/simple/pkg0-1.0-py3-none-any.whl\"" killed.nix
check "offline after the kill: no internal error" sh -c '! grep -q "internal error" stderr'
rm -f killed.nix
translate killed/poetry.lock -o killed.nix 2>stderr
check "online after the kill: translated (exit $?)" [ -s killed.nix ]
check "online after the kill: the exact URL from the index" \
    grep -q "\"http://127.0.0.1:$index_port/files/pkg0-1.0-py3-none-any.whl\"" killed.nix
translate killed/poetry.lock --offline -o killed-offline.nix 2>stderr
check "offline after that: the same output from the cache" cmp -s <(body killed.nix) <(body killed-offline.nix)
# The same during an sdist download (read for its [build-system]): its answer is cached only once
# the whole archive matched the lock's digest, so a killed download leaves at most a temporary.
python3 "$here/../index/make-archives.py" archives >/dev/null
cp archives/pkg-1.0.tar.gz files/
mkdir sdist
one_package_lock pkg 1.0 pkg-1.0.tar.gz "sha256:$(sha256sum files/pkg-1.0.tar.gz | cut -d' ' -f1)" \
    "$(package_source url "http://127.0.0.1:$index_port/fault/trickle/1/files/pkg-1.0.tar.gz")" \
    >sdist/poetry.lock
export XDG_CACHE_HOME=$work/sdist-cache
start_victim sdist/poetry.lock -o sdist.nix
for _ in $(seq 100); do grep -q 'fault/trickle/1/files/pkg-1.0.tar.gz' index.log 2>/dev/null && break; sleep 0.05; done
sleep 2
kill_victim
check "an sdist download killed: no output" [ ! -e sdist.nix ]
check "an sdist download killed: no build-system answer cached" \
    sh -c "[ -z \"\$(find '$XDG_CACHE_HOME' -type f -name '*.json')\" ]"
"$cli" sdist/poetry.lock --system x86_64-linux --python 3.11 --offline -o sdist.nix 2>stderr
check "offline after it: the backend is a guess, said so" grep -q 'build backend of 1 sdist(s) is a guess' stderr
rm -f sdist.nix
translate sdist/poetry.lock -o sdist.nix 2>stderr
check "online after it: the sdist's own backend" grep -q 'build-system = \[ python.pkgs.hatchling \]' sdist.nix
translate sdist/poetry.lock --offline -o sdist-offline.nix 2>stderr
check "offline after that: the same, from the cache" cmp -s <(body sdist.nix) <(body sdist-offline.nix)
export XDG_CACHE_HOME=$work/cache

# --- -o killed mid-write -----------------------------------------------------------------------
# A run killed at any moment leaves the old file or the whole new one, never part of it. A large
# lock makes the write long enough for some kills to land in it.
if python3 "$here/../../benchmarks/gen_lock.py" 20000 big >/dev/null; then
    "$cli" big/poetry.lock --offline --quiet -o big.nix 2>/dev/null
    cp big.nix big.reference
    start=$(date +%s%N)
    "$cli" big/poetry.lock --offline --quiet -o big.nix 2>/dev/null
    took=$((($(date +%s%N) - start) / 1000000)) # ms
    bad=0
    killed=0
    for i in $(seq 0 19); do
        echo old >big.nix
        # From half the run's time to one and a half, in twentieths: kills before, around and
        # (on a loaded machine, whose runs take longer) after the write and rename.
        delay=$((took / 2 + took * i / 20))
        (timeout -s KILL "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))" \
            "$cli" big/poetry.lock --offline --quiet -o big.nix; exit $?) 2>/dev/null
        [ $? -eq 137 ] && killed=$((killed + 1))
        if ! grep -qx old big.nix && ! cmp -s big.nix big.reference; then
            bad=$((bad + 1))
            echo "kill after ${delay} ms left a partial -o ($(stat -c %s big.nix) bytes)"
        fi
    done
    check "-o killed at 20 moments: always the old file or the whole new one ($killed killed)" \
        [ "$bad" -eq 0 ]
    check "some of those runs were really killed" [ "$killed" -gt 0 ]
    check "and every kill left no file but the output and its temporaries" \
        sh -c '[ -z "$(ls -A | grep -F big.nix | grep -v -e "^big.nix$" -e "^\.big\.nix\.[A-Za-z0-9]\{6\}$")" ]' 
    rm -rf big big.nix big.reference .big.nix.*
fi

# Deterministically: strace kills the run at the entry of the fchmod that follows the write of the
# output's temporary, of its fsync, and of the rename over the output. Each time the old output
# stays as it was. (Not at `write` itself: the first write of a run may be another one, e.g. a
# sanitizer's.)
if command -v strace >/dev/null && strace -qq -e trace=none true 2>/dev/null; then
    for call in fchmod fsync rename,renameat,renameat2; do
        echo old >killed.nix
        (strace -f -qq -e signal=none -e trace="$call" -e inject="$call":signal=KILL \
            "$cli" --offline --quiet "$demo/poetry.lock" -o killed.nix >/dev/null; exit $?) 2>/dev/null
        rc=$?
        check "-o killed at its ${call%%,*}: the run died (exit $rc)" [ "$rc" -eq 137 ]
        check "-o killed at its ${call%%,*}: the old output is untouched" grep -qx old killed.nix
        # The kill came after the temporary was made (so at the output's own write): it is left
        # for a later run to remove (hostile.sh shows that).
        check "-o killed at its ${call%%,*}: its temporary was made" \
            sh -c '[ -n "$(find . -maxdepth 1 -name ".killed.nix.??????")" ]'
        rm -f .killed.nix.*
    done
    "$cli" --offline --quiet "$demo/poetry.lock" -o killed.nix
    check "-o after the killed runs: the whole output" grep -q '^# regenerate: ' killed.nix
    rm -f killed.nix .killed.nix.*
else
    echo "SKIPPED -o killed at chosen system calls: strace is missing or may not trace here"
fi

# --- a full disk ---------------------------------------------------------------------------------
# A 16 KiB tmpfs, mounted in a private mount namespace (nothing outside sees it, and it goes away
# with the namespace): the demo's output (about 25 KB) cannot fit, nor the index cache of twelve
# packages (two files each, a page of the tmpfs at least).
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    mkdir disk
    cp "$demo/poetry.lock" "$demo/pyproject.toml" disk/
    cat >full.sh <<'EOF'
set -u
cli=$1
mount -t tmpfs -o size=16k tmpfs full || exit 99
echo old >full/out.nix
"$cli" --offline disk/poetry.lock -o full/out.nix 2>full.err
echo "rc $?" >full.result
cat full/out.nix >full.after
ls -A full >full.listing
"$cli" --offline disk/poetry.lock -o full/new.nix 2>full-new.err
echo "rc $?" >full-new.result
ls -A full >full-new.listing
XDG_CACHE_HOME=full/cache "$cli" shared/poetry.lock --system x86_64-linux --python 3.11 \
    -o cache-full.nix 2>cache-full.err
echo "rc $?" >cache-full.result
XDG_CACHE_HOME=full/cache "$cli" shared/poetry.lock --system x86_64-linux --python 3.11 \
    --offline -o cache-full-offline.nix 2>cache-full-offline.err
echo "rc $?" >cache-full-offline.result
EOF
    mkdir full
    unshare -m --propagation private sh full.sh "$cli"
    if [ $? -eq 99 ]; then
        echo "SKIPPED full disk: cannot mount a tmpfs here"
    else
        check "-o on a full disk: exit 2" grep -qx 'rc 2' full.result
        check "-o on a full disk: says so, naming the file" \
            grep -q '^full/out.nix: error: cannot write the output: No space left on device' full.err
        check "-o on a full disk: the old output is kept" grep -qx old full.after
        check "-o on a full disk: no temporary left" [ "$(cat full.listing)" = out.nix ]
        check "a new -o on a full disk: exit 2" grep -qx 'rc 2' full-new.result
        check "a new -o on a full disk: no file and no temporary left" \
            [ "$(cat full-new.listing)" = out.nix ]
        # The cache is an optimisation: a full one is told, and the run goes on.
        check "a full cache disk: the translation succeeds" grep -qx 'rc 0' cache-full.result
        check "a full cache disk: the same output" cmp -s <(body cache-full.nix) <(body a.nix)
        check "a full cache disk: told" grep -q 'cannot cache http://127.0.0.1' cache-full.err
        check "offline from that partly written cache: succeeds (exit $(cat cache-full-offline.result))" \
            grep -qx 'rc 0' cache-full-offline.result
        check "offline from that cache: each URL the exact one or the predictable one" python3 -c '
import re, sys
urls = re.findall(r"url = \"([^\"]*pkg[0-9]+-1.0-py3-none-any.whl)\"", open(sys.argv[1]).read())
port = sys.argv[2]
ok = [f"http://127.0.0.1:{port}/files/", f"http://127.0.0.1:{port}/simple/"]
assert len(urls) == 12 and all(any(u.startswith(p) for p in ok) for u in urls), urls
' cache-full-offline.nix "$index_port"
    fi
else
    echo "SKIPPED full disk: mounting a tmpfs needs root and a private mount namespace (unshare -m)"
fi

finish
