#!/usr/bin/python3
"""Which entries of a pylock.toml install for a target: the specification's installation steps,
restated independently of lock2nix, to compare lock2nix's selection against.

The specification is "pylock.toml Specification" (PEP 751),
https://packaging.python.org/en/latest/specifications/pylock-toml/ ; its section "Installation"
lists the steps this file follows (numbered here as it numbers them):

  1. extras = the selected extras (empty by default), dependency_groups = the selected groups
     (the lock's `default-groups` by default), both for marker evaluation;
  2. `lock-version` must be supported (major version 1);
  3. the lock's `requires-python`, when given, must admit the Python, else an error;
  4. one of the lock's `environments`, when given, must hold, else an error;
  5. for each [[packages]] entry, in order: (5.1) a `marker` that does not hold skips it;
     (5.2) its `requires-python` failing is an error; (5.3) another entry of the same name
     already slated to install is an ambiguity error; (5.4) its source must be "specified
     appropriately" (no conflicting sources), else an error; (5.5) it installs.

`[[packages.dependencies]]` is never read: the specification ("packages.dependencies") says tools
MUST NOT use it when installing. Which wheel or sdist of an entry installs (the steps after 5)
is not restated: this is the selection of entries only.

Marker and specifier semantics come from `packaging` as Debian 12 ships it (python3-packaging
23.0; packaging >= 25 has `packaging.pylock`, which this deliberately does not use). Everything
else is the Python standard library (tomllib). Nothing comes from lock2nix.

One rule is lock2nix's, not the specification's, and is mirrored so the two can be compared: a
marker that uses `platform_release` or `platform_version` is refused. Those variables describe
the running kernel (platform.release(), platform.version()), which a Nix build does not fix, so
a Nix file cannot decide them for a target. (`--env platform_release=...` supplies a value, and
then the marker is evaluated.)

usage: reference_select.py LOCK --system SYSTEM --python X.Y.Z
           [--extras E[,E...]]... [--groups G[,G...]]... [--no-groups] [--env VAR=VALUE]...

  --system    a Nix system: x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin
  --python    the full Python version (X.Y.Z: python_full_version matters to markers)
  --extras    the extras to install (default: none)
  --groups    the dependency groups to install, replacing the lock's default-groups
  --no-groups install no dependency group (not even the default ones)
  --env       set or override one marker variable of the derived environment

Prints JSON on stdout and exits 0 whether the lock is refused or not:
  {"target": {...}, "refused": null or "reason", "chosen": [{"name", "version" (null when the
   entry has none), "line" (of the entry's [[packages]] header, null when the file does not
   write entries as [[packages]] tables)}, ...] sorted by name}
Exits 2 on a usage error, 3 when this reference cannot evaluate a marker (see
ReferenceLimitation): then nothing is printed on stdout.
"""
import argparse
import json
import re
import sys
import tomllib

from packaging.markers import InvalidMarker, Marker, UndefinedComparison
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


class Refusal(Exception):
    """Something the specification makes an installer raise an error for (or lock2nix's
    platform_release/platform_version rule): the lock is refused for this target."""


class ReferenceLimitation(Exception):
    """A marker packaging 23 cannot evaluate although the specification defines its value (see
    evaluate_marker). Not a refusal of the lock: the reference cannot decide it."""


# --- The target's marker environment ------------------------------------------------------------

# Dependency specifiers, "Environment Markers": each variable is what the running Python reports.
# For a Nix system: Linux reports sys.platform "linux", platform.system() "Linux"; macOS "darwin",
# "Darwin"; os.name is "posix" on both. platform.machine() is "aarch64" on ARM Linux but "arm64"
# on ARM macOS (uname -m there).
SYSTEMS = {
    "x86_64-linux": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    "aarch64-linux": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"},
    "x86_64-darwin": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64"},
    "aarch64-darwin": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
}

# Variables no Nix target fixes (see the module docstring): refused unless given with --env.
UNDECIDABLE = ("platform_release", "platform_version")


