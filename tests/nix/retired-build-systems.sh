#!/usr/bin/env bash
# Build systems nixpkgs no longer has as Python attributes are not named in the emitted file, and
# what replaces them works: pytest-runner (removed from nixpkgs) is taken out of the sdist's
# setup_requires, which setuptools would otherwise try to download in the build sandbox. The
# emitted postPatch is run on a setup.py and a setup.cfg that ask for it, and setuptools' own
# reading of both no longer sees it. Usage: retired-build-systems.sh CLI
set -u
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/lib.sh"
cd "$work"

one_package_lock rfc3986-validator 0.1.1 rfc3986_validator-0.1.1.tar.gz \
    sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa >poetry.lock
"$cli" --offline poetry.lock --system x86_64-linux --python 3.11 -o python-env.nix 2>err.txt
check "a lock whose sdist listed pytest-runner translates" [ -s python-env.nix ]
nix-instantiate --eval --strict --json --option restrict-eval true -I "stub=$root/tests/nix" \
    -I "gen=$work" -E '
      let e = import <gen/python-env.nix> { pkgs = import <stub/stub-nixpkgs.nix> { }; projectDir = <gen>; };
          a = e.packages.rfc3986-validator.args;
      in { postPatch = a.postPatch or ""; buildSystem = map (p: p.pname or "?") a.build-system; }' \
    >eval.json 2>eval-err.txt
check "the emitted file evaluates against the model of nixpkgs" [ -s eval.json ]
check "pytest-runner is not among the build systems" \
    python3 -c 'import json,sys; b=json.load(open("eval.json"))["buildSystem"]; sys.exit("pytest-runner" in b or "setuptools" not in b)'
python3 -c 'import json; print(json.load(open("eval.json"))["postPatch"])' >post-patch.sh

mkdir src && cd src
cat >setup.py <<'PY'
from setuptools import setup

setup(
    name="demo",
    version="1.0",
    setup_requires=['pytest-runner>=2.0,<6', "wheel"],
    tests_require=["pytest"],
)
PY
cat >setup.cfg <<'CFG'
[metadata]
name = demo

[options]
setup_requires =
    pytest_runner
    setuptools_scm
tests_require = pytest

[aliases]
test = pytest
CFG
bash -eu ../post-patch.sh
check "the postPatch runs and leaves setup.py valid Python" python3 -c 'import ast; ast.parse(open("setup.py").read())'
# setuptools' own reading: the keywords setup.py passes and the options setup.cfg declares.
/usr/bin/python3 - <<'PY' >requires.txt
import ast
from setuptools.config.setupcfg import read_configuration
call = next(n for n in ast.walk(ast.parse(open("setup.py").read())) if isinstance(n, ast.Call))
kw = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
print("setup.py", kw["setup_requires"], kw["tests_require"])
print("setup.cfg", read_configuration("setup.cfg")["options"]["setup_requires"])
PY
check "setup.py keeps its other requirements" grep -qx "setup.py \['wheel'\] \['pytest'\]" requires.txt
check "setup.cfg keeps its other requirements" grep -qx "setup.cfg \['setuptools_scm'\]" requires.txt
finish
