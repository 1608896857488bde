"""The model's wrapPythonPrograms: a Python script in $out/bin (a shebang naming python) gets,
after its shebang, the line nixpkgs' pkgs/development/interpreters/python/wrap.sh
(patchPythonScript) inserts, which adds $out's and the runtime closure's site-packages to
sys.path with site.addsitedir. (nixpkgs also wraps the script in a shell wrapper setting
PATH; the model does not.)"""
import os
import sys

out, site, closure = sys.argv[1], sys.argv[2], sys.argv[3:]
paths = [os.path.join(p, site) for p in [out] + closure]
paths = [p for p in paths if os.path.isdir(p)]
bindir = os.path.join(out, "bin")
for name in sorted(os.listdir(bindir)):
    path = os.path.join(bindir, name)
    if not os.path.isfile(path) or os.path.islink(path):
        continue
    with open(path, "rb") as f:
        text = f.read()
    first, _, rest = text.partition(b"\n")
    if not (first.startswith(b"#!") and b"python" in first):
        continue
    line = ("import sys;import site;import functools;sys.argv[0] = %r;"
            "functools.reduce(lambda k, p: site.addsitedir(p, k), %r, site._init_pathinfo())\n"
            % (name, paths)).encode()
    mode = os.stat(path).st_mode
    os.chmod(path, mode | 0o200)
    with open(path, "wb") as f:
        f.write(first + b"\n" + line + rest)
    os.chmod(path, mode)
