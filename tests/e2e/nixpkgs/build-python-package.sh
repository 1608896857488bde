# Builder of the model's buildPythonPackage (and of mkPythonEditablePackage, which is
# buildPythonPackage with a generated wheel). Each phase cites the nixpkgs hook it mirrors, all in
# pkgs/development/interpreters/python/hooks/ unless said otherwise.
set -eu -o pipefail
source "$stdenv/setup"
hooks=@hooks@

# wheel-unpack-hook.sh: the wheel is copied into dist/ under its name without the store hash.
wheelUnpackPhase() {
    runHook preUnpack
    mkdir -p dist
    cp "$src" "dist/$(stripHash "$src")"
    runHook postUnpack
}

# mkPythonEditablePackage (editable.nix): a wheel holding `_<pname>.pth`, which puts `root` on
# sys.path, and the PEP 621 metadata (dependencies, scripts). nixpkgs builds it with hatchling;
# the model writes the same wheel directly (see README).
editableUnpackPhase() {
    runHook preUnpack
    mkdir -p dist
    @python@ "$hooks/make-editable-wheel.py" dist "$pname" "$version" "$editableRoot" "$pyprojectContentsPath"
    runHook postUnpack
}

# pypa-build-hook.sh: `pyproject-build --no-isolation --outdir dist/ --wheel $pypaBuildFlags`,
# without --skip-dependency-check, so pypa/build checks [build-system] requires (recursively)
# against what the build inputs put on PYTHONPATH and stops with "Missing dependencies".
# pyproject-build runs from its own environment: its modules (build, pep517, packaging, tomli)
# are added to its own sys.path, not exported to the backend's PYTHONPATH.
pypaBuildPhase() {
    runHook preBuild
    echo "Creating a wheel..."
    @python@ -c '
import sys
sys.path.extend(sys.argv[1].split(":"))
sys.argv = ["pyproject-build"] + sys.argv[2:]
from build.__main__ import entrypoint
entrypoint()
' "$pypaBuildToolPath" --no-isolation --outdir dist/ --wheel ${pypaBuildFlags:-}
    echo "Finished creating a wheel..."
    runHook postBuild
}

# python-runtime-deps-check-hook.sh: before the install phase, every Requires-Dist of the wheel
# (markers evaluated) must be installed, in a satisfying version, on PYTHONPATH.
pythonRuntimeDepsCheckHook() {
    echo "Executing pythonRuntimeDepsCheck"
    local wheel
    for wheel in dist/*.whl; do
        echo "Checking runtime dependencies for $(basename "$wheel")"
        @python@ "$hooks/runtime-deps-check.py" "$wheel"
    done
    echo "Finished executing pythonRuntimeDepsCheck"
}

# pypa-install-hook.sh: `python -m installer --prefix $out` for every wheel in dist/ (installer
# compiles bytecode by default, as in nixpkgs).
pypaInstallPhase() {
    runHook preInstall
    local wheel
    pushd dist >/dev/null
    for wheel in *.whl; do
        @python@ -m installer --prefix "$out" "$wheel"
        echo "Successfully installed $wheel"
    done
    popd >/dev/null
    export PYTHONPATH="$out/@sitePackages@:${PYTHONPATH:-}"
    runHook postInstall
}

# wrap-python.nix / wrap.sh (wrapPythonPrograms): Python scripts in $out/bin get, after the
# shebang, the line that adds $out and the runtime closure to sys.path with site.addsitedir.
wrapPythonProgramsPhase() {
    if [ -d "$out/bin" ]; then
        @python@ "$hooks/wrap-programs.py" "$out" "@sitePackages@" $pythonClosure
        rm -rf "$out/bin/__pycache__"
    fi
}

# python-catch-conflicts-hook.sh + catch_conflicts/catch_conflicts.py.
pythonCatchConflictsPhase() {
    @python@ "$hooks/catch-conflicts.py"
}

case "$pythonFormat" in
wheel)
    unpackPhase=wheelUnpackPhase
    buildPhase=true
    ;;
editable)
    unpackPhase=editableUnpackPhase
    buildPhase=true
    ;;
pyproject)
    buildPhase=pypaBuildPhase
    ;;
*)
    echo "model: unknown format $pythonFormat" >&2
    exit 1
    ;;
esac
installPhase=pypaInstallPhase
if [ -z "${dontCheckRuntimeDeps:-}" ]; then
    preInstallPhases="${preInstallPhases:-} pythonRuntimeDepsCheckHook"
fi
# mk-python-derivation.nix: postFixup = wrapPythonPrograms, then the package's own postFixup
# (runHook runs the hooks array before the string), so a fix-up script sees wrapped programs.
postFixupHooks+=(wrapPythonProgramsPhase)
if [ "${catchConflicts:-1}" = 1 ]; then
    preDistPhases="${preDistPhases:-} pythonCatchConflictsPhase"
fi
genericBuild
