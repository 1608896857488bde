"""The model's conflict check: walk $out and, through nix-support/propagated-build-inputs, every
propagated input; a distribution name found in two different store paths fails the build.
Mirrors nixpkgs' pkgs/development/interpreters/python/catch_conflicts/catch_conflicts.py and
its messages."""
import collections
import os
import sys
from importlib.metadata import PathDistribution
from pathlib import Path

site_packages = f"lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
packages = collections.defaultdict(dict)


def find_packages(store_path, parents):
    sp = store_path / site_packages
    if sp.exists():
        for dist_info in sp.glob("*.dist-info"):
            dist = PathDistribution(dist_info)
            packages[dist._normalized_name].setdefault(str(store_path), []).append(
                (dist.version, parents))
    pbi = store_path / "nix-support/propagated-build-inputs"
    if pbi.exists():
        for build_input in pbi.read_text().split():
            find_packages(Path(build_input), parents + [build_input])


out = Path(os.environ["out"])
find_packages(out, [f"this derivation: {out}"])
abort = False
for name, store_paths in packages.items():
    if len(store_paths) > 1:
        abort = True
        print(f"Found duplicated packages in closure for dependency '{name}': ")
        for store_path, candidates in store_paths.items():
            for version, parents in candidates:
                print(f"  {name} {version} ({store_path})")
                print("    dependency chain:\n      " + "\n      ...depending on: ".join(parents))
if abort:
    print("")
    print("Package duplicates found in closure, see above. Usually this happens if two packages "
          "depend on different version of the same dependency.")
    sys.exit(1)
