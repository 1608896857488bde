#!/usr/bin/python3
"""Builds the test world of tests/e2e/run.sh in DIR, with real tools only:
  DIR/src/<project>      the sources of every package
  DIR/index/files/       wheels and sdists built from them by their own backends
                         (`python3 -m build --no-isolation`, `python3 -m wheel pack`, gcc)
  DIR/index/simple/      a PEP 503 index of those files (hrefs percent-encoded as PyPI does)
  DIR/git/juliet.git     a git repository (a git dependency)
  DIR/paths/<project>    path dependencies (not served)
Run with Debian's /usr/bin/python3 (it has build, setuptools, wheel, poetry-core, hatchling)."""
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import urllib.parse

root = os.path.abspath(sys.argv[1])
src = os.path.join(root, "src")
files = os.path.join(root, "index", "files")
os.makedirs(files, exist_ok=True)
PY = sys.executable


def write(path, text, mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text).lstrip("\n"))
    if mode:
        os.chmod(path, mode)


def run(*cmd, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"world: {' '.join(cmd)} failed in {cwd}:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def build(project, *kinds, skip_check=False):
    """Builds the project's sdist and/or wheel with pypa/build and its own backend."""
    d = os.path.join(src, project)
    for kind in kinds:
        cmd = [PY, "-m", "build", "--no-isolation", f"--{kind}", "--outdir", files]
        if skip_check:
            cmd.append("--skip-dependency-check")
        run(*cmd, d)


def poetry_project(project, name, version, module, deps="", extra="", layout="flat", body=None):
    d = os.path.join(src, project)
    pkg_dir = os.path.join(d, "src", module) if layout == "src" else os.path.join(d, module)
    packages = (f'packages = [{{ include = "{module}", from = "src" }}]\n' if layout == "src"
                else f'packages = [{{ include = "{module}" }}]\n')
    write(os.path.join(d, "pyproject.toml"), f"""
        [tool.poetry]
        name = "{name}"
        version = "{version}"
        description = "lock2nix e2e"
        authors = ["lock2nix <e2e@example.org>"]
        {packages}
        [tool.poetry.dependencies]
        python = "^3.8"
        {deps}
        {extra}
        [build-system]
        requires = ["poetry-core>=1.0.0"]
        build-backend = "poetry.core.masonry.api"
        """)
    write(os.path.join(pkg_dir, "__init__.py"), body or f'NAME = "{name}"\n')
    return d


def manual_wheel(name, version, tag, tree, requires=(), extra_meta=""):
    """A wheel from a directory tree with `python3 -m wheel pack` (which writes RECORD)."""
    dist = re.sub(r"[-_.]+", "_", name).lower()
    d = os.path.join(src, "_wheels", f"{dist}-{version}")
    shutil.rmtree(d, ignore_errors=True)
    for rel, content in tree.items():
        path = os.path.join(d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, bytes):
            open(path, "wb").write(content)
        else:
            open(path, "w").write(content)
    info = os.path.join(d, f"{dist}-{version}.dist-info")
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    write(os.path.join(info, "METADATA"), "\n".join(meta) + "\n" + extra_meta)
    purelib = "true" if tag.endswith("-any") else "false"
    write(os.path.join(info, "WHEEL"),
          f"Wheel-Version: 1.0\nGenerator: lock2nix-e2e\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n")
    run(PY, "-m", "wheel", "pack", "--dest-dir", files, d)


def shared_library(path, code, *link):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    c = path + ".c"
    open(c, "w").write(code)
    soname = os.path.basename(path)
    run("gcc", "-shared", "-fPIC", "-o", path, c, f"-Wl,-soname,{soname}", *link)
    os.remove(c)
    return open(path, "rb").read()


# ---- served packages --------------------------------------------------------------------------
# A pure wheel (poetry-core).
poetry_project("alpha", "e2e-alpha", "1.0.0", "e2e_alpha", body='def value():\n    return "alpha"\n')
build("alpha", "wheel")

# An sdist-only setuptools package without pyproject.toml (setup.py only).
write(os.path.join(src, "bravo", "setup.py"), """
    from setuptools import setup
    setup(name="e2e-bravo", version="1.0.0", packages=["e2e_bravo"])
    """)
write(os.path.join(src, "bravo", "e2e_bravo", "__init__.py"), 'NAME = "bravo"\n')
build("bravo", "sdist")

# A poetry-core sdist that needs e2e-alpha at run time.
poetry_project("charlie", "e2e-charlie", "1.0.0", "e2e_charlie", deps='e2e-alpha = "^1.0"',
               body="import e2e_alpha\nNAME = 'charlie+' + e2e_alpha.value()\n")
build("charlie", "sdist")

# A hatchling sdist.
write(os.path.join(src, "delta", "pyproject.toml"), """
    [project]
    name = "e2e-delta"
    version = "1.0.0"
    [build-system]
    requires = ["hatchling"]
    build-backend = "hatchling.build"
    """)
write(os.path.join(src, "delta", "e2e_delta", "__init__.py"), 'NAME = "delta"\n')
# Debian 12 ships hatchling without its editables dependency: skip pypa/build's check here.
build("delta", "sdist", skip_check=True)

# A wheel with a console script (setuptools, PEP 621).
write(os.path.join(src, "echo", "pyproject.toml"), """
    [project]
    name = "e2e-echo"
    version = "1.0.0"
    [project.scripts]
    e2e-echo = "e2e_echo:main"
    [tool.setuptools]
    packages = ["e2e_echo"]
    [build-system]
    requires = ["setuptools"]
    build-backend = "setuptools.build_meta"
    """)
write(os.path.join(src, "echo", "e2e_echo", "__init__.py"), 'def main():\n    print("echo-ok")\n')
build("echo", "wheel")

# A package with an extra (`fancy` pulls in e2e-golf).
poetry_project("golf", "e2e-golf", "1.0.0", "e2e_golf")
build("golf", "wheel")
poetry_project("foxtrot", "e2e-foxtrot", "1.0.0", "e2e_foxtrot",
               deps='e2e-golf = { version = "^1.0", optional = true }',
               extra='[tool.poetry.extras]\nfancy = ["e2e-golf"]\n')
build("foxtrot", "wheel")

# A local version: its file name has `+`, its URL `%2B`.
poetry_project("hotel", "e2e-hotel", "1.0.0+local.1", "e2e_hotel")
build("hotel", "wheel")

# An sdist whose [build-system] pins a setuptools newer than any packaged one.
write(os.path.join(src, "kilo", "pyproject.toml"), """
    [project]
    name = "e2e-kilo"
    version = "1.0.0"
    [tool.setuptools]
    packages = ["e2e_kilo"]
    [build-system]
    requires = ["setuptools>=99"]
    build-backend = "setuptools.build_meta"
    """)
write(os.path.join(src, "kilo", "e2e_kilo", "__init__.py"), 'NAME = "kilo"\n')
build("kilo", "sdist", skip_check=True)

# Two distributions that install the same module with different contents.
for side in ("a", "b"):
    poetry_project(f"lima-{side}", f"e2e-lima-{side}", "1.0.0", "e2e_lima",
                   body=f'SIDE = "{side}"\n')
    build(f"lima-{side}", "wheel")

# A package on the index that depends on a project the root has as a develop path dependency.
poetry_project("november", "e2e-november", "1.0.0", "e2e_november", deps='e2e-mike = ">=1.0"')
build("november", "wheel")

# nvidia-style wheels, under the names of the real ones so that lock2nix's default entries
# (overrides/gpu.toml) apply: two wheels that both install nvidia/__init__.py and keep their
# shared libraries under site-packages/nvidia/<x>/lib, a binary `torch` whose extension links
# one of them, and a `torchvision` whose extension links torch's torch/lib/libtorch.so.
tmp_libs = os.path.join(src, "_libs")
blas = shared_library(os.path.join(tmp_libs, "libcublas.so.12"), "int e2e_blas(void) { return 42; }\n")
rt = shared_library(os.path.join(tmp_libs, "libcudart.so.12"), "int e2e_rt(void) { return 7; }\n")
manual_wheel("nvidia-cublas-cu12", "12.4.5.8", "py3-none-manylinux2014_x86_64",
             {"nvidia/__init__.py": "", "nvidia/cublas/__init__.py": "",
              "nvidia/cublas/lib/libcublas.so.12": blas})
manual_wheel("nvidia-cuda-runtime-cu12", "12.4.127", "py3-none-manylinux2014_x86_64",
             {"nvidia/__init__.py": "", "nvidia/cuda_runtime/__init__.py": "",
              "nvidia/cuda_runtime/lib/libcudart.so.12": rt})
libtorch = shared_library(os.path.join(tmp_libs, "libtorch.so"), "int e2e_torch(void) { return 1; }\n")


def extension(name, module, *link):
    return shared_library(os.path.join(tmp_libs, name, "_C.so"), textwrap.dedent(f"""
        #include <Python.h>
        static struct PyModuleDef m = {{ PyModuleDef_HEAD_INIT, "_C", NULL, -1, NULL }};
        PyMODINIT_FUNC PyInit__C(void) {{ return PyModule_Create(&m); }}
        """), f"-I/usr/include/python3.{sys.version_info[1]}", f"-L{tmp_libs}",
        "-Wl,--no-as-needed", *link)  # keep the NEEDED entries the extension does not call


pytag = f"cp3{sys.version_info[1]}"
# The extension modules are not imported by the test (the model rewrites no RPATH, so the
# loader would not find the libraries anyway): autoPatchelf's resolution is what is checked.
manual_wheel("torch", "2.5.0", f"{pytag}-{pytag}-manylinux2014_x86_64",
             {"torch/__init__.py": "NAME = 'torch'\n",
              "torch/_C.so": extension("torch", "torch", "-l:libcublas.so.12", "-l:libtorch.so"),
              "torch/lib/libtorch.so": libtorch},
             requires=["nvidia-cublas-cu12", "nvidia-cuda-runtime-cu12"])
manual_wheel("torchvision", "0.20.0", f"{pytag}-{pytag}-manylinux2014_x86_64",
             {"torchvision/__init__.py": "import torch\nNAME = 'torchvision'\n",
              "torchvision/_C.so": extension("torchvision", "torchvision", "-l:libtorch.so")},
             requires=["torch"])

# A package with both a wheel and an sdist (poetry-core): the emitted file can build either.
poetry_project("oscar", "e2e-oscar", "1.0.0", "e2e_oscar")
build("oscar", "sdist", "wheel")

# A library loaded at run time, under the real name so that lock2nix's python-magic entry
# (overrides/native.toml) applies: like the real python-magic, magic/loader.py asks
# ctypes.util.find_library('magic') for libmagic, and the entry rewrites that call into the store
# path of nixpkgs' file. The real loader also tries the bare soname on Linux; this one keeps only
# the call the entry rewrites, so that nothing but the fix can make the import work.
write(os.path.join(src, "magic", "setup.py"), """
    from setuptools import setup
    setup(name="python-magic", version="0.4.27", packages=["magic"])
    """)
write(os.path.join(src, "magic", "magic", "loader.py"), """
    import ctypes
    from ctypes.util import find_library


    def load_lib():
        path = find_library('magic')
        if path is None:
            # ImportError, as the real package raises: the failure surfaces at `import magic`.
            raise ImportError('failed to find libmagic.  Check your installation')
        return ctypes.CDLL(path)
    """)
write(os.path.join(src, "magic", "magic", "__init__.py"), """
    import ctypes

    from magic import loader

    _lib = loader.load_lib()
    MAGIC_NONE = 0

    _magic_open = _lib.magic_open
    _magic_open.argtypes = [ctypes.c_int]
    _magic_open.restype = ctypes.c_void_p
    _magic_close = _lib.magic_close
    _magic_close.argtypes = [ctypes.c_void_p]
    _magic_close.restype = None
    _magic_load = _lib.magic_load
    _magic_load.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    _magic_load.restype = ctypes.c_int
    _magic_buffer = _lib.magic_buffer
    _magic_buffer.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    _magic_buffer.restype = ctypes.c_char_p
    _magic_error = _lib.magic_error
    _magic_error.argtypes = [ctypes.c_void_p]
    _magic_error.restype = ctypes.c_char_p


    class MagicException(Exception):
        pass


    def from_buffer(data):
        \"\"\"libmagic's description of the bytes, e.g. 'PDF document, version 1.4'.\"\"\"
        cookie = _magic_open(MAGIC_NONE)
        if not cookie:
            raise MagicException("magic_open failed")
        try:
            # NULL: the magic database libmagic was built to use.
            if _magic_load(cookie, None) != 0:
                raise MagicException(_magic_error(cookie).decode())
            found = _magic_buffer(cookie, data, len(data))
            if found is None:
                raise MagicException(_magic_error(cookie).decode())
            return found.decode()
        finally:
            _magic_close(cookie)
    """)
build("magic", "sdist", "wheel")

# ---- a Rust sdist (setuptools-rust) and the crates.io mirror it builds from -----------------------
# e2e-rusty's cdylib formats numbers with the itoa crate. The crate is Debian's (librust-itoa-dev,
# under /usr/share/cargo/registry), packed as crates.io packs a .crate and served under
# index/crates/<name>/<version>/download, crates.io's download route; the model's importCargoLock
# fetches crates.io crates from there. The sdist's Cargo.lock (in rust/, as setup.py names it)
# pins the crate by the sha256 of that .crate, as cargo writes it.
def crate(registry_dir):
    name, version = os.path.basename(registry_dir).rsplit("-", 1)
    out = os.path.join(root, "index", "crates", name, version)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "download")
    with tarfile.open(path, "w:gz", format=tarfile.USTAR_FORMAT) as t:
        for dirpath, dirnames, filenames in os.walk(registry_dir):
            dirnames.sort()
            for f in sorted(filenames):
                if f == ".cargo-checksum.json":
                    continue
                full = os.path.join(dirpath, f)
                t.add(full, f"{name}-{version}/{os.path.relpath(full, registry_dir)}", recursive=False)
    return name, version, hashlib.sha256(open(path, "rb").read()).hexdigest()


