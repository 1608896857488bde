#!/usr/bin/env python3
"""Keeps the evaluation benchmark honest and runnable (benchmarks/eval_vs_poetry2nix.py):
1. benchmarks/poetry2nix-restated.nix evaluates every distinct dependency marker of the real corpus
   locks as `packaging` does (x86_64-linux, CPython 3.11.0; no extra, then each marker's own extra),
   and Poetry constraints as expected;
2. both sides of the benchmark evaluate on one corpus lock and reach nearly the same closure.

usage: poetry2nix-restated.py LOCK2NIX SHARED
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib

from packaging.markers import Marker

here = os.path.dirname(os.path.abspath(__file__))
bench = os.path.join(here, "..", "..", "benchmarks")
sys.path.insert(0, bench)
from eval_vs_poetry2nix import NIX_CONFIG, closure_names, nix_list, sides  # noqa: E402

lock2nix, shared = sys.argv[1], sys.argv[2]
env = dict(os.environ, NIX_CONFIG=NIX_CONFIG)
failures = 0

markers = set()
for lock in glob.glob(os.path.join(shared, "corpus", "real", "*", "poetry.lock")):
    with open(lock, "rb") as f:
        data = tomllib.load(f)
    for p in data.get("package", []):
        for spec in (p.get("dependencies") or {}).values():
            for s in spec if isinstance(spec, list) else [spec]:
                if isinstance(s, dict) and "markers" in s:
                    markers.add(s["markers"])
markers = sorted(markers)
environ = {"os_name": "posix", "sys_platform": "linux", "platform_machine": "x86_64",
           "platform_system": "Linux", "platform_python_implementation": "CPython",
           "implementation_name": "cpython", "implementation_version": "3.11.0",
           "python_version": "3.11", "python_full_version": "3.11.0", "platform_release": "",
           "platform_version": ""}
cases = []
for m in markers:
    cases.append((m, []))
    for extra in re.findall(r'extra\s*==\s*["\']([^"\']+)', m):
        cases.append((m, [extra]))
expected = [Marker(m).evaluate(dict(environ, extra=e[0] if e else "")) for m, e in cases]
constraints = {"^3.8": True, ">=3.12": False, "<3.11": False, ">=3.7,<4.0": True,
               ">=2.7, !=3.0.*, !=3.1.*": True, "~3.11": True, "~=3.10": True, "3.11.*": True,
               "<3.11.0rc1": False, "~2.7 || ^3.6": True, "!=3.11.*": False, "^3.11.1": False,
               "<3.13,>=3.9": True, "*": True, "": True}
with tempfile.TemporaryDirectory() as work:
    cases_file = os.path.join(work, "cases.json")
    with open(cases_file, "w") as f:
        json.dump({"markers": [{"m": m, "extras": e} for m, e in cases],
                   "constraints": list(constraints)}, f)
    corpus = os.path.join(shared, "corpus", "real", "private-gpt")
    expr = (f"let pkgs = import {bench}/eval-model.nix {{ }}; "
            f"r = import {bench}/poetry2nix-restated.nix {{ inherit pkgs; python = pkgs.python311; "
            f"lockFile = {corpus}/poetry.lock; pyprojectFile = {corpus}/pyproject.toml; }}; "
            f"c = builtins.fromJSON (builtins.readFile {cases_file}); "
            "in { markers = map (x: r.evalMarker x.extras x.m) c.markers; "
            "constraints = map r.checkPythonVersions c.constraints; }")
    out = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"FAIL the restatement does not evaluate: {out.stderr[-1500:]}")
    got = json.loads(out.stdout)
    for (m, e), want, have in zip(cases, expected, got["markers"]):
        if want != have:
            failures += 1
            print(f"FAIL marker {m!r} extras {e}: packaging says {want}, the restatement {have}")
    for (c, want), have in zip(constraints.items(), got["constraints"]):
        if want != have:
            failures += 1
            print(f"FAIL python-versions {c!r}: expected {want}, the restatement says {have}")
    print(f"{len(cases)} marker cases, {len(constraints)} constraints compared")

    # Both sides of the benchmark on one lock.
    name = "kserve-huggingfaceserver"
    corpus = os.path.abspath(os.path.join(shared, "corpus", "real", name))
    gen = os.path.join(work, name)
    os.makedirs(gen)
    subprocess.run([lock2nix, os.path.join(corpus, "poetry.lock"), "--offline", "--quiet",
                    "--system", "x86_64-linux", "--python", "3.11",
                    "--project-root", os.path.dirname(corpus), "-o",
                    os.path.join(gen, "python-env.nix")],
                   check=True, env=dict(env, XDG_CACHE_HOME=os.path.join(work, "cache")))
    text = open(os.path.join(gen, "python-env.nix")).read()
    exprs = sides(os.path.abspath(bench), gen, corpus, nix_list(text, "defaultGroups"),
                  nix_list(text, "defaultExtras"))
    a, b = (closure_names(e, env) for e in exprs.values())
    print(f"{name}: closure lock2nix {len(a)}, poetry2nix (restated) {len(b)}, common {len(a & b)}")
    if not a or len(a & b) < 0.9 * max(len(a), len(b)):
        failures += 1
        print(f"FAIL {name}: the two sides' closures differ: {sorted(a ^ b)[:10]}")

print(f"{'FAIL' if failures else 'ok'}: {failures} failure(s)")
sys.exit(1 if failures else 0)
