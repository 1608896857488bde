# The setup hook of the model's Python interpreter: every input with a site-packages directory
# goes on PYTHONPATH (nixpkgs: pkgs/development/interpreters/python/setup-hook.sh, addPythonPath
# registered with addEnvHooks).
addPythonPath() {
    addToSearchPath PYTHONPATH "$1/@sitePackages@"
}
addEnvHooks "${hostOffset:-0}" addPythonPath
export PYTHONNOUSERSITE=true
export PYTHONHASHSEED=0