itoa = sorted(d for d in os.listdir("/usr/share/cargo/registry") if d.startswith("itoa-1."))
if not itoa:
    sys.exit("world: no itoa crate in /usr/share/cargo/registry (install librust-itoa-dev)")
itoa_name, itoa_version, itoa_checksum = crate(os.path.join("/usr/share/cargo/registry", itoa[-1]))
write(os.path.join(src, "rusty", "pyproject.toml"), """
    [build-system]
    requires = ["setuptools", "setuptools-rust"]
    build-backend = "setuptools.build_meta"
    """)
write(os.path.join(src, "rusty", "setup.py"), """
    from setuptools import setup
    from setuptools_rust import Binding, RustExtension

    setup(
        name="e2e-rusty",
        version="1.0.0",
        packages=["e2e_rusty"],
        rust_extensions=[RustExtension("e2e_rusty._native", "rust/Cargo.toml", binding=Binding.NoBinding)],
        zip_safe=False,
    )
    """)
write(os.path.join(src, "rusty", "MANIFEST.in"), "include rust/Cargo.toml rust/Cargo.lock rust/lib.rs\n")
write(os.path.join(src, "rusty", "e2e_rusty", "__init__.py"), """
    import ctypes
    import glob
    import os

    _lib = ctypes.CDLL(glob.glob(os.path.join(os.path.dirname(__file__), "_native*.so"))[0])
    _lib.e2e_rusty_format.argtypes = [ctypes.c_uint64, ctypes.c_char_p, ctypes.c_size_t]
    _lib.e2e_rusty_format.restype = ctypes.c_size_t


    def format(value):
        buffer = ctypes.create_string_buffer(32)
        length = _lib.e2e_rusty_format(value, buffer, 32)
        return buffer.raw[:length].decode()
    """)