def marker_environment(system, python_full, overrides):
    if system not in SYSTEMS:
        raise SystemExit(f"reference_select.py: unknown system {system!r} (known: {', '.join(SYSTEMS)})")
    try:
        version = Version(python_full)
    except InvalidVersion:
        raise SystemExit(f"reference_select.py: --python {python_full!r} is not a version")
    if len(version.release) != 3:
        raise SystemExit(f"reference_select.py: --python {python_full!r}: give the full version X.Y.Z "
                         "(python_full_version decides markers such as python_full_version < '3.10.18')")
    env = {
        "os_name": "posix",
        **SYSTEMS[system],
        # nixpkgs' `python3XX` attributes are CPython.
        "platform_python_implementation": "CPython",
        "implementation_name": "cpython",
        # sys.implementation.version of CPython is its own version.
        "implementation_version": python_full,
        "python_version": f"{version.release[0]}.{version.release[1]}",
        "python_full_version": python_full,
    }
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"reference_select.py: --env {item!r}: expected VAR=VALUE")
        env[key] = value
    return env


# --- Markers ------------------------------------------------------------------------------------

# The tokens of the marker grammar (dependency specifiers, "Grammar": python_str in single or
# double quotes without escapes, env_var names, version_cmp operators, parentheses; `in`, `not`,
# `and`, `or` are words). Legacy dotted spellings (os.name) are words too.
TOKEN = re.compile(r"""
    (?P<ws>[ \t]+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op>===|==|!=|<=|>=|~=|<|>)
  | (?P<paren>[()])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
""", re.VERBOSE)

# packaging 23 does not know the lock-only variables `extras` and `dependency_groups` (its
# tokenizer rejects them: "Expected a marker variable or quoted string"), so each comparison
# `"name" in extras` / `"name" not in dependency_groups` is decided here, by set membership as
# the specification defines these variables (dependency specifiers, "Environment Markers":
# "Set of strings"), and replaced by a constant marker before packaging sees the expression;
# packaging still parses and evaluates the rest, `and`/`or` precedence and parentheses included.
#
# The constant cannot be a literal-to-literal comparison such as `"1" == "1"`: packaging 23
# parses it but, evaluating, takes the right-hand literal for a variable name and fails with
# KeyError '1' (markers.py _evaluate_markers). It is a comparison of the variable `extra`
# instead, which packaging knows and which this file binds to a sentinel: `extra == SENTINEL`
# is true and `extra != SENTINEL` false. That cannot collide with a use of `extra` in the
# lock, because a pylock marker may not use `extra` (below), so such a marker is refused before.
SENTINEL = "lock2nix-reference-member"
TRUE_MARKER = f'extra == "{SENTINEL}"'
FALSE_MARKER = f'extra != "{SENTINEL}"'

LOCK_SETS = ("extras", "dependency_groups")


def _tokens(marker):
    position = 0
    while position < len(marker):
        match = TOKEN.match(marker, position)
        if match is None:
            raise Refusal(f"marker {marker!r} does not parse (unexpected {marker[position]!r} "
                          f"at column {position + 1})")
        if match.lastgroup != "ws":
            yield match.lastgroup, match.group(), match.start(), match.end()
        position = match.end()


def rewrite_lock_sets(marker, sets, env):
    """The marker with each `"x" in extras` / `"x" not in dependency_groups` replaced by a
    constant; refuses the uses of variables packaging must not decide here."""
    tokens = list(_tokens(marker))
    pieces = []
    last = 0
    i = 0
    while i < len(tokens):
        kind, text, start, end = tokens[i]
        if kind == "word":
            name = text.replace(".", "_")
            if name in UNDECIDABLE and name not in env:
                raise Refusal(f"marker {marker!r} uses {text}, which describes the build machine's "
                              "kernel; a Nix build does not fix it (lock2nix refuses such markers)")
            if name == "extra":
                # Dependency specifiers, "Environment Markers": outside a context that defines
                # it, `extra` is an error like every unknown variable; a lock defines `extras`.
                raise Refusal(f"marker {marker!r} uses `extra`, which is undefined in a lock file "
                              "(its variables are `extras` and `dependency_groups`)")
            if name in LOCK_SETS:
                raise Refusal(f"marker {marker!r} uses {text} other than as `\"name\" in {text}` or "
                              f"`\"name\" not in {text}`")
        if kind == "str":
            # STRING ("in" | "not" "in") SET
            negated = (i + 3 < len(tokens) and tokens[i + 1][1] == "not" and tokens[i + 2][1] == "in")
            j = i + 3 if negated else i + 2
            if (j < len(tokens) and tokens[j][0] == "word" and tokens[j][1] in LOCK_SETS
                    and (negated or tokens[i + 1][1] == "in")):
                # Extra and group names compare normalised (core metadata, Provides-Extra;
                # dependency groups, "Dependency Group Names"); the lock writes them normalised.
                member = canonicalize_name(text[1:-1]) in sets[tokens[j][1]]
                holds = member != negated
                pieces.append(marker[last:start])
                pieces.append(TRUE_MARKER if holds else FALSE_MARKER)
                last = tokens[j][3]
                i = j + 1
                continue
        i += 1
    pieces.append(marker[last:])
    return "".join(pieces)


