#!/usr/bin/python3
"""Poetry's install rule, restated independently of lock2nix, checked against `lock2nix plan`.

For every corpus lock, every Python 3.9-3.13 and both reference systems (x86_64-linux,
aarch64-darwin) this computes what Poetry installs by default (every non-optional group, no
extras) and compares it with what `lock2nix plan` puts in the default environment, or checks that
both refuse for the same reason. The rule follows poetry-lock-format.md section 10:

* lock-version 2.1: a package is in when one of its groups is selected and that group's marker
  holds (Transaction.calculate_operations, Poetry >= 2.0 without re-resolving);
* older locks: Poetry re-solves against the locked packages with the target's exact Python
  (provider.py use_environment): walk from the pyproject's dependencies whose markers hold,
  take for each the highest locked entry whose version satisfies the constraint and whose
  python-versions holds, follow its dependencies whose markers hold (optional ones only through
  requested extras), then drop `optional = true` packages no root extra asks for and entries
  whose old package `marker` fails (Installer._filter_operations).

Refusals, as Poetry refuses: the project's Python range (or the lock's) excludes the target
("The currently activated Python version ... is not supported by the project"); a package to
install has no file usable there (Chooser: "Unable to find installation candidates"); the walk
needs a name whose locked entries all exclude the target's Python, or names what the lock does
not contain (the solver fails).

Markers and constraints are parsed by poetry-core (Debian's python3-poetry-core); wheel tags by
packaging. Nothing here comes from lock2nix but the plans it is compared with.

usage: poetry_rule.py LOCK2NIX CORPUS_DIR [--jobs N] [--only SUBSTRING]
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tomllib

from packaging import tags as ptags
from packaging.utils import canonicalize_name, parse_wheel_filename
from poetry.core.constraints.version import Version, parse_constraint
from poetry.core.version.markers import (AnyMarker, EmptyMarker, MarkerUnion, MultiMarker,
                                         SingleMarker, parse_marker)

# The interpreters nixpkgs ships (the patch levels lock2nix assumes for nixpkgs 25.x).
FULL = {"3.9": "3.9.22", "3.10": "3.10.17", "3.11": "3.11.12", "3.12": "3.12.10", "3.13": "3.13.3"}
SYSTEMS = ["x86_64-linux", "aarch64-darwin"]


def environment(system, python):
    linux = system.endswith("linux")
    return {
        "implementation_name": "cpython",
        "implementation_version": FULL[python],
        "os_name": "posix",
        "platform_machine": "x86_64" if linux else "arm64",
        "platform_python_implementation": "CPython",
        "platform_system": "Linux" if linux else "Darwin",
        "python_full_version": FULL[python],
        "python_version": python,
        "sys_platform": "linux" if linux else "darwin",
    }


def target_tags(system, python):
    minor = int(python.split(".")[1])
    if system == "x86_64-linux":
        platforms = [f"manylinux_2_{m}_x86_64" for m in range(40, 4, -1)]
        platforms += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64",
                      "linux_x86_64"]
    else:
        platforms = list(ptags.mac_platforms((14, 0), "arm64"))
    ts = list(ptags.cpython_tags((3, minor), platforms=platforms))
    ts += list(ptags.compatible_tags((3, minor), "cp3%d" % minor, platforms=platforms))
    return set(ts)


_markers = {}
_constraints = {}


def marker(text):
    if text not in _markers:
        _markers[text] = parse_marker(text)
    return _markers[text]


def constraint(text):
    if text not in _constraints:
        _constraints[text] = parse_constraint(text)
    return _constraints[text]


def holds(m, env, extras):
    """poetry-core's SingleMarkerLike.validate: absent variables are true; `extra` is a set."""
    if isinstance(m, AnyMarker):
        return True
    if isinstance(m, EmptyMarker):
        return False
    if isinstance(m, MultiMarker):
        return all(holds(x, env, extras) for x in m.markers)
    if isinstance(m, MarkerUnion):
        return any(holds(x, env, extras) for x in m.markers)
    if isinstance(m, SingleMarker):
        if m.name == "extra":
            value = canonicalize_name(m.value)
            return (value in extras) if m.operator in ("==", "=") else (value not in extras)
        if m.name not in env:
            return True
        return m.validate(env)
    raise TypeError(type(m))


