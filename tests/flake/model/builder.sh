# The model stdenv's builder (bash, sandbox off, host tools on PATH). Like nixpkgs'
# pkgs/stdenv/generic/setup.sh it runs `buildCommand` when there is one (runCommand passes it
# as a file), otherwise the phases a CMake package goes through: unpack, configure (the cmake
# setup hook's flags, in build/), build, check (when doCheck), install, fixup.
set -eu
set -o pipefail

runHook() {
    local hook=$1
    if [ -n "${!hook:-}" ]; then
        eval "${!hook}"
    fi
}

if [ -n "${buildCommandPath:-}" ]; then
    source "$buildCommandPath"
    exit 0
fi
if [ -n "${buildCommand:-}" ]; then
    eval "$buildCommand"
    exit 0
fi

export NIX_BUILD_CORES=${NIX_BUILD_CORES:-1}
# As nixpkgs' unpackPhase: modes kept (scripts stay executable), then made writable.
cp -r --preserve=mode "$src" source
chmod -R u+w source
cd source
runHook postUnpack
runHook postPatch

mkdir build
cd build
# shellcheck disable=SC2086 # cmakeFlags is a space-separated list, as in nixpkgs
cmake .. -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$out" \
    -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_INSTALL_INCLUDEDIR=include -DCMAKE_INSTALL_BINDIR=bin \
    ${cmakeFlags:-}
ninja -j"$NIX_BUILD_CORES"

if [ -n "${doCheck:-}" ]; then
    if [ -n "${checkPhase:-}" ]; then
        eval "$checkPhase"
    else
        ctest --output-on-failure
    fi
fi

ninja install
runHook postInstall
if [ -n "${postFixup:-}" ]; then
    eval "$postFixup"
fi
