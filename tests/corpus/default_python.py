#!/usr/bin/python3
"""The default target Python on every corpus lock, against every interpreter of the default nixpkgs
release: the default is never refused while another interpreter translates the lock, and it never
builds more compiled packages from sdists than another interpreter that installs everything.
"Compiled" is judged here, independently of lock2nix: a package whose wheels of its version carry
an ABI or a platform other than none/any (`packaging`'s reading of wheel names).

usage: default_python.py LOCK2NIX RELEASES_TOML CORPUS_DIR [--jobs N]
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import tomllib

from packaging.utils import parse_wheel_filename, InvalidWheelFilename
from packaging.version import Version, InvalidVersion


def compiled_names(cli, lock, env):
    """name@version of the packages that publish binary wheels of their own version."""
    r = subprocess.run([cli, "inspect", lock, "--json"], capture_output=True, text=True, env=env)
    out = set()
    if r.returncode != 0:
        return out
    for p in json.loads(r.stdout)["packages"]:
        for f in p["files"]:
            if not f["file"].endswith(".whl"):
                continue
            try:
                _, version, _, tags = parse_wheel_filename(f["file"])
                if Version(p["version"]) != version:
                    continue
            except (InvalidWheelFilename, InvalidVersion):
                continue
            if any(t.abi != "none" or t.platform != "any" for t in tags):
                out.add(f'{p["canonical_name"]}@{p["version"]}')
    return out


def plan(cli, lock, env, python=None):
    """(python X.Y, number of compiled packages built from sdists) or None when refused."""
    args = [cli, "plan", lock, "--json", "--offline", "--quiet", "--system", "x86_64-linux"]
    if python:
        args += ["--python", python]
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return None
    d = json.loads(r.stdout)
    version = ".".join(d["target"]["python"].split(".")[:2])
    built = sorted(f'{p["name"]}@{p["version"]}' for p in d["packages"]
                   if p.get("default") and (p.get("artifact") or {}).get("kind") == "sdist")
    return version, built


def main():
    cli, releases, corpus = sys.argv[1], sys.argv[2], sys.argv[3]
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else os.cpu_count()
    data = tomllib.load(open(releases, "rb"))
    release = next(r for r in data["release"] if r["name"] == data["default"])
    pythons = sorted(release["pythons"], key=lambda v: int(v.split(".")[1]))
    work = tempfile.mkdtemp(prefix="lock2nix-default-python-")
    env = dict(os.environ, XDG_CACHE_HOME=f"{work}/cache")
    locks = sorted(f"{corpus}/{g}/{n}/poetry.lock" for g in ("poetry2nix-tests", "real")
                   for n in os.listdir(f"{corpus}/{g}"))

    def judge(lock):
        compiled = compiled_names(cli, lock, env)
        count = lambda result: len([n for n in result[1] if n in compiled])
        default = plan(cli, lock, env)
        each = {v: plan(cli, lock, env, v) for v in pythons}
        working = {v: r for v, r in each.items() if r is not None}
        name = os.path.relpath(os.path.dirname(lock), corpus)
        problems = []
        if default is None and working:
            problems.append(f"{name}: refused at the default, but {', '.join(working)} translate")
        if default is not None and working:
            best = min(count(r) for r in working.values())
            if count(default) > best:
                problems.append(f"{name}: the default {default[0]} builds {count(default)} compiled "
                                f"packages from source; another interpreter builds {best}")
        newest = each[pythons[-1]]
        return (name, problems, default and count(default),
                newest and count(newest), default and default[0])

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(judge, locks))
    problems = [p for r in results for p in r[1]]
    at_default = sum(r[2] or 0 for r in results)
    at_newest = sum(r[3] or 0 for r in results)
    older = sum(1 for r in results if r[4] and r[4] != pythons[-1])
    print(f"{len(results)} locks, nixpkgs {release['name']} ({', '.join(pythons)}): compiled "
          f"packages built from sdists: {at_default} at the default, {at_newest} at the newest "
          f"interpreter; {older} locks get an older interpreter than the newest")
    for p in problems:
        print("FAIL", p)
    subprocess.run(["rm", "-rf", work])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
