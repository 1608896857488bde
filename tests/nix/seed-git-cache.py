#!/usr/bin/env python3
"""usage: seed-git-cache.py CACHE LOCK...

Writes a placeholder entry in lock2nix's git cache (CACHE/lock2nix/git, CACHE being what
XDG_CACHE_HOME names) for every git source of the given locks, so that they translate without the
network: a fetchgit hash needs a clone, and the test machines have no network. The hash is a
well-formed placeholder; the computation itself is tested against nix-hash in the unit tests.

A LOCK is a poetry.lock (`[package.source] type = "git"`, the commit in `resolved_reference`, else
`reference`) or a PEP 751 pylock (`[packages.vcs] type = "git"`, the commit in `commit-id`); the
format is told by the file name as lock2nix tells it. The cache key is lock2nix's own
(lib/fetch/git.cpp): sha256 of the repository URL as the lock writes it, a newline and the commit.
Prints how many entries it wrote."""
import hashlib, json, os, sys, tomllib


def git_sources(path):
    with open(path, "rb") as f:
        data = tomllib.load(f)
    name = os.path.basename(path)
    if name.startswith("pylock.") and name.endswith(".toml"):
        for p in data.get("packages", []):
            vcs = p.get("vcs") or {}
            if vcs.get("type") == "git" and vcs.get("url") and vcs.get("commit-id"):
                yield vcs["url"], vcs["commit-id"]
        return
    for p in data.get("package", []):
        s = p.get("source") or {}
        if s.get("type") == "git":
            yield s["url"], s.get("resolved_reference") or s.get("reference")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder = os.path.join(sys.argv[1], "lock2nix", "git")
    os.makedirs(folder, exist_ok=True)
    written = set()
    for lock in sys.argv[2:]:
        if not os.path.exists(lock):
            continue  # an unmatched shell glob: no locks of that kind
        for url, rev in git_sources(lock):
            key = hashlib.sha256((url + "\n" + rev).encode()).hexdigest()
            with open(os.path.join(folder, key + ".json"), "w") as f:
                json.dump({"url": url, "rev": rev, "submodules": False, "build_requires": [],
                           "hash": "sha256-" + "A" * 43 + "="}, f)
            written.add(key)
    print(f"git cache: {len(written)} placeholder entries")


main()
