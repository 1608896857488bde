#!/usr/bin/env bash
# lock2nix built through package.nix with the model's stdenv (tests/flake/model: the host's cmake,
# ninja, g++ and patchelf, the sandbox off): the filtered source configures and compiles, the
# checkPhase passes where ../shared does not exist, and the installed binary, library and CMake
# package are there, with libcurl's directory in the binary's RUNPATH (it is dlopen'd).
# Several minutes from scratch: registered only with -DLOCK2NIX_TEST_PACKAGE_BUILD=ON.
#   build-package.sh LOCK2NIX-BINARY
set -u
cli=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/flake
source "$root/tests/lib.sh"

nixopts=(--option build-users-group '' --option substituters '' --option sandbox false)
args=("$here/eval.nix" --argstr root "$root" --argstr cli "$cli")
ev() { nix-instantiate "${nixopts[@]}" --eval --read-write-mode "${args[@]}" -A "$1" 2>/dev/null | tr -d '"'; }

drv=$(nix-instantiate "${nixopts[@]}" "${args[@]}" -A package 2>/dev/null)
out=$(nix-build "${nixopts[@]}" --no-out-link "${args[@]}" -A package 2>"$work/build.log")
check "the package builds" [ -n "$out" ]
[ -n "$out" ] || { tail -40 "$work/build.log"; finish; exit; }
# The build log (also when the output was already there).
# (without colour codes)
nix-store "${nixopts[@]}" --read-log "$drv" 2>/dev/null | sed "s/\x1b\[[0-9;]*m//g" >"$work/log"
spec=$(ev package.catchSpec)
count=$(cd "$root/tests" && "$root/build/tests/lock2nix-tests" --list-test-names-only "$spec" | grep -c .)
check "the checkPhase ran the $count core unit test cases" grep -q "All tests passed (.* in $count test cases)" "$work/log"
check "the checkPhase ran the bad-input suite" grep -q "100% tests passed, 0 tests failed out of 1" "$work/log"
check "the shared corpus was not there" [ ! -e /var/empty/lock2nix-shared ]
check "bin/lock2nix" test -x "$out/bin/lock2nix"
check "library, headers, CMake package, pkg-config file, override database" \
    test -f "$out/lib/liblock2nix.a" -a -f "$out/include/lock2nix/translate.hpp" \
    -a -f "$out/lib/cmake/lock2nix/lock2nixConfig.cmake" -a -f "$out/lib/pkgconfig/lock2nix.pc" \
    -a -d "$out/share/lock2nix/overrides"
curl=$(ev pkgs.curl.outPath)
check "RUNPATH has libcurl's directory ($curl/lib)" sh -c "readelf -d '$out/bin/lock2nix' | grep -F 'RUNPATH' | grep -qF '$curl/lib'"
tpl=$root/templates/default
check "the installed binary checks the template" \
    "$out/bin/lock2nix" check --lock "$tpl/poetry.lock" --pyproject "$tpl/pyproject.toml" --nix "$tpl/python-env.nix"
finish
