#!/usr/bin/env bash
# The seed project's overrides, shipped as default entries, must reach the emitted derivations:
# translate a lock of the seed's packages and evaluate the file against the nixpkgs stub.
set -u
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/lib.sh"
"$cli" --offline "$root/tests/data/seed/poetry.lock" --system x86_64-linux --python 3.11 -o "$work/python-env.nix" || exit 1
nix-instantiate --eval --strict --json --option restrict-eval true -I "stub=$root/tests/nix" -I "gen=$work" -E '
  let
    e = import <gen/python-env.nix> { pkgs = import <stub/stub-nixpkgs.nix> { }; projectDir = <gen>; };
  in {
    packages = builtins.mapAttrs (n: p: p.args) e.packages;
    env = e.env.packages;
  }' >"$work/eval.json" || exit 1
python3 - "$work/eval.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p, env = d["packages"], d["env"]
failures = []
checks = 0
def check(what, ok):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
def names(items):
    return sorted(i.get("pname") or i.get("__stubLib") or i.get("__stubHook") or i.get("__stubTool") for i in items)

for name in ["llvmlite", "numba", "soundfile", "torch", "torchvision"]:
    check(f"{name} is built from its sdist", p[name].get("pyproject") is True and "format" not in p[name])
check("typing is dropped", "typing" not in p and "typing" not in env)
for name in ["pytextgrid", "inaspeechsegmenter"]:
    check(f"{name} removes the stray LICENSE", p[name].get("postInstall") == "rm -f $out/LICENSE")
onnx = p["onnxruntime-gpu"]
check("onnxruntime-gpu links cuDNN and the CUDA 11.8 toolkit",
      {"cudnn", "cudatoolkit"} <= set(names(onnx.get("buildInputs", []))))
check("onnxruntime-gpu ignores the run-time CUDA libraries",
      onnx.get("autoPatchelfIgnoreMissingDeps") == ["libcuda.so.1", "libnvinfer.so.8",
                                                     "libnvinfer_plugin.so.8", "libnvonnxparser.so.8"])
for name in ["mecab", "mecab-python3"]:
    check(f"{name} builds with setuptools", "setuptools" in names(p[name]["build-system"]))
    check(f"{name} gets nixpkgs' mecab", "mecab" in names(p[name].get("buildInputs", []))
          and "mecab" in names(p[name].get("nativeBuildInputs", [])))
check("tensorflow-io-gcs-filesystem gets libtensorflow",
      "libtensorflow" in names(p["tensorflow-io-gcs-filesystem"].get("buildInputs", [])))
check("pyreaper builds with setuptools and cython",
      {"setuptools", "cython"} <= set(names(p["pyreaper"]["build-system"])))
check("pyopenjtalk builds with setuptools and cmake",
      "setuptools" in names(p["pyopenjtalk"]["build-system"])
      and "cmake" in names(p["pyopenjtalk"].get("nativeBuildInputs", [])))
for name in ["nnmnkwii", "openai-whisper"]:
    check(f"{name} builds with setuptools", "setuptools" in names(p[name]["build-system"]))
check("torchvision gets autoPatchelfHook", "autoPatchelfHook" in names(p["torchvision"].get("nativeBuildInputs", [])))
for f in failures:
    print("FAIL", f)
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
PY
