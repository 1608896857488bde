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
python3 "$here/seed-git-cache.py" "$XDG_CACHE_HOME" "$shared"/corpus/*/*/poetry.lock >/dev/null

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
# The one planner: plan --json names exactly the files each file fetches, and the builds it chooses.
python3 "$here/plan-matches-file.py" "$work" || fail=$((fail + 1))
echo "corpus: $pass evaluated, $skipped not plannable for x86_64-linux/3.11"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge "${3:-190}" ]