def python_holds(text, python):
    """A `python = "..."` constraint: Poetry turns it into a python_version marker, or into
    python_full_version when it names a patch level."""
    if not text or text.strip() == "*":
        return True
    full = re.search(r"\d+\.\d+\.\d+", text) is not None
    return constraint(text).allows(Version.parse(FULL[python] if full else python))


class Refusal(Exception):
    def __init__(self, kind, detail):
        super().__init__(detail)
        self.kind = kind


def as_list(spec):
    return spec if isinstance(spec, list) else [spec]


def spec_fields(spec):
    if isinstance(spec, str):
        return {"version": spec}
    return spec


def root_requirements(pp):
    """(group, name, spec) of the pyproject's dependencies, and the optional groups."""
    poetry = pp.get("tool", {}).get("poetry", {})
    project = pp.get("project", {})
    out = []
    optional_groups = set()
    if "dependencies" in project:
        for req in project["dependencies"]:
            out.append(("main",) + pep508(req))
    else:
        for name, spec in poetry.get("dependencies", {}).items():
            if canonicalize_name(name) != "python":
                for s in as_list(spec):
                    out.append(("main", canonicalize_name(name), spec_fields(s)))
    for name, spec in poetry.get("dev-dependencies", {}).items():
        for s in as_list(spec):
            out.append(("dev", canonicalize_name(name), spec_fields(s)))
    for group, body in poetry.get("group", {}).items():
        g = canonicalize_name(group)
        if body.get("optional"):
            optional_groups.add(g)
        for name, spec in body.get("dependencies", {}).items():
            for s in as_list(spec):
                out.append((g, canonicalize_name(name), spec_fields(s)))
    for group, items in pp.get("dependency-groups", {}).items():
        for item in items:
            if isinstance(item, str):
                out.append((canonicalize_name(group),) + pep508(item))
    return out, optional_groups


def pep508(text):
    from packaging.requirements import Requirement
    r = Requirement(text)
    spec = {"version": str(r.specifier) or "*", "extras": sorted(r.extras)}
    if r.marker:
        spec["markers"] = str(r.marker)
    if r.url:
        spec["url"] = r.url
    return canonicalize_name(r.name), spec


def root_marker_holds(spec, env, python):
    if spec.get("optional"):
        return False  # only through root extras, and none are requested
    if "markers" in spec and not holds(marker(spec["markers"]), env, set()):
        return False
    if "platform" in spec and env["sys_platform"] != spec["platform"]:
        return False
    return python_holds(spec.get("python", ""), python)


def source_type(pkg):
    return pkg.get("source", {}).get("type", "pypi")


def resolve(lock_index, name, spec, python, env, origin):
    entries = lock_index.get(name, [])
    if not entries:
        return None
    direct = [k for k in ("git", "path", "url", "file") if k in spec]
    if direct:
        kinds = {"git": {"git"}, "url": {"url"}, "path": {"directory", "file"},
                 "file": {"file"}}[direct[0]]
        picked = [p for p in entries if source_type(p) in kinds] or entries
    else:
        text = spec.get("version", "*") or "*"
        try:
            c = constraint(text)
            picked = [p for p in entries if c.allows(Version.parse(p["version"]))] or entries
        except Exception:
            picked = entries
    in_python = [p for p in picked
                 if python_holds_versions(p.get("python-versions", "*"), python)]
    if not in_python:
        raise Refusal("python-versions", f"{origin} needs {name}, whose entries exclude {python}")
    with_marker = [p for p in in_python
                   if not p.get("marker") or holds(marker(p["marker"]), env, set())]
    picked = with_marker or in_python
    return max(picked, key=lambda p: Version.parse(p["version"]))


def python_holds_versions(text, python):
    if not text or text.strip() == "*":
        return True
    try:
        return constraint(text).allows(Version.parse(FULL[python]))
    except Exception:
        return True


