#!/usr/bin/env bash
# The target Python when none is named: the interpreter of the nixpkgs release that installs every
# package and builds the fewest compiled packages from source, newest on a tie; a .python-version
# naming such a one; the header, stderr and `plan` say which and why. A named Python that cannot
# install the lock is refused with the one that can; one that builds compiled packages from
# source is warned. The emitted file stops with the release it was made for when pkgs lacks the
# interpreter. Usage: python-choice.sh CLI
set -u
cli=$1
here=$(cd "$(dirname "$0")/../nix" && pwd)
. "$(dirname "$0")/../lib.sh"
cd "$work"

digest=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
# A 2.1 lock of NAME VERSION with the given files (one per argument after the version).
files_package() {
    local name=$1 version=$2
    shift 2
    printf '[[package]]\nname = "%s"\nversion = "%s"\ndescription = ""\noptional = false\n' "$name" "$version"
    printf 'python-versions = "*"\ngroups = ["main"]\nfiles = [\n'
    for f in "$@"; do
        printf '  {file = "%s", hash = "%s"},\n' "$f" "$digest"
    done
    printf ']\n\n'
}
cp_wheels() { # NAME VERSION FIRST LAST: manylinux x86_64 wheels for CPython 3.FIRST..3.LAST
    for m in $(seq "$3" "$4"); do
        echo "$1-$2-cp3$m-cp3$m-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    done
}
project() { # the pyproject of a project depending on the packages named
    printf '[tool.poetry]\nname = "proj"\nversion = "1.0"\ndescription = ""\nauthors = []\n'
    printf '[tool.poetry.dependencies]\npython = "^3.8"\n'
    for n in "$@"; do
        printf '%s = "*"\n' "$n"
    done
}

# --- the only working Python is an older one ---------------------------------------------------
mkdir torch && cd torch
{ files_package torch 2.2.1+cpu $(cp_wheels torch 2.2.1+cpu 8 12) torch-2.2.1+cpu-cp312-cp312-win_amd64.whl
  lock_metadata '^3.8'; } >poetry.lock
project torch >pyproject.toml
"$cli" poetry.lock --offline --system x86_64-linux -o out.nix 2>err
rc=$?
check "a torch lock translates with no --python (exit $rc)" [ "$rc" -eq 0 ]
check "the target is the newest Python torch has a wheel for" grep -qx '# targets: x86_64-linux python3.12' out.nix
check "the header names the release" grep -qx '# nixpkgs: 26.05' out.nix
check "the header says why" grep -qx '# python: Python 3.12: 3.13 has no usable file for torch 2.2.1+cpu on x86_64-linux; 3.14 cannot install 1 package' out.nix
check "stderr says it too" grep -q '^note: Python 3.12: 3.13 has no usable file' err
check "the interpreter attribute follows" grep -q 'python ? pkgs.python312 or null,' out.nix
"$cli" plan poetry.lock --offline --system x86_64-linux >plan.out 2>err
check "plan says which Python and why" grep -qx 'nixpkgs 26.05; Python 3.12: 3.13 has no usable file for torch 2.2.1+cpu on x86_64-linux; 3.14 cannot install 1 package' plan.out
"$cli" poetry.lock --offline --system x86_64-linux --python 3.13 -o named.nix 2>err
rc=$?
check "a named Python without torch's wheel is refused (exit $rc)" [ "$rc" -eq 2 ]
check "no file is written" [ ! -e named.nix ]
check "the refusal says what is missing" grep -q 'error: Python 3.13 has no usable file for torch 2.2.1+cpu' err
check "and names the Python that works" grep -q 'hint: Python 3.12 installs every package of the lock, building no compiled package from source: choose it with --python 3.12' err
check "a package's own refusal says where its wheels run" \
    sh -c "'$cli' plan poetry.lock --offline --system aarch64-linux 2>&1 | grep -q 'its wheels are for CPython 3.8–3.12 on win_amd64, x86_64-linux'"
# --- .python-version ----------------------------------------------------------------------------
printf '3.11.9\n' >.python-version
"$cli" poetry.lock --offline --system x86_64-linux -o out.nix 2>err
check ".python-version is followed when the lock allows it" grep -qx '# targets: x86_64-linux python3.11' out.nix
check ".python-version: the header says so" grep -qx '# python: Python 3.11, from .python-version' out.nix
printf '3.13\n' >.python-version
"$cli" poetry.lock --offline --system x86_64-linux -o out.nix 2>err
check "a .python-version without torch's wheel is not followed" grep -qx '# targets: x86_64-linux python3.12' out.nix
check "and a warning says why" grep -q '^warning: .python-version asks for Python 3.13, which has no usable file for torch' err
rm .python-version
cd ..

