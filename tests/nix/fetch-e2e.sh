#!/usr/bin/env bash
# End to end: real files served over loopback HTTP, a lock that pins them, lock2nix's Nix file,
# and `nix-build` of every package source through Nix's own builtin:fetchurl, so that Nix
# verifies each hash lock2nix wrote. Then one digest is made wrong: the build must fail.
set -u
cli=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"

mkdir -p "$work/files/simple" "$work/project"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Builds the served files (a wheel and an sdist made here, plus the pip and setuptools wheels that
# CPython's ensurepip ships when this interpreter has them) and a 2.1 lock that pins them.
python3 - "$work" "$port" <<'PY'
import glob, hashlib, io, os, sys, tarfile, time, zipfile
work, port = sys.argv[1], sys.argv[2]
files = os.path.join(work, "files", "simple")
nonce = str(time.time_ns())  # new content each run: Nix must really fetch, not reuse the store

def wheel(name, version):
    path = os.path.join(files, f"{name}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}/__init__.py", f"NONCE = {nonce!r}\n")
        z.writestr(f"{name}-{version}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        z.writestr(f"{name}-{version}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{name}-{version}.dist-info/RECORD", "")
    return path

def sdist(name, version):
    path = os.path.join(files, f"{name}-{version}.tar.gz")
    with tarfile.open(path, "w:gz") as t:
        data = f"[project]\nname = '{name}'\nversion = '{version}'\n# {nonce}\n".encode()
        info = tarfile.TarInfo(f"{name}-{version}/pyproject.toml")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return path

served = [("demo-wheel", "1.0", wheel("demo_wheel", "1.0")),
          ("demo-sdist", "2.0", sdist("demo_sdist", "2.0"))]
try:
    import ensurepip
    bundled = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
    for whl in sorted(glob.glob(os.path.join(bundled, "*.whl"))):
        base = os.path.basename(whl)
        dest = os.path.join(files, base)
        with open(whl, "rb") as src, open(dest, "wb") as out:
            out.write(src.read())
        name, version = base.split("-")[:2]
        served.append((name, version, dest))
except ImportError:
    pass

def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

lines = []
for name, version, path in served:
    lines += ["[[package]]", f'name = "{name}"', f'version = "{version}"', 'description = ""',
              "optional = false", 'python-versions = "*"', 'groups = ["main"]',
              f'files = [{{file = "{os.path.basename(path)}", hash = "sha256:{digest(path)}"}}]', "",
              "[package.source]", 'type = "legacy"', f'url = "http://127.0.0.1:{port}/simple"',
              'reference = "local"', ""]
lines += ["[metadata]", 'lock-version = "2.1"', 'python-versions = "*"', 'content-hash = "0"', ""]
with open(os.path.join(work, "project", "poetry.lock"), "w") as f:
    f.write("\n".join(lines))
print(len(served), "files served", file=sys.stderr)
PY
(cd "$work/files" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server_pid=$!
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
    sleep 0.1
done

build_sources() {
    nix-build --no-out-link -E "
      let
        e = import $1 { pkgs = import $here/stub-nixpkgs.nix { realFetch = true; }; };
      in map (p: p.src) (builtins.attrValues e.packages)" >"$work/build.log" 2>&1
}

"$cli" --offline "$work/project/poetry.lock" --system x86_64-linux --python 3.11 -o "$work/project/python-env.nix"
check "translation succeeds" [ $? -eq 0 ]
check "every package is fetched over loopback" grep -q "http://127.0.0.1:$port/simple/demo_wheel-1.0-py3-none-any.whl" "$work/project/python-env.nix"
build_sources "$work/project/python-env.nix"
check "nix-build verifies every hash lock2nix wrote" [ $? -eq 0 ]
[ "$fail" -eq 0 ] || cat "$work/build.log"

# A digest that does not match the served file must make Nix refuse the build.
python3 - "$work/project/poetry.lock" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
text = re.sub(r'(demo_wheel-1\.0-py3-none-any\.whl", hash = "sha256:)[0-9a-f]{64}', r"\g<1>" + "0" * 64, text)
open(path, "w").write(text)
PY
"$cli" --offline "$work/project/poetry.lock" --system x86_64-linux --python 3.11 -o "$work/project/python-env.nix"
build_sources "$work/project/python-env.nix"
check "a wrong hash fails the build" [ $? -ne 0 ]
check "Nix reports the mismatch" grep -q "hash mismatch" "$work/build.log"

finish
