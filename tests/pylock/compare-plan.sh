#!/usr/bin/env bash
# usage: compare-plan.sh LOCK2NIX SHARED_DIR
# `lock2nix plan` on every shared pylock (SHARED_DIR/corpus/pylock/*/pylock*.toml) against the
# specification's installation steps restated independently (reference_select.py, beside this
# file), for x86_64-linux with Python 3.12 and aarch64-darwin with Python 3.13, default selection
# (no extras, the lock's default-groups):
#   - when the reference refuses the lock for the target, lock2nix must exit non-zero;
#   - otherwise the (name, version) of plan --json's packages with "default": true must be the
#     entries the reference chooses (an entry the lock gives no version, a source tree, is
#     compared by name; versions compare as PEP 440 versions);
#   - lock2nix may refuse where an entry the reference chooses has no file for the target (the
#     specification's installer fails there too), naming that entry.
# The Python's patch level is the one lock2nix assumes for X.Y (the default release that
# `lock2nix releases` shows), since python_full_version can decide markers.
# Exits 77 (skipped) when SHARED_DIR has no pylock corpus: a user's clone has no shared data.
set -u
cli=$1
shared=$2
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3 # Debian's interpreter: its python3-packaging evaluates the markers
reference=$here/reference_select.py
source "$here/../lib.sh"
shared_pylocks "$shared"
if ! "$python" -c 'import packaging.markers, tomllib' 2>/dev/null; then
    echo "FAIL: $python cannot import packaging.markers and tomllib (apt-get install python3-packaging; tools/setup.sh does)"
    exit 1
fi

# The patch levels of the default release: "26.05 (default): ..." then "  python 3.11.15 3.12.13 ...".
releases=$("$cli" releases) || { echo "FAIL: $cli releases exited $?"; exit 1; }
full_version() { # full_version X.Y
    printf '%s\n' "$releases" | awk -v xy="$1" '
        / \(default\):/ { inside = 1; next }
        inside && $1 == "python" { for (i = 2; i <= NF; i++) if (index($i, xy ".") == 1) print $i; exit }'
}

for target in "x86_64-linux 3.12" "aarch64-darwin 3.13"; do
    read -r system xy <<<"$target"
    full=$(full_version "$xy")
    if [ -z "$full" ]; then
        echo "FAIL $system/$xy: \`$cli releases\` lists no Python $xy in the default release"
        fail=$((fail + 1))
        continue
    fi
    for lock in "${locks[@]}"; do
        name="${lock#"$shared"/corpus/pylock/} $system/$full"
        "$python" "$reference" "$lock" --system "$system" --python "$full" >"$work/ref.json" 2>"$work/ref.err"
        rc=$?
        if [ "$rc" -ne 0 ]; then
            echo "FAIL $name: the reference exited $rc: $(head -c 2000 "$work/ref.err")"
            fail=$((fail + 1))
            continue
        fi
        "$cli" plan --json --offline --no-default-overrides --system "$system" --python "$xy" "$lock" \
            >"$work/plan.json" 2>"$work/plan.err"
        rc=$?
        if "$python" - "$work/ref.json" "$rc" "$work/plan.json" "$work/plan.err" "$full" "$name" <<'PY'; then
import json, re, sys
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ref_file, rc, plan_file, err_file, full, name = sys.argv[1:]
rc = int(rc)
ref = json.load(open(ref_file))
message = open(err_file, errors="replace").read().strip()
first = message.splitlines()[0] if message else "(no message)"

if "not a poetry.lock" in message:
    # Refused by the poetry.lock reader: plan did not read the file as a pylock at all.
    print(f"FAIL {name}: lock2nix plan did not read the pylock: {first}")
    sys.exit(1)
if ref["refused"] is not None:
    if rc != 0:
        print(f"ok   {name}: both refuse\n       reference: {ref['refused']}\n       lock2nix:  {first}")
        sys.exit(0)
    print(f"FAIL {name}: the reference refuses ({ref['refused']}) but lock2nix plan exits 0")
    sys.exit(1)
unusable = re.search(r"package `([^`]+)` (\S+) has no file usable on", message)
if rc != 0 and unusable:
    # The specification's installer fails too when an entry it installs has no file for the
    # target (no compatible wheel and no sdist): it must be one the reference chose.
    who, what = canonicalize_name(unusable.group(1)), unusable.group(2)
    if any(canonicalize_name(c["name"]) == who and c.get("version") in (None, what)
           for c in ref["chosen"]):
        print(f"ok   {name}: both install {who} {what}, which has no file for the target: "
              f"lock2nix refuses as an installer must")
        sys.exit(0)
if rc != 0:
    print(f"FAIL {name}: lock2nix plan exits {rc}, the reference installs {len(ref['chosen'])} entries\n"
          f"       lock2nix: {message[:2000]}")
    sys.exit(1)
try:
    plan = json.load(open(plan_file))
except ValueError as error:
    print(f"FAIL {name}: plan --json is not JSON: {error}")
    sys.exit(1)
if plan.get("target", {}).get("python") != full:
    print(f"FAIL {name}: plan's target is {plan.get('target')}, the reference evaluated Python {full}")
    sys.exit(1)

def version(text):
    try:
        return Version(text)
    except (InvalidVersion, TypeError):
        return text

# name -> version (None: compare by name)
want = {canonicalize_name(c["name"]): c["version"] for c in ref["chosen"]}
got = {}
for package in plan.get("packages", []):
    if package.get("default") is True:
        got.setdefault(canonicalize_name(package["name"]), []).append(package.get("version"))
problems = []
for pkg in sorted(set(want) | set(got)):
    if pkg not in got:
        problems.append(f"{pkg} {want[pkg]}: chosen by the reference, not in lock2nix's plan")
    elif pkg not in want:
        problems.append(f"{pkg} {got[pkg]}: in lock2nix's plan, not chosen by the reference")
    elif len(got[pkg]) > 1:
        problems.append(f"{pkg}: {len(got[pkg])} packages of that name in lock2nix's plan")
    elif want[pkg] is not None and version(want[pkg]) != version(got[pkg][0]):
        problems.append(f"{pkg}: version {got[pkg][0]} in lock2nix's plan, {want[pkg]} in the lock")
if problems:
    print(f"FAIL {name}:\n       " + "\n       ".join(problems))
    sys.exit(1)
print(f"ok   {name}: the same {len(want)} packages")
PY
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
        fi
    done
done
echo "$pass agree, $fail differ"
[ "$fail" -eq 0 ]
