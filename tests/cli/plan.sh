#!/usr/bin/env bash
# `lock2nix plan` and `lock2nix explain` on the real binary: output shape, exit codes, messages.
set -u
cli=$1
shared=$2
examples=$(cd "$(dirname "$0")/../../examples" && pwd)
pass=0
fail=0
check() { # check DESCRIPTION CONDITION...
    local what=$1
    shift
    if "$@"; then pass=$((pass + 1)); else echo "FAIL $what"; fail=$((fail + 1)); fi
}
out=$(mktemp)
err=$(mktemp)

"$cli" plan "$examples/demo/poetry.lock" --system x86_64-linux --python 3.11 --json >"$out" 2>"$err"
check "plan exits 0" [ $? -eq 0 ]
# The patch level is the default release's (nixpkgs/releases.toml).
patch=$(python3 -c "
import tomllib
d = tomllib.load(open('$(dirname "$0")/../../nixpkgs/releases.toml', 'rb'))
print([r for r in d['release'] if r['name'] == d['default']][0]['pythons']['3.11'])")
check "plan --json is JSON with the promised keys" python3 -c "
import json,sys
d=json.load(open('$out'))
assert d['target']=={'system':'x86_64-linux','python':'$patch','interpreter':'python311'}, d['target']
assert d['groups']==['main','dev']
names=[p['name'] for p in d['packages']]
assert 'rich' in names and 'colorama' not in names
assert {'from':'requests','to':'urllib3'} in [{k:e[k] for k in ('from','to')} for e in d['edges']]
order=d['build_order']; assert order.index('urllib3') < order.index('requests')
assert all('artifact' in p and 'reason' in p for p in d['packages'] if p['default'])
assert any(e['name']=='colorama' and 'Windows' in e['reason'] for e in d['excluded'])
"
"$cli" plan "$examples/demo/poetry.lock" --system x86_64-linux --python 3.11 --json >"$err.2"
check "plan output is deterministic" cmp -s "$out" "$err.2"

"$cli" plan "$examples/demo/poetry.lock" --only main --system x86_64-linux --python 3.11 --json >"$out"
check "--only main drops the dev group" python3 -c "
import json; d=json.load(open('$out'))
default={p['name'] for p in d['packages'] if p['default']}
assert 'requests' not in default and 'rich' in default, default
# the file serves every group through mkEnv: dev packages are planned, outside the default
assert [p['groups'] for p in d['packages'] if p['name']=='requests']==[['dev']]"

"$cli" explain urllib3 "$examples/demo/poetry.lock" --system x86_64-linux --python 3.11 >"$out"
check "explain IN gives the path" grep -q 'project -> requests (>=2.31) -> urllib3' "$out"
"$cli" explain colorama "$examples/demo/poetry.lock" --system aarch64-darwin --python 3.12 >"$out"
check "explain OUT names the failing comparison" grep -q 'fails: platform_system == "Windows"' "$out"
"$cli" explain no-such-thing "$examples/demo/poetry.lock" >"$out"
check "explain of an unknown name exits 1" [ $? -eq 1 ]

"$cli" plan "$examples/demo/poetry.lock" --with nope >"$out" 2>"$err"
check "unknown group exits 2" [ $? -eq 2 ]
check "unknown group lists the groups" grep -q 'groups in this project: main, dev' "$err"
"$cli" plan "$examples/demo/poetry.lock" --system riscv64-linux >"$out" 2>"$err"
check "unknown system exits 2" [ $? -eq 2 ]
"$cli" plan "$shared/corpus/poetry2nix-tests/gmsh/poetry.lock" --system aarch64-darwin --python 3.11 --macos 11.0 >"$out" 2>"$err"
check "no usable file exits 2" [ $? -eq 2 ]
check "no usable file names package, target and files" grep -q 'gmsh.*aarch64-darwin/cpython3.11' "$err"
check "nothing on stdout after an error" [ ! -s "$out" ]

rm -f "$out" "$err" "$err.2"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
