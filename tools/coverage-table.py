#!/usr/bin/env python3
"""Writes the coverage table into overrides/README.md (between `<!-- coverage:begin -->` and
`<!-- coverage:end -->`): for every package poetry2nix has a specific fix for that appears in at
least 3 corpus locks, and every package the override database has a hand-written entry for, how
many corpus locks hold it, what poetry2nix did and what lock2nix does.

Read from data, nothing kept by hand but the reasons:
  * the corpus: SHARED/corpus/**/poetry.lock, counted once per lock that holds the package;
  * poetry2nix's fixes: SHARED/reference/poetry2nix.md, section 3.2 (its table of fix categories
    with example packages, the generated nvidia-* fixups and the bootstrapping block). The shared
    data holds that study, not poetry2nix's overrides/default.nix, so only the packages it names
    are known here;
  * lock2nix's database: overrides/*.toml except the generated build-systems.toml;
  * overrides/coverage-reasons.toml: for a row without an entry, why none is needed (each an
    entry of the database's own format that sets only `why`, since every overrides/*.toml file
    is compiled into the default database).
A row with neither an entry nor a reason is an error, and so is a reason for a package that has
an entry or that the study does not name as fixed by poetry2nix (a reason also puts a package
poetry2nix fixes in the table when fewer than 3 locks hold it).

usage: tools/coverage-table.py [--shared DIR] [--check]
--shared defaults to ../shared next to the repository. With --check nothing is written; the exit
code says whether the table is up to date (1: stale or an error, 2: usage or missing data).
"""
import argparse
import collections
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "overrides" / "README.md"
REASONS = ROOT / "overrides" / "coverage-reasons.toml"
BEGIN = "<!-- coverage:begin -->\n"
END = "<!-- coverage:end -->"
MIN_LOCKS = 3
STUDY = "reference/poetry2nix.md"


class DataError(Exception):
    pass


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


# --- the corpus --------------------------------------------------------------------------------

def read_corpus(shared):
    """Per package: the number of locks holding it, and per locked version the kinds of files."""
    locks = sorted((shared / "corpus").glob("**/poetry.lock"))
    if not locks:
        raise DataError(f"no poetry.lock under {shared / 'corpus'}")
    count = collections.Counter()
    files = collections.defaultdict(lambda: collections.defaultdict(set))
    for lock in locks:
        with open(lock, "rb") as f:
            data = tomllib.load(f)
        metadata_files = {normalize(k): v for k, v in
                          (data.get("metadata", {}).get("files") or {}).items()}
        names = set()
        for package in data.get("package", []):
            name = normalize(package["name"])
            names.add(name)
            version = str(package.get("version", ""))
            entries = package.get("files") or metadata_files.get(name) or []
            kinds = files[name][version]
            for entry in entries:
                kinds.add(file_kind(entry.get("file", "")))
        count.update(names)
    return len(locks), count, files


def file_kind(filename):
    if not filename.endswith(".whl"):
        return "sdist"
    tags = filename[:-4].split("-")[-3:]
    platform = tags[-1] if len(tags) == 3 else ""
    if platform == "any":
        return "pure"
    if "linux" in platform and "x86_64" in platform:
        return "linux-x86_64"
    return "other-wheel"


def corpus_note(versions):
    """What the corpus locks: "3 versions, a manylinux x86_64 wheel in each"."""
    total = len(versions)
    known = {v: k for v, k in versions.items() if k}
    if not known:
        return f"{total} locked version{'s' * (total != 1)}, files not listed"
    pure = sum("pure" in k for k in known.values())
    linux = sum("linux-x86_64" in k for k in known.values())
    sdist_only = sum(k == {"sdist"} for k in known.values())
    parts = []
    if linux:
        parts.append(f"an x86_64 Linux wheel in {linux}")
    if pure:
        parts.append(f"a pure-Python wheel in {pure}")
    if sdist_only:
        parts.append(f"only an sdist in {sdist_only}")
    other = len(known) - sum(("linux-x86_64" in k or "pure" in k or k == {"sdist"})
                             for k in known.values())
    if other:
        parts.append(f"no x86_64 Linux wheel in {other}")
    return f"{total} locked version{'s' * (total != 1)}: " + ", ".join(parts)


# --- poetry2nix's fixes, from the study ------------------------------------------------------------

def split_top(text):
    """Splits on commas outside parentheses."""
    out, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return out


def category_label(cell):
    label = cell.split(" (", 1)[0].replace("`", "").strip()
    if len(label) > 1 and label[1].islower():  # "Native libraries" -> "native libraries", not "CUDA"
        label = label[0].lower() + label[1:]
    return label


