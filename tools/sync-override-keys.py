#!/usr/bin/env python3
"""Writes the override key table, generated from the schema in lib/project/overrides.cpp, into
the documents that show it (between `<!-- override-keys:begin -->` and `<!-- override-keys:end -->`).

usage: tools/sync-override-keys.py LOCK2NIX_BINARY [--check]
With --check nothing is written; the exit code says whether every document is up to date.
"""
import pathlib
import subprocess
import sys

DOCUMENTS = ["overrides/README.md", "docs/overrides.md"]
BEGIN = "<!-- override-keys:begin -->\n"
END = "<!-- override-keys:end -->"


def main() -> int:
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--check"):
        print(__doc__, file=sys.stderr)
        return 2
    table = subprocess.run([sys.argv[1], "overrides", "keys"], check=True, capture_output=True,
                           text=True).stdout
    root = pathlib.Path(__file__).resolve().parent.parent
    stale = []
    for name in DOCUMENTS:
        path = root / name
        text = path.read_text()
        start, end = text.find(BEGIN), text.find(END)
        if start < 0 or end < start:
            print(f"{name}: no {BEGIN.strip()} ... {END} block", file=sys.stderr)
            return 1
        updated = text[:start + len(BEGIN)] + table + text[end:]
        if updated != text:
            stale.append(name)
            if len(sys.argv) == 2:
                path.write_text(updated)
    verb = "out of date" if len(sys.argv) == 3 else "updated"
    for name in stale:
        print(f"{name}: {verb}", file=sys.stderr)
    return 1 if stale and len(sys.argv) == 3 else 0


if __name__ == "__main__":
    sys.exit(main())
