#!/usr/bin/env bash
# usage: coverage.sh LOCK2NIX REPO SHARED
# The coverage table in overrides/README.md is the one tools/coverage-table.py computes from the
# shared corpus, poetry2nix's fixes (SHARED/reference/poetry2nix.md) and overrides/*.toml; the
# script refuses a package poetry2nix fixes in 3+ locks that has neither an entry nor a reason, and
# a stale table. The reasons are compiled into the binary like every overrides/*.toml file. The
# shell snippets that write store paths into installed files replace the text they name, leave a
# file that already names a path alone, and stop the build otherwise.
# Exits 77 (skipped) when SHARED is absent: a user's clone has no shared data.
set -u
cli=$1
repo=$(cd "$2" && pwd)
shared=$3
if [ ! -d "$shared/corpus" ] || [ ! -f "$shared/reference/poetry2nix.md" ]; then
    echo "SKIPPED: the coverage table needs the shared data at $shared (corpus/ and reference/poetry2nix.md)"
    exit 77
fi
source "$repo/tests/lib.sh"

check "the coverage table in overrides/README.md is up to date" \
    python3 "$repo/tools/coverage-table.py" --shared "$shared" --check

# The script's own refusals, on a copy of the files it reads.
mkdir -p "$work/repo/tools"
cp "$repo/tools/coverage-table.py" "$work/repo/tools/"
cp -r "$repo/overrides" "$work/repo/overrides"
refuses() { # refuses PATTERN: --check exits 1 and says PATTERN
    python3 "$work/repo/tools/coverage-table.py" --shared "$shared" --check 2>"$work/err"
    local rc=$?
    cat "$work/err"
    [ "$rc" -eq 1 ] && grep -q -- "$1" "$work/err"
}
restore() { cp "$repo/overrides/$1" "$work/repo/overrides/$1"; }
python3 - "$work/repo/overrides/coverage-reasons.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
open(path, "w").write(re.sub(r'\n\[\[contourpy\]\]\nwhy = "[^"\n]*"\n', "\n", text))
PY
check "a package poetry2nix fixes in 3+ locks without an entry or a reason is refused" \
    refuses "contourpy: poetry2nix fixes it"
restore coverage-reasons.toml
printf '\n[[cffi]]\nwhy = "A reason for a package that has an entry in native.toml."\n' \
    >>"$work/repo/overrides/coverage-reasons.toml"
check "a reason for a package with an entry is refused" refuses "cffi has an entry"
restore coverage-reasons.toml
printf '\n[[contourpy]]\nwhy = "Another entry, setting more than why."\ndist = "sdist"\n' \
    >>"$work/repo/overrides/coverage-reasons.toml"
check "an entry of coverage-reasons.toml setting more than why is refused" \
    refuses "must have one entry setting only"
restore coverage-reasons.toml
sed -i 's/^| `packaging` | [0-9]* |/| `packaging` | 1 |/' "$work/repo/overrides/README.md"
check "a stale table is refused" refuses "out of date"
restore README.md

# Every reason is in the compiled-in database, printed by `overrides show`.
shows_reasons() {
    python3 -c 'import sys, tomllib; print("\n".join(tomllib.load(open(sys.argv[1], "rb"))))' \
        "$repo/overrides/coverage-reasons.toml" >"$work/reasons"
    [ -s "$work/reasons" ] || return 1
    while read -r name; do
        "$cli" overrides show "$name" >"$work/show" || return 1
        grep -q "overrides/coverage-reasons.toml" "$work/show" || { echo "$name: no reason"; return 1; }
    done <"$work/reasons"
}
check "lock2nix overrides show prints every reason" shows_reasons

# The run-time lookups written as store paths: each snippet, with its @…@ parts standing for a
# fake store, on the file it edits (the upstream line, an already edited one, a changed one).
snippets() {
    python3 - "$repo/overrides" "$work/snip" <<'PY'
import os, pathlib, re, subprocess, sys, tomllib
overrides, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
# substituteInPlace --replace-fail, as nixpkgs' stdenv defines it (exit 1 when nothing matches).
substitute = r'''substituteInPlace() {
    python3 - "$@" <<'EOS'
import sys
path, args = sys.argv[1], sys.argv[2:]
text = open(path).read()
while args:
    assert args[0] == "--replace-fail"
    old, new, args = args[1], args[2], args[3:]
    if old not in text:
        sys.exit(f"substituteStream(): ERROR: pattern {old} doesn't match anything in file '{path}'")
    text = text.replace(old, new)
open(path, "w").write(text)
EOS
}
'''
cases = {
    # package: (file under site-packages, upstream text, library or program the store holds)
    "python-magic": ("magic/loader.py", "def _lib_candidates():\n  yield find_library('magic')\n",
                     "lib/libmagic.so"),
    "pytesseract": ("pytesseract/pytesseract.py", "tesseract_cmd = 'tesseract'\n",
                    "bin/tesseract"),
    "soundfile": ("soundfile.py", "    _libname = _find_library('sndfile')\n",
                  "lib/libsndfile.so"),
    "mkdocstrings": ("mkdocstrings/loggers.py",
                     "from jinja2 import contextfunction\n@contextfunction\ndef f(): pass\n", None),
}
entries = {}
for f in overrides.glob("*.toml"):
    for name, items in tomllib.load(open(f, "rb")).items():
        for item in items if isinstance(items, list) else [items]:
            if name in cases and "post-fixup" in item:
                entries[name] = item["post-fixup"]
failures = []
for name, (rel, upstream, provided) in cases.items():
    if name not in entries:
        failures.append(f"{name}: no post-fixup entry")
        continue
    for case in ("upstream", "edited", "changed"):
        root = work / name / case
        store = root / "store"
        out = root / "out"
        site = "lib/python3.11/site-packages"
        target = out / site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if provided:
            (store / provided).parent.mkdir(parents=True, exist_ok=True)
            (store / provided).touch()
            os.chmod(store / provided, 0o755)
        text = {"upstream": upstream,
                "edited": upstream.replace("find_library('magic')", "'/x/lib/libmagic.so'")
                          .replace("_find_library('sndfile')", "'/x/lib/libsndfile.so'")
                          .replace("'tesseract'", "'/x/bin/tesseract'")
                          .replace("from jinja2 import contextfunction", "from x import y"),
                "changed": "nothing to replace\n"}[case]
        target.write_text(text)
        script = re.sub(r"@pkgs\.[A-Za-z0-9_.-]+@", str(store), entries[name])
        script = script.replace("@python.sitePackages@", site)
        run = subprocess.run(["bash", "-c", "set -e\n" + substitute + script],
                             env={**os.environ, "out": str(out)}, capture_output=True, text=True)
        result = target.read_text()
        if name == "mkdocstrings":
            expect_ok = case == "upstream"
            done = "pass_context" in result
        else:
            expect_ok = case != "changed"
            done = str(store) in result if case == "upstream" else result == text
        if (run.returncode == 0) != expect_ok or (expect_ok and not done):
            failures.append(f"{name} ({case}): exit {run.returncode}, file now {result!r}, "
                            f"stderr {run.stderr.strip()!r}")
        if not expect_ok and not run.stderr.startswith(name + ": "):
            failures.append(f"{name} ({case}): the failure does not say which package: "
                            f"{run.stderr.strip()!r}")
for f in failures:
    print(f)
sys.exit(1 if failures else 0)
PY
}
check "the store-path snippets replace the lookup, keep an edited file, and stop on a changed one" snippets

finish