def evaluate_marker(marker, env, sets):
    rewritten = rewrite_lock_sets(marker, sets, env)
    try:
        parsed = Marker(rewritten)
    except InvalidMarker as error:
        raise Refusal(f"marker {marker!r} does not parse: {error}".replace("\n", " "))
    # evaluate() starts from the running interpreter's environment and updates it with this
    # one; every variable a marker may use is given here (the undecidable ones were refused
    # above unless given), so nothing of the machine running this script leaks in.
    try:
        return parsed.evaluate({**env, "extra": SENTINEL})
    except UndefinedComparison as error:
        raise Refusal(f"marker {marker!r} cannot be evaluated: {error}")
    except InvalidVersion as error:
        # packaging 23 compares a string variable with a version-like literal
        # (`sys_platform == "1.0"`) as versions and fails on the variable's value; the
        # specification compares them as strings. Not a refusal: this reference cannot decide.
        raise ReferenceLimitation(f"packaging 23 cannot evaluate marker {marker!r}: {error}")


def _self_test():
    env = marker_environment("x86_64-linux", "3.12.0", [])
    assert Marker(TRUE_MARKER).evaluate({**env, "extra": SENTINEL}) is True
    assert Marker(FALSE_MARKER).evaluate({**env, "extra": SENTINEL}) is False
    sets = {"extras": {"a"}, "dependency_groups": {"dev"}}
    assert evaluate_marker('"dev" in dependency_groups and "a" in extras', env, sets)
    assert not evaluate_marker("'dev' not in dependency_groups or \"b\" in extras", env, sets)
    assert evaluate_marker('"x" in extras or ("dev" in dependency_groups and os_name == "posix")', env, sets)
    # `and` binds tighter than `or`: false or (true and true)
    assert evaluate_marker('"b" in extras or "a" in extras and sys_platform == "linux"', env, sets)


# --- The lock ------------------------------------------------------------------------------------

def package_header_lines(text):
    """Line numbers of the [[packages]] headers, in order, skipping multi-line strings."""
    header = re.compile(r"""[ \t]*\[\[[ \t]*(packages|"packages"|'packages')[ \t]*\]\][ \t]*(#.*)?\r?$""")
    lines = []
    open_string = None
    for number, line in enumerate(text.split("\n"), 1):
        if open_string is None and header.match(line):
            lines.append(number)
            continue
        # Track """ and ''' strings that span lines (a header inside one is no header).
        rest = line
        while rest:
            if open_string is None:
                starts = [(rest.find(d), d) for d in ('"""', "'''") if d in rest]
                if not starts:
                    break
                index, delimiter = min(starts)
                open_string = delimiter
                rest = rest[index + 3:]
            else:
                index = rest.find(open_string)
                if index < 0:
                    break
                open_string = None
                rest = rest[index + 3:]
    return lines


TOML_TYPES = {str: "string", list: "array", dict: "table", bool: "boolean"}


def _expect(value, kind, what):
    if not isinstance(value, kind):
        raise Refusal(f"{what} is a {type(value).__name__}, not the {TOML_TYPES[kind]} the "
                      "specification says")
    return value


def _names(value, what):
    names = _expect(value, list, what)
    for name in names:
        _expect(name, str, f"an entry of {what}")
    return [canonicalize_name(name) for name in names]


