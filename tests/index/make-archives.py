#!/usr/bin/env python3
"""Writes real sdist archives (and hostile ones) into DIR for lock2nix's sdist tests, with
Python's tarfile and zipfile: what pip, pypa/build and setuptools write, and what an attacker
could hand them.
    make-archives.py DIR
"""
import io
import os
import sys
import tarfile
import zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

HATCH = b"""[project]
name = "pkg"
version = "1.0"

[build-system]
requires = ["hatchling>=1.5", "tomli; python_version < '3.11'"]
build-backend = "hatchling.build"
"""
FLIT = b"""[build-system]
requires = ["flit_core >=3.2,<4"]
build-backend = "flit_core.buildapi"
"""
OLD_POETRY = b"""[tool.poetry]
name = "old"
version = "0.1"

[build-system]
requires = ["poetry>=0.12"]
build-backend = "poetry.masonry.api"
"""


def tar(name, members, mode="w:gz"):
    """members: (name, bytes | None for a directory | ("symlink", target))"""
    with tarfile.open(os.path.join(out, name), mode) as t:
        for member, data in members:
            info = tarfile.TarInfo(member)
            if data is None:
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            elif isinstance(data, tuple):
                info.type = tarfile.SYMTYPE
                info.linkname = data[1]
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))


def zip_(name, members):
    with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in members:
            z.writestr(member, data)


# Real layouts.
tar("pkg-1.0.tar.gz", [("pkg-1.0", None), ("pkg-1.0/PKG-INFO", b"Metadata-Version: 2.1\n"),
                       ("pkg-1.0/pkg/__init__.py", b""), ("pkg-1.0/pyproject.toml", HATCH)])
zip_("flitpkg-2.0.zip", [("flitpkg-2.0/flitpkg.py", b""), ("flitpkg-2.0/pyproject.toml", FLIT)])
tar("old-0.1.tar.bz2", [("./old-0.1/pyproject.toml", OLD_POETRY), ("./old-0.1/setup.py", b"")],
    "w:bz2")
tar("setuponly-1.0.tar.gz", [("setuponly-1.0/setup.py", b"from setuptools import setup\nsetup()\n"),
                             ("setuponly-1.0/PKG-INFO", b"")])
tar("toolonly-1.0.tar.xz", [("toolonly-1.0/pyproject.toml", b"[tool.black]\nline-length = 99\n"),
                            ("toolonly-1.0/setup.cfg", b"")], "w:xz")
# A pyproject.toml deeper down (a vendored project) is not the sdist's.
tar("nested-1.0.tar.gz", [("nested-1.0/setup.py", b""),
                          ("nested-1.0/vendor/x/pyproject.toml", FLIT)])

# Hostile ones.
tar("traversal-1.0.tar.gz", [("traversal-1.0/setup.py", b""),
                             ("traversal-1.0/../../evil/pyproject.toml", FLIT)])
tar("absolute-1.0.tar.gz", [("/tmp/absolute-1.0/pyproject.toml", FLIT)])
zip_("ziptraversal-1.0.zip", [("../ziptraversal-1.0/pyproject.toml", FLIT)])
tar("huge-1.0.tar.gz", [("huge-1.0/pyproject.toml",
                         b"[build-system]\nrequires = []\n" + b"#" * (3 * 1024 * 1024))])
zip_("hugezip-1.0.zip", [("hugezip-1.0/pyproject.toml", b"# " + b"x" * (2 * 1024 * 1024))])
tar("symlink-1.0.tar.gz", [("symlink-1.0/pyproject.toml", ("symlink", "/etc/passwd"))])
tar("tworoots-1.0.tar.gz", [("a-1.0/setup.py", b""), ("b-1.0/pyproject.toml", FLIT)])
tar("badtoml-1.0.tar.gz", [("badtoml-1.0/pyproject.toml", b"[build-system\nrequires = 1\n")])
tar("badtype-1.0.tar.gz", [("badtype-1.0/pyproject.toml", b"[build-system]\nrequires = \"setuptools\"\n")])
with open(os.path.join(out, "text-1.0.tar.gz"), "wb") as f:
    f.write(b"this is not an archive\n" * 10)
