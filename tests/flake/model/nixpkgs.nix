# A model of the nixpkgs flake, as much of it as lock2nix's flake.nix, package.nix and the
# template's flake.nix use: `lib` and `legacyPackages.<system>`. nixpkgs is not reachable in the
# tests; this stands in for it and is strict where nixpkgs is (each rule names the nixpkgs file it
# mirrors):
#   - callPackage refuses a function argument it cannot supply (lib/customisation.nix);
#   - stdenv.mkDerivation takes `finalAttrs:` functions, adds checkInputs to the build inputs only
#     when doCheck, checks meta's attribute names and types and refuses a platform outside
#     meta.platforms (pkgs/stdenv/generic/make-derivation.nix, check-meta.nix), and returns a real
#     derivation whose builder (builder.sh) runs buildCommand or the generic phases;
#   - runCommand passes its script as a file (pkgs/build-support/trivial-builders);
#   - mkShell merges inputsFrom's inputs and shellHooks (pkgs/build-support/mkshell);
#   - lib.fileset.toSource copies only the file set, and refuses paths that do not exist or lie
#     outside the root (lib/fileset);
#   - the Python side is tests/nix/stub-nixpkgs.nix (strict about every builder argument), with
#     its packages, environments and shells turned into derivations so that flake outputs are
#     derivations as `nix flake check` demands. They evaluate; they are not meant to be built.
# Tools and libraries are the host's (the tests run with the sandbox off): cmake, ninja, g++ and
# the Debian -dev packages stand in for their nixpkgs namesakes.
{
  stubNixpkgs ? ../../nix/stub-nixpkgs.nix,
}:
let
  systems = [
    "x86_64-linux"
    "aarch64-linux"
  ];

  lib = rec {
    fix = f: let x = f x; in x;
    genAttrs = names: f: builtins.listToAttrs (map (name: { inherit name; value = f name; }) names);
    optionalString = cond: s: if cond then s else "";
    optionals = cond: list: if cond then list else [ ];
    hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
    isDerivation = v: builtins.isAttrs v && (v.type or null) == "derivation";
    # lib/strings.nix
    escapeShellArg =
      arg:
      let
        s = toString arg;
      in
      if builtins.match "[[:alnum:],._+:@%/-]+" s == null then
        "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] s}'"
      else
        s;
    cmakeOptionType = type: feature: value: "-D${feature}:${type}=${value}";
    cmakeBool =
      condition: flag:
      assert builtins.isString condition && builtins.isBool flag;
      cmakeOptionType "BOOL" condition (if flag then "TRUE" else "FALSE");
    cmakeFeature =
      feature: value:
      assert builtins.isString feature && builtins.isString value;
      cmakeOptionType "STRING" feature value;
    makeBinPath = pkgs: builtins.concatStringsSep ":" (map (p: "${getBin p}/bin") pkgs);
    # lib/attrsets.nix: getOutput falls back to out, then to the package itself.
    getOutput = output: pkg: pkg.${output} or pkg.out or pkg;
    getBin = getOutput "bin";
    getLib = getOutput "lib";
    # lib/meta.nix: nixpkgs only warns without meta.mainProgram; the model refuses.
    getExe =
      pkg:
      assert pkg ? meta.mainProgram || throw "lib.getExe: ${pkg.name} has no meta.mainProgram";
      "${getBin pkg}/bin/${pkg.meta.mainProgram}";
    cleanSource = src: src;
    platforms.linux = [
      "x86_64-linux"
      "aarch64-linux"
      "i686-linux"
      "armv7l-linux"
      "riscv64-linux"
    ];

    # lib/fileset: a file set is a predicate on files plus one on directories (may hold members).
    fileset = rec {
      under = path: base: path == base || hasPrefix (base + "/") path;
      coerce =
        x:
        if (x._type or null) == "fileset" then
          x
        else
          assert builtins.isPath x || throw "lib.fileset: ${toString x} is not a path";
          assert builtins.pathExists x || throw "lib.fileset: ${toString x} does not exist";
          let
            base = toString x;
          in
          {
            _type = "fileset";
            roots = [ base ];
            file = p: under p base;
            dir = p: under p base || under base p;
          };
      unions =
        list:
        let
          sets = map coerce list;
        in
        {
          _type = "fileset";
          roots = builtins.concatMap (s: s.roots) sets;
          file = p: builtins.any (s: s.file p) sets;
          dir = p: builtins.any (s: s.dir p) sets;
        };
      difference =
        a: b:
        let
          sa = coerce a;
          sb = coerce b;
        in
        {
          _type = "fileset";
          inherit (sa) roots;
          file = p: sa.file p && !(sb.file p);
          dir = p: sa.dir p && !(sb.file p);
        };
      toSource =
        { root, fileset }:
        let
          set = coerce fileset;
          rootString = toString root;
        in
        assert builtins.all (
          r: under r rootString || throw "lib.fileset.toSource: ${r} is not under the root ${rootString}"
        ) set.roots;
        builtins.path {
          name = "source";
          path = root;
          filter = p: type: if type == "directory" then set.dir p else set.file p;
        };
    };
  };

  pkgsFor =
    system:
    let
      stub = import stubNixpkgs { inherit system; };
      hostPlatform = {
        inherit system;
        isLinux = true;
        isDarwin = false;
        isElf = true;
      };

      knownMeta = {
        description = builtins.isString;
        longDescription = builtins.isString;
        mainProgram = builtins.isString;
        homepage = builtins.isString;
        license = v: builtins.isAttrs v || builtins.isList v;
        platforms = builtins.isList;
        maintainers = builtins.isList;
        changelog = builtins.isString;
      };
      checkMeta =
        name: meta:
        builtins.all (
          k:
          (knownMeta ? ${k} || throw "${name}: meta.${k} is not a meta attribute nixpkgs knows")
          && (knownMeta.${k} meta.${k} || throw "${name}: meta.${k} has the wrong type")
        ) (builtins.attrNames meta)
        && (
          !(meta ? platforms)
          || builtins.elem system meta.platforms
          || throw "${name}: not available on ${system} (meta.platforms)"
        );

      toEnv =
        v:
        if builtins.isBool v then
          (if v then "1" else "")
        else if v == null then
          ""
        else if builtins.isList v then
          map toEnv v
        else
          v;

      mkDerivation =
        fnOrAttrs:
        let
          attrs = if builtins.isFunction fnOrAttrs then lib.fix fnOrAttrs else fnOrAttrs;
          name = attrs.name or "${attrs.pname}-${attrs.version}";
          meta = attrs.meta or { };
          doCheck = attrs.doCheck or false;
          nativeBuildInputs = (attrs.nativeBuildInputs or [ ]) ++ lib.optionals doCheck (attrs.nativeCheckInputs or [ ]);
          buildInputs = (attrs.buildInputs or [ ]) ++ lib.optionals doCheck (attrs.checkInputs or [ ]);
          drv = builtins.derivation (
            builtins.mapAttrs (_: toEnv) (
              removeAttrs attrs [
                "meta"
                "passthru"
                "checkInputs"
                "nativeCheckInputs"
              ]
              // {
                inherit name system doCheck;
                builder = "/bin/bash";
                args = [ ./builder.sh ];
                inherit nativeBuildInputs buildInputs;
                PATH = lib.makeBinPath (nativeBuildInputs ++ buildInputs) + ":/usr/local/bin:/usr/bin:/bin";
              }
            )
          );
        in
        assert checkMeta name meta;
        drv // attrs // { inherit name meta; } // (attrs.passthru or { }) // { inherit (drv) drvPath outPath type; };

      stdenv = {
        inherit mkDerivation hostPlatform;
        buildPlatform = hostPlatform // { canExecute = platform: platform.system == system; };
        cc = stub.stdenv.cc;
      };

      runCommand =
        name: env: buildCommand:
        mkDerivation (
          {
            inherit name buildCommand;
            passAsFile = [ "buildCommand" ] ++ (env.passAsFile or [ ]);
          }
          // removeAttrs env [ "passAsFile" ]
        );

      mkShell =
        args:
        let
          known = [ "name" "packages" "inputsFrom" "shellHook" "buildInputs" "nativeBuildInputs" ];
          inputsFrom = args.inputsFrom or [ ];
          merge =
            n:
            (args.${n} or [ ])
            ++ builtins.filter (x: !(builtins.elem x inputsFrom)) (builtins.concatMap (i: i.${n} or [ ]) inputsFrom);
        in
        assert builtins.all (
          k: builtins.elem k known || throw "mkShell: the model does not take `${k}`"
        ) (builtins.attrNames args);
        assert builtins.all (i: lib.isDerivation i || throw "mkShell: inputsFrom takes derivations") inputsFrom;
        mkDerivation {
          name = args.name or "nix-shell";
          nativeBuildInputs = (args.packages or [ ]) ++ merge "nativeBuildInputs";
          buildInputs = merge "buildInputs";
          shellHook = builtins.concatStringsSep "\n" (
            builtins.catAttrs "shellHook" (inputsFrom ++ [ args ])
          );
          buildCommand = "echo 'a shell, not meant to be built' >&2; exit 1";
        };

      callPackage =
        fn: overrides:
        let
          f = if builtins.isFunction fn then fn else import fn;
          formals = builtins.functionArgs f;
          missing = builtins.filter (n: !formals.${n} && !(pkgs ? ${n}) && !(overrides ? ${n})) (
            builtins.attrNames formals
          );
        in
        assert missing == [ ] || throw "callPackage: the function needs ${toString missing}, which the model of nixpkgs does not have";
        f (builtins.intersectAttrs formals pkgs // overrides);

      # A host tool as a package: $out/bin/<tool> -> the host's.
      hostTool =
        pname: tools:
        mkDerivation {
          inherit pname;
          version = "host";
          buildCommand = ''
            mkdir -p $out/bin
            for t in ${toString tools}; do ln -s "$(command -v "$t")" "$out/bin/$t"; done
          '';
        };
      # A host library: found by CMake in /usr; the package only marks the dependency.
      hostLibrary =
        pname: libs:
        mkDerivation {
          inherit pname;
          version = "host";
          buildCommand = ''
            mkdir -p $out/lib
            for l in ${toString libs}; do ln -s "/usr/lib/$(gcc -print-multiarch)/$l" "$out/lib/$l"; done
          '';
        };

      # The Python side from the stub, as derivations (evaluated, never built).
      asDrv =
        s:
        builtins.derivation {
          inherit system;
          name = s.name or "python-model";
          builder = "/bin/sh";
          args = [
            "-c"
            "echo 'model: Python packages are evaluated, not built' >&2; exit 1"
          ];
        }
        // s;
      wrapPython =
        p:
        p
        // {
          withPackages = f: asDrv ({ name = "python${p.pythonVersion}-env"; } // p.withPackages f);
          pkgs = p.pkgs // {
            buildPythonPackage = args: asDrv (p.pkgs.buildPythonPackage args);
            mkPythonEditablePackage = args: asDrv (p.pkgs.mkPythonEditablePackage args);
          };
        };

      pkgs = stub // {
        inherit
          lib
          stdenv
          mkDerivation
          runCommand
          mkShell
          callPackage
          ;
        inherit system;
        cmake = hostTool "cmake" [ "cmake" "ctest" ];
        ninja = hostTool "ninja" [ "ninja" ];
        pkg-config = hostTool "pkg-config" [ "pkg-config" ];
        poetry = hostTool "poetry" [ ];
        tomlplusplus = hostLibrary "tomlplusplus" [ ];
        nlohmann_json = hostLibrary "nlohmann_json" [ ];
        curl = hostLibrary "curl" [ "libcurl.so.4" ];
        openssl = hostLibrary "openssl" [ ];
        boost = hostLibrary "boost" [ ];
        libarchive = hostLibrary "libarchive" [ ];
        catch2 = hostLibrary "catch2" [ ];
        catch2_3 = hostLibrary "catch2" [ ];
        dockerTools.streamLayeredImage = args: asDrv (stub.dockerTools.streamLayeredImage args);
        python311 = wrapPython stub.python311;
        python312 = wrapPython stub.python312;
        python313 = wrapPython stub.python313;
      };
    in
    pkgs;
in
{
  inherit lib;
  legacyPackages = lib.genAttrs systems pkgsFor;
}
