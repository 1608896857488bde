#!/usr/bin/env python3
"""The network at its bound (goal: <= 1.5x, see below): hash completion and `verify` against
requests x latency / concurrency, in the same run.

A loopback index (tests/index/server.py, threaded, --latency 0.05: every answer waits 50 ms) serves
a legacy source made of N small wheels. Two locks of that source are written:

  hash completion  N packages with `files = []`: the translation asks the index for each project
                   page to complete the digests (and to take the exact URLs), N pages.
  verify           M packages with their digests: `lock2nix verify` asks for each project page (the
                   exact URLs) and downloads each file, M pages + M files.

Each command runs with --concurrency C and an empty cache (wall time, median of --runs). The bound is
the requests the work needs (one per page, one per file) x latency / C; the goal is a ratio <= 1.5.
The server's own count of requests per path is checked too: a page asked for twice is reported.
Exits 0: a measurement, not a test.

--baseline OTHER measures another lock2nix alongside (runs interleaved). When curl is installed,
`curl --parallel --parallel-max C` fetching the same URLs shows what this server and machine allow
a reference client (the floor under any ratio measured here).

usage: network.py LOCK2NIX [--baseline OTHER] [--packages 200] [--files 400] [--concurrency 16]
                           [--latency 0.05] [--runs 3] [--dir /tmp/lock2nix-network]
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "tests", "index", "server.py")


def name(i):
    return f"netpkg{i:05d}"


def write_wheels(d, count):
    os.makedirs(d, exist_ok=True)
    digests = {}
    for i in range(count):
        f = f"{name(i)}-1.0-py3-none-any.whl"
        data = f"wheel {i} ".encode() * 64
        with open(os.path.join(d, f), "wb") as out:
            out.write(data)
        digests[i] = (f, hashlib.sha256(data).hexdigest())
    return digests


def write_lock(path, count, digests, port, with_files):
    parts = []
    for i in range(count):
        f, digest = digests[i]
        files = f'[{{file = "{f}", hash = "sha256:{digest}"}}]' if with_files else "[]"
        parts.append(f"""[[package]]
name = "{name(i)}"
version = "1.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = {files}

[package.source]
type = "legacy"
url = "http://127.0.0.1:{port}/simple"
reference = "bench"
""")
    parts.append('[metadata]\nlock-version = "2.1"\npython-versions = "*"\ncontent-hash = "0"\n')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        out.write("\n".join(parts))


class Server:
    def __init__(self, files, latency):
        fixtures = os.path.join(HERE, "..", "tests", "data", "shared")
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--fixtures", fixtures, "--files", files, "--latency", str(latency)],
            stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline().split()[1])

    def stats(self, what="__stats"):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{what}") as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def timed(argv, cache, ok=(0,)):
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    shutil.rmtree(cache, ignore_errors=True)
    start = time.monotonic()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.monotonic() - start
    if proc.returncode not in ok:
        sys.exit(f"failed ({proc.returncode}): {' '.join(argv)}: {proc.stderr.decode()[:800]}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lock2nix")
    ap.add_argument("--baseline", help="another lock2nix to measure alongside")
    ap.add_argument("--packages", type=int, default=200, help="packages of the hash completion lock")
    ap.add_argument("--files", type=int, default=400, help="files `verify` downloads")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/lock2nix-network")
    args = ap.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    count = max(args.packages, args.files)
    digests = write_wheels(os.path.join(args.dir, "files"), count)
    server = Server(os.path.join(args.dir, "files"), args.latency)
    try:
        target = ["--system", "x86_64-linux", "--python", "3.11", "--quiet",
                  "--concurrency", str(args.concurrency)]
        complete = os.path.join(args.dir, "complete", "poetry.lock")
        verify = os.path.join(args.dir, "verify", "poetry.lock")
        write_lock(complete, args.packages, digests, server.port, with_files=False)
        write_lock(verify, args.files, digests, server.port, with_files=True)
        cache = os.path.join(args.dir, "cache")
        binaries = [args.lock2nix] + ([args.baseline] if args.baseline else [])
        cases = {}
        for b in binaries:
            cases[("hash completion", b)] = (
                [b, complete, *target, "-o", os.path.join(args.dir, "complete.nix")], args.packages)
            cases[("verify", b)] = ([b, "verify", verify, *target], 2 * args.files)
        base = f"http://127.0.0.1:{server.port}"
        page_urls = [f"{base}/simple/{name(i)}/" for i in range(args.files)]
        file_urls = [f"{base}/files/{digests[i][0]}" for i in range(args.files)]
        if shutil.which("curl"):
            for k, urls in (("hash completion", page_urls[:args.packages]),
                            ("verify", page_urls + file_urls)):
                argv = ["curl", "-s", "--parallel", "--parallel-max", str(args.concurrency)]
                for u in urls:
                    argv += [u, "-o", "/dev/null"]
                cases[(k, "curl --parallel (reference)")] = (argv, len(urls))
        times = {k: [] for k in cases}
        most = {k: 0 for k in cases}
        requests = {k: 0 for k in cases}
        for _ in range(args.runs):
            for k, (argv, _) in cases.items():
                before = server.stats()
                times[k].append(timed(argv, cache))
                after = server.stats()
                delta = {p: n - before.get(p, 0) for p, n in after.items() if n != before.get(p, 0)}
                pages = [n for p, n in delta.items() if p.startswith("/simple/")]
                most[k] = max(most[k], max(pages, default=0))
                requests[k] = sum(delta.values())
        print(f"latency {args.latency * 1000:.0f} ms, --concurrency {args.concurrency}, "
              f"{args.runs} runs, wall time medians")
        met = True
        for (what, who), (_, needed) in cases.items():
            bound = needed * args.latency / args.concurrency
            m = statistics.median(times[(what, who)])
            if who == args.lock2nix:
                met &= m / bound <= 1.5
            print(f"{what:16s} {who}\n    {needed:4d} requests needed, {requests[(what, who)]:4d} made, "
                  f"each page at most {most[(what, who)]}x; {m:6.3f} s, bound {bound:6.3f} s: "
                  f"{m / bound:5.2f}x the bound")
        print(f"goal <= 1.5x the bound ({args.lock2nix}): {'met' if met else 'NOT met'}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