def read_poetry2nix(shared, known_names):
    """Package -> what poetry2nix's overrides/default.nix does for it, as the study lists it."""
    path = shared / STUDY
    if not path.exists():
        raise DataError(f"{path} is missing")
    text = path.read_text(encoding="utf-8")
    start = text.find("### 3.2 `overrides/default.nix`")
    if start < 0:
        raise DataError(f"{path}: no section 3.2 on overrides/default.nix")
    section = text[start:]
    following = section.find("\n## ", 1)
    section = section[:following] if following > 0 else section
    fixes = collections.defaultdict(list)

    def add(name, what):
        if what not in fixes[name]:
            fixes[name].append(what)

    rows = [line for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| Category")]
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 3:
            continue
        label = category_label(cells[0])
        examples = cells[2]
        if ". " in examples:  # the Rust row goes on with hash statistics
            examples = examples[:examples.index(". ")]
        for item in split_top(examples):
            item = item.strip().rstrip("…").strip()
            if not item:
                continue
            group = re.match(r"\d+ × (\S+)\* \(([^)]*)\)$", item)
            if group:
                for suffix in group.group(2).split(","):
                    add(normalize(group.group(1) + suffix.strip()), label)
                continue
            detail = re.search(r"\(([^)]*)\)\s*$", item)
            name = re.sub(r"\s*\(.*\)\s*$", "", item).split()[0]
            what = label + (f" ({detail.group(1)})" if detail else "")
            if name.endswith("-*"):
                for known in sorted(known_names):
                    if known.startswith(normalize(name[:-1])):
                        add(known, what)
                continue
            add(normalize(name), what)
    nvidia = re.search(r"`nvidia-\{([^}]*)\}-cu11/-cu12`", section, re.S)
    if not nvidia:
        raise DataError(f"{path}: section 3.2 names no generated nvidia-* fixups")
    for part in nvidia.group(1).replace("\n", "").split(","):
        for cuda in ("cu11", "cu12"):
            add(f"nvidia-{part.strip()}-{cuda}",
                "deletes nvidia/__init__.py, links the libraries into $out/lib")
    boot = re.search(r"bootstrapping block\s+([\w/-]+)", section)
    if not boot:
        raise DataError(f"{path}: section 3.2 names no bootstrapping block")
    for name in boot.group(1).split("/"):
        add(normalize(name), "replaced by nixpkgs' bootstrap package")
    if len(rows) < 5 or len(fixes) < 30:
        raise DataError(f"{path}: section 3.2 yields {len(fixes)} packages from {len(rows)} "
                        "rows; its layout is not the one this script reads")
    return fixes


# --- lock2nix's database -------------------------------------------------------------------------

def read_database():
    entries = collections.defaultdict(list)
    for path in sorted((ROOT / "overrides").glob("*.toml")):
        if path.name in ("build-systems.toml", REASONS.name):
            continue
        with open(path, "rb") as f:
            data = tomllib.load(f)
        for package, items in data.items():
            for item in items if isinstance(items, list) else [items]:
                entries[normalize(package)].append((path.name, item))
    return entries


def short_list(items, limit=4):
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" +{len(items) - limit}" if len(items) > limit else "")


def describe_entry(entry):
    parts = []
    if "prefer-wheel" in entry:
        parts.append("wheel preferred" if entry["prefer-wheel"] else "built from its sdist")
    if entry.get("rust"):
        parts.append("sdist's crates from its Cargo.lock")
    if entry.get("disabled"):
        parts.append("left out with every edge to it")
    if "build-systems" in entry:
        parts.append("backends " + short_list(entry["build-systems"]))
    if "dependencies" in entry:
        parts.append("adds dependencies " + short_list(entry["dependencies"]))
    inputs = [*entry.get("native-build-inputs", []), *entry.get("build-inputs", []),
              *entry.get("propagated-build-inputs", [])]
    if inputs:
        parts.append("inputs " + short_list(dict.fromkeys(inputs)))
    if "env" in entry:
        parts.append("env " + short_list(entry["env"]))
    if "pypa-build-flags" in entry:
        parts.append("build flags " + short_list(entry["pypa-build-flags"], 2))
    for key, what in (("dont-use-cmake-configure", "no CMake configure phase"),
                      ("dont-use-meson-configure", "no Meson configure phase")):
        if entry.get(key):
            parts.append(what)
    if "patches" in entry:
        parts.append("patches")
    for key in ("pre-configure", "post-patch", "pre-build", "post-install", "post-fixup"):
        if key in entry:
            parts.append(f"{key} script")
    if "remove-dependencies" in entry:
        parts.append("drops the edge to " + short_list(entry["remove-dependencies"]))
    if "remove-files" in entry:
        parts.append("removes " + short_list(entry["remove-files"], 2))
    if "auto-patchelf-search-paths" in entry:
        parts.append("libraries from " + short_list(
            dict.fromkeys(p["package"] for p in entry["auto-patchelf-search-paths"]), 3))
    if "auto-patchelf-ignore-missing" in entry:
        n = len(entry["auto-patchelf-ignore-missing"])
        parts.append(f"{n} librar{'y' if n == 1 else 'ies'} left to run time")
    if entry.get("dont-strip"):
        parts.append("not stripped")
    if "make-wrapper-args" in entry:
        parts.append("wrapper arguments")
    scope = [s for s in (entry.get("versions"), entry.get("dist")) if s]
    return (f"[{' '.join(scope)}] " if scope else "") + ", ".join(parts or ["documents only"])


