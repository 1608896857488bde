# A model of nixpkgs that really builds, for lock2nix's end-to-end tests (see README.md here).
# Use it as `pkgs` of an emitted file:
#   nix-build python-env.nix --arg pkgs 'import tests/e2e/nixpkgs { }' -A env
# Builders run with the sandbox off and use the host's tools (/bin/bash, coreutils, git, objdump)
# and the host's Python interpreter, whose real version names the attribute (python311, ...).
{
  system ? builtins.currentSystem,
  # Where the host interpreter and Debian's Python packages live.
  hostBin ? "/usr/bin",
  hostSitePackages ? "/usr/lib/python3/dist-packages",
  ...
}:
let
  # ---- lib: the part of nixpkgs' lib that emitted files and this model use ----------------------
  lib = rec {
    inherit (builtins) filter elem concatStringsSep attrNames attrValues mapAttrs isString
      isList isAttrs head tail length listToAttrs;
    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: xs: if cond then xs else [ ];
    optionalString = cond: s: if cond then s else "";
    optionalAttrs = cond: as: if cond then as else { };
    hasPrefix = pre: s: builtins.substring 0 (builtins.stringLength pre) s == pre;
    hasSuffix =
      suf: s:
      let
        ls = builtins.stringLength s;
        lf = builtins.stringLength suf;
      in
      lf <= ls && builtins.substring (ls - lf) lf s == suf;
    removeSuffix = suf: s: if hasSuffix suf s then builtins.substring 0 (builtins.stringLength s - builtins.stringLength suf) s else s;
    last = xs: builtins.elemAt xs (builtins.length xs - 1);
    isDerivation = x: builtins.isAttrs x && (x.type or null) == "derivation";
    # lib/strings.nix getName: the pname of a derivation (or of a "name-version" string).
    getName = x: if builtins.isAttrs x then x.pname or (builtins.parseDrvName x.name).name else (builtins.parseDrvName x).name;
    unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
    # lib/sources.nix cleanSourceFilter / cleanSource: drop VCS directories, editor backups,
    # object files and `result` symlinks; the result is a store path named "source".
    cleanSourceFilter =
      name: type:
      let
        baseName = baseNameOf (toString name);
      in
      !(
        (type == "directory" && builtins.elem baseName [ ".git" ".svn" "CVS" ".hg" ])
        || hasSuffix "~" baseName
        || builtins.match "^\\.sw[a-z]$" baseName != null
        || builtins.match "^\\..*\\.sw[a-z]$" baseName != null
        || hasSuffix ".o" baseName
        || hasSuffix ".so" baseName
        || (type == "symlink" && hasPrefix "result" baseName)
        || (type == "unknown")
      );
    cleanSourceWith =
      { src, filter ? (_: _: true), name ? "source" }:
      builtins.path { path = src; inherit name filter; };
    cleanSource = src: cleanSourceWith { inherit src; filter = cleanSourceFilter; };
  };

  refuse = what: throw "lock2nix's nixpkgs model (tests/e2e/nixpkgs) does not model ${what}";

  # ---- stdenv: pkgs/stdenv/generic, reduced to setup.sh and a mkDerivation --------------------
  stdenvSetup = builtins.derivation {
    name = "stdenv-model";
    inherit system;
    builder = "/bin/sh";
    args = [ "-c" "/bin/mkdir -p $out && /bin/cp ${./setup.sh} $out/setup" ];
  };
  # make-derivation.nix: attributes become the builder's environment (`env` too); meta and
  # passthru stay in Nix; lists of derivations become space-separated store paths.
  mkDerivation =
    attrs:
    let
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      passthru = attrs.passthru or { };
      drv = builtins.derivation (
        removeAttrs attrs [ "meta" "passthru" "env" "name" "__builderCommand" ]
        // (attrs.env or { })
        // {
          inherit name system;
          builder = "/bin/bash";
          args = [ "-c" (attrs.__builderCommand or "set -eu -o pipefail; source $stdenv/setup; genericBuild") ];
          stdenv = stdenvSetup;
        }
      );
    in
    drv // passthru // { meta = attrs.meta or { }; inherit passthru; };

  stdenv = {
    inherit mkDerivation system;
    hostPlatform = { inherit system; isLinux = lib.hasSuffix "-linux" system; isDarwin = lib.hasSuffix "-darwin" system; };
    buildPlatform = stdenv.hostPlatform;
    isLinux = stdenv.hostPlatform.isLinux;
    isDarwin = stdenv.hostPlatform.isDarwin;
    # The C++ runtime manylinux wheels link: the host's libstdc++ and libgcc_s.
    cc.cc.lib = hostLibs "gcc-lib" [ "libstdc++.so.6" "libgcc_s.so.1" ];
  };

  # A derivation whose lib/ holds links to host libraries (for autoPatchelfHook's search).
  hostLibs =
    name: sonames:
    mkDerivation {
      inherit name sonames;
      buildCommand = ''
        mkdir -p $out/lib
        for so in $sonames; do
          for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /lib64 /usr/lib64; do
            if [ -e "$d/$so" ]; then ln -s "$d/$so" "$out/lib/$so"; break; fi
          done
          [ -e "$out/lib/$so" ] || { echo "the host has no $so" >&2; exit 1; }
        done
      '';
    };

  # pkgs/by-name/fi/file: its `out` holds lib/libmagic.so, the path python-magic's fix writes
  # into magic/loader.py, beside the soname. The library is the host's (Debian's libmagic1), and
  # reads the magic database it was built to read.
  file = runCommand "file-host" { libs = hostLibs "libmagic-host" [ "libmagic.so.1" ]; } ''
    mkdir -p $out/lib
    ln -s $libs/lib/libmagic.so.1 $out/lib/libmagic.so.1
    ln -s libmagic.so.1 $out/lib/libmagic.so
  '';

  runCommand =
    name: env: buildCommand:
    mkDerivation (env // { inherit name buildCommand; });
  writeText = name: text: runCommand name { inherit text; passAsFile = [ "text" ]; } "cp $textPath $out";

  # pkgs/build-support/docker/default.nix (streamLayeredImage), reduced: the result is a program
  # that writes an image to stdout, here a tar of the closure of `contents` (Nix's
  # exportReferencesGraph) and the image configuration as JSON. Layers and the OCI layout are
  # not modelled; what an emitted file decides (contents, Entrypoint) is.
  dockerTools.streamLayeredImage =
    { name, tag ? "latest", contents ? [ ], config ? { }, ... }:
    let
      configFile = writeText "${name}-config.json" (builtins.toJSON { inherit name tag config; });
      roots = contents ++ [ configFile ];
    in
    runCommand "stream-${name}" {
      exportReferencesGraph = builtins.concatLists (
        builtins.genList (i: [ "closure${toString i}" (builtins.elemAt roots i) ]) (builtins.length roots)
      );
    } ''
      paths=$(cat closure* | grep '^/nix/store/' | sort -u | sed 's|^/||' | tr '\n' ' ')
      printf '#!/bin/sh\nexec tar -cf - -C / %s\n' "$paths" > $out
      chmod +x $out
    '';
  # The shell that scripts in the store start with.
  runtimeShell = "/bin/bash";

  # ---- fetchers ---------------------------------------------------------------------------
  # pkgs/build-support/fetchurl, reduced to Nix's own builtin:fetchurl (<nix/fetchurl.nix>): Nix
  # checks the hash and the store name. One URL only (builtin:fetchurl tries no mirrors).
  fetchurl =
    args:
    let
      known = [ "url" "urls" "hash" "sha256" "sha512" "sha1" "name" "executable" "meta" "passthru" ];
      unknown = builtins.filter (n: !(builtins.elem n known)) (builtins.attrNames args);
      url =
        if args ? url then args.url
        else if (args.urls or [ ]) != [ ] && builtins.length args.urls == 1 then builtins.head args.urls
        else if args ? urls then refuse "fetchurl with several urls (builtin:fetchurl takes one)"
        else throw "fetchurl requires either `url` or `urls` to be set";
      hashArgs = removeAttrs args [ "url" "urls" "meta" "passthru" ];
    in
    if unknown != [ ] then refuse "fetchurl's argument `${builtins.head unknown}`"
    else if !(args ? hash || args ? sha256 || args ? sha512 || args ? sha1) then throw "fetchurl: no hash given for ${url}"
    else import <nix/fetchurl.nix> ({ inherit url; } // hashArgs);

  # pkgs/build-support/fetchgit: a fixed-output checkout (recursive NAR hash) without .git,
  # named like fetchgit's urlToName. Works on local repositories (paths or file:// URLs).
  fetchgit =
    args@{ url, rev ? "HEAD", hash ? "", sha256 ? "", fetchSubmodules ? true, leaveDotGit ? false, deepClone ? false, name ? null, ... }:
    let
      base = lib.last (builtins.split ":" (baseNameOf (lib.removeSuffix "/" url)));
      matched = builtins.match "(.*)\\.git" base;
      short = lib.optionalString (builtins.match "[a-f0-9]*" rev != null) "-${builtins.substring 0 7 rev}";
      unknown = builtins.filter (n: !(builtins.elem n [ "url" "rev" "hash" "sha256" "fetchSubmodules" "leaveDotGit" "deepClone" "name" "meta" "passthru" ])) (builtins.attrNames args);
    in
    if unknown != [ ] then refuse "fetchgit's argument `${builtins.head unknown}`"
    else if leaveDotGit || deepClone then refuse "fetchgit with leaveDotGit or deepClone"
    else if hash == "" && sha256 == "" then throw "fetchgit: no hash given for ${url}"
    else
      builtins.derivation {
        name = if name != null then name else "${if matched == null then base else builtins.head matched}${short}";
        inherit system url rev;
        builder = "/bin/bash";
        args = [ ./fetchgit.sh ];
        fetchSubmodules = if fetchSubmodules then "1" else "";
        outputHashMode = "recursive";
        outputHashAlgo = if hash != "" then null else "sha256";
        outputHash = if hash != "" then hash else sha256;
      };

  # ---- hooks ----------------------------------------------------------------------------
  hooks = builtins.path { path = ./hooks; name = "python-model-hooks"; };

  # pkgs/build-support/setup-hooks/auto-patchelf.sh: gathers "$dep/lib" of every input and runs
  # auto-patchelf over $out after fixup (the model checks; it does not patch, see README).
  autoPatchelfHook = runCommand "auto-patchelf-hook" { } ''
    mkdir -p $out/nix-support
    cat > $out/nix-support/setup-hook <<'EOF'
    autoPatchelfLibs=()
    gatherLibraries() { autoPatchelfLibs+=("$1/lib"); }
    addEnvHooks "''${targetOffset:-0}" gatherLibraries
    # addAutoPatchelfSearchPath [--no-recurse] DIR...: every directory under DIR holding a
    # shared library joins the search (as auto-patchelf.sh: find … -name '*.so*', dirname, uniq).
    addAutoPatchelfSearchPath() {
        local -a findOpts=()
        while [ $# -gt 0 ]; do
            case "$1" in
                --) shift; break ;;
                --no-recurse) shift; findOpts+=("-maxdepth" 1) ;;
                --*) echo "addAutoPatchelfSearchPath: ERROR: Invalid command line argument: $1" >&2; return 1 ;;
                *) break ;;
            esac
        done
        local dir=
        while IFS= read -r -d "" dir; do
            autoPatchelfLibs+=("$dir")
        done < <(find "$@" "''${findOpts[@]}" \! -type d \( -name '*.so' -o -name '*.so.*' \) -print0 | sed -z 's#/[^/]*$##' | uniq -z)
    }
    autoPatchelfPostFixup() {
        /usr/bin/python3 -I ${hooks}/auto-patchelf.py "$out" "''${autoPatchelfIgnoreMissingDeps:-}" "''${autoPatchelfLibs[@]}"
    }
    postFixupHooks+=(autoPatchelfPostFixup)
    EOF
  '';
  # pkgs/by-name/au/autoAddDriverRunpath: adds the driver's directory (/run/opengl-driver/lib) to
  # ELF files' RUNPATH after fixup. The model rewrites no RPATH (see README): a hook that is there.
  autoAddDriverRunpath = runCommand "auto-add-driver-runpath-hook" { } ''
    mkdir -p $out/nix-support
    echo ': # model: the driver RUNPATH is not written' > $out/nix-support/setup-hook
  '';
  # pkgs/development/interpreters/python/manylinux: the libraries each manylinux policy allows.
  # The model links the host's glibc-side libraries that exist here.
  pythonManylinuxPackages = rec {
    manylinux1 = [ (hostLibs "manylinux1-libs" [ "libgcc_s.so.1" "libstdc++.so.6" "libz.so.1" ]) ];
    manylinux2010 = manylinux1;
    manylinux2014 = manylinux1;
  };

  # ---- Python ---------------------------------------------------------------------------
  versions = [ "3.14" "3.13" "3.12" "3.11" "3.10" "3.9" "3.8" ];
  hostVersions = builtins.filter (v: builtins.pathExists "${hostBin}/python${v}") versions;
  attrOf = v: "python" + builtins.replaceStrings [ "." ] [ "" ] v;

  mkPython =
    pythonVersion:
    let
      executable = "python${pythonVersion}";
      sitePackages = "lib/python${pythonVersion}/site-packages";
      hostInterpreter = "${hostBin}/${executable}";

      # The interpreter: a venv around the host's (pyvenv.cfg without system site-packages), so
      # that Debian's packages are not visible and only what a build's inputs give is importable.
      # nix-support/setup-hook puts every input's site-packages on PYTHONPATH. Its site-packages
      # holds the .pth that gives ctypes.util nixpkgs' no-ldconfig.patch (see no-ldconfig.py).
      base = runCommand "python${pythonVersion}-host" { } ''
        mkdir -p $out/bin $out/${sitePackages} $out/nix-support
        ln -s ${hostInterpreter} $out/bin/${executable}
        ln -s ${executable} $out/bin/python3
        ln -s ${executable} $out/bin/python
        printf 'home = ${hostBin}\ninclude-system-site-packages = false\n' > $out/pyvenv.cfg
        real=$($out/bin/${executable} -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        [ "$real" = "${pythonVersion}" ] || { echo "${hostInterpreter} is Python $real" >&2; exit 1; }
        # After the check, so that no __pycache__ is written here: Nix resets the source's mtime,
        # which would make a timestamped .pyc stale.
        cp ${./no-ldconfig.py} $out/${sitePackages}/_nixpkgs_no_ldconfig.py
        echo 'import _nixpkgs_no_ldconfig' > $out/${sitePackages}/_nixpkgs_no_ldconfig.pth
        sed 's|@sitePackages@|${sitePackages}|g' ${./python-setup-hook.sh} > $out/nix-support/setup-hook
      '';
      interpreter = "${base}/bin/${executable}";

      isPythonModule = p: builtins.isAttrs p && p ? pythonModule;
      # requiredPythonModules (python-packages-base.nix): the closure of Python modules over
      # propagation.
      requiredPythonModules =
        drvs:
        map (x: x.val) (
          builtins.genericClosure {
            startSet = map (p: { key = p.outPath; val = p; }) (builtins.filter isPythonModule drvs);
            operator = x: map (p: { key = p.outPath; val = p; }) (builtins.filter isPythonModule x.val.propagatedPython);
          }
        );
      checkPackages =
        what: list:
        assert builtins.isList list || throw "${what} must be a list";
        builtins.all (p: lib.isDerivation p || throw "${what}: a ${builtins.typeOf p} is not a derivation") list;

      # Debian's installed packages, exposed as Python packages of the model's set: links to the
      # listed entries of the host's dist-packages (globs, so new Debian versions still match).
      hostPackage =
        { pname, entries, deps ? [ ], postBuild ? "" }:
        mkDerivation {
          name = "python${pythonVersion}-${pname}-host";
          inherit pname entries;
          propagatedBuildInputs = deps;
          buildCommand = ''
            sp=$out/${sitePackages}
            mkdir -p $sp $out/nix-support
            for e in $entries; do
              found=
              for m in ${hostSitePackages}/$e; do
                [ -e "$m" ] || continue
                found=1
                rel=''${m#${hostSitePackages}/}
                mkdir -p "$sp/$(dirname "$rel")"
                ln -s "$m" "$sp/$rel"
              done
              [ -n "$found" ] || { echo "the host has no ${hostSitePackages}/$e (install the Debian package)" >&2; exit 1; }
            done
            ${postBuild}
            echo $propagatedBuildInputs > $out/nix-support/propagated-build-inputs
          '';
          passthru = { pythonModule = python; propagatedPython = deps; };
        };

      hostPackages = self: {
        setuptools = hostPackage { pname = "setuptools"; entries = [ "setuptools" "pkg_resources" "_distutils_hack" "setuptools-*.egg-info" ]; };
        wheel = hostPackage { pname = "wheel"; entries = [ "wheel" "wheel-*.egg-info" ]; };
        packaging = hostPackage { pname = "packaging"; entries = [ "packaging" "packaging-*.dist-info" ]; };
        pathspec = hostPackage { pname = "pathspec"; entries = [ "pathspec" "pathspec-*.dist-info" ]; };
        pluggy = hostPackage { pname = "pluggy"; entries = [ "pluggy" "pluggy-*.egg-info" ]; };
        tomli = hostPackage { pname = "tomli"; entries = [ "tomli" "tomli-*.dist-info" ]; };
        pep517 = hostPackage { pname = "pep517"; entries = [ "pep517" "pep517-*.dist-info" ]; };
        installer = hostPackage { pname = "installer"; entries = [ "installer" "installer-*.dist-info" ]; };
        build = hostPackage { pname = "build"; entries = [ "build" "build-*.egg-info" ]; deps = [ self.packaging self.pep517 ]; };
        poetry-core = hostPackage { pname = "poetry-core"; entries = [ "poetry/core" "poetry_core-*.dist-info" ]; };
        # Debian 12's hatchling declares editables>=0.3, which Debian 12 does not ship; the model's
        # hatchling drops that line (editables is only used for hatchling's editable wheels).
        hatchling = hostPackage {
          pname = "hatchling";
          entries = [ "hatchling" "hatchling-*.dist-info" ];
          deps = [ self.packaging self.pathspec self.pluggy ];
          postBuild = ''
            for d in $sp/hatchling-*.dist-info; do
              rm "$d"; cp -r "${hostSitePackages}/$(basename "$d")" "$d"; chmod -R u+w "$d"
              sed -i '/^Requires-Dist: editables/d' "$d/METADATA"
            done
          '';
        };
      };

      # ---- Rust: setuptools-rust (python-modules/setuptools-rust), Debian's, with what it imports.
      rustHostPackages = self: {
        setuptools-rust = hostPackage {
          pname = "setuptools-rust";
          entries = [ "setuptools_rust" "setuptools_rust-*.egg-info" ];
          deps = [ self.setuptools self.semantic-version self.typing-extensions ];
        };
        semantic-version = hostPackage { pname = "semantic-version"; entries = [ "semantic_version" "semantic_version-*.egg-info" ]; };
        typing-extensions = hostPackage { pname = "typing-extensions"; entries = [ "typing_extensions.py" "typing_extensions-*.dist-info" ]; };
      };

      # mk-python-derivation.nix (buildPythonPackage): build-system -> nativeBuildInputs,
      # dependencies -> propagatedBuildInputs; pyproject = true (or format = "pyproject") builds
      # with pypaBuildHook, format = "wheel" installs with wheelUnpackHook; both install with
      # pypaInstallHook and run pythonRuntimeDepsCheckHook, wrapPythonPrograms and
      # pythonCatchConflictsHook. Every other argument reaches the builder like mkDerivation's.
      buildPythonPackage =
        attrs@{
          pname ? null,
          version ? null,
          format ? null,
          pyproject ? null,
          dependencies ? [ ],
          build-system ? [ ],
          nativeBuildInputs ? [ ],
          buildInputs ? [ ],
          propagatedBuildInputs ? [ ],
          optional-dependencies ? { },
          disabled ? false,
          catchConflicts ? true,
          doCheck ? false,
          passthru ? { },
          meta ? { },
          ...
        }:
        let
          name = attrs.name or "python${pythonVersion}-${pname}-${version}";
          pythonFormat =
            if attrs ? pythonFormat then attrs.pythonFormat
            else if pyproject != null && format != null then throw "${name}: `format` and `pyproject` are mutually exclusive"
            else if pyproject == true || format == "pyproject" then "pyproject"
            else if format == "wheel" then "wheel"
            else if pyproject == false || format == "setuptools" || format == null then refuse "${name}: format = \"setuptools\" (setuptoolsBuildHook); say pyproject = true"
            else refuse "${name}: format = \"${toString format}\"";
          deps = dependencies ++ propagatedBuildInputs;
          closure = requiredPythonModules deps;
          self = python.pkgs;
          hookInputs = [ base self.wheel self.installer self.packaging ];
        in
        if disabled then throw "${name} not supported for interpreter ${executable}"
        else
        assert checkPackages "dependencies of ${name}" dependencies;
        assert checkPackages "build-system of ${name}" build-system;
        assert checkPackages "nativeBuildInputs of ${name}" nativeBuildInputs;
        assert attrs ? src || pythonFormat == "editable" || throw "${name}: no src";
        mkDerivation (
          removeAttrs attrs [ "dependencies" "build-system" "optional-dependencies" "format" "pyproject" "disabled" "catchConflicts" "doCheck" "pname" "version" ]
          // {
            inherit name pythonFormat;
            pname = toString pname;
            version = toString version;
            nativeBuildInputs = hookInputs ++ build-system ++ nativeBuildInputs;
            inherit buildInputs;
            propagatedBuildInputs = deps;
            pythonClosure = map (p: p.outPath) closure;
            pypaBuildToolPath = builtins.concatStringsSep ":" (map (p: "${p}/${sitePackages}") (requiredPythonModules [ self.build ]));
            catchConflicts = if catchConflicts then "1" else "";
            __builderCommand = "source ${buildScript}";
            passthru = passthru // {
              pythonModule = python;
              propagatedPython = deps;
              requiredPythonModules = closure;
              inherit pname version optional-dependencies;
            };
            inherit meta;
          }
        );
      buildScript = runCommand "build-python-package.sh" { } ''
        sed -e 's|@python@|${interpreter}|g' -e 's|@sitePackages@|${sitePackages}|g' -e 's|@hooks@|${hooks}|g' \
          ${./build-python-package.sh} > $out
      '';

      # editable.nix (mkPythonEditablePackage): `root` must be a string (asserted, as nixpkgs
      # does); the package is a wheel with `_<pname>.pth` adding root to sys.path.
      mkPythonEditablePackage =
        {
          pname,
          version,
          root,
          derivationArgs ? { },
          dependencies ? [ ],
          optional-dependencies ? { },
          build-system ? [ ],
          scripts ? { },
          gui-scripts ? { },
          entry-points ? { },
          passthru ? { },
          meta ? { },
        }:
        assert lib.isString root;
        let
          dependencies' = dependencies ++ build-system;
          pyprojectContents = builtins.toJSON {
            project = {
              name = pname;
              inherit version scripts gui-scripts entry-points;
              dependencies = map lib.getName dependencies';
            };
          };
        in
        buildPythonPackage (
          {
            inherit pname version passthru meta optional-dependencies;
            pythonFormat = "editable";
            dependencies = dependencies';
            editableRoot = root;
          }
          // derivationArgs
          // {
            inherit pyprojectContents;
            passAsFile = [ "pyprojectContents" ];
          }
        );

      # with-packages.nix + wrapper.nix: buildEnv over requiredPythonModules of the packages.
      buildEnv =
        { extraLibs ? [ ], ignoreCollisions ? false, ... }@args:
        let
          paths = requiredPythonModules extraLibs;
          env = mkDerivation {
          name = "python${pythonVersion}-env";
          paths = map (p: p.outPath) paths;
          buildCommand = ''
            /usr/bin/python3 -I ${hooks}/build-env.py $out ${sitePackages} ${hostInterpreter} ${executable} $paths
            ln -s ${base}/${sitePackages}/_nixpkgs_no_ldconfig.* $out/${sitePackages}/
          '';
          passthru = {
            interpreter = "${env.outPath}/bin/${executable}";
            inherit python;
          };
        };
        in
        assert checkPackages "python.withPackages" extraLibs;
        if ignoreCollisions then refuse "python.buildEnv's ignoreCollisions" else env;
      withPackages = f: buildEnv { extraLibs = f python.pkgs; };

      python = base // {
        inherit pythonVersion sitePackages executable interpreter withPackages buildEnv;
        libPrefix = "python${pythonVersion}";
        pythonOnBuildForHost = python;
        isPy3k = true;
        pkgs =
          let
            self = hostPackages self // rustHostPackages self // {
              inherit buildPythonPackage mkPythonEditablePackage python;
              buildPythonApplication = buildPythonPackage;
              toPythonModule = refuse "python.pkgs.toPythonModule";
            };
          in
          self;
      };
    in
    python;

  # ---- Rust: pkgs/development/compilers/rust and pkgs/build-support/rust --------------------
  # cargo and rustc are Debian's (/usr/bin: cargo 0.66, rustc 1.63), linked into $out/bin.
  hostProgram =
    name:
    runCommand "${name}-host" { } ''
      mkdir -p $out/bin
      [ -x /usr/bin/${name} ] || { echo "the host has no /usr/bin/${name} (install Debian's ${name})" >&2; exit 1; }
      ln -s /usr/bin/${name} $out/bin/${name}
    '';
  cargo = hostProgram "cargo";
  rustc = hostProgram "rustc";
  # The crates.io the model's importCargoLock fetches from: crates.io's download route
  # (<base>/<name>/<version>/download) served on loopback by the e2e world (E2E_CRATES_MIRROR).
  cratesMirror =
    let
      mirror = builtins.getEnv "E2E_CRATES_MIRROR";
    in
    if mirror == "" then refuse "crates.io downloads (set E2E_CRATES_MIRROR to a mirror)" else mirror;
  rustPlatform = {
    # import-cargo-lock.nix: the same closed argument set; the lock parsed with fromTOML; each
    # crates.io crate fetched by fetchurl with the checksum the lock records (its `checksum`, or
    # version 1's [metadata] entry) and unpacked with a .cargo-checksum.json naming that
    # checksum; the vendor directory holds the lock and .cargo/config.toml replacing crates.io
    # by it. Git crates and other registries are not modelled (the e2e world has none).
    importCargoLock =
      {
        lockFile ? null,
        lockFileContents ? null,
        allowBuiltinFetchGit ? false,
        extraRegistries ? { },
        outputHashes ? { },
      }:
      assert (lockFile == null) != (lockFileContents == null);
      let
        text = if lockFile != null then builtins.readFile lockFile else lockFileContents;
        lock = builtins.fromTOML text;
        crates = builtins.filter (p: p ? source) (lock.package or [ ]);
        crate =
          p:
          let
            checksum = p.checksum or (lock.metadata or { })."checksum ${p.name} ${p.version} (${p.source})" or null;
            tarball = fetchurl {
              name = "crate-${p.name}-${p.version}.tar.gz";
              url = "${cratesMirror}/${p.name}/${p.version}/download";
              sha256 = checksum;
            };
          in
          if p.source != "registry+https://github.com/rust-lang/crates.io-index" then
            refuse "the crate source ${p.source} in importCargoLock"
          else if checksum == null then
            throw "Package ${p.name} does not have a checksum."
          else
            runCommand "${p.name}-${p.version}" { } ''
              mkdir $out
              tar xf ${tarball} -C $out --strip-components=1
              printf '{"files":{},"package":"%s"}' ${checksum} > $out/.cargo-checksum.json
            '';
      in
      if extraRegistries != { } || outputHashes != { } || allowBuiltinFetchGit then
        refuse "importCargoLock's extraRegistries, outputHashes and allowBuiltinFetchGit"
      else
        runCommand "cargo-vendor-dir" { inherit text; passAsFile = [ "text" ]; crates = map (c: c.outPath) (map crate crates); } ''
          mkdir -p $out/.cargo
          cp $textPath $out/Cargo.lock
          printf '[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "cargo-vendor-dir"\n' > $out/.cargo/config.toml
          for crate in $crates; do
            ln -s "$crate" $out/$(basename "$crate" | cut -c 34-)
          done
        '';
    # hooks/cargo-setup-hook.sh: after unpacking, the vendor directory is copied beside the
    # source (at the build's top, where nixpkgs' postUnpack runs) and its config appended to
    # .cargo/config.toml there, which cargo finds above the source; after patching, the source's
    # ${cargoRoot}/Cargo.lock must equal the vendored one.
    cargoSetupHook = runCommand "cargo-setup-hook" { } ''
      mkdir -p $out/nix-support
      cat > $out/nix-support/setup-hook <<'EOF'
      # Not in nixpkgs: builds here run as root without a sandbox, where cargo would create
      # $HOME/.cargo at /homeless-shelter, which Nix then refuses for every later build.
      export CARGO_HOME="$NIX_BUILD_TOP/.cargo-home"
      cargoSetupPostUnpackHook() {
          echo "Executing cargoSetupPostUnpackHook"
          (
              cd "$NIX_BUILD_TOP"
              dest=$(stripHash "$cargoDeps")
              cp -Lr -- "$cargoDeps" "$dest"
              chmod -R u+w -- "$dest"
              mkdir -p .cargo
              cat "$dest/.cargo/config.toml" >> .cargo/config.toml
          )
          export cargoDepsCopy="$NIX_BUILD_TOP/$(stripHash "$cargoDeps")"
      }
      cargoSetupPostPatchHook() {
          echo "Executing cargoSetupPostPatchHook"
          srcLockfile="$(pwd)/''${cargoRoot:+$cargoRoot/}Cargo.lock"
          if ! diff "$srcLockfile" "$cargoDepsCopy/Cargo.lock"; then
              echo "ERROR: Cargo.lock is not the same in $cargoDepsCopy" >&2
              exit 1
          fi
      }
      postUnpackHooks+=(cargoSetupPostUnpackHook)
      postPatchHooks+=(cargoSetupPostPatchHook)
      EOF
    '';
    maturinBuildHook = refuse "rustPlatform.maturinBuildHook (Debian 12 has no maturin)";
  };

  pythons = builtins.listToAttrs (map (v: { name = attrOf v; value = mkPython v; }) hostVersions);

  # pkgs/build-support/mkshell: a derivation nix-shell enters (it sources $stdenv/setup, which
  # puts the packages' bin on PATH); building it records the environment, like mkShell's.
  mkShell =
    { name ? "nix-shell", packages ? [ ], inputsFrom ? [ ], buildInputs ? [ ], nativeBuildInputs ? [ ], propagatedBuildInputs ? [ ], shellHook ? "", ... }@attrs:
    if inputsFrom != [ ] then refuse "mkShell's inputsFrom"
    else
    mkDerivation (
      removeAttrs attrs [ "packages" "inputsFrom" ]
      // {
        inherit name shellHook buildInputs propagatedBuildInputs;
        nativeBuildInputs = packages ++ nativeBuildInputs;
        phases = [ "buildPhase" ];
        buildPhase = ''{ echo "------------------------------------------------------------"; echo " WARNING: the existence of this path is not guaranteed."; echo " It is an internal implementation detail for pkgs.mkShell."; echo "------------------------------------------------------------"; echo; export -p; } >> "$out"'';
      }
    );
in
if hostVersions == [ ] then
  throw "lock2nix's nixpkgs model: no python3.X in ${hostBin}"
else
  pythons
  // {
    inherit lib stdenv fetchurl fetchgit runCommand writeText mkShell autoPatchelfHook autoAddDriverRunpath pythonManylinuxPackages dockerTools runtimeShell file;
    # Rust (see the block above).
    inherit cargo rustc rustPlatform;
    python3 = pythons.${attrOf (builtins.head hostVersions)};
    python3Packages = pythons.${attrOf (builtins.head hostVersions)}.pkgs;
    buildEnv = refuse "pkgs.buildEnv (use python.withPackages)";
    fetchFromGitHub = refuse "fetchFromGitHub (no network)";
    fetchPypi = refuse "fetchPypi (no network)";
  }
