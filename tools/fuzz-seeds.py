#!/usr/bin/env python3
"""Writes the fuzz harnesses' seed corpora (fuzz/corpus/<harness>/) from the repository's own
test data: the fixture locks, the corpus pyprojects, the override database, the PEP 440 / PEP 508
vectors, file names from the locks, index answers and small sdists. Run from the checkout; the
output is committed, so this only runs again when the seeds should change."""
import glob, gzip, hashlib, io, json, os, random, re, tarfile, zipfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "fuzz", "corpus")
random.seed(11)


def put(harness, data, limit=64 * 1024):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > limit:
        return
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


shared = os.path.join(root, "tests", "data", "shared")
locks = sorted(glob.glob(os.path.join(shared, "fixtures", "poetry-locks", "*.lock")))
locks += sorted(glob.glob(os.path.join(shared, "corpus", "*", "*", "poetry.lock")))[:40]
locks += sorted(glob.glob(os.path.join(root, "tests", "bad-input", "cases", "*.lock")))
for p in locks:
    put("lock", read(p))
# PEP 751 locks: the real ones of the shared corpus beside the checkout (../shared, or
# LOCK2NIX_SHARED_DIR; none when it is absent), and the bad-input cases. A large lock becomes its
# top-level keys with a few entries at a time: seeds stay small, and every entry is in one.
pylocks = sorted(glob.glob(os.path.join(
    os.environ.get("LOCK2NIX_SHARED_DIR", os.path.join(root, "..", "shared")),
    "corpus", "pylock", "*", "pylock*.toml")))
pylocks += sorted(glob.glob(os.path.join(root, "tests", "bad-input", "cases", "pylock.*.toml")))
for p in pylocks:
    data = read(p)
    put("pylock", data)
    if len(data) > 16 * 1024:
        head, *entries = re.split(rb"(?m)^(?=\[\[packages\]\]$)", data)
        for i in range(0, len(entries), 6):
            put("pylock", head + b"".join(entries[i:i + 6]))
for p in sorted(glob.glob(os.path.join(shared, "corpus", "*", "*", "pyproject.toml")))[:60]:
    put("pyproject", read(p))
for p in sorted(glob.glob(os.path.join(root, "tests", "bad-input", "cases", "*.pyproject.toml"))):
    put("pyproject", read(p))
for p in sorted(glob.glob(os.path.join(root, "overrides", "*.toml"))):
    text = read(p).decode()
    # The database in pieces: one seed per few entries keeps seeds small.
    parts = re.split(r"(?m)^(?=\[\[)", text)
    for i in range(0, len(parts), 8):
        put("overrides", "".join(parts[i:i + 8]))
for p in sorted(glob.glob(os.path.join(root, "tests", "bad-overrides", "*.toml"))):
    put("overrides", read(p))

v440 = json.load(open(os.path.join(shared, "vectors", "pep440.json")))
versions = [c["input"] for c in v440["parse"]] + v440["order"]
specs = [c["specifier"] for c in v440["specifiers"]] + v440["invalid_specifiers"]
specs += ["^1.2", "~1.2.3", "~=2.0", "*", "1.*", ">=1,<2 || ^3.0", "1.2.x", ">=2.7, !=3.0.*"]
for i, v in enumerate(versions[:150]):
    put("pep440", v + "\n" + specs[i % len(specs)])
v508 = json.load(open(os.path.join(shared, "vectors", "pep508.json")))
for c in v508["markers"][:200]:
    put("pep508", c["marker"])
for m in v508["invalid_markers"][:50]:
    put("pep508", m if isinstance(m, str) else json.dumps(m))
for r in v508["requirements"][:100]:
    put("pep508", r if isinstance(r, str) else r.get("requirement", r.get("input", "")))

names = set()
for p in locks:
    names.update(re.findall(r'file = "([^"]+)"', read(p).decode(errors="replace")))
for n in sorted(names)[:300]:
    put("names", n)

