"""The model's python.withPackages environment: nixpkgs' buildEnv
(pkgs/build-support/buildenv/builder.pl) merges the packages into one tree of symlinks, with
directories created where several packages meet and `collision between `A' and `B'` when two
packages provide the same file with different contents or permissions (checkCollisionContents is
true by default); then wrapper.nix's postBuild replaces each program of a package by a wrapper
that runs it with the environment's interpreter. nixpkgs wraps its interpreter with makeWrapper
and finds the packages through NIX_PYTHONPATH; the model makes the environment a venv instead
(pyvenv.cfg + bin/python3.X -> the host interpreter), which gives the same sys.path and, like
site.addsitedir, processes .pth files.
argv: OUT SITE_PACKAGES INTERPRETER EXECUTABLE PATH..."""
import filecmp
import os
import stat
import sys

out, site, interpreter, executable, paths = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
symlinks = {"": "", "/bin": ""}  # "" denotes a directory; bin is always one (wrapper.nix)
# site-packages too, and the directories above it: the interpreter's own files join it (the model's
# stand-in for nixpkgs' patched standard library, see ../no-ldconfig.py).
parts = site.split("/")
for i in range(1, len(parts) + 1):
    symlinks["/" + "/".join(parts[:i])] = ""


def die(msg):
    print("error: " + msg, file=sys.stderr)
    sys.exit(1)


def check_collision(a, b):
    if not os.path.exists(a) or not os.path.exists(b):
        return False
    ma, mb = os.stat(a).st_mode, os.stat(b).st_mode
    if ma != mb:
        print(f"warning: different permissions in `{a}' and `{b}': "
              f"{stat.S_IMODE(ma):04o} <-> {stat.S_IMODE(mb):04o}", file=sys.stderr)
        return False
    return filecmp.cmp(a, b, shallow=False)


def find_files_in_dir(rel, target):
    for name in sorted(os.listdir(target)):
        find_files(f"{rel}/{name}", os.path.join(target, name))


def find_files(rel, target):
    if rel in ("/propagated-build-inputs", "/nix-support"):
        return
    old = symlinks.get(rel)
    if old is None:
        symlinks[rel] = target
        return
    if old != "" and os.path.realpath(old) == os.path.realpath(target):
        return
    if old == "" and not os.path.isdir(target):
        die(f"not a directory: `{target}'")
    if not (os.path.isdir(target) and (old == "" or os.path.isdir(old))):
        if check_collision(old, target):
            return
        die(f"collision between `{target}' and `{old}'")
    if old != "":
        find_files_in_dir(rel, old)
    find_files_in_dir(rel, target)
    symlinks[rel] = ""


for p in paths:
    if os.path.exists(p):
        find_files("", p)
n = 0
for rel in sorted(symlinks):
    target = symlinks[rel]
    dest = out + rel
    if target == "":
        os.makedirs(dest, exist_ok=True)
    else:
        os.symlink(target, dest)
        n += 1
print(f"created {n} symlinks in user environment", file=sys.stderr)

# wrapper.nix's postBuild: programs of the packages run with the environment's interpreter.
for p in paths:
    bindir = os.path.join(p, "bin")
    if not os.path.isdir(bindir):
        continue
    for prg in sorted(os.listdir(bindir)):
        path = os.path.join(bindir, prg)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            continue
        with open(path, "rb") as f:
            first = f.readline()
        if not (first.startswith(b"#!") and b"python" in first):
            continue
        dest = os.path.join(out, "bin", prg)
        os.remove(dest)
        with open(dest, "w") as f:
            f.write(f'#!/bin/sh\nexec "{out}/bin/{executable}" "{path}" "$@"\n')
        os.chmod(dest, 0o555)
os.symlink(interpreter, os.path.join(out, "bin", executable))
for alias in ("python3", "python"):
    if not os.path.lexists(os.path.join(out, "bin", alias)):
        os.symlink(executable, os.path.join(out, "bin", alias))
with open(os.path.join(out, "pyvenv.cfg"), "w") as f:
    f.write(f"home = {os.path.dirname(interpreter)}\ninclude-system-site-packages = false\n")
