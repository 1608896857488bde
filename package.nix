# lock2nix as a nixpkgs package: `pkgs.callPackage ./package.nix { }`. The flake's
# packages.default and overlays.default are exactly this.
{
  lib,
  stdenv,
  cmake,
  ninja,
  pkg-config,
  tomlplusplus,
  nlohmann_json,
  curl,
  openssl,
  boost,
  libarchive,
  catch2, # Catch2 v2 (v3 is catch2_3); only for the tests
}:

let
  # The version is the one CMakeLists.txt declares, so the two cannot drift apart.
  version = builtins.head (
    builtins.match ".*project\\(lock2nix VERSION ([0-9.]+).*" (builtins.readFile ./CMakeLists.txt)
  );
  # libcurl is loaded with dlopen("libcurl.so.4") on first network use (lib/curl_api.cpp), not
  # linked, so nothing records where it is: the binary gets this directory in its RUNPATH.
  curlLibDir = "${lib.getLib curl}/lib";
  # libarchive and libcrypto are loaded the same way, on first use (lib/lazy_libs.cpp).
  lazyLibDirs = "${curlLibDir}:${lib.getLib libarchive}/lib:${lib.getLib openssl}/lib";
  # The unit tests that need nothing outside the sandbox: not the corpus (tagged [corpus]: it
  # lives beside a development checkout), nor a loopback HTTP server or git and nix-hash, which
  # need Python, git and Nix at test time ([server], [git], [nix-eval]). tools/test.sh runs them all.
  catchSpec = "~[corpus]~[server]~[git]~[nix-eval]";
in
stdenv.mkDerivation (finalAttrs: {
  pname = "lock2nix";
  inherit version;

  # Only what the build reads: editing the flake, the templates, the README or the flake tests
  # does not rebuild the package.
  src = lib.fileset.toSource {
    root = ./.;
    fileset = lib.fileset.unions [
      ./CMakeLists.txt
      ./cmake
      ./include
      ./lib
      ./tools
      ./overrides
      ./nixpkgs
      ./examples
      (lib.fileset.difference ./tests ./tests/flake)
    ];
  };

  strictDeps = true;
  nativeBuildInputs = [
    cmake
    ninja
    pkg-config
  ];
  buildInputs = [
    tomlplusplus
    nlohmann_json
    curl
    openssl
    boost
    libarchive
  ];
  checkInputs = [ catch2 ];

  cmakeFlags = [
    (lib.cmakeBool "LOCK2NIX_BUILD_TESTS" finalAttrs.doCheck)
    (lib.cmakeBool "LOCK2NIX_BUILD_BENCHMARKS" false)
    # The shared corpus lives next to a development checkout, never in the sandbox.
    (lib.cmakeFeature "LOCK2NIX_SHARED_DIR" "/var/empty/lock2nix-shared")
  ];

  doCheck = stdenv.buildPlatform.canExecute stdenv.hostPlatform;
  # The core tests: no network (the index client's tests use a server on 127.0.0.1), no Nix, no
  # git, and no ../shared corpus, which most unit test cases read and which a source tree does not
  # carry: those cases run in a development checkout (tools/test.sh), these run here.
  checkPhase = ''
    runHook preCheck
    export HOME=$TMPDIR
    export LD_LIBRARY_PATH=${lazyLibDirs}''${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    (cd ../tests && ../build/tests/lock2nix-tests --warn NoTests ${lib.escapeShellArg catchSpec})
    ctest --output-on-failure -R '^cli\.bad-input$'
    runHook postCheck
  '';

  postFixup = lib.optionalString stdenv.hostPlatform.isElf ''
    patchelf --add-rpath ${lazyLibDirs} $out/bin/lock2nix
  '';

  passthru = { inherit catchSpec; };

  meta = {
    description = "Translate a Poetry project (poetry.lock + pyproject.toml) into one plain Nix file";
    longDescription = ''
      lock2nix reads every poetry.lock generation (Poetry 0.x to 2.x) and writes a Nix file that
      builds the locked Python environment with nixpkgs' own Python builders. `lock2nix check`
      tells whether a lock is fresh for its pyproject.toml and a generated file fresh for its lock.
    '';
    mainProgram = "lock2nix";
    # No `license`: the repository has no LICENSE file yet. Add it here when it does.
    # dlopen("libcurl.so.4") is the Linux name of libcurl; macOS would need libcurl.4.dylib.
    platforms = lib.platforms.linux;
  };
})