files_json = {"urls": [{"filename": "demo-1.0-py3-none-any.whl", "url":
                        "https://files.example/packages/demo-1.0-py3-none-any.whl",
                        "digests": {"sha256": "ab" * 32}, "requires_python": ">=3.8",
                        "yanked": False, "python_version": "py3"},
                       {"filename": "demo-1.0.tar.gz", "url": "../demo-1.0.tar.gz",
                        "digests": {"sha256": "cd" * 32, "md5": "ef" * 16},
                        "python_version": "source"}]}
put("index", b"\x00" + json.dumps(files_json).encode())
pep691 = {"meta": {"api-version": "1.1"}, "name": "demo", "files": [
    {"filename": "demo-1.0-py3-none-any.whl", "url": "demo-1.0-py3-none-any.whl#sha256=" + "ab" * 32,
     "hashes": {"sha256": "ab" * 32}, "requires-python": ">=3.8", "yanked": "broken"}]}
put("index", b"\x01" + json.dumps(pep691).encode())
html = ('<!DOCTYPE html><html><head><base href="https://mirror.example/files/"></head><body>'
        '<a href="demo-1.0-py3-none-any.whl#sha256=' + "ab" * 32 + '" data-requires-python="&gt;=3.8">'
        'demo-1.0-py3-none-any.whl</a><br/><!-- c --><a href=\'/x/demo-1.0.tar.gz#md5=' + "cd" * 16 +
        '\' data-yanked="">demo-1.0.tar.gz</a></body></html>')
put("index", b"\x02" + html.encode())
put("index", b"\x02<a href=demo.whl>x</a><base href=")
# Real answers: Poetry's fixtures of PyPI's JSON API, PEP 691 pages and PEP 503 pages.
pypi = os.path.join(shared, "fixtures", "pypi", "python-poetry+poetry", "tests", "repositories",
                    "fixtures")
for path in sorted(glob.glob(os.path.join(pypi, "pypi.org", "json", "**", "*.json"), recursive=True)):
    put("index", b"\x00" + read(path))
for path in sorted(glob.glob(os.path.join(pypi, "legacy", "json", "*.json"))):
    put("index", b"\x01" + read(path))
for path in sorted(glob.glob(os.path.join(pypi, "**", "*.html"), recursive=True)):
    put("index", b"\x02" + read(path))

def tar_gz(members, fmt="w:gz"):
    # gzip's header holds a time: compressed apart with mtime 0, the seeds are the same every run.
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w" if fmt == "w:gz" else fmt) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return gzip.compress(b.getvalue(), mtime=0) if fmt == "w:gz" else b.getvalue()

pyproject = b'[build-system]\nrequires = ["setuptools>=61", "wheel"]\nbuild-backend = "setuptools.build_meta"\n'
put("sdist", tar_gz([("demo-1.0/pyproject.toml", pyproject), ("demo-1.0/setup.py", b"")]))
put("sdist", tar_gz([("demo-1.0/setup.py", b"")], "w"))
put("sdist", tar_gz([("demo-1.0/pyproject.toml", b'[build-system]\nrequires = 5\n')], "w:bz2"))
z = io.BytesIO()
with zipfile.ZipFile(z, "w") as f:
    f.writestr(zipfile.ZipInfo("demo-1.0/pyproject.toml", date_time=(1980, 1, 1, 0, 0, 0)),
               pyproject + b'backend-path = ["."]\n')
put("sdist", z.getvalue())

for s in ["", "plain", 'a "quoted" one', "back\\slash", "${interpolated}", "$${x}", "$", "''",
          "line\nbreak\r\ttab", "\u00e9t\u00e9 \u2603", "\x01\x7f", "\\${", "'' ${", "${\\",
          # as attribute names: keywords, Nix's one special name, and what an identifier may hold
          "or", "inherit", "rec", "__curPos", "a.b", "-a", "1a", "a''", "x'y"]:
    put("nix_string", s)

# Paths written into code: plain ones, a variable, and the attacks the checks refuse.
for s in ["src", "src/pkg", "$REPO_ROOT/src", "${HOME}/x", "../lib", "/abs/path", "a/../b",
          'src")); __import__("os").system("id"); (("', "a'b", "bin/t\nLOCK2NIX_EOF\n",
          "bin/$(id)", "bin/`id`", "back\\slash"]:
    put("code_paths", s)
