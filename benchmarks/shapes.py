#!/usr/bin/env python3
"""Adversarial lock shapes and how their cost grows: each shape is generated at size n and 2n,
translated (and inspected), and the exponent log2(cost(2n) / cost(n)) of CPU time, peak RSS and
output size is printed (1.0 is linear). Runs are interleaved, medians. Exits 0: a measurement.

Shapes:
  duplicates-files  one name locked n times in a lock 1.1, [metadata.files] listing n files
  cycle             a dependency cycle of n members, each also needed by one of n dependants
  root-extras       a lock 2.1 whose pyproject has n root extras, each naming one package
  groups            a lock 1.1 with n dependency groups, each asking for one package
  disjoint-markers  one name locked n times with disjoint markers (python_full_version == ...)

A size over one of lock2nix's limits is refused (output 0). usage: shapes.py LOCK2NIX [--n 300]
[--runs 3] [--only SHAPE,...]
"""
import argparse
import math
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scale import cpu_run, rusage_runner  # noqa: E402

DIGEST = "sha256:" + "a" * 64
PYPROJECT_HEAD = ('[tool.poetry]\nname = "shape"\nversion = "0"\ndescription = ""\nauthors = []\n'
                  '[tool.poetry.dependencies]\npython = "^3.8"\n')


def package(name, version, deps=(), groups=None, markers=None, files=True, category=None):
    out = [f'[[package]]\nname = "{name}"\nversion = "{version}"\ndescription = ""\n'
           'optional = false\npython-versions = "*"\n']
    if category:
        out.append(f'category = "{category}"\n')
    if groups is not None:
        out.append("groups = [" + ", ".join(f'"{g}"' for g in groups) + "]\n")
    if markers:
        out.append(f"markers = '{markers}'\n")
    if files:
        out.append(f'files = [{{file = "{name}-{version}-py3-none-any.whl", hash = "{DIGEST}"}}]\n')
    if deps:
        out.append("\n[package.dependencies]\n" + "".join(f'{d} = "*"\n' for d in deps))
    return "".join(out) + "\n"


def metadata(version):
    return f'[metadata]\nlock-version = "{version}"\npython-versions = "^3.8"\ncontent-hash = "0"\n'


def duplicates_files(n):
    lock = "".join(package("dup", f"{i}.0", files=False, category="main") for i in range(n))
    lock += metadata("1.1") + "\n[metadata.files]\ndup = [\n" + "".join(
        f'  {{file = "dup-{i}.0-py3-none-any.whl", hash = "{DIGEST}"}},\n' for i in range(n)) + "]\n"
    return lock, PYPROJECT_HEAD + 'dup = "*"\n'


def cycle(n):
    members = [f"c{i}" for i in range(n)]
    lock = "".join(package(m, "1.0", [members[(i + 1) % n]], groups=["main"])
                   for i, m in enumerate(members))
    lock += "".join(package(f"d{i}", "1.0", [members[i]], groups=["main"]) for i in range(n))
    return lock + metadata("2.1"), PYPROJECT_HEAD + "".join(f'd{i} = "*"\n' for i in range(n))


def root_extras(n):
    lock = "".join(package(f"x{i}", "1.0", groups=["main"], markers=f'extra == "e{i}"')
                   for i in range(n))
    pp = PYPROJECT_HEAD + "".join(f'x{i} = {{ version = "*", optional = true }}\n' for i in range(n))
    pp += "[tool.poetry.extras]\n" + "".join(f'e{i} = ["x{i}"]\n' for i in range(n))
    return lock + metadata("2.1"), pp


def groups(n):
    lock = "".join(package(f"g{i}", "1.0", category="dev") for i in range(n))
    lock += metadata("1.1") + "\n[metadata.files]\n" + "".join(
        f'g{i} = [{{file = "g{i}-1.0-py3-none-any.whl", hash = "{DIGEST}"}}]\n' for i in range(n))
    pp = PYPROJECT_HEAD + "".join(
        f'[tool.poetry.group.grp{i}.dependencies]\ng{i} = "*"\n' for i in range(n))
    return lock, pp


def disjoint_markers(n):
    lock = "".join(package("m", f"{i}.0", groups=["main"],
                           markers=f'python_full_version == "3.11.{i}"') for i in range(n))
    return lock + metadata("2.1"), PYPROJECT_HEAD + 'm = "*"\n'


SHAPES = {"duplicates-files": duplicates_files, "cycle": cycle, "root-extras": root_extras,
          "groups": groups, "disjoint-markers": disjoint_markers}


def measure(cli, runner, shape, n, runs, tmp):
    d = os.path.join(tmp, f"{shape}-{n}")
    os.makedirs(d, exist_ok=True)
    lock, pp = SHAPES[shape](n)
    open(os.path.join(d, "poetry.lock"), "w").write(lock)
    open(os.path.join(d, "pyproject.toml"), "w").write(pp)
    out = os.path.join(d, "out.nix")
    argv = [cli, os.path.join(d, "poetry.lock"), "--offline", "--quiet", "--system",
            "x86_64-linux", "--python", "3.11", "-o", out]
    samples = [cpu_run(argv, ok=(0, 2), runner=runner) for _ in range(runs)]
    # Exit 2: refused by one of lock2nix's limits (README, "Limits"); no output.
    return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
            os.path.getsize(out) if os.path.exists(out) else 0, len(lock))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lock2nix")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    runner = rusage_runner(args.lock2nix)
    shapes = args.only.split(",") if args.only else list(SHAPES)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'shape':18s} {'n':>6s} {'lock':>9s} {'CPU ms':>9s} {'peak MiB':>9s} {'output':>10s}"
              "   exponents (CPU, peak, output)")
        for shape in shapes:
            small = measure(args.lock2nix, runner, shape, args.n, args.runs, tmp)
            large = measure(args.lock2nix, runner, shape, 2 * args.n, args.runs, tmp)
            exp = [math.log2(max(b, 1e-9) / max(a, 1e-9)) for a, b in zip(small[:3], large[:3])]
            for n, m in ((args.n, small), (2 * args.n, large)):
                print(f"{shape:18s} {n:6d} {m[3]:9d} {m[0] * 1000:9.1f} {m[1] / 1024:9.1f} {m[2]:10d}")
            print(f"{'':18s} exponents: CPU {exp[0]:.2f}, peak {exp[1]:.2f}, output {exp[2]:.2f}")


if __name__ == "__main__":
    main()