def walk(lock, pp, env, python):
    index = {}
    for p in lock["package"]:
        index.setdefault(canonicalize_name(p["name"]), []).append(p)
    reqs, optional_groups = root_requirements(pp)
    groups = {g for g, _, _ in reqs} - optional_groups
    groups.add("main")
    for p in lock["package"]:
        if p.get("category") == "dev":
            groups.add("dev")
    seen = {}  # id(entry) -> set of requested extras
    queue = []
    for g, name, spec in reqs:
        if g not in groups or not root_marker_holds(spec, env, python):
            continue
        if name not in index:
            # The locked pool lacks a root requirement: Poetry's solver fails (a stale lock).
            raise Refusal("stale", f"the project requires {name}, which the lock lacks")
        t = resolve(index, name, spec, python, env, "the project")
        if t is not None:
            queue.append((t, set(canonicalize_name(e) for e in spec.get("extras", []))))
    while queue:
        p, extras = queue.pop()
        known = seen.get(id(p))
        if known is not None and extras <= known:
            continue
        seen[id(p)] = (known or set()) | extras
        extras = seen[id(p)]
        if p.get("marker") and not holds(marker(p["marker"]), env, set()):
            continue
        for dname, dspec in p.get("dependencies", {}).items():
            for s in as_list(dspec):
                s = spec_fields(s)
                if "markers" in s and not holds(marker(s["markers"]), env, extras):
                    continue
                if not python_holds(s.get("python", ""), python):
                    continue
                if s.get("optional"):
                    wanted = any(canonicalize_name(re.split(r"[\s\[(;<>=!~]", r, 1)[0]) ==
                                 canonicalize_name(dname)
                                 for e in extras for r in p.get("extras", {}).get(e, []))
                    if not wanted and "extra" not in s.get("markers", ""):
                        continue
                t = resolve(index, canonicalize_name(dname), s, python, env, p["name"])
                if t is not None:
                    queue.append((t, set(canonicalize_name(e) for e in s.get("extras", []))))
    out = []
    for p in lock["package"]:
        if id(p) not in seen:
            continue
        if p.get("optional"):
            continue  # _filter_operations: optional and no root extra requested
        if p.get("marker") and not holds(marker(p["marker"]), env, set()):
            continue
        out.append(p)
    return out


def by_groups(lock, pp, env):
    _, optional_groups = root_requirements(pp) if pp else ([], set())
    out = []
    for p in lock["package"]:
        groups = [canonicalize_name(g) for g in p.get("groups", [])]
        active = [g for g in groups if g not in optional_groups]
        markers = p.get("markers")
        ok = False
        for g in sorted(active):
            m = markers.get(g) if isinstance(markers, dict) else markers
            if not m or holds(marker(m), env, set()):
                ok = True
                break
        if ok:
            out.append(p)
    return out


def usable(p, lock, ts):
    kind = source_type(p)
    if kind in ("git", "directory", "file", "url"):
        return True
    files = p.get("files")
    if files is None:
        files = lock.get("metadata", {}).get("files", {}).get(p["name"], [])
    names = [f.get("file", "") for f in files]
    v = Version.parse(p["version"])
    for n in names:
        if n.endswith(".whl"):
            try:
                _, wv, _, wtags = parse_wheel_filename(n)
            except Exception:
                continue
            if Version.parse(str(wv)) == v and wtags & ts:
                return True
        elif n.endswith((".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar")):
            return True
    return not names  # no files at all: the index is asked (not a file-choice refusal here)


def poetry_rule(lock, pp, system, python):
    env = environment(system, python)
    ranges = [lock.get("metadata", {}).get("python-versions", "*")]
    if pp:
        poetry_py = pp.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
        ranges.append(poetry_py if isinstance(poetry_py, str) else
                      pp.get("project", {}).get("requires-python", "*"))
    for r in ranges:
        if r and r != "*" and not constraint(r).allows(Version.parse(FULL[python])):
            raise Refusal("target-python", f"range {r} excludes {python}")
    if lock.get("metadata", {}).get("lock-version") == "2.1":
        chosen = by_groups(lock, pp, env)
    else:
        chosen = walk(lock, pp or {}, env, python)
    ts = target_tags(system, python)
    for p in chosen:
        if not usable(p, lock, ts):
            raise Refusal("no-file", f"{p['name']} {p['version']} has no file for {system}")
    return {(canonicalize_name(p["name"]), p["version"]) for p in chosen}


