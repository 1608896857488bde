# Sourced by the test scripts: a scratch directory `$work` removed at exit (after the commands in
# `at_exit`, e.g. stopping a server), a private index cache so answers cached on this machine
# cannot leak in, and `check DESCRIPTION COMMAND...`, which counts and reports.
work=$(mktemp -d)
at_exit=()
cleanup() {
    for command in "${at_exit[@]}"; do
        eval "$command"
    done
    rm -rf "$work"
}
trap cleanup EXIT
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