def check_file(file, what):
    """[packages.archive], [packages.sdist], [[packages.wheels]]: `url` or `path` ("Required?:
    if path is not specified" / "if url is not specified") and a `hashes` table that "MUST
    contain at least one entry" (packages.archive.hashes)."""
    _expect(file, dict, what)
    if "url" not in file and "path" not in file:
        raise Refusal(f"{what} has neither url nor path")
    hashes = file.get("hashes")
    if hashes is None:
        raise Refusal(f"{what} has no hashes (required)")
    _expect(hashes, dict, f"{what}.hashes")
    if not hashes:
        raise Refusal(f"{what} has an empty hashes table (it MUST contain at least one entry)")


def check_source(package, where):
    """Installation step 5.4: "Check that the source of the package is specified appropriately
    (i.e. there are no conflicting sources in the package entry)". The specification makes
    vcs, directory and archive mutually exclusive with each other and with sdist and wheels
    (packages.vcs, packages.directory, packages.sdist, packages.wheels, "Required?"); an entry
    with none has nothing to install (step 6: "an error MUST be raised about a lack of source");
    and each source's required keys must be there."""
    kinds = [kind for kind in ("vcs", "directory", "archive") if kind in package]
    wheels = package.get("wheels", [])
    _expect(wheels, list, f"{where}: wheels")
    if "sdist" in package or wheels:
        kinds.append("sdist/wheels")
    if not kinds:
        raise Refusal(f"{where}: no source (no vcs, directory, archive, sdist or wheels)")
    if len(kinds) > 1:
        raise Refusal(f"{where}: conflicting sources ({', '.join(kinds)})")
    if "vcs" in package:
        vcs = _expect(package["vcs"], dict, f"{where}: vcs")
        for key in ("type", "commit-id"):
            if key not in vcs:
                raise Refusal(f"{where}: vcs has no {key} (required)")
        if "url" not in vcs and "path" not in vcs:
            raise Refusal(f"{where}: vcs has neither url nor path")
    if "directory" in package:
        if "path" not in _expect(package["directory"], dict, f"{where}: directory"):
            raise Refusal(f"{where}: directory has no path (required)")
    if "archive" in package:
        check_file(package["archive"], f"{where}: archive")
    if "sdist" in package:
        check_file(package["sdist"], f"{where}: sdist")
    for number, wheel in enumerate(wheels, 1):
        check_file(wheel, f"{where}: wheel {number}")


def python_admits(specifiers, python_full, what):
    try:
        spec = SpecifierSet(_expect(specifiers, str, what))
    except InvalidSpecifier:
        raise Refusal(f"{what} {specifiers!r} does not parse")
    # A pre-release interpreter is judged by the specifiers like any other version.
    return spec.contains(Version(python_full), prereleases=True)


