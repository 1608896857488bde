#!/usr/bin/env bash
# usage: eval-pylocks.sh LOCK2NIX SHARED
# Every shared PEP 751 lock (SHARED/corpus/pylock/*/pylock*.toml) is translated offline for four
# targets: x86_64-linux with Python 3.12, aarch64-darwin with Python 3.13, and lock2nix's own
# choice of Python on each of the two systems, in the lock's default selection; a lock that lists
# groups or extras also for x86_64-linux/3.12 with all of them ("+everything"). For each, either
#   - the file parses (nix-instantiate --parse) and evaluates strictly, in restricted mode, against
#     the nixpkgs stub for that system (every package, env, devShell, image and, where the
#     project is described, app), and agrees with `plan --json` for the same target: the same
#     interpreter, the same files fetched, the same package set, and env holding exactly the
#     plan's packages (tests/nix/plan-matches-file.py); or
#   - the translation is refused as listed in `refusals` below, for the reason given there: exit 2,
#     nothing written, a message at the lock's line and column naming what it expected, with a hint.
# A refusal not in the list fails, and so does an entry of the list that no longer refuses.
# Offline, nothing is downloaded: files are fetched by the URLs the pylocks give (no index), an
# sdist's build backend is guessed, and git sources get placeholder hashes in the cache.
# Exits 77 (skipped) when SHARED has no pylock corpus: a user's clone has no shared data.
set -u
cli=$1
shared=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
shared_pylocks "$shared"

