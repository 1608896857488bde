# A stub of the nixpkgs attributes that lock2nix's python-env.nix uses, for fast strict evaluation
# in restricted mode (tests/e2e/nixpkgs is the model that really builds). It is strict where
# nixpkgs is and lenient where nixpkgs is: functions whose nixpkgs definition ends in `...`
# (buildPythonPackage in mk-python-derivation.nix, mkShell, dockerTools' image builders) take any
# argument; those with a closed argument set (fetchgit's used subset, mkPythonEditablePackage in
# editable.nix) reject others. It checks what nixpkgs checks: format vs pyproject, a hash on every
# fetch, store names Nix accepts, an editable root that is a string; and it has only the Python
# packages it lists, so a reference to any other package fails.
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
  # Nix's store path names: letters, digits and +-._?= , not starting with a dot.
  validStoreName = n: builtins.match "[A-Za-z0-9+_?=-][A-Za-z0-9+._?=-]*" n != null;
  isPackage = p: builtins.isAttrs p && (p.__stubPackage or false);
  allPackages = what: list:
    builtins.isList list
    && builtins.all (p: isPackage p || throw "${what}: ${builtins.typeOf p} is not a package") list;

  fetchurl =
    args:
    assert check "fetchurl" (allowed [
      "url" "urls" "hash" "name" "pname" "version" "sha256" "sha512" "curlOpts" "curlOptsList"
      "netrcPhase" "netrcImpureEnvVars" "postFetch" "downloadToTemp" "executable" "meta" "passthru"
    ]) args;
    assert validStoreName (args.name or (baseNameOf (args.url or (builtins.head args.urls))))
      || throw "fetchurl: store path name '${args.name or (baseNameOf (args.url or (builtins.head args.urls)))}' contains a character Nix refuses";
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
    # A derivation's attributes are coerced to strings when it is instantiated: cargoDeps among
    # them (a vendored crate directory, or whatever else coerces to a store path).
    assert !(args ? cargoDeps) || builtins.substring 0 11 "${args.cargoDeps}" == "/nix/store/"
      || throw "buildPythonPackage: cargoDeps is not a store path";
    {
      __stubPackage = true;
      outPath = "/nix/store/stub-${args.pname}-${args.version}";
      name = "python3.11-${args.pname}-${args.version}";
      inherit (args) pname version src;
      dependencies = map (d: d.pname) (args.dependencies or [ ]);
      # make-derivation.nix: passthru attributes join the result; they are no builder input.
      args = removeAttrs args [ "dependencies" "src" "passthru" ];
    }
    // (args.passthru or { });

  # pkgs/build-support/rust/import-cargo-lock.nix: its closed argument set, the lock read with
  # fromTOML as it reads it, and every crate it vendors fetchable as it fetches it: a crates.io
  # crate by the checksum the lock records (its own `checksum`, or version 1's [metadata] entry),
  # a git crate by fetchgit at the commit after `#` with a hash from `outputHashes` (keyed
  # "name-version"; a hash serves every crate at the same commit, and a hash for no git crate is
  # an error), no other source. Returns the crates it would vendor, by name and version.
  importCargoLock =
    args:
    assert check "rustPlatform.importCargoLock" (allowed [
      "lockFile" "lockFileContents" "allowBuiltinFetchGit" "extraRegistries" "outputHashes"
    ]) args;
    assert ((args.lockFile or null) == null) != ((args.lockFileContents or null) == null)
      || throw "importCargoLock: give lockFile or lockFileContents, not both";
    let
      text = if (args.lockFile or null) != null then builtins.readFile args.lockFile else args.lockFileContents;
      lock = builtins.fromTOML text;
      crates = builtins.filter (p: p ? source) (lock.package or [ ]);
      registries = {
        "https://github.com/rust-lang/crates.io-index" = "https://static.crates.io/crates";
      } // (args.extraRegistries or { });
      hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
      dropPrefix = prefix: s:
        if hasPrefix prefix s then builtins.substring (builtins.stringLength prefix) (-1) s else s;
      parseGit = source: builtins.match "git\\+([^?]+)(\\?(rev|tag|branch)=(.*))?#(.*)" source;
      gitCrates = builtins.filter (p: hasPrefix "git+" p.source) crates;
      gitCommits = builtins.listToAttrs (map (p: {
        name = "${p.name}-${p.version}";
        value = builtins.elemAt (parseGit p.source) 4;
      }) gitCrates);
      outputHashes = args.outputHashes or { };
      hashedCommits = builtins.listToAttrs (map (nameVersion: {
        name = gitCommits.${nameVersion}
          or (throw "A hash was specified for ${nameVersion}, but there is no corresponding git dependency.");
        value = outputHashes.${nameVersion};
      }) (builtins.attrNames outputHashes));
      isChecksum = c: builtins.isString c && builtins.match "[0-9a-f]{64}" c != null;
      fetchable =
        p:
        let
          git = parseGit p.source;
          registry = dropPrefix "registry+" p.source;
          checksum = p.checksum or (lock.metadata or { })."checksum ${p.name} ${p.version} (${p.source})" or null;
        in
        if (hasPrefix "registry+" p.source || hasPrefix "sparse+" p.source) && registries ? ${registry} then
          isChecksum checksum || throw "Package ${p.name} does not have a checksum."
        else if git != null then
          (hashedCommits ? ${builtins.elemAt git 4}
            && builtins.substring 0 7 hashedCommits.${builtins.elemAt git 4} == "sha256-")
          || throw "No hash was found while vendoring the git dependency ${p.name}-${p.version}."
        else
          throw "Cannot handle crate source: ${p.source}";
    in
    assert builtins.deepSeq hashedCommits true;
    assert builtins.all fetchable crates;
    {
      __stubCargoVendor = true;
      outPath = "/nix/store/stub-cargo-vendor-dir";
      lockFileContents = text;
      crates = map (p: "${p.name}-${p.version}") crates;
      gitCrates = map (p: "${p.name}-${p.version}") gitCrates;
    };

  mkPythonEditablePackage =
    args:
    assert check "mkPythonEditablePackage" (allowed [
      "pname" "version" "root" "derivationArgs" "dependencies" "optional-dependencies"
      "build-system" "scripts" "gui-scripts" "entry-points" "passthru" "meta"
    ]) args;
    assert builtins.isString args.root || throw "mkPythonEditablePackage: root must be a string";
    assert allPackages "dependencies of editable ${args.pname}" (args.dependencies or [ ]);
    {
      __stubPackage = true;
      inherit (args) pname version root;
      scripts = args.scripts or { };
      dependencies = map (d: d.pname) (args.dependencies or [ ]);
      postInstall = (args.derivationArgs or { }).postInstall or "";
    };

  pythonPackages = builtins.listToAttrs (
    map (name: { inherit name; value = { __stubPackage = true; pname = name; version = "nixpkgs"; }; }) [
      "setuptools" "setuptools-scm" "wheel" "poetry-core" "hatchling" "hatch-vcs"
      "hatch-fancy-pypi-readme" "flit-core" "flit" "pdm-backend" "pdm-pep517"
      "scikit-build-core" "scikit-build" "cython" "cython_0" "pbr" "meson-python" "cffi"
      "numpy" "pybind11" "setuptools-rust" "versioneer" "packaging" "toml" "tomli"
      "poetry-dynamic-versioning" "pdm-backend" "uv-build" "jupyter-packaging" "hatch-jupyter-builder"
      "hatch-requirements-txt" "hatch-nodejs-version" "setuptools-git-versioning" "dunamai"
      "whey" "sip" "pyqt-builder" "meson" "ninja" "cmake" "calver" "incremental" "mypy"
      "pkgconfig" "oldest-supported-numpy" "extension-helpers" "enscons" "mesonpep517"
      "babel" "expandvars" "flit-scm" "ipython-genutils" "pip" "pytest-runner" "pythran"
      "setuptools-git" "cppy" "lxml"
    ]
  ) // { inherit buildPythonPackage mkPythonEditablePackage; };

  mkPython = version: {
    pythonVersion = version;
    sitePackages = "lib/python${version}/site-packages";
    interpreter = "/nix/store/stub-python${version}/bin/python${version}";
    pkgs = pythonPackages;
    withPackages =
      f:
      let
        selected = f pythonPackages;
      in
      assert allPackages "withPackages" selected;
      {
        __stubEnv = true;
        outPath = "/nix/store/stub-python${version}-env";
        python = version;
        packages = map (p: p.pname) selected;
        editableRoots = builtins.filter (r: r != null) (map (p: p.root or null) selected);
        editablePostInstalls = map (p: p.postInstall) (builtins.filter (p: p ? root) selected);
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
  # pkgs/development/compilers/rust/make-rust-platform.nix (its hooks from
  # pkgs/build-support/rust/hooks/default.nix); cargo and rustc are top-level through
  # `inherit (rustPackages) cargo rustc rustPlatform` in all-packages.nix. maturin is no Python
  # package there: maturinBuildHook brings it.
  rustPlatform = {
    inherit importCargoLock;
    cargoSetupHook = { __stubHook = "cargoSetupHook"; };
    maturinBuildHook = { __stubHook = "maturinBuildHook"; };
  };
  cargo = { __stubTool = "cargo"; };
  rustc = { __stubTool = "rustc"; };
  autoAddDriverRunpath = { __stubHook = "autoAddDriverRunpath"; };
  # trivial-builders.nix: a store path holding the text (patches lock2nix carries in the file).
  writeText = name: text: { __stubFile = name; inherit text; outPath = "/nix/store/stub-${name}"; };
  # Native packages the default override database names (overrides/*.toml), each under the
  # attribute path nixpkgs 25.05 gives it; a name missing here fails every test that meets it.
  cmake = { __stubTool = "cmake"; };
  pkg-config = { __stubTool = "pkg-config"; };
  gdal = { __stubLib = "gdal"; };
  geos = { __stubLib = "geos"; };
  libmysqlclient = { __stubLib = "libmysqlclient"; };
  libpq = { __stubLib = "libpq"; pg_config = { __stubTool = "pg_config"; }; };
  libxml2 = { __stubLib = "libxml2"; dev = { __stubLib = "libxml2.dev"; }; };
  libxslt = { __stubLib = "libxslt"; dev = { __stubLib = "libxslt.dev"; }; };
  xorg = {
    libICE = { __stubLib = "libICE"; outPath = "/nix/store/stub-libICE"; };
    libSM = { __stubLib = "libSM"; outPath = "/nix/store/stub-libSM"; };
    libX11 = { __stubLib = "libX11"; outPath = "/nix/store/stub-libX11"; };
    libXext = { __stubLib = "libXext"; outPath = "/nix/store/stub-libXext"; };
    libXfixes = { __stubLib = "libXfixes"; outPath = "/nix/store/stub-libXfixes"; };
    libXi = { __stubLib = "libXi"; outPath = "/nix/store/stub-libXi"; };
    libXrender = { __stubLib = "libXrender"; outPath = "/nix/store/stub-libXrender"; };
    libXxf86vm = { __stubLib = "libXxf86vm"; outPath = "/nix/store/stub-libXxf86vm"; };
    libxcb = { __stubLib = "libxcb"; outPath = "/nix/store/stub-libxcb"; };
    xcbutil = { __stubLib = "xcbutil"; outPath = "/nix/store/stub-xcbutil"; };
    xcbutilcursor = { __stubLib = "xcbutilcursor"; outPath = "/nix/store/stub-xcbutilcursor"; };
    xcbutilimage = { __stubLib = "xcbutilimage"; outPath = "/nix/store/stub-xcbutilimage"; };
    xcbutilkeysyms = { __stubLib = "xcbutilkeysyms"; outPath = "/nix/store/stub-xcbutilkeysyms"; };
    xcbutilrenderutil = { __stubLib = "xcbutilrenderutil"; outPath = "/nix/store/stub-xcbutilrenderutil"; };
    xcbutilwm = { __stubLib = "xcbutilwm"; outPath = "/nix/store/stub-xcbutilwm"; };
  };
  mecab = { __stubLib = "mecab"; };
  # examples/seed's project layer (llvmlite 0.41 from source).
  llvmPackages_14 = { llvm = { __stubLib = "llvm"; dev = { __stubLib = "llvm.dev"; }; }; };
  libtensorflow = { __stubLib = "libtensorflow"; };
  blas = { __stubLib = "blas"; };
  c-ares = { __stubLib = "c-ares"; };
  cairo = { __stubLib = "cairo"; };
  cyrus_sasl = { __stubLib = "cyrus_sasl"; };
  freetype = { __stubLib = "freetype"; };
  hdf5 = { __stubLib = "hdf5"; };
  jq = { __stubLib = "jq"; };
  lapack = { __stubLib = "lapack"; };
  lcms2 = { __stubLib = "lcms2"; };
  libargon2 = { __stubLib = "libargon2"; };
  libffi = { __stubLib = "libffi"; };
  libimagequant = { __stubLib = "libimagequant"; };
  libjpeg = { __stubLib = "libjpeg"; };
  libpng = { __stubLib = "libpng"; };
  libsodium = { __stubLib = "libsodium"; };
  libtiff = { __stubLib = "libtiff"; };
  libtool = { __stubLib = "libtool"; };
  libwebp = { __stubLib = "libwebp"; };
  oniguruma = { __stubLib = "oniguruma"; };
  openjpeg = { __stubLib = "openjpeg"; };
  openldap = { __stubLib = "openldap"; };
  openssl = { __stubLib = "openssl"; };
  qhull = { __stubLib = "qhull"; };
  sentencepiece = { __stubLib = "sentencepiece"; };
  unixODBC = { __stubLib = "unixODBC"; };
  xmlsec = { __stubLib = "xmlsec"; };
  zeromq = { __stubLib = "zeromq"; };
  zlib = { __stubLib = "zlib"; };
  # Run-time libraries and programs, and sdist builds' system libraries (interpolated into
  # scripts as store paths, hence outPath).
  dbus = { __stubLib = "dbus"; outPath = "/nix/store/stub-dbus"; };
  dbus-glib = { __stubLib = "dbus-glib"; outPath = "/nix/store/stub-dbus-glib"; };
  expat = { __stubLib = "expat"; outPath = "/nix/store/stub-expat"; };
  file = { __stubLib = "file"; outPath = "/nix/store/stub-file"; };
  fontconfig = { __stubLib = "fontconfig"; outPath = "/nix/store/stub-fontconfig"; };
  gfortran = { __stubLib = "gfortran"; outPath = "/nix/store/stub-gfortran"; };
  glib = { __stubLib = "glib"; outPath = "/nix/store/stub-glib"; };
  gobject-introspection = { __stubLib = "gobject-introspection"; outPath = "/nix/store/stub-gobject-introspection"; };
  libGL = { __stubLib = "libGL"; outPath = "/nix/store/stub-libGL"; };
  libdrm = { __stubLib = "libdrm"; outPath = "/nix/store/stub-libdrm"; };
  libusb1 = { __stubLib = "libusb1"; outPath = "/nix/store/stub-libusb1"; };
  libxkbcommon = { __stubLib = "libxkbcommon"; outPath = "/nix/store/stub-libxkbcommon"; };
  systemd = { __stubLib = "systemd"; outPath = "/nix/store/stub-systemd"; };
  tesseract = { __stubLib = "tesseract"; outPath = "/nix/store/stub-tesseract"; };
  zstd = { __stubLib = "zstd"; outPath = "/nix/store/stub-zstd"; };
  libsndfile = { __stubLib = "libsndfile"; outPath = "/nix/store/stub-libsndfile"; } // { out = { __stubLib = "libsndfile"; outPath = "/nix/store/stub-libsndfile"; }; };
  proj = { __stubLib = "proj"; outPath = "/nix/store/stub-proj"; } // { dev = { __stubLib = "proj.dev"; outPath = "/nix/store/stub-proj.dev"; }; };
  llvmPackages_20 = { llvm = { __stubLib = "llvm-20"; outPath = "/nix/store/stub-llvm-20"; }; };
  cudaPackages = {
    cudnn = { __stubLib = "cudnn"; };
    libcublas = { __stubLib = "libcublas"; };
    libcurand = { __stubLib = "libcurand"; };
    libcufft = { __stubLib = "libcufft"; };
    cuda_cudart = { __stubLib = "cuda_cudart"; };
  };
  # As nixpkgs 25.11 and later have it (pkgs/top-level/aliases.nix): a file naming it fails here.
  cudaPackages_11_8 = throw "CUDA 11.8 has been removed from Nixpkgs";
  pythonManylinuxPackages = {
    manylinux1 = [ { __stubLib = "manylinux1"; } ];
    manylinux2010 = [ { __stubLib = "manylinux2010"; } ];
    manylinux2014 = [ { __stubLib = "manylinux2014"; } ];
  };
  mkShell =
    args:
    {
      __stubShell = true;
      packages = args.packages or [ ];
      shellHook = args.shellHook or "";
    };
  runtimeShell = "/stub/bin/bash";
  runCommand =
    name: env: script:
    assert validStoreName name || throw "runCommand: bad name ${name}";
    { __stubRunCommand = true; inherit name script; outPath = "/nix/store/stub-${name}"; };
  dockerTools.streamLayeredImage =
    args:
    assert (args ? name && args ? contents && args ? config) || throw "streamLayeredImage: name, contents, config";
    { __stubImage = true; inherit (args) name tag contents config; };
  python38 = mkPython "3.8";
  python39 = mkPython "3.9";
  python310 = mkPython "3.10";
  python311 = mkPython "3.11";
  python312 = mkPython "3.12";
  python313 = mkPython "3.13";
  python314 = mkPython "3.14";
}