write(os.path.join(src, "rusty", "rust", "Cargo.toml"), f"""
    [package]
    name = "e2e_rusty"
    version = "1.0.0"
    edition = "2018"

    [lib]
    crate-type = ["cdylib"]
    path = "lib.rs"

    [dependencies]
    itoa = "{itoa_version}"
    """)
write(os.path.join(src, "rusty", "rust", "lib.rs"), """
    #[no_mangle]
    pub extern "C" fn e2e_rusty_format(value: u64, out: *mut u8, len: usize) -> usize {
        let mut buffer = itoa::Buffer::new();
        let text = buffer.format(value).as_bytes();
        if text.len() > len {
            return 0;
        }
        unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), out, text.len()) };
        text.len()
    }
    """)
write(os.path.join(src, "rusty", "rust", "Cargo.lock"), f"""
    # This file is automatically @generated by Cargo.
    # It is not intended for manual editing.
    version = 3

    [[package]]
    name = "e2e_rusty"
    version = "1.0.0"
    dependencies = [
     "{itoa_name}",
    ]

    [[package]]
    name = "{itoa_name}"
    version = "{itoa_version}"
    source = "registry+https://github.com/rust-lang/crates.io-index"
    checksum = "{itoa_checksum}"
    """)
build("rusty", "sdist")

