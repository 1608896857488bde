#!/usr/bin/env python3
"""Is lock2nix linear in the number of packages? (goal: <= 1.2x the per-package cost, see below)

Generates synthetic projects (gen_lock.py) of a small and a large size in both lock generations
(2.1 and 1.1), then runs translate, `plan --json` and `check` on each and compares the CPU time
per package (user + sys of the child, from wait4) of the large size with the small one, in the
same run. Linear means the large size's per-package cost is <= 1.2x the small one's. Runs are
interleaved (small, large, small, large, ...) so load on a shared machine hits both alike, and
the median is reported. Peak RSS per package is printed too. Exits 0: a measurement, not a test.

usage: scale.py LOCK2NIX [--small 1000] [--large 100000] [--runs 3] [--dir /tmp/lock2nix-scale]
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_lock  # noqa: E402


def rusage_runner(lock2nix):
    """lock2nix-rusage-run, built next to lock2nix (build/benchmarks/)."""
    return os.path.join(os.path.dirname(os.path.abspath(lock2nix)), "benchmarks", "lock2nix-rusage-run")


def cpu_run(argv, ok=(0,), runner=None):
    """CPU seconds (user + sys) and peak RSS (KiB) of one run of argv, through the small
    rusage runner (a child forked from Python would inherit Python's peak RSS)."""
    runner = runner or rusage_runner(argv[0])
    proc = subprocess.run([runner, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    last = proc.stderr.decode(errors="replace").rstrip().rsplit("\n", 1)[-1]
    if proc.returncode != 0 or not last.startswith("lock2nix-rusage: "):
        sys.exit(f"failed: {' '.join(argv)}: {proc.stderr.decode()[:500]}")
    user, system, peak, code = last.split()[1:]
    if int(code) not in ok:
        sys.exit(f"failed ({code}): {' '.join(argv)}: {proc.stderr.decode()[:500]}")
    return float(user) + float(system), int(peak)


def commands(lock2nix, d):
    lock, pp = os.path.join(d, "poetry.lock"), os.path.join(d, "pyproject.toml")
    target = ["--system", "x86_64-linux", "--python", "3.11"]
    return {
        "translate": [lock2nix, lock, "--offline", "--quiet", *target],
        "plan --json": [lock2nix, "plan", lock, "--json", *target],
        "check": [lock2nix, "check", "--lock", lock, "--pyproject", pp],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lock2nix")
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--large", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/lock2nix-scale")
    ap.add_argument("--generations", default="2.1,1.1")
    ap.add_argument("--only", default="", help="comma-separated subset of commands")
    ap.add_argument("--rich", action="store_true",
                    help="gen_lock.py's full shape (3-6 files per package) instead of the compact "
                         "one; at 100,000 packages it is above the 64 MiB input limit")
    args = ap.parse_args()
    rows = []
    for gen in args.generations.split(","):
        dirs = {}
        for n in (args.small, args.large):
            d = os.path.join(args.dir, f"{gen}-{n}{'-rich' if args.rich else ''}")
            if not os.path.exists(os.path.join(d, "poetry.lock")):
                gen_lock.generate(n, d, gen, compact=not args.rich)
            dirs[n] = d
        for what in commands(args.lock2nix, dirs[args.small]):
            if args.only and what not in args.only.split(","):
                continue
            times = {args.small: [], args.large: []}
            peak = {args.small: 0, args.large: 0}
            for _ in range(args.runs):
                for n in (args.small, args.large):
                    t, rss = cpu_run(commands(args.lock2nix, dirs[n])[what])
                    times[n].append(t)
                    peak[n] = max(peak[n], rss)
            per = {n: statistics.median(times[n]) / n for n in times}
            ratio = per[args.large] / per[args.small]
            rows.append((gen, what, per[args.small], per[args.large], ratio,
                         peak[args.small], peak[args.large]))
            print(f"lock {gen:3s} {what:12s} {args.small:>7d}: {per[args.small] * 1e6:8.1f} us/pkg "
                  f"{args.large:>7d}: {per[args.large] * 1e6:8.1f} us/pkg  ratio {ratio:5.2f} "
                  f"({'linear' if ratio <= 1.2 else 'NOT linear'})  peak "
                  f"{peak[args.small] / 1024:.1f} / {peak[args.large] / 1024:.1f} MiB", flush=True)
    worst = max(r[4] for r in rows)
    print(f"worst per-package ratio {worst:.2f} (goal <= 1.2): {'met' if worst <= 1.2 else 'NOT met'}")


if __name__ == "__main__":
    main()
