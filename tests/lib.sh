# Sourced by the test scripts: a scratch directory `$work` removed at exit (after the commands in
# `at_exit`, such as stopping the server in `server_pid`), a private index cache so answers cached
# on this machine cannot leak in, and `check DESCRIPTION COMMAND...`, which counts and reports.
work=$(mktemp -d)
at_exit=()
cleanup() {
    for command in "${at_exit[@]}"; do
        eval "$command"
    done
    rm -rf "$work"
}
trap cleanup EXIT
# A test that starts a loopback server in the background keeps its process id here, so that the
# server is stopped however the test ends; one that stops it earlier empties it.
server_pid=
at_exit+=('[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null')
export XDG_CACHE_HOME=$work/cache
# Nix runs as it would on a fresh Debian machine: no daemon, no `nixbld` group, no network. The
# settings come from here, not from the machine's nix.conf, so a configured machine cannot hide a
# missing one (sandbox off: the test builders use the host's tools).
export NIX_CONFIG="build-users-group =
substituters =
sandbox = false
connect-timeout = 1"
pass=0
fail=0
check() {
    local what=$1
    shift
    if "$@" >"$work/check.out" 2>&1; then
        pass=$((pass + 1))
    else
        echo "FAIL $what"
        head -40 "$work/check.out"
        fail=$((fail + 1))
    fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
# Poetry lock text on stdout, for the tests that need a small lock of one-file packages. Values are
# written as given, unescaped, so a test can put TOML escapes or hostile text in a file name.
#   lock_package NAME VERSION FILE DIGEST [EXTRA-TOML]: a [[package]] in group main for any Python,
#       with one file, followed by EXTRA-TOML (its [package.source], say)
#   lock_metadata [PYTHON-VERSIONS]: the [metadata] that ends a lock 2.1 (python-versions "*")
#   one_package_lock NAME VERSION FILE DIGEST [EXTRA-TOML [PYTHON-VERSIONS]]: both, a whole lock
#   package_source TYPE URL [REFERENCE]: a [package.source] table, to pass as EXTRA-TOML
lock_package() {
    printf '[[package]]\nname = "%s"\nversion = "%s"\ndescription = ""\noptional = false\n' "$1" "$2"
    printf 'python-versions = "*"\ngroups = ["main"]\nfiles = [{file = "%s", hash = "%s"}]\n\n' "$3" "$4"
    if [ -n "${5:-}" ]; then
        printf '%s\n\n' "$5"
    fi
}
lock_metadata() {
    printf '[metadata]\nlock-version = "2.1"\npython-versions = "%s"\ncontent-hash = "0"\n' "${1:-*}"
}
one_package_lock() {
    lock_package "$@"
    lock_metadata "${6:-}"
}
package_source() {
    printf '[package.source]\ntype = "%s"\nurl = "%s"' "$1" "$2"
    if [ -n "${3:-}" ]; then
        printf '\nreference = "%s"' "$3"
    fi
}
# The shared PEP 751 locks (SHARED/corpus/pylock/*/pylock*.toml) into the array `locks`. With none
# the test is skipped (exit 77) rather than failed: a user's clone has no shared data.
#   shared_pylocks SHARED
shared_pylocks() {
    local lock
    locks=()
    for lock in "$1"/corpus/pylock/*/pylock*.toml; do
        [ -f "$lock" ] && locks+=("$lock")
    done
    if [ "${#locks[@]}" -eq 0 ]; then
        echo "SKIPPED: no pylock files at $1/corpus/pylock/*/pylock*.toml (configure with -DLOCK2NIX_SHARED_DIR=...)"
        exit 77
    fi
}
