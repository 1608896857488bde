#!/usr/bin/env bash
# Installs what lock2nix needs on Debian 12 (as root), builds it, and runs it on the example.
#   tools/setup.sh            install, build, run the example
#   tools/setup.sh --no-example   install and build only (used by tools/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config git python3 ca-certificates openssl
          libtomlplusplus-dev nlohmann-json3-dev libcurl4-openssl-dev libssl-dev
          libboost-graph-dev libarchive-dev catch2 libbenchmark-dev nix-bin
          python3-poetry python3-poetry-core python3-build python3-installer
          python3-hatchling python3-setuptools python3-wheel python3-packaging python3-dev
          clang   # the sanitized build and the libFuzzer harnesses (tools/test-sanitized.sh)
          strace  # tests/cli/hostile-world.sh kills `-o` at chosen system calls with it
          libmagic1 # the e2e model's pkgs.file: python-magic's run-time library
          # the e2e's Rust sdist: Debian's toolchain, setuptools-rust and a crate's sources
          cargo rustc python3-setuptools-rust librust-itoa-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's nix-bin runs without a daemon, but its default configuration expects the build users of
# a multi-user install (group `nixbld`), which only nix-setup-systemd creates: every build then
# fails. Builds run as the calling user instead; nothing is changed where that group exists or a
# configuration already says otherwise. (The tests pass their own settings and do not need this.)
nix_conf=/etc/nix/nix.conf
if ! getent group nixbld >/dev/null && ! grep -qs '^ *build-users-group' "$nix_conf"; then
    mkdir -p /etc/nix
    {
        echo "# Added by lock2nix's tools/setup.sh: no nixbld group and no Nix daemon on this machine."
        echo "build-users-group ="
        grep -qs '^ *experimental-features' "$nix_conf" || echo "experimental-features = nix-command flakes"
    } >>"$nix_conf"
    echo "nix: no 'nixbld' group here, so $nix_conf now says 'build-users-group =' (builds run as $(id -un))"
fi

build=${LOCK2NIX_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${LOCK2NIX_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build"

if [ "${1:-}" != "--no-example" ]; then
    echo "--- lock2nix check on examples/demo"
    "$build/lock2nix" check --lock examples/demo/poetry.lock
    echo "--- lock2nix plan examples/demo/poetry.lock (x86_64-linux, Python 3.11)"
    "$build/lock2nix" plan examples/demo/poetry.lock --system x86_64-linux --python 3.11
    echo "--- lock2nix examples/demo/poetry.lock -o $build/python-env.nix"
    "$build/lock2nix" examples/demo/poetry.lock --system x86_64-linux --system aarch64-darwin \
        --python 3.11 --offline -o "$build/python-env.nix"
    nix-instantiate --parse "$build/python-env.nix" >/dev/null && echo "$build/python-env.nix parses"
    head -5 "$build/python-env.nix"
fi
