#!/usr/bin/env python3
"""A whole translation against a process that only parses the same lock with toml++ (goal: CPU
<= 1.5x and peak RSS <= 1.25x the parse-only process, largest corpus lock).
Interleaved runs, CPU time (user + sys) and peak RSS through lock2nix-rusage-run, medians.
Exits 0: a measurement, not a test.

usage: translate_vs_parse.py LOCK2NIX [--shared DIR] [--runs 30] [--lock FILE]
"""
import argparse
import os
import statistics

from compare_cli import largest_lock
from scale import cpu_run, rusage_runner


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("lock2nix")
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--lock")
    args = ap.parse_args()
    lock = args.lock or largest_lock(args.shared)
    runner = rusage_runner(args.lock2nix)
    parse_only = os.path.join(os.path.dirname(runner), "lock2nix-toml-parse-only")
    argvs = {"toml++ parse only": [parse_only, lock],
             "lock2nix translate": [args.lock2nix, lock, "--offline", "--quiet", "--allow-outside-project",
                                    "--system", "x86_64-linux", "--python", "3.11"]}
    times = {k: [] for k in argvs}
    peaks = {k: [] for k in argvs}
    for _ in range(args.runs):
        for k, argv in argvs.items():
            t, rss = cpu_run(argv, runner=runner)
            times[k].append(t)
            peaks[k].append(rss)
    print(f"input: {lock} ({os.path.getsize(lock)} bytes)")
    for k in argvs:
        print(f"{k:22s} median CPU {statistics.median(times[k]) * 1000:8.2f} ms   "
              f"peak {statistics.median(peaks[k]) / 1024:6.1f} MiB")
    cpu = statistics.median(times["lock2nix translate"]) / statistics.median(times["toml++ parse only"])
    mem = statistics.median(peaks["lock2nix translate"]) / statistics.median(peaks["toml++ parse only"])
    print(f"CPU  {cpu:5.2f}x parse-only (goal <= 1.5x): {'met' if cpu <= 1.5 else 'NOT met'}")
    print(f"peak {mem:5.2f}x parse-only (goal <= 1.25x): {'met' if mem <= 1.25 else 'NOT met'}")


if __name__ == "__main__":
    main()