def classify(stderr):
    if "excludes Python" in stderr and "every locked entry" not in stderr:
        return "target-python"
    if "every locked entry of it excludes Python" in stderr:
        return "python-versions"
    if "has no file usable on" in stderr or "has no files in the lock" in stderr or \
            re.search(r"error: Python 3\.\d+ has no usable file for", stderr) or \
            "no file of its own version" in stderr:
        return "no-file"
    if "which poetry.lock does not contain" in stderr:
        return "stale"
    return "other"


def lock2nix_plan(cli, lock_path, system, python):
    r = subprocess.run([cli, "plan", lock_path, "--system", system, "--python", FULL[python],
                        "--json", "--offline", "--quiet", "--no-default-overrides"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr
    d = json.loads(r.stdout)
    return {(p["name"], p["version"]) for p in d["packages"] if p["default"]}, ""


def check_one(cli, lock_path, lock, pp, system, python):
    try:
        expected, refusal = poetry_rule(lock, pp, system, python), None
    except Refusal as e:
        expected, refusal = None, e.kind
    got, err = lock2nix_plan(cli, lock_path, system, python)
    if got is None:
        kind = classify(err)
        # The positions: every refusal names the file and line and gives a hint.
        # The position may be the message's own (file:line:column: error:) or, for a stale
        # lock, the pyproject line that requires what the lock lacks.
        located = re.search(r"(\.lock|\.toml):\d+:\d+", err) is not None
        ok = refusal == kind and located and "hint:" in err
        return ("refused", kind, ok, err.strip().splitlines()[0] if err.strip() else "", refusal)
    if refusal is not None:
        return ("planned", None, False, f"Poetry refuses ({refusal}) where lock2nix plans", refusal)
    if got == expected:
        return ("planned", None, True, "", None)
    extra = sorted(got - expected)[:5]
    missing = sorted(expected - got)[:5]
    return ("planned", None, False, f"lock2nix adds {extra}, leaves out {missing}", None)


def main():
    cli, corpus = sys.argv[1], sys.argv[2]
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else os.cpu_count()
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    work = []
    for group in ("poetry2nix-tests", "real"):
        for name in sorted(os.listdir(os.path.join(corpus, group))):
            d = os.path.join(corpus, group, name)
            lock_path = os.path.join(d, "poetry.lock")
            if only not in d or not os.path.exists(lock_path):
                continue
            with open(lock_path, "rb") as f:
                lock = tomllib.load(f)
            pp = None
            if os.path.exists(os.path.join(d, "pyproject.toml")):
                with open(os.path.join(d, "pyproject.toml"), "rb") as f:
                    pp = tomllib.load(f)
            for system in SYSTEMS:
                for python in FULL:
                    work.append((f"{group}/{name}", lock_path, lock, pp, system, python))
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [(w, pool.submit(check_one, cli, w[1], w[2], w[3], w[4], w[5])) for w in work]
        for w, f in futures:
            results.append((w, f.result()))
    agree = planned = 0
    refusals = {}
    bad = []
    for w, (what, kind, ok, detail, expected) in results:
        if what == "planned" and ok:
            agree += 1
            planned += 1
        elif what == "refused" and ok:
            agree += 1
            refusals[kind] = refusals.get(kind, 0) + 1
        else:
            bad.append(f"{w[0]} {w[4]} python{w[5]}: {what} {kind or ''} (Poetry: "
                       f"{expected or 'installs'}) {detail}")
    locks = len({w[0] for w, _ in results})
    print(f"{locks} locks x {len(SYSTEMS) * len(FULL)} targets = {len(results)} checked; "
          f"{agree} agree ({planned} identical plans, refusals: "
          + ", ".join(f"{k} {v}" for k, v in sorted(refusals.items())) + f"); {len(bad)} differ")
    for b in bad:
        print("DIFFER", b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
