#!/usr/bin/env python3
"""The whole lock2nix CLI on the largest corpus lock, against two baselines run alongside it on
the same file: Python's tomllib reading it, and Nix evaluating builtins.fromTOML of it.

Reports the median wall time of each (over --runs runs), the ratios, and lock2nix's peak memory,
against its targets (>= 20x faster than tomllib, >= 10x faster than Nix, <= 20 MiB).
Exits 0 either way: it is a measurement, not a test.

usage: compare_cli.py LOCK2NIX [--shared DIR] [--runs N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def largest_lock(shared):
    best, size = None, -1
    for group in ("real", "poetry2nix-tests"):
        base = os.path.join(shared, "corpus", group)
        for name in sorted(os.listdir(base)):
            path = os.path.join(base, name, "poetry.lock")
            if os.path.exists(path) and os.path.getsize(path) > size:
                best, size = path, os.path.getsize(path)
    return best


def measure(argv, runs):
    times, peak = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(argv)}: {proc.stderr.read().decode()[:500]}")
        times.append(elapsed)
        peak = max(peak, usage.ru_maxrss)  # KiB on Linux
    return statistics.median(times), peak


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("lock2nix")
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    lock = largest_lock(args.shared)
    print(f"input: {lock} ({os.path.getsize(lock)} bytes)")
    # --offline: no network here; the index client has its own benchmark (bench_index).
    ours = [args.lock2nix, lock, "--offline", "--quiet", "--allow-outside-project", "--system", "x86_64-linux", "--python", "3.11"]
    tomllib = [sys.executable, "-c", f"import tomllib; tomllib.load(open({lock!r}, 'rb'))"]
    nix = ["nix-instantiate", "--eval", "-E",
           f"builtins.length (builtins.fromTOML (builtins.readFile {lock})).package"]
    results = {}
    for name, argv in (("lock2nix (whole CLI)", ours), ("python3 tomllib.load", tomllib),
                       ("nix-instantiate builtins.fromTOML", nix)):
        results[name] = measure(argv, args.runs)
        print(f"{name:36s} median {results[name][0] * 1000:8.1f} ms   peak {results[name][1] / 1024:6.1f} MiB")
    t_ours, mem_ours = results["lock2nix (whole CLI)"]
    r_py = results["python3 tomllib.load"][0] / t_ours
    r_nix = results["nix-instantiate builtins.fromTOML"][0] / t_ours
    print(f"ratio vs tomllib: {r_py:5.1f}x (target >= 20x) {'met' if r_py >= 20 else 'NOT met'}")
    print(f"ratio vs Nix:     {r_nix:5.1f}x (target >= 10x) {'met' if r_nix >= 10 else 'NOT met'}")
    print(f"peak memory:      {mem_ours / 1024:5.1f} MiB (target <= 20 MiB) {'met' if mem_ours <= 20 * 1024 else 'NOT met'}")


if __name__ == "__main__":
    main()
