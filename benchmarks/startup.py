#!/usr/bin/env python3
"""Process start of lock2nix against /bin/true (goal: `lock2nix version` <= 2x `/bin/true`), in
the same run: interleaved runs, CPU time (user + sys) of each child through lock2nix-rusage-run,
medians. Other binaries given with --also are measured alongside (link experiments). Exits 0: a
measurement, not a test.

usage: startup.py LOCK2NIX [--runs 200] [--also OTHER ...]
"""
import argparse
import statistics

from scale import cpu_run, rusage_runner


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lock2nix")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--also", nargs="*", default=[])
    args = ap.parse_args()
    runner = rusage_runner(args.lock2nix)
    argvs = {"/bin/true": ["/bin/true"]}
    for b in [args.lock2nix, *args.also]:
        argvs[f"{b} version"] = [b, "version"]
    times = {k: [] for k in argvs}
    peaks = {k: 0 for k in argvs}
    for _ in range(args.runs):
        for k, argv in argvs.items():
            t, rss = cpu_run(argv, runner=runner)
            times[k].append(t)
            peaks[k] = max(peaks[k], rss)
    base = statistics.median(times["/bin/true"])
    for k in argvs:
        m = statistics.median(times[k])
        print(f"{k:50s} median CPU {m * 1000:6.2f} ms  {m / base if base else float('inf'):5.2f}x /bin/true"
              f"  peak {peaks[k] / 1024:5.1f} MiB")
    m = statistics.median(times[f"{args.lock2nix} version"])
    print(f"goal <= 2x /bin/true: {'met' if base and m / base <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
