#!/usr/bin/python3
"""Every corpus lock translated with --offline, an empty cache and a `git` that only records
being run: each either translates or refuses for an honest reason that names the package (or the
range), the position (file:line:column) and what to do (a hint). Prints the refusals by class.

usage: offline_refusals.py LOCK2NIX CORPUS_DIR [--jobs N]
"""
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

# Each class: what the message must say beyond file:line:column, `package` and a hint.
CLASSES = [
    ("git source not cached", r"--offline: the git source .* is not in lock2nix's cache"),
    ("url file without a digest", r"(no digest|without a digest|has no sha256)"),
    ("package without files", r"has no files in the lock"),
    ("no file for the target", r"has no file usable on"),
    ("files of another version", r"a file of version"),
    ("stale lock", r"which poetry.lock does not contain"),
    ("target Python excluded", r"excludes Python"),
    ("no interpreter of any release in the range", r"allow none of the interpreters nixpkgs"),
    ("path dependency missing", r"(does not exist|no such (file|directory))"),
    ("path dependency outside the project", r"is outside the project's folder"),
]


def main():
    cli, corpus = sys.argv[1], sys.argv[2]
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else os.cpu_count()
    work = tempfile.mkdtemp(prefix="lock2nix-offline-")
    os.makedirs(f"{work}/bin")
    with open(f"{work}/bin/git", "w") as f:
        f.write(f'#!/bin/sh\necho "$@" >>"{work}/git-ran"\nexit 1\n')
    os.chmod(f"{work}/bin/git", 0o755)
    env = dict(os.environ, XDG_CACHE_HOME=f"{work}/cache", PATH=f"{work}/bin:" + os.environ["PATH"])
    locks = sorted(f"{corpus}/{g}/{n}/poetry.lock" for g in ("poetry2nix-tests", "real")
                   for n in os.listdir(f"{corpus}/{g}"))

    def run(lock):
        # Path dependencies point at sibling folders of the corpus: its folder is their root.
        root = os.path.dirname(os.path.dirname(lock))
        r = subprocess.run([cli, "--offline", "--quiet", lock, "--system", "x86_64-linux",
                            "--project-root", root],
                           capture_output=True, text=True, env=env)
        return lock, r.returncode, r.stderr

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(run, locks))
    translated = 0
    by_class = {}
    bad = []
    for lock, code, err in results:
        name = os.path.relpath(os.path.dirname(lock), corpus)
        if code == 0:
            translated += 1
            continue
        kind = next((k for k, pattern in CLASSES if re.search(pattern, err)), None)
        first = err.strip().splitlines()[0] if err.strip() else "(nothing on stderr)"
        # The message's own position, or (a stale lock) the pyproject line it quotes.
        located = re.search(r"\.(lock|toml):\d+:\d+", err) is not None
        named = re.search(r"`[^`]+`", first) is not None
        if kind is None or not located or "hint:" not in err or not named:
            bad.append(f"{name}: {first}")
            continue
        by_class.setdefault(kind, []).append(name)
    if os.path.exists(f"{work}/git-ran"):
        bad.append("git ran under --offline: " + open(f"{work}/git-ran").read().strip())
    print(f"{len(results)} locks: {translated} translated offline, "
          f"{sum(len(v) for v in by_class.values())} refused clearly, {len(bad)} unclear")
    for kind, names in sorted(by_class.items()):
        print(f"  {kind}: {len(names)} ({', '.join(names)})")
    for b in bad:
        print("UNCLEAR", b)
    subprocess.run(["rm", "-rf", work])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
