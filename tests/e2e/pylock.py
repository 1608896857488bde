#!/usr/bin/python3
"""Writes a PEP 751 pylock.toml on stdout from what a PEP 503 index serves, as a locker would:
every file's URL and sha256 are read from the index's simple pages over HTTP, none written by hand.
  pylock.py INDEX PROJECT ENTRY...
INDEX is the simple index's URL; PROJECT the name of the project in the lock's folder, written as
an editable `directory` entry (`path = "."`); each ENTRY is `NAME KIND [MARKER]`, KIND `wheel` or
`sdist`: the entry for the project NAME with its files of that kind (all of them, as lockers list
every wheel), and the marker, if given, as the entry's `marker`. The files carry no `name` (uv
leaves it out too: the name is the URL's last component)."""
import html.parser
import json
import re
import sys
import urllib.parse
import urllib.request

index, project, entries = sys.argv[1], sys.argv[2], sys.argv[3:]


class Links(html.parser.HTMLParser):
    """The anchors of a PEP 503 project page: (href, text)."""

    def __init__(self):
        super().__init__()
        self.links, self._href, self._text = [], None, ""

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs)["href"], ""

    def handle_data(self, data):
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._text))
            self._href = None


def toml(value):
    # JSON strings are valid TOML basic strings for the text written here (no control characters).
    return json.dumps(value)


out = ['lock-version = "1.0"', 'created-by = "lock2nix-e2e"', 'requires-python = ">=3.8"', ""]
for entry in entries:
    name, kind, *marker = entry.split(" ", 2)
    page_url = urllib.parse.urljoin(index, name + "/")
    parser = Links()
    parser.feed(urllib.request.urlopen(page_url).read().decode())
    files, versions = [], set()
    for href, text in parser.links:
        is_wheel = text.endswith(".whl")
        if is_wheel != (kind == "wheel"):
            continue
        url, _, fragment = urllib.parse.urljoin(page_url, href).partition("#")
        algorithm, _, digest = fragment.partition("=")
        if algorithm != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", digest):
            sys.exit(f"pylock.py: {page_url} gives no sha256 for {text}")
        files.append((url, digest))
        stem = text[: -len(".whl")] if is_wheel else text[: -len(".tar.gz")]
        versions.add(stem.split("-")[1])
    if not files or len(versions) != 1:
        sys.exit(f"pylock.py: {page_url} has no single version of a {kind} ({sorted(versions)})")
    out += ["[[packages]]", f"name = {toml(name)}", f"version = {toml(versions.pop())}"]
    if marker:
        out.append(f"marker = {toml(marker[0])}")
    out.append(f"index = {toml(index)}")
    tables = [f"{{ url = {toml(u)}, hashes = {{ sha256 = {toml(d)} }} }}" for u, d in files]
    if kind == "wheel":
        out.append("wheels = [" + ", ".join(tables) + "]")
    else:
        out.append(f"sdist = {tables[0]}")
    out.append("")
out += ["[[packages]]", f"name = {toml(project)}", 'directory = { path = ".", editable = true }']
print("\n".join(out))
