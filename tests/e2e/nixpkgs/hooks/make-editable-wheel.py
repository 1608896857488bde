"""The wheel of the model's mkPythonEditablePackage. nixpkgs' editable.nix writes a PEP 621
pyproject (name, version, dependencies = map lib.getName (dependencies ++ build-system), scripts,
gui-scripts, entry-points) and `_<pname>.pth` containing
    import os.path, sys; sys.path.insert(0, os.path.expandvars("<root>"))
and builds it with hatchling (bypass-selection, force-include of the .pth). Debian 12's
hatchling (1.12) predates bypass-selection, so the model writes the same wheel itself.
argv: DIST PNAME VERSION ROOT PYPROJECT_JSON"""
import base64
import hashlib
import json
import re
import sys
import zipfile

dist, pname, version, root, pyproject_path = sys.argv[1:6]
project = json.load(open(pyproject_path))["project"]
norm = re.sub(r"[-_.]+", "_", pname).lower()
info = f"{norm}-{version}.dist-info"
files = {}
files[f"_{pname}.pth"] = (
    'import os.path, sys; sys.path.insert(0, os.path.expandvars("%s"))\n' % root)
meta = ["Metadata-Version: 2.1", f"Name: {pname}", f"Version: {version}"]
meta += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
files[f"{info}/METADATA"] = "\n".join(meta) + "\n"
files[f"{info}/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: lock2nix-e2e-model\n"
                          "Root-Is-Purelib: true\nTag: py3-none-any\n")
groups = dict(project.get("entry-points", {}))
if project.get("scripts"):
    groups["console_scripts"] = project["scripts"]
if project.get("gui-scripts"):
    groups["gui_scripts"] = project["gui-scripts"]
if groups:
    files[f"{info}/entry_points.txt"] = "".join(
        f"[{g}]\n" + "".join(f"{k} = {v}\n" for k, v in sorted(eps.items())) + "\n"
        for g, eps in sorted(groups.items()))
record = []
for name, text in files.items():
    data = text.encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{name},sha256={digest},{len(data)}")
record.append(f"{info}/RECORD,,")
files[f"{info}/RECORD"] = "\n".join(record) + "\n"
with zipfile.ZipFile(f"{dist}/{norm}-{version}-py3-none-any.whl", "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
