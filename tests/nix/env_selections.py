#!/usr/bin/env python3
"""The emitted environment holds exactly `plan`'s packages for every selection it accepts.

For each lock: translate it, then for selections of groups and extras (every one when there are
few names, else the default, the ones lock2nix says it computed, and random others with a fixed
seed) evaluate the file's `packageNames { groups; extras; }` against the stub nixpkgs and compare
with the packages `plan --json` marks as default for the same `--only`/`--extras`. An accepted
selection must match; a refused one must say how to regenerate, and the default is never refused.

usage: env_selections.py LOCK2NIX ROOT_OF_TESTS LOCK... [--random N] [--jobs N] [--min-checked N]
       (ROOT_OF_TESTS: the tests/ folder, for the stub nixpkgs; a LOCK may be a folder holding
       poetry.lock and pyproject.toml, or a folder searched for poetry.lock files)
"""
import argparse
import concurrent.futures
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ARGS = ["--offline", "--quiet", "--system", "x86_64-linux"]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def plan_names(cli, lock, python, groups, extras):
    cmd = [cli, "plan", lock, "--json", *ARGS, "--python", python, "--only", ",".join(groups)]
    if extras:
        cmd += ["--extras", ",".join(extras)]
    r = run(cmd)
    if r.returncode != 0:
        return None, r.stderr.strip()
    packages = json.loads(r.stdout)["packages"]
    return sorted(p["attribute"] for p in packages if p["default"]), ""


def evaluate(tests, folder, selections):
    """packageNames for each selection: a sorted list, or the refusal's message."""
    expr = """
      let
        e = import <gen/python-env.nix> { pkgs = import <stub/stub-nixpkgs.nix> { }; projectDir = <gen>; };
        one = s: let r = builtins.tryEval (builtins.deepSeq (e.packageNames s) (e.packageNames s));
                 in if r.success then { names = r.value; } else { refused = true; };
      in { unavailable = builtins.attrNames e.unavailable;
           results = map one (builtins.fromJSON (builtins.readFile <gen/selections.json>)); }
    """
    with open(os.path.join(folder, "selections.json"), "w") as f:
        json.dump([{"groups": g, "extras": x} for g, x in selections], f)
    r = run(["nix-instantiate", "--eval", "--strict", "--json", "--option", "restrict-eval", "true",
             "-I", f"stub={tests}/nix", "-I", f"gen={folder}", "-E", expr])
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip()[-2000:])
    return json.loads(r.stdout)


def refusal_message(tests, folder, groups, extras):
    expr = ("(import <gen/python-env.nix> { pkgs = import <stub/stub-nixpkgs.nix> { }; "
            "projectDir = <gen>; }).packageNames " +
            "{ groups = builtins.fromJSON ''%s''; extras = builtins.fromJSON ''%s''; }"
            % (json.dumps(groups), json.dumps(extras)))
    r = run(["nix-instantiate", "--eval", "--strict", "--option", "restrict-eval", "true",
             "-I", f"stub={tests}/nix", "-I", f"gen={folder}", "-E", expr])
    return r.stderr