# ---- the index --------------------------------------------------------------------------------
projects = {}
for f in sorted(os.listdir(files)):
    m = re.match(r"^(.+?)-\d", f)
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    projects.setdefault(name, []).append(f)
simple = os.path.join(root, "index", "simple")
os.makedirs(simple, exist_ok=True)
with open(os.path.join(simple, "index.html"), "w") as out:
    out.write("<!DOCTYPE html><html><body>\n")
    for name in projects:
        out.write(f'<a href="{name}/">{name}</a>\n')
    out.write("</body></html>\n")
for name, fs in projects.items():
    os.makedirs(os.path.join(simple, name), exist_ok=True)
    with open(os.path.join(simple, name, "index.html"), "w") as out:
        out.write(f"<!DOCTYPE html><html><body><h1>Links for {name}</h1>\n")
        for f in fs:
            digest = hashlib.sha256(open(os.path.join(files, f), "rb").read()).hexdigest()
            href = "../../files/" + urllib.parse.quote(f)
            out.write(f'<a href="{html.escape(href)}#sha256={digest}">{html.escape(f)}</a><br/>\n')
        out.write("</body></html>\n")

# ---- a git dependency -------------------------------------------------------------------------
juliet = poetry_project("juliet", "e2e-juliet", "1.0.0", "e2e_juliet", body='NAME = "juliet"\n')
git = os.path.join(root, "git", "juliet.git")
shutil.copytree(juliet, git)
env = dict(os.environ, GIT_AUTHOR_NAME="e2e", GIT_AUTHOR_EMAIL="e2e@example.org",
           GIT_COMMITTER_NAME="e2e", GIT_COMMITTER_EMAIL="e2e@example.org",
           GIT_AUTHOR_DATE="2024-01-01T00:00:00Z", GIT_COMMITTER_DATE="2024-01-01T00:00:00Z")