with open(os.path.join(out, "empty-1.0.tar.gz"), "wb") as f:
    pass
whole = open(os.path.join(out, "pkg-1.0.tar.gz"), "rb").read()
with open(os.path.join(out, "truncated-1.0.tar.gz"), "wb") as f:
    f.write(whole[: len(whole) // 2])

# Rust sdists: which Cargo.lock the backend builds with (lib/fetch/sdist.hpp).
MATURIN = b'[build-system]\nrequires = ["maturin>=1,<2"]\nbuild-backend = "maturin"\n'
SETUPTOOLS_RUST = (b'[build-system]\nrequires = ["setuptools", "setuptools-rust"]\n'
                   b'build-backend = "setuptools.build_meta"\n')
CARGO_LOCK = (b'version = 3\n\n[[package]]\nname = "itoa"\nversion = "1.0.9"\n'
              b'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
              b'checksum = "' + b"a" * 64 + b'"\n')
DECOY = b"# a vendored crate's lock, not the one the backend builds with\nversion = 3\n"
# maturin, a workspace member as manifest: the lock at the workspace root above it.
tar("rustmat-1.0.tar.gz", [
    ("rustmat-1.0/pyproject.toml", MATURIN + b'[tool.maturin]\nmanifest-path = "crates/py/Cargo.toml"\n'),
    ("rustmat-1.0/crates/py/vendor/dep/Cargo.lock", DECOY),
    ("rustmat-1.0/crates/py/Cargo.toml", b'[package]\nname = "py"\n'),
    ("rustmat-1.0/Cargo.lock", CARGO_LOCK)])
# maturin, the manifest's own directory first.
tar("rustmatsub-1.0.tar.gz", [
    ("rustmatsub-1.0/Cargo.lock", DECOY),
    ("rustmatsub-1.0/pyproject.toml", MATURIN + b'[tool.maturin]\nmanifest-path = "./rust/Cargo.toml"\n'),
    ("rustmatsub-1.0/rust/Cargo.lock", CARGO_LOCK)])
# setuptools-rust configured in setup.py: the shallowest, in a zip.
zip_("rustsetup-1.0.zip", [
    ("rustsetup-1.0/pyproject.toml", SETUPTOOLS_RUST),
    ("rustsetup-1.0/setup.py", b""),
    ("rustsetup-1.0/src/rust/deeper/x/Cargo.lock", DECOY),
    ("rustsetup-1.0/src/rust/Cargo.lock", CARGO_LOCK)])
# setuptools-rust with [tool.setuptools-rust]: the ext-module's path.
tar("rustpath-1.0.tar.gz", [
    ("rustpath-1.0/pyproject.toml", SETUPTOOLS_RUST +
     b'[[tool.setuptools-rust.ext-modules]]\ntarget = "p._rs"\npath = "native/Cargo.toml"\n'),
    ("rustpath-1.0/Cargo.lock", DECOY),
    ("rustpath-1.0/native/Cargo.lock", CARGO_LOCK)])
tar("rustnolock-1.0.tar.gz", [("rustnolock-1.0/pyproject.toml", MATURIN),
                              ("rustnolock-1.0/vendor/x/Cargo.lock", DECOY)])
tar("rustescape-1.0.tar.gz", [
    ("rustescape-1.0/pyproject.toml", MATURIN + b'[tool.maturin]\nmanifest-path = "../x/Cargo.toml"\n'),
    ("rustescape-1.0/Cargo.lock", CARGO_LOCK)])
# Not a Rust backend: its Cargo.lock is nobody's business.
tar("notrust-1.0.tar.gz", [("notrust-1.0/pyproject.toml", HATCH), ("notrust-1.0/Cargo.lock", CARGO_LOCK)])
tar("rusthuge-1.0.tar.gz", [("rusthuge-1.0/pyproject.toml", MATURIN),
                            ("rusthuge-1.0/Cargo.lock", b"#" * (9 * 1024 * 1024))])
tar("rustsymlink-1.0.tar.gz", [("rustsymlink-1.0/pyproject.toml", MATURIN),
                               ("rustsymlink-1.0/Cargo.lock", ("symlink", "/etc/passwd"))])
