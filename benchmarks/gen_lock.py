#!/usr/bin/env python3
"""Synthetic Poetry projects of any size, for measuring how lock2nix scales.

Writes DIR/pyproject.toml and DIR/poetry.lock: N packages, deterministic for a given N and
generation, in either lock generation lock2nix must read at scale:

  2.1  Poetry 2.x: per-package `groups` and `markers` (a string, or a table per group), files
       inline.
  1.1  Poetry 1.x: `category`, files under [metadata.files]; membership is whatever the walk
       from the pyproject reaches.

The shape follows real locks at every size, so per-package cost can be compared between sizes:
a few roots per 100 packages spread over the groups main/dev/test and the optional group docs;
each package requires 1-4 others (a tree of depth ~log N plus cross edges to nearby packages,
so the graph shares nodes), some requirements carry markers (some false on Linux), some are
optional behind a package extra, some root requirements are optional behind one of four root
extras; 3-6 files per package (sdist, pure wheel, manylinux/macOS/Windows wheels). The
content-hash is Poetry's (algorithm C for 2.1, A for 1.1), so `lock2nix check` finds it fresh.

usage: gen_lock.py N DIR [--generation 2.1|1.1] [--compact]
"""
import argparse
import hashlib
import json
import os
import random

GROUPS = ["main", "dev", "test", "docs"]  # docs is optional
ROOT_EXTRAS = ["fast", "cli", "s3", "all-formats"]
MARKERS_TRUE = ['python_version >= "3.8"', 'sys_platform != "win32"', 'platform_python_implementation == "CPython"']
MARKERS_FALSE = ['sys_platform == "win32"', 'python_version < "3.8"', 'platform_system == "Darwin"']


def name(i):
    # A few spellings that canonicalise (PEP 503) to the same form as the plain ones.
    return f"Pkg_{i:06d}" if i % 11 == 0 else f"pkg-{i:06d}"


def canon(i):
    return f"pkg-{i:06d}"


def version(i):
    return f"{1 + i % 5}.{i % 31}.{i % 7}"


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def toml_str(s):
    return json.dumps(s)  # TOML basic strings accept JSON's escapes for this alphabet


