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