def select(text, env, extras, groups):
    """The installation steps. Returns (chosen, selected) or raises Refusal."""
    try:
        lock = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise Refusal(f"not valid TOML: {error}")

    # Step 2: lock-version. Only its major version decides ("If a tool doesn't support a major
    # version, it MUST raise an error"); an unknown minor version at most warns.
    if "lock-version" not in lock:
        raise Refusal("no lock-version (required)")
    lock_version = _expect(lock["lock-version"], str, "lock-version")
    if lock_version.split(".")[0] != "1":
        raise Refusal(f"lock-version {lock_version!r}: major version 1 is the only one specified")
    if "created-by" not in lock:
        raise Refusal("no created-by (required)")

    # Step 1: `extras` is empty and `dependency_groups` is default-groups unless chosen.
    selected = {
        "extras": {canonicalize_name(e) for e in extras},
        "dependency_groups": ({canonicalize_name(g) for g in groups} if groups is not None
                              else set(_names(lock.get("default-groups", []), "default-groups"))),
    }

    python_full = env["python_full_version"]
    # Step 3: the lock's requires-python.
    if "requires-python" in lock and not python_admits(lock["requires-python"], python_full,
                                                        "requires-python"):
        raise Refusal(f"the lock's requires-python {lock['requires-python']!r} excludes Python "
                      f"{python_full}")

    # Step 4: one of the environments must hold. The answer does not depend on the order of
    # the list: one that holds admits the target even when another cannot be decided (uses
    # platform_release); the undecidable one is the refusal only when no other holds.
    if "environments" in lock:
        environments = _expect(lock["environments"], list, "environments")
        undecided = None
        for environment in environments:
            try:
                if evaluate_marker(_expect(environment, str, "an environment"), env, selected):
                    break
            except Refusal as refusal:
                undecided = undecided or refusal
        else:
            if undecided is not None:
                raise undecided
            raise Refusal(f"none of the lock's environments holds: {environments!r}")

    # Step 5: each entry.
    if "packages" not in lock:
        raise Refusal("no [[packages]] (required)")
    packages = _expect(lock["packages"], list, "packages")
    lines = package_header_lines(text)
    if len(lines) != len(packages):
        lines = [None] * len(packages)  # entries written as an inline array: no headers
    chosen = {}  # normalised name -> (entry, line)
    for package, line in zip(packages, lines):
        _expect(package, dict, "a [[packages]] entry")
        where = f"[[packages]] at line {line}" if line else "a [[packages]] entry"
        if "name" not in package:
            raise Refusal(f"{where}: no name (required)")
        name = _expect(package["name"], str, f"{where}: name")
        where = f"{name} ({where})"
        # packages.name: "The name of the package normalized".
        if canonicalize_name(name) != name:
            raise Refusal(f"{where}: the name is not normalized ({canonicalize_name(name)!r})")
        if "version" in package:
            try:
                Version(_expect(package["version"], str, f"{where}: version"))
            except InvalidVersion:
                raise Refusal(f"{where}: version {package['version']!r} is not a version")
        # 5.1: the marker.
        if "marker" in package and not evaluate_marker(
                _expect(package["marker"], str, f"{where}: marker"), env, selected):
            continue
        # 5.2: the entry's own requires-python is an error, not a reason to skip it.
        if "requires-python" in package and not python_admits(
                package["requires-python"], python_full, f"{where}: requires-python"):
            raise Refusal(f"{where} installs but its requires-python "
                          f"{package['requires-python']!r} excludes Python {python_full}")
        # 5.3: ambiguity.
        if name in chosen:
            other = chosen[name][1]
            raise Refusal(f"{where} and the entry at line {other} both install: the lock is "
                          "ambiguous for this target")
        # 5.4: the source.
        check_source(package, where)
        # 5.5
        chosen[name] = (package, line)
    return ([{"name": name, "version": package.get("version"), "line": line}
             for name, (package, line) in sorted(chosen.items())], selected)


def _split(values):
    return [item for value in values for item in value.split(",") if item]


def main(argv):
    parser = argparse.ArgumentParser(
        prog="reference_select.py",
        description="The pylock.toml specification's installation-time selection, for one target.")
    parser.add_argument("lock")
    parser.add_argument("--system", required=True)
    parser.add_argument("--python", required=True, help="full version X.Y.Z")
    parser.add_argument("--extras", action="append", default=[])
    parser.add_argument("--groups", action="append", default=None)
    parser.add_argument("--no-groups", action="store_true")
    parser.add_argument("--env", action="append", default=[], metavar="VAR=VALUE")
    args = parser.parse_args(argv)

    _self_test()
    env = marker_environment(args.system, args.python, args.env)
    extras = _split(args.extras)
    groups = [] if args.no_groups else (_split(args.groups) if args.groups is not None else None)
    try:
        with open(args.lock, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise SystemExit(f"reference_select.py: {error}")
    target = {"system": args.system, "python": args.python, "environment": env}
    try:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Refusal(f"not UTF-8 (TOML is): {error}")
        chosen, selected = select(text, env, extras, groups)
        target["extras"] = sorted(selected["extras"])
        target["dependency_groups"] = sorted(selected["dependency_groups"])
        result = {"target": target, "refused": None, "chosen": chosen}
    except Refusal as refusal:
        result = {"target": target, "refused": str(refusal), "chosen": []}
    except ReferenceLimitation as limitation:
        print(f"reference_select.py: {args.lock}: {limitation}", file=sys.stderr)
        return 3
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