# --- compiled packages built from source ---------------------------------------------------------
mkdir numpy && cd numpy
{ files_package numpy 1.24.4 $(cp_wheels numpy 1.24.4 8 11) numpy-1.24.4.tar.gz
  files_package six 1.16.0 six-1.16.0-py2.py3-none-any.whl
  lock_metadata '^3.8'; } >poetry.lock
project numpy six >pyproject.toml
"$cli" poetry.lock --offline --system x86_64-linux -o out.nix 2>err
check "numpy's wheels end at 3.11: 3.11 is chosen" grep -qx '# targets: x86_64-linux python3.11' out.nix
check "the header names what 3.12 would build" \
    grep -qx '# python: Python 3.11: 3.12 would build 1 compiled package from source (numpy); 3.13 1 from source, 3.14 1 from source' out.nix
"$cli" poetry.lock --offline --system x86_64-linux --python 3.14 -o named.nix 2>err
rc=$?
check "a named Python that builds numpy from source is allowed (exit $rc)" [ "$rc" -eq 0 ]
check "and warned once, naming it and the Python that would not" \
    sh -c "[ \$(grep -c '^warning: Python 3.14 would build 1 compiled package from source (numpy); Python 3.11 installs them all from wheels' err) -eq 1 ]"
check "plan warns too" \
    sh -c "'$cli' plan poetry.lock --offline --system x86_64-linux --python 3.14 2>&1 >/dev/null | grep -q '^warning: Python 3.14 would build'"
# --- releases -------------------------------------------------------------------------------------
"$cli" poetry.lock --offline --system x86_64-linux --nixpkgs 25.05 -o old.nix 2>err
check "--nixpkgs 25.05: the header names it" grep -qx '# nixpkgs: 25.05' old.nix
check "--nixpkgs 25.05: its interpreters are the candidates" \
    grep -qx '# python: Python 3.11: 3.12 would build 1 compiled package from source (numpy); 3.13 1 from source' old.nix
check "--nixpkgs 25.05: its patch levels reach the markers" \
    sh -c "'$cli' plan poetry.lock --offline --system x86_64-linux --nixpkgs 25.05 --json | grep -q '\"python\": \"3.11.12\"'"
"$cli" poetry.lock --offline --nixpkgs 24.05 -o bad.nix 2>err
rc=$?
check "an unknown release is refused (exit $rc)" sh -c "[ $rc -eq 2 ] && [ ! -e bad.nix ]"
check "and the error lists the known ones" grep -q 'unknown nixpkgs release "24.05".*hint: lock2nix targets 25.05, 25.11, 26.05, unstable (default 26.05)' <(tr '\n' ' ' <err)
"$cli" poetry.lock --offline --system x86_64-linux --python 3.10 -o py310.nix 2>err
check "a named Python the default release dropped: the newest release that has it" \
    grep -qx '# nixpkgs: 25.11' py310.nix
check "and a warning says so" grep -q '^warning: nixpkgs 26.05 has no Python 3.10; the file is for nixpkgs 25.11' err
check "lock2nix releases lists them with their interpreters" \
    sh -c "'$cli' releases | grep -qx '26.05 (default): nixos-26.05 (May 2026)'"
cd ..

# --- an interpreter the pkgs does not have -----------------------------------------------------
mkdir pure && cd pure
{ files_package six 1.16.0 six-1.16.0-py2.py3-none-any.whl; lock_metadata '^3.8'; } >poetry.lock
project six >pyproject.toml
"$cli" poetry.lock --offline --system x86_64-linux -o python-env.nix 2>err
check "pure wheels: the newest interpreter" grep -qx '# targets: x86_64-linux python3.14' python-env.nix
# The stub nixpkgs without python314, as a release before 25.11 is.
nix-instantiate --eval --strict --option restrict-eval true -I "stub=$here" -I "gen=$PWD" -E '
  let pkgs = removeAttrs (import <stub/stub-nixpkgs.nix> { }) [ "python314" ];
      e = import <gen/python-env.nix> { inherit pkgs; projectDir = <gen>; };
  in e.env' >out 2>&1
rc=$?
check "a pkgs without python314 stops the evaluation (exit $rc)" [ "$rc" -ne 0 ]
check "with the release the file was made for" \
    grep -q 'python-env.nix was generated by lock2nix for nixpkgs 26.05, which has python314; this nixpkgs has none' out
check "and how to regenerate it" grep -q 'Regenerate it with --nixpkgs naming the release you use' out
cd ..

finish
