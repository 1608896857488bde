#!/usr/bin/env python3
"""Evaluation of the file lock2nix emits against poetry2nix's evaluation of the same lock (goal:
>= 10x cheaper, both under the same Nix).

Both sides run in `nix-instantiate --eval` against the same nixpkgs, benchmarks/eval-model.nix (the
restricted-evaluation stub tests/nix/stub-nixpkgs.nix, whose buildPythonPackage keeps its
arguments), and force the same thing: `builtins.deepSeq` of the environment's inputs, i.e. every
package of the environment's closure with its src and inputs, as instantiating the environment's
derivation would.

- lock2nix: `import python-env.nix { pkgs; }`, then `env` (the default groups and extras).
- poetry2nix: benchmarks/poetry2nix-restated.nix, our restatement of what poetry2nix evaluates for
  mkPoetryEnv before any build (fromTOML of lock and pyproject, python-versions and PEP 508 markers
  per package and per dependency edge, file selection by version, extension and wheel tags, the
  package set, the root's groups), with the groups and extras lock2nix's env takes. It is a lower
  bound of poetry2nix: its default overrides (build-systems.json), the nixpkgs set it overlays and
  callPackage are left out (see the file's header).

Interleaved runs, CPU time (user + sys) and peak RSS of nix-instantiate through lock2nix-rusage-run,
medians. A third command, `nix-instantiate --eval -E 1`, is the process start: the "net" columns
subtract it (Nix's own start costs ~20 ms and ~25 MiB on either side). A fourth imports the emitted
file without evaluating it: the ceiling of what making the template cheaper could give. Before timing, the script
checks both sides evaluate and prints the size of each closure. Exits 0: a measurement, not a test.

usage: eval_vs_poetry2nix.py LOCK2NIX [--shared DIR] [--runs 15] [--lock NAME ...] [--synthetic N ...]
                             [--keep DIR]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

from scale import cpu_run, rusage_runner

# The largest real locks in the corpus whose pyproject poetry2nix can read ([tool.poetry]; it
# does not read PEP 621 [project]) and without git sources (poetry2nix fetches those with
# builtins.fetchGit at evaluation, which needs the network).
DEFAULT_LOCKS = ["langchain-2023-12", "dspy", "dlt-lock11", "private-gpt", "kserve-huggingfaceserver"]

NIX_CONFIG = "build-users-group =\nsubstituters =\nsandbox = false\nconnect-timeout = 1"


def nix_list(text, key):
    """The string list `key = [ ... ];` of the first target in an emitted file."""
    m = re.search(key + r" = \[([^\]]*)\];", text)
    return re.findall(r'"([^"]*)"', m.group(1)) if m else []


def nix_string(items):
    return "[ " + " ".join(json.dumps(i) for i in items) + " ]"


def sides(here, gen, corpus_dir, groups, extras):
    model = f'import {os.path.join(here, "eval-model.nix")} {{ }}'
    lock2nix = (f"let pkgs = {model}; e = import {gen}/python-env.nix {{ inherit pkgs; projectDir = {gen}; }}; "
                "in e.env")
    poetry2nix = (f"let pkgs = {model}; e = import {os.path.join(here, 'poetry2nix-restated.nix')} {{ "
                  f"inherit pkgs; python = pkgs.python311; lockFile = {corpus_dir}/poetry.lock; "
                  f"pyprojectFile = {corpus_dir}/pyproject.toml; groups = {nix_string(groups)}; "
                  f"extras = {nix_string(extras)}; }}; in e.env")
    return {"lock2nix": lock2nix, "poetry2nix (restated)": poetry2nix}


def closure_names(env_expr, env):
    expr = (f"let env = {env_expr}; deps = p: (p.inputs.dependencies or [ ]) ++ (p.inputs.propagatedBuildInputs or [ ]); "
            "in map (x: x.key) (builtins.genericClosure { startSet = map (p: { key = p.pname; val = p; }) env.inputs; "
            "operator = x: map (p: { key = p.pname; val = p; }) (deps x.val); })")
    out = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "--readonly-mode", "-E", expr],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"evaluation failed: {out.stderr[-1500:]}")
    return set(json.loads(out.stdout))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("lock2nix")
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--lock", action="append", help="a directory name under corpus/real (repeatable)")
    ap.add_argument("--synthetic", type=int, action="append", default=[],
                    help="also a synthetic project of N packages (gen_lock.py, lock 2.1; repeatable)")
    ap.add_argument("--keep", help="write the emitted files here and keep them")
    args = ap.parse_args()
    runner = rusage_runner(args.lock2nix)
    env = dict(os.environ, NIX_CONFIG=NIX_CONFIG)
    work = args.keep or tempfile.mkdtemp(prefix="lock2nix-evalbench-")
    os.makedirs(work, exist_ok=True)
    cases = []
    projects = [(name, os.path.abspath(os.path.join(args.shared, "corpus", "real", name)))
                for name in (args.lock or DEFAULT_LOCKS)]
    for n in args.synthetic:
        d = os.path.join(work, f"synthetic-{n}-project")
        subprocess.run([sys.executable, os.path.join(here, "gen_lock.py"), str(n), d], check=True,
                       stdout=subprocess.DEVNULL)
        projects.append((f"synthetic-{n}", d))
    for name, corpus_dir in projects:
        gen = os.path.join(work, name)
        os.makedirs(gen, exist_ok=True)
        subprocess.run([args.lock2nix, os.path.join(corpus_dir, "poetry.lock"), "--offline", "--quiet",
                        "--system", "x86_64-linux", "--python", "3.11",
                        "--project-root", os.path.dirname(os.path.abspath(corpus_dir)),
                        "-o", os.path.join(gen, "python-env.nix")], check=True,
                       env=dict(env, XDG_CACHE_HOME=os.path.join(work, "cache")))
        text = open(os.path.join(gen, "python-env.nix")).read()
        groups, extras = nix_list(text, "defaultGroups"), nix_list(text, "defaultExtras")
        exprs = sides(here, gen, corpus_dir, groups, extras)
        names = {k: closure_names(e, env) for k, e in exprs.items()}
        a, b = names["lock2nix"], names["poetry2nix (restated)"]
        print(f"{name}: {os.path.getsize(os.path.join(corpus_dir, 'poetry.lock'))} bytes, groups {groups}, "
              f"extras {extras}; closure: lock2nix {len(a)} packages, poetry2nix {len(b)} "
              f"(common {len(a & b)}; only poetry2nix: {sorted(b - a)[:6]}; only lock2nix: {sorted(a - b)[:6]})")
        forced = {k: ["nix-instantiate", "--eval", "--readonly-mode", "-E",
                      f"let env = {e}; in builtins.deepSeq env.inputs (builtins.length env.inputs)"]
                  for k, e in exprs.items()}
        # The file imported and not evaluated: what no change to the template can go below.
        forced["lock2nix, import only"] = ["nix-instantiate", "--eval", "--readonly-mode", "-E",
                                           f"builtins.seq (import {gen}/python-env.nix) 1"]
        cases.append((name, forced))
    baseline = ["nix-instantiate", "--eval", "--readonly-mode", "-E", "1"]
    os.environ["NIX_CONFIG"] = NIX_CONFIG
    times, peaks = {}, {}
    for _ in range(args.runs):
        for name, forced in cases:
            for side, argv in [("start", baseline), *forced.items()]:
                t, rss = cpu_run(argv, runner=runner)
                times.setdefault((name, side), []).append(t)
                peaks.setdefault((name, side), []).append(rss)
    print(f"\nmedians of {args.runs} interleaved runs; net = minus `nix-instantiate --eval -E 1`")
    print(f"{'lock':26s} {'side':22s} {'CPU ms':>8s} {'net ms':>8s} {'peak MiB':>9s} {'net MiB':>8s}")
    for name, forced in cases:
        t0 = statistics.median(times[(name, "start")])
        m0 = statistics.median(peaks[(name, "start")]) / 1024
        row = {}
        for side in forced:
            t = statistics.median(times[(name, side)])
            m = statistics.median(peaks[(name, side)]) / 1024
            row[side] = (t, m)
            print(f"{name:26s} {side:22s} {t * 1000:8.1f} {(t - t0) * 1000:8.1f} {m:9.1f} {m - m0:8.1f}")
        (lt, lm), (pt, pm) = row["lock2nix"], row["poetry2nix (restated)"]
        net = (pt - t0) / max(lt - t0, 1e-4)
        print(f"{'':26s} {'ratio poetry2nix/lock2nix':22s} CPU {pt / lt:5.1f}x (net {net:5.1f}x), "
              f"peak {pm / lm:4.2f}x (net {(pm - m0) / max(lm - m0, 0.1):5.1f}x); goal CPU >= 10x: "
              f"{'met' if pt / lt >= 10 else 'NOT met'}")
        it = row["lock2nix, import only"][0]
        print(f"{'':26s} {'ceiling':22s} a template that costs nothing to evaluate: CPU {pt / it:5.1f}x "
              f"(the file's import is {(it - t0) / max(lt - t0, 1e-4) * 100:3.0f}% of lock2nix's net)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