# The largest lock is refused on every target for one entry (torch-cluster, whose files uv took
# from a find-links page without digests); the rest of it is worth evaluating, so it is also
# translated without that entry. Its folder is copied whole: the project is a `directory` entry.
variant=$work/variants/uv-mlcg-cu128-without-torch-cluster
if [ -f "$shared/corpus/pylock/uv-mlcg-cu128/pylock.toml" ]; then
    mkdir -p "$variant"
    cp "$shared"/corpus/pylock/uv-mlcg-cu128/* "$variant/"
    chmod -R u+w "$variant"
    python3 - "$variant/pylock.toml" <<'PY' || exit 1
import re, sys
path = sys.argv[1]
text = open(path).read()
entries = re.split(r"(?m)^(?=\[\[packages\]\]$)", text)
kept = [e for e in entries if not re.search(r'(?m)^name = "torch-cluster"$', e)]
if len(kept) != len(entries) - 1:
    sys.exit(f"{path}: expected one torch-cluster entry, found {len(entries) - len(kept)}")
open(path, "w").write("".join(kept))
PY
    locks+=("$variant/pylock.toml")
fi

python3 "$here/seed-git-cache.py" "$XDG_CACHE_HOME" "${locks[@]}" >/dev/null || exit 1

# Expected refusals, first match wins: "FOLDER SYSTEM/PYTHON[+everything]" (a glob; PYTHON is
# "choice" for lock2nix's own), a fragment of the message, and why the specification makes an installer refuse.
refusals=(
    "uv-ext-reg x86_64-linux/3.12|the pylock's requires-python is \`>=3.13.2\`, which excludes Python 3.12|the lock's requires-python excludes the target's Python"
    "uv-ext-reg *|package \`pydantic-core\` 2.27.2 has no file usable on|a lock for Pyodide: pydantic-core has only a pyodide_2025_0_wasm32 wheel, and an entry to install with no compatible wheel and no sdist is an error"
    "uv-mlcg-cu128 aarch64-darwin/3.13|the pylock's requires-python is \`==3.12.*\`, which excludes Python 3.13|the lock's requires-python excludes the target's Python"
    "uv-mlcg-cu128 *|file torch_cluster-1.6.3+pt211cu128-cp312-cp312-linux_x86_64.whl of torch-cluster has an empty \`hashes\` table|an entry to install whose files have no digest (uv's hashes = {} for a find-links page): nothing to verify or pin a fetch by"
    "uv-mlcg-cu128-without-torch-cluster aarch64-darwin/3.13|the pylock's requires-python is \`==3.12.*\`, which excludes Python 3.13|the lock's requires-python excludes the target's Python"
    "uv-mlcg-cu128-without-torch-cluster aarch64-darwin/*|package \`cuequivariance-ops-cu12\` 0.10.0 has no file usable on aarch64-darwin|a lock for CUDA on Linux: cuequivariance-ops-cu12 has only Linux wheels and no sdist"
    "pip-inboard x86_64-linux/*|package \`cffi\` 2.0.0 has no file usable on x86_64-linux|pip locked the one environment it ran in (macOS arm64, CPython 3.13): cffi has only that wheel and no sdist"
    "pip-verilyze-dev x86_64-linux/3.12|package \`black\` 26.5.1 has no file usable on x86_64-linux/cpython3.12|pip locked the one environment it ran in (x86_64 Linux, CPython 3.14): black has only a cp314 wheel and no sdist"
    "pip-verilyze-dev aarch64-darwin/*|package \`ast-serialize\` 0.8.0 has no file usable on aarch64-darwin|pip locked the one environment it ran in (x86_64 Linux, CPython 3.14): ast-serialize has only a Linux wheel and no sdist"
)
declare -A used=()

expected_refusal() { # expected_refusal KEY: prints the index of the first entry matching KEY
    local i pattern
    for i in "${!refusals[@]}"; do
        pattern=${refusals[$i]%%|*}
        # shellcheck disable=SC2053
        if [[ $1 == $pattern ]]; then
            echo "$i"
            return 0
        fi
    done
    return 1
}

evaluated=0
refused=0
for lock in "${locks[@]}"; do
    dir=$(dirname "$lock")
    folder=$(basename "$dir")
    # A lock written for several selections also serves all of them at once: every group it
    # lists and every extra ("" when it lists none, or is written for one selection).
    everything=$(python3 -c '
import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
groups = lock.get("dependency-groups", []) + lock.get("default-groups", [])
args = ["--with", ",".join(dict.fromkeys(groups))] if groups else []
print(" ".join(args + (["--all-extras"] if lock.get("extras") else [])))' "$lock") || exit 1
    for target in "x86_64-linux 3.12" "aarch64-darwin 3.13" "x86_64-linux choice" \
        "aarch64-darwin choice" "x86_64-linux 3.12 everything"; do
        read -r system python selection <<<"$target"
        key="$folder $system/$python${selection:++$selection}"
        args=(--offline --quiet "$lock" --system "$system")
        [ "$python" = choice ] || args+=(--python "$python")
        if [ -n "$selection" ]; then
            [ -n "$everything" ] || continue
            read -r -a more <<<"$everything"
            args+=("${more[@]}")
        fi
        out="$work/$folder-$system-$python${selection:+-$selection}"
        mkdir -p "$out"
        "$cli" "${args[@]}" -o "$out/python-env.nix" >"$out/stdout" 2>"$out/err"
        rc=$?
        entry=$(expected_refusal "$key")
        if [ "$rc" -ne 0 ]; then
            if [ -z "$entry" ]; then
                echo "FAIL $key: refused (exit $rc), not in the list of expected refusals: $(head -c 2000 "$out/err")"
                fail=$((fail + 1))
                continue
            fi
            IFS='|' read -r _ fragment reason <<<"${refusals[$entry]}"
            used[$entry]=1
            problems=()
            [ "$rc" -eq 2 ] || problems+=("exit $rc, expected 2 (bad input)")
            [ -e "$out/python-env.nix" ] && problems+=("it wrote $out/python-env.nix")
            [ -s "$out/stdout" ] && problems+=("it printed on stdout")
            grep -qF -- "$fragment" "$out/err" || problems+=("the message does not say: $fragment")
            first=$(head -1 "$out/err")
            [[ $first == "$lock:"* && ${first#"$lock:"} =~ ^[0-9]+:[0-9]+:\ error:\  ]] ||
                problems+=("the message does not start with $lock:LINE:COLUMN: error:")
            grep -q '^  hint: ' "$out/err" || problems+=("the message has no hint")
            if [ "${#problems[@]}" -ne 0 ]; then
                printf 'FAIL %s: refused, but: %s\n' "$key" "$(printf '%s; ' "${problems[@]}")"
                head -5 "$out/err"
                fail=$((fail + 1))
                continue
            fi
            echo "ok   $key: refused as expected ($reason)"
            refused=$((refused + 1))
            pass=$((pass + 1))
            rm -rf "$out"
            continue
        fi
        if [ -n "$entry" ]; then
            used[$entry]=1
            echo "FAIL $key: translated, but the list expects a refusal: ${refusals[$entry]#*|}"
            fail=$((fail + 1))
            continue
        fi
        if ! "$cli" plan --json "${args[@]}" >"$out/plan.json" 2>"$out/err"; then
            echo "FAIL $key: plan failed where the translation worked: $(head -3 "$out/err")"
            fail=$((fail + 1))
            rm -f "$out/plan.json"
            continue
        fi
        # The file and the plan are for the same interpreter (lock2nix's choice is made once).
        interpreter=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["target"]["interpreter"])' "$out/plan.json")
        if ! grep -q "^# targets: $system ${interpreter/python3/python3.}\$" "$out/python-env.nix"; then
            echo "FAIL $key: plan targets $system $interpreter, the file: $(grep -m1 '^# targets:' "$out/python-env.nix")"
            fail=$((fail + 1))
            continue
        fi
        if ! nix-instantiate --parse "$out/python-env.nix" >/dev/null 2>"$out/err"; then
            echo "FAIL $key: does not parse: $(head -3 "$out/err")"
            fail=$((fail + 1))
            continue
        fi
        # Strict evaluation of everything the file offers, then the names plan-matches-file.py
        # compares with the plan.
        if ! nix-instantiate --eval --strict --json --option restrict-eval true \
            -I "stub=$here" -I "gen=$out" -I "project=$dir" --argstr system "$system" -E '
            { system }:
            let
              e = import <gen/python-env.nix> {
                pkgs = import <stub/stub-nixpkgs.nix> { inherit system; };
                projectDir = <project>;
              };
              packages = removeAttrs e.packages (builtins.attrNames e.unavailable);
              everything = {
                inherit packages;
                inherit (e) env devShell image;
                app = e.app or null;
              };
            in
            builtins.deepSeq everything {
              packages = builtins.attrNames packages;
              env = e.env.packages;
            }' >"$out/evaluated.json" 2>"$out/err"; then
            echo "FAIL $key: does not evaluate: $(grep -m3 -e error -e throw "$out/err")"
            fail=$((fail + 1))
            rm -f "$out/evaluated.json"
            continue
        fi
        echo "ok   $key: evaluates ($(grep -m1 '^# targets:' "$out/python-env.nix" | cut -d' ' -f3-))"
        evaluated=$((evaluated + 1))
        pass=$((pass + 1))
    done
done
for i in "${!refusals[@]}"; do
    if [ -z "${used[$i]:-}" ]; then
        echo "FAIL the expected refusal \"${refusals[$i]%%|*}\" matched no lock and target: remove it"
        fail=$((fail + 1))
    fi
done
python3 "$here/plan-matches-file.py" "$work" || fail=$((fail + 1))
echo "pylocks: ${#locks[@]} locks$([ -d "$variant" ] && echo " (one of them the variant)"), $evaluated lock and target pairs evaluated, $refused refused as expected"
finish
