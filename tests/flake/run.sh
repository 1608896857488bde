#!/usr/bin/env bash
# lock2nix as a flake, checked with the real Nix against a model of nixpkgs (model/nixpkgs.nix):
# every output evaluates; the package has the inputs, flags, source and meta it should; the
# overlay gives the same package; the template is fresh and reproducible, its flake evaluates, and
# its freshness check really builds with the lock2nix CMake built and fails, with lock2nix's
# message, when the lock or python-env.nix is stale; `nix flake check --no-build` accepts both
# flakes and `nix flake init -t` copies the template.
#   run.sh LOCK2NIX-BINARY UNIT-TEST-BINARY
set -u
cli=$(realpath "$1")
unit=$(realpath "$2")
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/flake
source "$root/tests/lib.sh"

nixopts=(--option build-users-group '' --option substituters '' --option sandbox false)
flakes=(--extra-experimental-features 'nix-command flakes')
# ev EXPR [TEMPLATE-DIR]: EXPR sees `e` (eval.nix), `lib` and `pkgs`, and is printed as JSON.
ev() {
    nix-instantiate "${nixopts[@]}" --eval --strict --json --read-write-mode -E "
      let
        e = import $here/eval.nix { root = \"$root\"; cli = \"$cli\"; template = \"${2:-$root/templates/default}\"; };
        inherit (e) pkgs;
        inherit (pkgs) lib;
      in $1" 2>&1
}
# build EXPR [TEMPLATE-DIR]: nix-build of EXPR (as in ev); the log goes to $work/build.log.
build() {
    nix-build "${nixopts[@]}" --no-out-link -E "
      let
        e = import $here/eval.nix { root = \"$root\"; cli = \"$cli\"; template = \"${2:-$root/templates/default}\"; };
        inherit (e) pkgs;
      in $1" >"$work/build.log" 2>&1
}
expect() { # expect DESCRIPTION EXPECTED ACTUAL
    check "$1 (got: $3)" [ "$3" = "$2" ]
}
contains() { # contains DESCRIPTION NEEDLE FILE
    check "$1" grep -qF -- "$2" "$3"
}
differ() { ! cmp -s "$1" "$2"; }

# --- every .nix parses ----------------------------------------------------------------------------
for f in flake.nix package.nix templates/default/flake.nix templates/default/python-env.nix \
    tests/flake/eval.nix tests/flake/model/nixpkgs.nix; do
    check "$f parses" nix-instantiate "${nixopts[@]}" --parse "$root/$f"
done

# --- the template as lock2nix sees it ---------------------------------------------------------------
tpl=$root/templates/default
check "template: lock fresh for pyproject, python-env.nix fresh for lock" \
    "$cli" check --lock "$tpl/poetry.lock" --pyproject "$tpl/pyproject.toml" --nix "$tpl/python-env.nix"
# The committed file is exactly what this lock2nix writes with the command in its header.
regen=$(sed -n 's/^# regenerate: lock2nix //p' "$tpl/python-env.nix")
mkdir -p "$work/regen"
cp "$tpl/poetry.lock" "$tpl/pyproject.toml" "$work/regen/"
read -ra regen_args <<<"$regen"
(cd "$work/regen" && "$cli" "${regen_args[@]}")
check "template: python-env.nix is what \`lock2nix $regen\` writes (regenerate it in templates/default)" \
    diff -u "$tpl/python-env.nix" "$work/regen/python-env.nix"

# --- the flake's outputs -------------------------------------------------------------------------
out=$(ev 'builtins.attrNames (e.deep (removeAttrs e.flake [ "lib" ]))')
expect "outputs" '["apps","checks","devShells","overlays","packages","templates"]' "$out"
for system in x86_64-linux aarch64-linux; do
    check "every output for $system evaluates strictly (derivations instantiate)" \
        ev "builtins.mapAttrs (_: o: e.deep (o.$system or o)) (removeAttrs e.flake [ \"lib\" ])"
done
out=$(ev 'map (o: builtins.attrNames e.flake.${o}.x86_64-linux) [ "packages" "apps" "checks" "devShells" ]')
expect "per-system outputs" '[["default","lock2nix"],["default"],["demo-lock-fresh","package","template-lock-fresh"],["default"]]' "$out"
out=$(ev 'let p = e.flake.packages.x86_64-linux; in [ (p.default.drvPath == p.lock2nix.drvPath) (e.flake.checks.x86_64-linux.package.drvPath == p.default.drvPath) (e.flake.packages.aarch64-linux.default.system) ]')
expect "packages.default is lock2nix, checks.package builds it, per system" '[true,true,"aarch64-linux"]' "$out"
out=$(ev 'let a = e.flake.apps.x86_64-linux.default; in [ a.type (a.program == "${e.package}/bin/lock2nix") ]')
expect "apps.default runs the package's lock2nix" '["app",true]' "$out"
out=$(ev 'e.overlaid.lock2nix.drvPath == e.package.drvPath')
expect "overlays.default adds the same lock2nix to nixpkgs" 'true' "$out"
out=$(ev 'builtins.attrNames e.flake.lib')
expect "lib" '["mkFreshnessCheck"]' "$out"
out=$(ev "let t = e.flake.templates.default; in [ (toString t.path == \"$tpl\") (builtins.isString t.description && t.description != \"\") ]")
expect "templates.default points at templates/default, with a description" '[true,true]' "$out"
out=$(ev 'e.names e.flake.devShells.x86_64-linux.default.nativeBuildInputs')
expect "devShells.default has the package's build tools" '["cmake","ninja","pkg-config"]' "$out"

# --- the package -------------------------------------------------------------------------------
version=$(sed -n 's/^project(lock2nix VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
out=$(ev '[ e.package.pname e.package.version e.package.name ]')
expect "name and version from CMakeLists.txt" "[\"lock2nix\",\"$version\",\"lock2nix-$version\"]" "$out"
out=$(ev 'map e.names [ e.package.nativeBuildInputs e.package.buildInputs e.package.checkInputs ]')
expect "inputs (native, build, check)" \
    '[["cmake","ninja","pkg-config"],["tomlplusplus","nlohmann_json","curl","openssl","boost","libarchive"],["catch2"]]' "$out"
out=$(ev 'e.package.cmakeFlags')
expect "cmake flags" '["-DLOCK2NIX_BUILD_TESTS:BOOL=TRUE","-DLOCK2NIX_BUILD_BENCHMARKS:BOOL=FALSE","-DLOCK2NIX_SHARED_DIR:STRING=/var/empty/lock2nix-shared"]' "$out"
out=$(ev '[ e.package.doCheck e.package.meta.mainProgram (builtins.elem "x86_64-linux" e.package.meta.platforms) ]')
expect "doCheck and meta" '[true,"lock2nix",true]' "$out"
out=$(ev 'lib.hasPrefix "runHook preCheck" e.package.checkPhase')
expect "checkPhase runs the hooks" 'true' "$out"
out=$(ev 'builtins.replaceStrings [ pkgs.curl.outPath pkgs.libarchive.outPath pkgs.openssl.outPath ] [ "CURL" "ARCHIVE" "OPENSSL" ] e.package.postFixup')
expect "the binary gets the directories of libcurl, libarchive and libcrypto in its RUNPATH (they are dlopen'd)" '"patchelf --add-rpath CURL/lib:ARCHIVE/lib:OPENSSL/lib $out/bin/lock2nix\n"' "$out"
out=$(ev 'builtins.attrNames (builtins.readDir e.package.src)')
expect "src holds what the build reads, nothing else" '["CMakeLists.txt","cmake","examples","include","lib","nixpkgs","overrides","tests","tools"]' "$out"
out=$(ev 'let t = builtins.readDir (e.package.src + "/tests"); in [ (t ? flake) (t ? unit) ]')
expect "src has the tests but not tests/flake" '[false,true]' "$out"
out=$(ev 'e.package.src == (e.pkgs.callPackage (/. + "'"$root"'/package.nix") { }).src')
expect "src is stable" 'true' "$out"
# callPackage refuses arguments the model lacks; the model has nixpkgs' attribute names.
out=$(ev 'builtins.attrNames (builtins.functionArgs (import '"$root"'/package.nix))')
expect "package.nix arguments" '["boost","catch2","cmake","curl","lib","libarchive","ninja","nlohmann_json","openssl","pkg-config","stdenv","tomlplusplus"]' "$out"
# The checkPhase's unit test cases: most of the suite, and they pass.
spec=$(ev 'e.package.catchSpec' | python3 -c 'import json, sys; print(json.load(sys.stdin))')
count=$(cd "$root/tests" && "$unit" --list-test-names-only "$spec" | grep -c .)
check "checkPhase runs most unit test cases ($count)" [ "$count" -ge 50 ]
check "checkPhase's unit test cases pass" sh -c 'cd "$1/tests" && "$2" --warn NoTests "$3"' sh "$root" "$unit" "$spec"
# The filtered source configures: every file CMake reads (sources, tests, cmake/) is in it, and
# the flags the package passes are accepted.
src=$(ev 'e.package.src' | tr -d '"')
flags=$(ev 'builtins.concatStringsSep " " e.package.cmakeFlags' | tr -d '"')
# shellcheck disable=SC2086
check "the filtered source configures with the package's flags" \
    cmake -S "$src" -B "$work/configure" -G Ninja -DCMAKE_INSTALL_PREFIX="$work/prefix" $flags

# --- the template's flake ----------------------------------------------------------------------
out=$(ev 'builtins.attrNames e.templateFlake')
expect "template outputs" '["apps","checks","devShells","packages"]' "$out"
for system in x86_64-linux aarch64-linux; do
    check "every template output for $system evaluates strictly" \
        ev "builtins.mapAttrs (_: o: e.deep o.$system) e.templateFlake"
done
out=$(ev 'let p = e.templateFlake.packages.x86_64-linux; in [ p.default.pname p.env.packages ]')
expect "packages: the project, and the env of its default groups" '["hello-nix",["click"]]' "$out"
out=$(ev 'e.templateFlake.apps.x86_64-linux.default.program == "${e.templateFlake.packages.x86_64-linux.default}/bin/hello"')
expect "apps.default runs the project's script" 'true' "$out"
out=$(ev 'let s = e.templateFlake.devShells.x86_64-linux.default; in [ (e.names s.nativeBuildInputs) (builtins.concatMap (p: p.editableRoots or [ ]) s.nativeBuildInputs) (builtins.match ".*export REPO_ROOT=.*" s.shellHook != null) ]')
expect "devShell: lock2nix, poetry, the env with the project editable from \$REPO_ROOT" \
    '[["python3.12-env","lock2nix","poetry"],["$REPO_ROOT/src"],true]' "$out"
out=$(ev 'e.templateFlake.checks.x86_64-linux.lock-fresh.name')
expect "checks.lock-fresh" '"lock-fresh"' "$out"

# --- the freshness check, built with the lock2nix CMake built -----------------------------------
check "template's checks.lock-fresh builds (fresh)" build 'e.templateCheck'
result=$(tail -1 "$work/build.log")
contains "... and records that lock2nix found the lock fresh" "poetry.lock: fresh: content-hash matches" "$result"
contains "... and python-env.nix fresh" "python-env.nix: fresh: generated from this" "$result"
check "lock2nix's own checks.template-lock-fresh builds" build 'e.flakeWithPrebuilt.checks.x86_64-linux.template-lock-fresh'
check "checks.demo-lock-fresh (lock only) builds" build 'e.flakeWithPrebuilt.checks.x86_64-linux.demo-lock-fresh'

stale=$work/stale-lock
cp -r "$tpl/." "$stale"
sed -i 's|^    "click (>=8.1,<9.0)",|&\n    "rich (>=13.0)",|' "$stale/pyproject.toml"
check "stale-lock copy differs" differ "$tpl/pyproject.toml" "$stale/pyproject.toml"
if build 'e.templateCheck' "$stale"; then
    check "a stale lock fails the check" false
else
    contains "a stale lock fails the check with lock2nix's message" \
        "poetry.lock: stale: pyproject.toml changed since poetry.lock was written" "$work/build.log"
    contains "... naming the fix" 'run `poetry lock`' "$work/build.log"
fi

stalenix=$work/stale-nix
cp -r "$tpl/." "$stalenix"
sed -i 's|^description = "Composable command line interface toolkit"|description = "Composable CLI toolkit"|' "$stalenix/poetry.lock"
check "stale-nix copy differs" differ "$tpl/poetry.lock" "$stalenix/poetry.lock"
if build 'e.templateCheck' "$stalenix"; then
    check "a stale python-env.nix fails the check" false
else
    contains "a stale python-env.nix fails the check with lock2nix's message" \
        "python-env.nix: stale:" "$work/build.log"
    contains "... naming the fix" 'run the `# regenerate:` command' "$work/build.log"
fi
check "nixFile = null checks the lock only" \
    build "e.freshnessCheck { src = /. + \"$stalenix\"; nixFile = null; }"
check "... and says so" [ "$(wc -l <"$(tail -1 "$work/build.log")")" = 1 ]

bad=$work/bad-input
cp -r "$tpl/." "$bad"
echo '[project' >>"$bad/pyproject.toml"
if build 'e.templateCheck' "$bad"; then
    check "a broken pyproject.toml fails the check" false
else
    contains "a broken pyproject.toml fails the check with lock2nix's error" "pyproject.toml:$(wc -l <"$bad/pyproject.toml"):9: error: invalid TOML" "$work/build.log"
fi

check "explicit files instead of src" build "e.freshnessCheck {
    lock = /. + \"$tpl/poetry.lock\"; pyproject = /. + \"$tpl/pyproject.toml\"; nixFile = /. + \"$tpl/python-env.nix\"; }"
check "a flake's self (a store path string) as src" build "e.freshnessCheck { src = \"\${/. + \"$tpl\"}\"; }"
out=$(ev "(e.flake.lib.mkFreshnessCheck { pkgs = pkgs // { stdenv = pkgs.stdenv // { hostPlatform.system = \"x86_64-darwin\"; }; }; src = /. + \"$tpl\"; }).drvPath")
contains "a system without a package: refused, naming the systems" 'no package for x86_64-darwin (only x86_64-linux, aarch64-linux); pass `lock2nix`' <(echo "$out")
out=$(ev '(e.freshnessCheck { }).drvPath')
contains "neither src nor files: refused with what to give" 'give `src` (the project directory)' <(echo "$out")

# --- the real flake machinery: nix flake check, nix flake init --------------------------------------
# Copies: the checkout's files (as git would give them), and the model as a nixpkgs flake.
mkdir -p "$work/model" "$work/repo"
cp "$here/model/nixpkgs.nix" "$here/model/builder.sh" "$root/tests/nix/stub-nixpkgs.nix" "$work/model/"
cat >"$work/model/flake.nix" <<'EOF'
{
  description = "A model of nixpkgs for lock2nix's flake tests";
  outputs = { self }: import ./nixpkgs.nix { stubNixpkgs = ./stub-nixpkgs.nix; };
}
EOF
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$root" && git ls-files -co --exclude-standard -- . ':!:build*' ':!:.cache' | tar -cf - -T -)
else
    tar -C "$root" --exclude='./build*' --exclude=./.cache -cf - .
fi | tar -xf - -C "$work/repo"
# `nix flake lock` resolves nixpkgs to the model (no network), as a user's first `nix flake lock`
# resolves it to github:NixOS/nixpkgs.
check "nix flake lock (nixpkgs: the model)" \
    nix "${flakes[@]}" "${nixopts[@]}" flake lock --override-input nixpkgs "path:$work/model" "path:$work/repo"
check "nix flake check --no-build accepts lock2nix's flake" \
    nix "${flakes[@]}" "${nixopts[@]}" flake check --no-build "path:$work/repo"
mkdir -p "$work/project"
check "nix flake init -t runs" sh -c "cd '$work/project' && nix ${flakes[*]@Q} ${nixopts[*]@Q} flake init -t 'path:$work/repo'"
check "nix flake init -t copies the template" diff -r "$tpl" "$work/project"
check "nix flake lock of the initialised project (lock2nix: the copy, nixpkgs: the model)" \
    nix "${flakes[@]}" "${nixopts[@]}" flake lock --override-input nixpkgs "path:$work/model" \
    --override-input lock2nix "path:$work/repo" "path:$work/project"
check "nix flake check --no-build accepts the initialised project" \
    nix "${flakes[@]}" "${nixopts[@]}" flake check --no-build "path:$work/project"

finish
