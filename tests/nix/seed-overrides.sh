#!/usr/bin/env bash
# examples/seed is a project shaped like lock2nix's seed (a speech/ML stack) whose pyproject.toml
# carries the project's own choices in [tool.lock2nix.overrides]. Every fact of the seed's own
# override.nix must reach the emitted derivations, from the project layer (the seed's choices) or
# from the defaults (the facts true for everyone); and without the project's pyproject, the
# packages the seed chose to build from source install from their wheels, as for anyone else.
set -u
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/lib.sh"
example=$root/examples/seed

evaluate() { # evaluate DIR: DIR/python-env.nix against the stub, into DIR/eval.json
    nix-instantiate --eval --strict --json --option restrict-eval true -I "stub=$root/tests/nix" -I "gen=$1" -E '
      let
        e = import <gen/python-env.nix> { pkgs = import <stub/stub-nixpkgs.nix> { }; projectDir = <gen>; };
      in {
        packages = builtins.mapAttrs (n: p: p.args) e.packages;
        env = e.env.packages;
      }' >"$1/eval.json"
}

# 1. The example as its owner translates it: lock and pyproject side by side.
mkdir -p "$work/project" "$work/bare"
"$cli" --offline "$example/poetry.lock" --system x86_64-linux --python 3.11 -o "$work/project/python-env.nix" || exit 1
evaluate "$work/project" || exit 1
# 2. The same lock without the project's pyproject: lock2nix's defaults alone.
cp "$example/poetry.lock" "$work/bare/poetry.lock"
"$cli" --offline "$work/bare/poetry.lock" --system x86_64-linux --python 3.11 -o "$work/bare/python-env.nix" || exit 1
evaluate "$work/bare" || exit 1

python3 - "$work/project/eval.json" "$work/bare/eval.json" <<'PY' || fail=$((fail + 1))
import json, sys
project, bare = (json.load(open(f)) for f in sys.argv[1:3])
failures = []
checks = 0
def check(what, ok):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
def names(items):
    return sorted(i.get("pname") or i.get("__stubLib") or i.get("__stubHook") or i.get("__stubTool") for i in items)

p, env = project["packages"], project["env"]
# The seed's choices, from the project layer.
chosen = ["llvmlite", "numba", "soundfile", "torch", "torchvision"]
for name in chosen:
    check(f"{name} is built from its sdist", p[name].get("pyproject") is True and "format" not in p[name])
check("torchvision gets autoPatchelfHook", "autoPatchelfHook" in names(p["torchvision"].get("nativeBuildInputs", [])))
check("llvmlite gets the LLVM its version needs (the project's addition)",
      "llvm.dev" in names(p["llvmlite"].get("nativeBuildInputs", [])))
check("numba's source build has numpy (a default)", "numpy" in names(p["numba"]["build-system"]))
# The seed's facts that hold for everyone, from the defaults.
check("typing is dropped", "typing" not in p and "typing" not in env)
for name in ["pytextgrid", "inaspeechsegmenter"]:
    check(f"{name} removes the stray LICENSE", p[name].get("postInstall") == "rm -f $out/LICENSE")
onnx = p["onnxruntime-gpu"]
# CUDA 11.8 is gone from nixpkgs: the seed's onnxruntime-gpu (< 1.19) names none of it, and its
# CUDA 11 libraries are left to the machine.
check("onnxruntime-gpu names no removed CUDA 11.8 package",
      not {"cudnn", "cudatoolkit"} & set(names(onnx.get("buildInputs", []))))
check("onnxruntime-gpu ignores the run-time CUDA libraries and the CUDA 11 ones nixpkgs lacks",
      onnx.get("autoPatchelfIgnoreMissingDeps") == [
          "libcuda.so.1", "libnvinfer.so.8", "libnvinfer_plugin.so.8", "libnvonnxparser.so.8",
          "libcublas.so.11", "libcublasLt.so.11", "libcudart.so.11.0", "libcudnn.so.8",
          "libcufft.so.10", "libcurand.so.10"])
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

# Without the project's overrides: the defaults force no sdist on anyone.
b = bare["packages"]
for name in chosen:
    check(f"without the project, {name} installs from its wheel",
          b[name].get("format") == "wheel" and "pyproject" not in b[name])
check("without the project, torch keeps the facts every torch wheel needs",
      b["torch"].get("dontStrip") is True
      and "libcuda.so.1" in b["torch"].get("autoPatchelfIgnoreMissingDeps", [])
      and "autoAddDriverRunpath" in names(b["torch"].get("nativeBuildInputs", [])))
check("without the project, torchvision's wheel finds torch's libraries in torch/lib",
      "addAutoPatchelfSearchPath \"/nix/store/stub-torch-" in b["torchvision"].get("preFixup", "")
      and "/site-packages\"/'torch/lib'" in b["torchvision"].get("preFixup", ""))
check("without the project, llvmlite's wheel gets no LLVM",
      "llvm.dev" not in names(b["llvmlite"].get("nativeBuildInputs", [])))
check("without the project, the defaults still apply (typing dropped, mecab linked)",
      "typing" not in b and "mecab" in names(b["mecab"].get("buildInputs", [])))
for f in failures:
    print("FAIL", f)
print(f"{checks - len(failures)} python checks passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
PY

# `overrides show` names each entry's reason, from both layers.
show() {
    "$cli" overrides show torch==2.1.0 --pyproject "$example/pyproject.toml" >"$work/show.txt" || return 1
    grep -q '^  \[defaults\] overrides/gpu.toml:[0-9]*:1$' "$work/show.txt" &&
        grep -q "^    why: torch's CUDA builds link the driver" "$work/show.txt" &&
        grep -q '^  \[project\] .*examples/seed/pyproject.toml:[0-9]*:1$' "$work/show.txt" &&
        grep -q '^    why: The project builds torch from its sdist' "$work/show.txt" &&
        grep -q '^  prefer-wheel = false    # project ' "$work/show.txt"
}
check "overrides show prints the reason of every entry" show
finish
