"""The model's runtime-dependency check: every Requires-Dist of a wheel whose marker holds must
be installed (importlib.metadata over sys.path, i.e. PYTHONPATH) in a version its specifier
allows, prereleases allowed. Mirrors nixpkgs'
pkgs/development/interpreters/python/hooks/python-runtime-deps-check-hook.py, including its
messages; METADATA is read with the email parser because Debian 12's packaging (23.0) has no
packaging.metadata."""
import email.parser
import importlib.metadata
import re
import sys
import zipfile

from packaging.requirements import InvalidRequirement, Requirement


def normalize_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def error(msg):
    print(f"  - {msg}", file=sys.stderr)


def metadata_text(wheel):
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            if info.filename.endswith(".dist-info/METADATA"):
                return z.read(info).decode("utf-8")
    raise RuntimeError("No METADATA file found in wheel")


def test_requirement(requirement):
    if requirement.marker and not requirement.marker.evaluate():
        return True
    package_name = normalize_name(requirement.name)
    try:
        package = importlib.metadata.distribution(requirement.name)
    except importlib.metadata.PackageNotFoundError:
        error(f"{package_name} not installed")
        return False
    requirement.specifier.prereleases = True
    if requirement.specifier and package.version not in requirement.specifier:
        error(f"{package_name}{requirement.specifier} not satisfied by version {package.version}")
        return False
    return True


def requirement(text):
    # Debian 12's packaging (23.0) rejects some direct URLs (git+file:///...) that newer
    # packaging accepts; the check uses only name, specifier and marker, so the URL is dropped.
    try:
        return Requirement(text)
    except InvalidRequirement:
        m = re.match(r"^([^@;]*)@[^;]*(;.*)?$", text)
        if not m:
            raise
        return Requirement(m.group(1).strip() + (m.group(2) or ""))


if __name__ == "__main__":
    msg = email.parser.Parser().parsestr(metadata_text(sys.argv[1]))
    requirements = [requirement(r) for r in (msg.get_all("Requires-Dist") or [])]
    if not all([test_requirement(r) for r in requirements]):
        sys.exit(1)
