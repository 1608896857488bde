#!/usr/bin/env python3
"""`lock2nix check` on the largest corpus lock against lock2nix's own process start (goal:
`check` <= 2x `lock2nix version`), in the same run: interleaved runs, CPU time (user + sys)
through lock2nix-rusage-run, medians. Also shows `check --nix` (which hashes the whole lock) and,
with --baseline, another build's check for before/after. Exits 0: a measurement, not a test.

usage: check_cli.py LOCK2NIX [--shared DIR] [--runs 50] [--baseline OTHER_LOCK2NIX]
"""
import argparse
import os
import statistics
import subprocess
import tempfile

from compare_cli import largest_lock
from scale import cpu_run, rusage_runner


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("lock2nix")
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--baseline")
    args = ap.parse_args()
    lock = largest_lock(args.shared)
    pyproject = os.path.join(os.path.dirname(lock), "pyproject.toml")
    runner = rusage_runner(args.lock2nix)
    with tempfile.TemporaryDirectory() as tmp:
        nix = os.path.join(tmp, "python-env.nix")
        subprocess.run([args.lock2nix, lock, "--offline", "--quiet", "--allow-outside-project", "-o", nix], check=True)
        argvs = {"lock2nix version (process start)": [args.lock2nix, "version"],
                 "check": [args.lock2nix, "check", "--lock", lock, "--pyproject", pyproject],
                 "check --nix": [args.lock2nix, "check", "--lock", lock, "--pyproject", pyproject,
                                 "--nix", nix]}
        if args.baseline:
            argvs["baseline check"] = [args.baseline, "check", "--lock", lock, "--pyproject", pyproject]
        times = {k: [] for k in argvs}
        for _ in range(args.runs):
            for k, argv in argvs.items():
                times[k].append(cpu_run(argv, runner=runner)[0])
    print(f"input: {lock} ({os.path.getsize(lock)} bytes)")
    start = statistics.median(times["lock2nix version (process start)"])
    for k in argvs:
        m = statistics.median(times[k])
        print(f"{k:36s} median CPU {m * 1000:7.2f} ms  {m / start:5.2f}x process start")
    ratio = statistics.median(times["check"]) / start
    print(f"goal check <= 2x process start: {ratio:.2f}x {'met' if ratio <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
