#!/usr/bin/env bash
# Installs lock2nix into a scratch prefix, builds tests/package/consumer.cpp against it with
# find_package(lock2nix), runs it on the example lock, and checks the pkg-config file.
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
out=$("$work/consumer/consumer" "$here/../../examples/demo/poetry.lock")
[ "$out" = "2.1 11" ] || { echo "FAIL consumer printed: $out"; exit 1; }
PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name lock2nix.pc)") pkg-config --cflags --libs lock2nix | grep -q -- '-llock2nix'
[ -x "$work/prefix/bin/lock2nix" ] || { echo "FAIL the CLI is not installed"; exit 1; }
[ -f "$work/prefix/share/lock2nix/overrides/seed.toml" ] || { echo "FAIL the override database is not installed"; exit 1; }
echo "4 passed, 0 failed"
