#!/usr/bin/env python3
"""What choosing the target Python costs: a translation with no --python (lock2nix judges the
release's interpreters) against the same translation with the chosen --python named, interleaved
in one run, CPU time (user + sys) through lock2nix-rusage-run, medians. Goal: <= 1.25x. Runs on
the largest corpus lock, whose newest interpreter builds compiled packages from source (so every
interpreter is judged), and on a synthetic lock of --packages packages. Exits 0: a measurement.

usage: python_choice.py LOCK2NIX [--shared DIR] [--runs 20] [--packages 20000]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

from compare_cli import largest_lock
from scale import cpu_run, rusage_runner


def chosen_python(cli, lock):
    r = subprocess.run([cli, "plan", lock, "--offline", "--quiet", "--system", "x86_64-linux",
                        "--json"], capture_output=True, text=True, check=True)
    import json
    return ".".join(json.loads(r.stdout)["target"]["python"].split(".")[:2])


def measure(cli, runner, lock, runs):
    base = [cli, lock, "--offline", "--quiet", "--allow-outside-project", "--system", "x86_64-linux"]
    python = chosen_python(cli, lock)
    argvs = {"no --python (chosen)": base, f"--python {python}": base + ["--python", python]}
    times = {k: [] for k in argvs}
    for _ in range(runs):
        for k, argv in argvs.items():
            times[k].append(cpu_run(argv, runner=runner)[0])
    for k in argvs:
        print(f"  {k:24s} median CPU {statistics.median(times[k]) * 1000:9.2f} ms")
    ratio = statistics.median(times["no --python (chosen)"]) / statistics.median(
        times[f"--python {python}"])
    print(f"  choice costs {ratio:5.2f}x (goal <= 1.25x): {'met' if ratio <= 1.25 else 'NOT met'}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("lock2nix")
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--packages", type=int, default=20000)
    args = ap.parse_args()
    runner = rusage_runner(args.lock2nix)
    lock = largest_lock(args.shared)
    print(f"{lock}:")
    measure(args.lock2nix, runner, lock, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(here, "gen_lock.py"), str(args.packages), tmp],
                       check=True, capture_output=True)
        print(f"synthetic, {args.packages} packages:")
        measure(args.lock2nix, runner, os.path.join(tmp, "poetry.lock"), max(3, args.runs // 4))


if __name__ == "__main__":
    main()