def check_lock(cli, tests, lock_arg, random_count, seed):
    """(failures, counts) for one lock; a lock that does not translate is skipped."""
    lock = os.path.join(lock_arg, "poetry.lock") if os.path.isdir(lock_arg) else lock_arg
    work = tempfile.mkdtemp(prefix="l2n-sel-")
    try:
        out = os.path.join(work, "python-env.nix")
        r = run([cli, lock, *ARGS, "--allow-outside-project", "-o", out])
        if r.returncode != 0:
            return [], {"skipped": 1}
        text = open(out).read()
        python = re.search(r"^# targets: .*?python(\d+\.\d+)", text, re.M).group(1)
        r = run([cli, "plan", lock, "--json", *ARGS, "--python", python])
        document = json.loads(r.stdout)
        groups, extras = document["available_groups"], document["available_extras"]
        default = (sorted(document["groups"]), sorted(document["extras"]))
        names = groups + extras
        if len(names) <= 4:
            selections = set()
            for n in range(1, len(names) + 1):
                for chosen in itertools.combinations(names, n):
                    g = tuple(sorted(set(chosen) & set(groups)))
                    x = tuple(sorted(set(chosen) & set(extras)))
                    if g:
                        selections.add((g, x))
            selections = sorted(selections)
        else:
            # Seeded by the lock's content, so the selections do not depend on where the checkout is.
            with open(lock, "rb") as f:
                rng = random.Random(f"{seed}:" + hashlib.sha256(f.read()).hexdigest())
            picked = {(tuple(default[0]), tuple(default[1]))}
            for _ in range(random_count):
                g = sorted(rng.sample(groups, rng.randint(1, len(groups))))
                x = sorted(rng.sample(extras, rng.randint(0, min(len(extras), 3))))
                picked.add((tuple(g), tuple(x)))
            selections = sorted(picked)
        selections = [(list(g), list(x)) for g, x in selections]
        evaluated = evaluate(tests, work, selections)
        results, unavailable = evaluated["results"], set(evaluated["unavailable"])
        failures = []
        counts = {"checked": 0, "refused": 0}
        for (g, x), result in zip(selections, results):
            what = f"{lock_arg}: groups {g} extras {x}"
            if result.get("refused"):
                if (g, x) == (default[0], default[1]):
                    failures.append(f"{what}: the default selection is refused")
                    continue
                counts["refused"] += 1
                continue
            expected, error = plan_names(cli, lock, python, g, x)
            if expected is None and unavailable & set(result["names"]):
                counts["refused"] += 1  # both refuse: the env names a package it cannot build
                continue
            if expected is None:
                failures.append(f"{what}: the env gives {result['names']}, plan refuses: {error}")
                continue
            counts["checked"] += 1
            if sorted(result["names"]) != expected:
                failures.append(f"{what}: env {sorted(result['names'])} != plan {expected}")
        return failures, counts
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cli")
    parser.add_argument("tests")
    parser.add_argument("locks", nargs="+")
    parser.add_argument("--random", type=int, default=6)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", default="lock2nix")
    parser.add_argument("--expect-refusal", nargs=3, metavar=("LOCK", "GROUPS", "EXTRAS"),
                        help="also require that this selection of LOCK is refused with a way out")
    parser.add_argument("--min-checked", type=int, default=1,
                        help="fail unless at least this many selections were compared")
    args = parser.parse_args()
    locks = []
    for arg in args.locks:
        if os.path.isdir(arg) and not os.path.exists(os.path.join(arg, "poetry.lock")):
            for dirpath, _, files in sorted(os.walk(arg)):
                if "poetry.lock" in files:
                    locks.append(os.path.join(dirpath, "poetry.lock"))
        else:
            locks.append(arg)
    args.locks = sorted(locks)
    failures = []
    totals = {"locks": 0, "checked": 0, "refused": 0, "skipped": 0}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for f, counts in pool.map(lambda l: check_lock(args.cli, args.tests, l, args.random, args.seed),
                                  args.locks):
            failures += f
            totals["locks"] += 1
            for k, v in counts.items():
                totals[k] += v
    if args.expect_refusal:
        lock, groups, extras = args.expect_refusal
        work = tempfile.mkdtemp(prefix="l2n-sel-")
        run([args.cli, os.path.join(lock, "poetry.lock"), *ARGS, "--python", "3.11",
             "-o", os.path.join(work, "python-env.nix")])
        g, x = groups.split(","), [e for e in extras.split(",") if e]
        message = refusal_message(args.tests, work, g, x)
        shutil.rmtree(work, ignore_errors=True)
        way_out = f"--only {','.join(sorted(g))}" + (f" --extras {','.join(sorted(x))}" if x else "")
        if "did not compute" not in message or way_out not in message:
            failures.append(f"{lock}: groups {g} extras {x} is not refused with `{way_out}`: {message[-500:]}")
    if totals["checked"] < args.min_checked:
        failures.append(f"only {totals['checked']} selections compared, expected {args.min_checked}")
    for f in failures:
        print("FAIL", f)
    print(f"{totals['locks']} locks ({totals['skipped']} not translated), {totals['checked']} "
          f"selections equal to plan, {totals['refused']} refused, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
