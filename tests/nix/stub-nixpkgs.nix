# A stub of the nixpkgs attributes that lock2nix's python-env.nix uses. nixpkgs itself is not
# reachable in tests; this stub stands in for it and is strict where nixpkgs is: it rejects
# arguments that buildPythonPackage, fetchurl, fetchgit, mkShell and mkPythonEditablePackage do
# not take, checks the combinations nixpkgs checks (format vs pyproject, a hash on every fetch),
# and has only the Python packages it lists, so a reference to any other package fails.
#
# realFetch = true makes fetchurl a real fixed-output derivation (Nix's builtin:fetchurl), so
# that `nix-build` verifies every hash the emitter wrote.
{
  system ? "x86_64-linux",
  realFetch ? false,
}:
let
  allowed = names: builtins.listToAttrs (map (name: { inherit name; value = true; }) names);
  check =
    what: known: args:
    builtins.all (
      n: known ? ${n} || throw "${what}: nixpkgs does not take the argument `${n}`"
    ) (builtins.attrNames args);
  isPackage = p: builtins.isAttrs p && (p.__stubPackage or false);
  allPackages = what: list:
    builtins.isList list
    && builtins.all (p: isPackage p || throw "${what}: ${builtins.typeOf p} is not a package") list;

  fetchurl =
    args:
    assert check "fetchurl" (allowed [ "url" "urls" "hash" "name" ]) args;
    assert (args ? url || args ? urls) || throw "fetchurl: needs url or urls";
    assert (args ? hash && builtins.isString args.hash
      && builtins.any (a: builtins.substring 0 (builtins.stringLength a) args.hash == a) [ "sha256-" "sha512-" "sha1-" "md5-" ])
      || throw "fetchurl: every fetch needs an SRI hash";
    let
      url = args.url or (builtins.head args.urls);
    in
    if realFetch then
      builtins.derivation {
        name = args.name or (baseNameOf url);
        system = "builtin";
        builder = "builtin:fetchurl";
        inherit url;
        outputHashMode = "flat";
        outputHash = args.hash;
      }
    else
      { __stubFetch = true; inherit url; inherit (args) hash; };

  fetchgit =
    args:
    assert check "fetchgit" (allowed [ "url" "rev" "hash" "fetchSubmodules" ]) args;
    assert (args ? hash && builtins.substring 0 7 args.hash == "sha256-") || throw "fetchgit: needs a hash";
    assert (builtins.stringLength args.rev == 40) || throw "fetchgit: rev must be a full commit";
    { __stubFetch = true; inherit (args) url rev hash; outPath = "/nix/store/stub-git-checkout"; };

  buildPythonPackage =
    args:
    assert check "buildPythonPackage" (allowed [
      "pname" "version" "format" "pyproject" "src" "dependencies" "build-system"
      "nativeBuildInputs" "buildInputs" "propagatedBuildInputs" "dontCheckRuntimeDeps"
      "postPatch" "postInstall" "env" "dontStrip" "autoPatchelfIgnoreMissingDeps" "doCheck"
      "meta" "passthru" "pypaBuildFlags"
    ]) args;
    # pypaBuildFlags is read by pypaBuildHook (hooks/pypa-build-hook.sh), which only pyproject
    # builds run.
    assert !(args ? pypaBuildFlags) || (args ? pyproject && builtins.all builtins.isString args.pypaBuildFlags)
      || throw "buildPythonPackage: pypaBuildFlags is a list of strings for pyproject builds";
    assert (args ? pname && args ? version && args ? src) || throw "buildPythonPackage: pname, version and src are required";
    assert !(args ? format && args ? pyproject) || throw "buildPythonPackage: format and pyproject exclude each other";
    assert (args ? format || args ? pyproject) || throw "buildPythonPackage: say format = \"wheel\" or pyproject = true";
    assert !(args ? format) || builtins.elem args.format [ "wheel" "setuptools" "pyproject" "other" ];
    assert !(args ? pyproject) || (args ? build-system && allPackages "build-system" args.build-system);
    assert allPackages "dependencies of ${args.pname}" (args.dependencies or [ ]);
    {
      __stubPackage = true;
      name = "python3.11-${args.pname}-${args.version}";
      inherit (args) pname version src;
      dependencies = map (d: d.pname) (args.dependencies or [ ]);
      args = removeAttrs args [ "dependencies" "src" ];
    };

  mkPythonEditablePackage =
    args:
    assert check "mkPythonEditablePackage" (allowed [ "pname" "version" "root" "dependencies" "scripts" "build-system" ]) args;
    { __stubPackage = true; inherit (args) pname version root; scripts = args.scripts or { }; };

  pythonPackages = builtins.listToAttrs (
    map (name: { inherit name; value = { __stubPackage = true; pname = name; version = "nixpkgs"; }; }) [
      "setuptools" "setuptools-scm" "wheel" "poetry-core" "hatchling" "hatch-vcs"
      "hatch-fancy-pypi-readme" "flit-core" "flit" "pdm-backend" "pdm-pep517" "maturin"
      "scikit-build-core" "scikit-build" "cython" "cython_0" "pbr" "meson-python" "cffi"
      "numpy" "pybind11" "setuptools-rust" "versioneer" "packaging" "toml" "tomli"
      "poetry-dynamic-versioning" "pdm-backend" "uv-build" "jupyter-packaging" "hatch-jupyter-builder"
      "hatch-requirements-txt" "hatch-nodejs-version" "setuptools-git-versioning" "dunamai"
      "whey" "sip" "pyqt-builder" "meson" "ninja" "cmake" "calver" "incremental" "mypy"
      "pkgconfig" "oldest-supported-numpy" "extension-helpers" "enscons" "mesonpep517"
      "babel" "expandvars" "flit-scm" "ipython-genutils" "pip" "pytest-runner" "pythran"
      "setuptools-git"
    ]
  ) // { inherit buildPythonPackage mkPythonEditablePackage; };

  mkPython = version: {
    pythonVersion = version;
    pkgs = pythonPackages;
    withPackages =
      f:
      let
        selected = f pythonPackages;
      in
      assert allPackages "withPackages" selected;
      {
        __stubEnv = true;
        python = version;
        packages = map (p: p.pname) selected;
        editableRoots = builtins.filter (r: r != null) (map (p: p.root or null) selected);
      };
  };