def describe_entries(items):
    by_file = collections.defaultdict(list)
    for file, entry in items:
        by_file[file].append(describe_entry(entry))
    return "; ".join(f"{'; '.join(parts)} ({file})" for file, parts in by_file.items())


def read_reasons():
    """Package -> reason: the `why` of its documentation-only entry in coverage-reasons.toml."""
    with open(REASONS, "rb") as f:
        data = tomllib.load(f)
    reasons, errors = {}, []
    for package, items in data.items():
        items = items if isinstance(items, list) else [items]
        if len(items) != 1 or set(items[0]) != {"why"}:
            errors.append(f"{REASONS.name}: {package} must have one entry setting only `why`")
            continue
        reasons[normalize(package)] = items[0]["why"].rstrip(".")
    if errors:
        raise DataError("\n".join(errors))
    return reasons


# --- the table ------------------------------------------------------------------------------------

def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def build_table(shared):
    n_locks, count, files = read_corpus(shared)
    database = read_database()
    fixes = read_poetry2nix(shared, set(count) | set(database))
    reasons = read_reasons()

    # A reason explains why lock2nix does without a fix poetry2nix has: it puts a package poetry2nix
    # fixes in the table whatever its count, and makes no sense for anything else.
    rows = {name for name in fixes if count[name] >= MIN_LOCKS or name in reasons} | set(database)
    errors = []
    for name in sorted(reasons):
        if name in database:
            errors.append(f"{REASONS.name}: {name} has an entry in the database; drop its reason")
        elif name not in fixes:
            errors.append(f"{REASONS.name}: {name} is not a package {STUDY} names as fixed by "
                          "poetry2nix; drop its reason")
    missing = sorted(name for name in rows if name not in database and name not in reasons)
    for name in missing:
        errors.append(f"{name}: poetry2nix fixes it and {count[name]} corpus locks hold it, but "
                      f"the database has no entry and {REASONS.name} no reason")
    if errors:
        raise DataError("\n".join(errors))

    ordered = sorted(rows, key=lambda name: (-count[name], name))
    with_entry = sum(name in database for name in ordered)
    lines = [
        f"{len(ordered)} packages: every package poetry2nix has a specific fix for that at least "
        f"{MIN_LOCKS} of the {n_locks} corpus locks hold, every package with a hand-written entry "
        f"here, and every package with a reason in `{REASONS.name}`; {with_entry} have entries, "
        f"{len(ordered) - with_entry} a reason why none is needed. poetry2nix's fixes are the ones "
        f"the shared data's `{STUDY}` names (its summary of poetry2nix's `overrides/default.nix`: "
        "fix categories with example packages, the generated `nvidia-*` fixups, the bootstrapping "
        "block), not that file itself.",
        "",
        "| package | locks | what poetry2nix did | what lock2nix does |",
        "|---|---|---|---|",
    ]
    for name in ordered:
        did = "; ".join(fixes.get(name, [])) or "— (not in the study's lists)"
        if name in database:
            does = describe_entries(database[name])
        else:
            does = f"no entry: {reasons[name]} (corpus: {corpus_note(files[name])})"
        lines.append(f"| `{name}` | {count[name]} | {cell(did)} | {cell(does)} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(usage=__doc__.rsplit("usage: ", 1)[1].split("\n", 1)[0])
    parser.add_argument("--shared", type=pathlib.Path, default=ROOT.parent / "shared")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    try:
        table = build_table(args.shared)
    except DataError as e:
        print(f"coverage-table: {e}", file=sys.stderr)
        return 1
    except FileNotFoundError as e:
        print(f"coverage-table: {e}", file=sys.stderr)
        return 2
    text = DOCUMENT.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        print(f"{DOCUMENT.relative_to(ROOT)}: no {BEGIN.strip()} ... {END} block", file=sys.stderr)
        return 1
    updated = text[:start + len(BEGIN)] + table + text[end:]
    if updated == text:
        return 0
    if args.check:
        print(f"{DOCUMENT.relative_to(ROOT)}: the coverage table is out of date "
              "(run tools/coverage-table.py)", file=sys.stderr)
        return 1
    DOCUMENT.write_text(updated, encoding="utf-8")
    print(f"{DOCUMENT.relative_to(ROOT)}: updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
