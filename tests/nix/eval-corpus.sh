#!/usr/bin/env bash
# usage: eval-corpus.sh LOCK2NIX SHARED [MIN]: every lock in SHARED/corpus/*/* (the whole corpus,
# or the sample projects in tests/data/shared) must evaluate; at least MIN of them must plan.
# Every corpus lock that plans for x86_64-linux/Python 3.11 is translated; the file must parse
# (nix-instantiate --parse) and evaluate strictly, in restricted mode, against the nixpkgs stub:
# every package, env, mkEnv with every group, app and devShell. The project's folder is the
# corpus folder itself, and its siblings are readable: path dependencies that point at them are
# copied at evaluation (filtered to what their backend packages), as they would be in a checkout.
# Git sources need their fetchgit hash, which needs the network: the cache is filled beforehand
# with placeholder hashes for the corpus's git commits (the hash computation itself is tested
# against nix-hash in the unit tests).
set -u
cli=$1
shared=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"

# Placeholder cache entries for every git package in the corpus.
python3 - "$shared" "$XDG_CACHE_HOME" <<'PY'
import glob, hashlib, json, os, sys, tomllib
shared, cache = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(cache, "lock2nix", "git"), exist_ok=True)
for lock in glob.glob(os.path.join(shared, "corpus", "*", "*", "poetry.lock")):
    with open(lock, "rb") as f:
        data = tomllib.load(f)
    for p in data.get("package", []):
        s = p.get("source") or {}
        if s.get("type") != "git":
            continue
        rev = s.get("resolved_reference") or s.get("reference")
        key = hashlib.sha256((s["url"] + "\n" + rev).encode()).hexdigest()
        with open(os.path.join(cache, "lock2nix", "git", key + ".json"), "w") as f:
            json.dump({"url": s["url"], "rev": rev, "submodules": False, "build_requires": [],
                       "hash": "sha256-" + "A" * 43 + "="}, f)
PY

skipped=0
for dir in "$shared"/corpus/*/*/; do
    [ -e "$dir/poetry.lock" ] || continue # (corpus/pylock holds other formats)
    name=$(basename "$dir")
    out="$work/$name"
    mkdir -p "$out"
    # Python 3.11; for a lock whose own range leaves 3.11 out, lock2nix's choice; for one whose
    # range no release of nixpkgs serves any more, an older interpreter the stub still has.
    python=()
    for candidate in 3.11 "" 3.10 3.9 3.8; do
        python=(${candidate:+--python "$candidate"})
        "$cli" plan --offline --quiet "$dir/poetry.lock" --system x86_64-linux "${python[@]}" 2>&1 >/dev/null |
            grep -q -e 'excludes Python' -e 'allow none of the interpreters' || break
    done
    # Path dependencies point at sibling folders of the corpus, or above it (monorepos).
    if ! "$cli" --offline "$dir/poetry.lock" --system x86_64-linux "${python[@]}" \
        --allow-outside-project -o "$out/python-env.nix" 2>"$out/err"; then
        # Not every lock plans for this target (no usable file, stale lock): that is the
        # planner's business, tested elsewhere; the message must say why.
        if grep -q -e 'has no file usable on' -e 'which poetry.lock does not contain' "$out/err"; then
            skipped=$((skipped + 1))
            continue
        fi
        echo "FAIL $name: translation failed: $(head -3 "$out/err")"
        fail=$((fail + 1))
        continue
    fi
    # The one planner: `plan --json` must name exactly the files the file fetches.
    if ! "$cli" plan --offline --json "$dir/poetry.lock" --system x86_64-linux "${python[@]}" \
        >"$out/plan.json" 2>"$out/err"; then
        echo "FAIL $name: plan failed where the translation worked: $(head -3 "$out/err")"
        fail=$((fail + 1))
        continue
    fi
    if ! nix-instantiate --parse "$out/python-env.nix" >/dev/null 2>"$out/err"; then
        echo "FAIL $name: does not parse: $(head -3 "$out/err")"
        fail=$((fail + 1))
        continue
    fi
    if ! nix-instantiate --eval --strict --option restrict-eval true \
        -I "stub=$here" -I "gen=$out" -I "project=$dir" -I "siblings=$(dirname "$dir")" -E '
        let
          e = import <gen/python-env.nix> { pkgs = import <stub/stub-nixpkgs.nix> { }; projectDir = <project>; };
        in {
          packages = removeAttrs e.packages (builtins.attrNames e.unavailable);
          inherit (e) env;
          app = e.app or null;
          devShell = e.devShell or null;
        }' >/dev/null 2>"$out/err"; then
        echo "FAIL $name: does not evaluate: $(grep -m3 -e error -e throw "$out/err")"
        fail=$((fail + 1))
        continue
    fi
    pass=$((pass + 1))
done
# Every fetchurl of a file names it (`name = "<file>"`, store-safe); the plan's artifacts with a
# file of kind wheel, sdist or url, and the alternatives it lets Nix choose, are the files the
# file can fetch, and each package's chosen build is the one the file chooses.
python3 - "$work" <<'PY' || fail=$((fail + 1))
import glob, json, os, re, sys
def store_safe(n):
    n = re.sub(r"[^A-Za-z0-9+\-._?=]", "-", n)
    return "_" + n if n.startswith(".") or not n else n
bad = compared = files = 0
for plan_path in sorted(glob.glob(os.path.join(sys.argv[1], "*", "plan.json"))):
    here = os.path.dirname(plan_path)
    if not os.path.exists(os.path.join(here, "python-env.nix")):
        continue
    plan = json.load(open(plan_path))
    planned = {store_safe(p[k]["file"]) for p in plan["packages"] for k in ("artifact", "alternative")
               if k in p and "file" in p[k] and p[k]["kind"] in ("wheel", "sdist", "url")}
    text = open(os.path.join(here, "python-env.nix")).read()
    fetched = set(re.findall(r'fetchurl \{\n\s*name = "((?:[^"\\]|\\.)*)";', text))
    choices = dict(re.findall(r'\n\s*"?([^\s"=]+)"? = \{\n\s*lock2nixChoice = "(wheel|sdist)";', text))
    for p in plan["packages"]:
        if "alternative" in p and choices.get(p["attribute"]) != p["artifact"]["kind"]:
            bad += 1
            print(f"FAIL {os.path.basename(here)}: {p['attribute']}: the plan builds the "
                  f"{p['artifact']['kind']}, the file chooses {choices.get(p['attribute'])}")
    compared += 1
    files += len(planned)
    if planned != fetched:
        bad += 1
        print(f"FAIL {os.path.basename(here)}: plan and file disagree: only in plan "
              f"{sorted(planned - fetched)[:5]}, only in the file {sorted(fetched - planned)[:5]}")
print(f"plan --json and the file agree on {compared - bad} of {compared} locks ({files} files)")
sys.exit(1 if bad else 0)
PY
echo "corpus: $pass evaluated, $skipped not plannable for x86_64-linux/3.11"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge "${3:-190}" ]