in
{
  lib = {
    cleanSource = src: src;
  };
  stdenv = {
    hostPlatform = { inherit system; };
    cc.cc.lib = { __stubLib = "libstdc++"; };
  };
  inherit fetchurl fetchgit;
  autoPatchelfHook = { __stubHook = "autoPatchelfHook"; };
  # Native packages the default override database names.
  cmake = { __stubTool = "cmake"; };
  mecab = { __stubLib = "mecab"; };
  libtensorflow = { __stubLib = "libtensorflow"; };
  cudaPackages_11_8 = {
    cudnn = { __stubLib = "cudnn"; };
    cudatoolkit = { __stubLib = "cudatoolkit"; };
  };
  pythonManylinuxPackages = {
    manylinux1 = [ { __stubLib = "manylinux1"; } ];
    manylinux2010 = [ { __stubLib = "manylinux2010"; } ];
    manylinux2014 = [ { __stubLib = "manylinux2014"; } ];
  };
  mkShell =
    args:
    assert check "mkShell" (allowed [ "packages" "shellHook" "buildInputs" "nativeBuildInputs" ]) args;
    { __stubShell = true; inherit (args) packages; };
  python38 = mkPython "3.8";
  python39 = mkPython "3.9";
  python310 = mkPython "3.10";
  python311 = mkPython "3.11";
  python312 = mkPython "3.12";
  python313 = mkPython "3.13";
}