for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
            ["git", "commit", "-q", "-m", "juliet 1.0.0"]):
    subprocess.run(cmd, cwd=git, env=env, check=True)

# ---- path dependencies (not served) -----------------------------------------------------------
paths = os.path.join(root, "paths")
os.makedirs(paths, exist_ok=True)
shutil.copytree(poetry_project("papa", "e2e-papa", "1.0.0", "e2e_papa"), os.path.join(paths, "papa"))
shutil.copytree(poetry_project("india", "e2e-india", "1.0.0", "e2e_india", layout="src"),
                os.path.join(paths, "india"))
shutil.copytree(poetry_project("mike", "e2e-mike", "1.0.0", "e2e_mike"), os.path.join(paths, "mike"))
old = os.path.join(paths, "oldpoetry")
shutil.copytree(poetry_project("oldpoetry", "e2e-oldpoetry", "1.0.0", "e2e_oldpoetry"), old)
p = os.path.join(old, "pyproject.toml")
text = open(p).read().replace('requires = ["poetry-core>=1.0.0"]', 'requires = ["poetry>=0.12"]')
open(p, "w").write(text.replace('"poetry.core.masonry.api"', '"poetry.masonry.api"'))
print("world: %d files served, %d projects" % (len(os.listdir(files)), len(projects)))
