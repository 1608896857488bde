"""The model's autoPatchelfHook, as a check: every ELF file in $out must find each of its
DT_NEEDED libraries in $out itself (searched recursively, as nixpkgs'
pkgs/build-support/setup-hooks/auto-patchelf.py does for the paths it patches), in the `lib`
directories of the build's inputs (non-recursively: the hook's gatherLibraries adds "$dep/lib"),
or among the C library's own libraries; otherwise it fails with auto-patchelf's messages.
The model does not rewrite RPATHs (no patchelf): it reports what auto-patchelf would not find.
argv: OUT IGNORED_SONAMES LIBDIR..."""
import fnmatch
import os
import subprocess
import sys

out, ignored, libdirs = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
# Provided by glibc and the dynamic loader (nixpkgs' stdenv links them in, auto-patchelf finds
# them through the libc of the compiler wrapper).
libc = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
        "libutil.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libresolv.so.2"}


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def needed(path):
    text = subprocess.run(["objdump", "-p", path], capture_output=True, text=True,
                          check=True).stdout
    return [line.split()[1] for line in text.splitlines() if line.strip().startswith("NEEDED")]


elves, available = [], set()
for d, _, names in os.walk(out):
    for n in names:
        p = os.path.join(d, n)
        if not os.path.islink(p) and is_elf(p):
            elves.append(p)
            available.add(n)
for d in libdirs:
    if os.path.isdir(d):
        available.update(os.listdir(d))
missing = False
for elf in sorted(elves):
    print(f"searching for dependencies of {elf}")
    for lib in needed(elf):
        if lib in available or lib in libc:
            print(f"    {lib} -> found")
        elif any(fnmatch.fnmatch(lib, pat) for pat in ignored) or "*" in ignored:
            print(f"warning: auto-patchelf ignoring missing {lib} wanted by {elf}")
        else:
            print(f"error: auto-patchelf could not satisfy dependency {lib} wanted by {elf}")
            missing = True
if missing:
    print("auto-patchelf failed to find all the required dependencies.\n"
          "Add the missing dependencies to --libs or use `--ignore-missing=\"foo.so.1 bar.so etc.so\"`.")
    sys.exit(1)