def files_of(i, compact=False):
    n, v = canon(i).replace("-", "_"), version(i)
    out = [f"{n}-{v}.tar.gz", f"{n}-{v}-py3-none-any.whl"]
    if compact:
        return [(f, digest(f)) for f in out]
    if i % 3 == 0:
        out.append(f"{n}-{v}-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        out.append(f"{n}-{v}-cp311-cp311-macosx_11_0_arm64.whl")
    if i % 6 == 0:
        out.append(f"{n}-{v}-cp311-cp311-win_amd64.whl")
        out.append(f"{n}-{v}-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    return [(f, digest(f)) for f in out]


def build(n, seed=16):
    rnd = random.Random(seed * 1_000_003 + n)
    roots = max(8, n // 100)
    deps = {i: [] for i in range(n)}  # (target, marker, optional_extra, extras)
    pkg_extras = {}
    for i in range(n):
        children = [roots + 2 * i + k for k in (0, 1) if roots + 2 * i + k < n]
        if i + 1 < n and rnd.random() < 0.6:
            children.append(rnd.randrange(i + 1, min(n, i + 200)))
        for c in dict.fromkeys(children):
            r = rnd.random()
            marker, opt, extras = "", None, []
            if r < 0.08:
                marker = rnd.choice(MARKERS_FALSE)
            elif r < 0.2:
                marker = rnd.choice(MARKERS_TRUE)
            elif r < 0.26:
                opt = "speedups" if c % 2 else "extra-io"
                marker = f'extra == "{opt}"'
                pkg_extras.setdefault(i, {}).setdefault(opt, []).append(c)
            elif r < 0.3:
                extras = ["speedups"]
            deps[i].append((c, marker, opt, extras))
    # Root requirements: group by position; some main ones optional behind a root extra.
    root_reqs = []  # (target, group, root_extra)
    for r in range(roots):
        g = GROUPS[0] if r % 5 < 2 else GROUPS[1 + r % 3]
        extra = ROOT_EXTRAS[r % len(ROOT_EXTRAS)] if g == "main" and r % 5 == 1 else None
        root_reqs.append((r, g, extra))
    # Membership by reachability (markers ignored, as Poetry's lock records every group that
    # can reach a package; a marker that can fail is recorded per group).
    groups_of = {i: {} for i in range(n)}  # group -> marker ("" = always)
    for r, g, extra in root_reqs:
        stack = [(r, f'extra == "{extra}"' if extra else "")]
        while stack:
            i, m = stack.pop()
            known = groups_of[i].get(g)
            if known == "" or known == m:
                continue
            if known is not None and m:  # two different markers: keep the first (it's synthetic)
                continue
            groups_of[i][g] = m
            for c, marker, opt, _ in deps[i]:
                stack.append((c, m if m else marker))
    return roots, deps, pkg_extras, root_reqs, groups_of


def pyproject(generation, root_reqs):
    main, groups, extras = [], {}, {}
    for r, g, extra in root_reqs:
        if g == "main":
            if extra:
                main.append(f'{name(r)} = {{version = ">={version(r)}", optional = true}}')
                extras.setdefault(extra, []).append(canon(r))
            else:
                main.append(f'{name(r)} = "^{version(r)}"')
        else:
            groups.setdefault(g, []).append(f'{name(r)} = ">={version(r)}"')
    out = ['[tool.poetry]', 'name = "synthetic"', 'version = "0.1.0"',
           'description = "lock2nix scaling benchmark"', 'authors = ["bench <bench@example.com>"]', '',
           '[tool.poetry.dependencies]', 'python = "^3.8"', *main, '']
    if generation == "1.1":
        # Poetry 1.1 had one development section.
        out += ['[tool.poetry.dev-dependencies]']
        for g in GROUPS[1:]:
            out += groups.get(g, [])
        out.append('')
    else:
        for g in GROUPS[1:]:
            out.append(f'[tool.poetry.group.{g}]')
            out.append(f'optional = {"true" if g == "docs" else "false"}')
            out.append('')
            out.append(f'[tool.poetry.group.{g}.dependencies]')
            out += groups.get(g, [])
            out.append('')
    out.append('[tool.poetry.extras]')
    for e in ROOT_EXTRAS:
        out.append(f'{toml_str(e)} = [{", ".join(toml_str(x) for x in extras.get(e, []))}]')
    out += ['', '[build-system]', 'requires = ["poetry-core"]', 'build-backend = "poetry.core.masonry.api"', '']
    return "\n".join(out)


def content_hash(pyproject_text, generation):
    import tomllib
    poetry = tomllib.loads(pyproject_text)["tool"]["poetry"]
    keys = ["dependencies", "dev-dependencies", "source", "extras"]
    content = {k: poetry.get(k) for k in keys}
    if generation != "1.1" and "group" in poetry:
        content["group"] = poetry["group"]  # algorithm C
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def lock(n, generation, roots, deps, pkg_extras, root_reqs, groups_of, chash, compact=False):
    out = ["# This file is automatically @generated by Poetry and should not be changed by hand.", ""]
    files_table = []
    for i in range(n):
        gs = groups_of[i]
        out += ["[[package]]", f"name = {toml_str(name(i))}", f"version = {toml_str(version(i))}",
                f"description = {toml_str(f'synthetic package {i}')}"]
        if generation == "1.1":
            out.append(f'category = "{"main" if "main" in gs or not gs else "dev"}"')
        out += [f"optional = {'true' if gs and all(m.startswith('extra') for m in gs.values()) else 'false'}",
                'python-versions = ">=3.8"']
        if generation == "2.1":
            ordered = [g for g in GROUPS if g in gs] or ["main"]
            out.append("groups = [" + ", ".join(toml_str(g) for g in ordered) + "]")
            ms = {g: gs.get(g, "") for g in ordered}
            if any(ms.values()):
                if len(set(ms.values())) == 1:
                    out.append(f"markers = {toml_str(next(iter(ms.values())))}")
                else:
                    out.append("markers = {" + ", ".join(
                        f"{g} = {toml_str(m)}" for g, m in ms.items() if m) + "}")
            out.append("files = [")
            for f, h in files_of(i, compact):
                out.append(f'    {{file = {toml_str(f)}, hash = "sha256:{h}"}},')
            out.append("]")
        else:
            files_table.append((i, files_of(i, compact)))
        out.append("")
        if deps[i]:
            out.append("[package.dependencies]")
            for c, marker, opt, extras in deps[i]:
                spec = [f'version = ">={version(c)}"']
                if opt:
                    spec.append("optional = true")
                if marker:
                    spec.append(f"markers = {toml_str(marker)}")
                if extras:
                    spec.append("extras = [" + ", ".join(toml_str(e) for e in extras) + "]")
                if len(spec) == 1:
                    out.append(f'{name(c)} = ">={version(c)}"')
                else:
                    out.append(f"{name(c)} = {{{', '.join(spec)}}}")
            out.append("")
        if i in pkg_extras:
            out.append("[package.extras]")
            for e, targets in sorted(pkg_extras[i].items()):
                out.append(f"{e} = [" + ", ".join(toml_str(f"{name(c)} (>={version(c)})") for c in targets) + "]")
            out.append("")
    out += ["[extras]"]
    root_extra_members = {}
    for r, g, extra in root_reqs:
        if extra:
            root_extra_members.setdefault(extra, []).append(canon(r))
    for e in ROOT_EXTRAS:
        out.append(f"{toml_str(e)} = [" + ", ".join(toml_str(x) for x in root_extra_members.get(e, [])) + "]")
    out += ["", "[metadata]", f'lock-version = "{generation}"', 'python-versions = "^3.8"',
            f'content-hash = "{chash}"', ""]
    if generation == "1.1":
        out += ["[metadata.files]"]
        for i, fs in files_table:
            out.append(f"{canon(i)} = [")
            for f, h in fs:
                out.append(f'    {{file = {toml_str(f)}, hash = "sha256:{h}"}},')
            out.append("]")
        out.append("")
    return "\n".join(out)


def generate(n, directory, generation, compact=False):
    os.makedirs(directory, exist_ok=True)
    roots, deps, pkg_extras, root_reqs, groups_of = build(n)
    pp = pyproject(generation, root_reqs)
    text = lock(n, generation, roots, deps, pkg_extras, root_reqs, groups_of,
                content_hash(pp, generation), compact)
    with open(os.path.join(directory, "pyproject.toml"), "w") as f:
        f.write(pp)
    with open(os.path.join(directory, "poetry.lock"), "w") as f:
        f.write(text)
    return os.path.join(directory, "poetry.lock")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("dir")
    ap.add_argument("--generation", choices=["2.1", "1.1"], default="2.1")
    ap.add_argument("--compact", action="store_true",
                    help="two files per package (sdist, pure wheel): 100,000 packages stay under "
                         "lock2nix's 64 MiB input limit (the full shape is 77 MB)")
    args = ap.parse_args()
    print(generate(args.n, args.dir, args.generation, args.compact))


if __name__ == "__main__":
    main()
