#!/usr/bin/env bash
# Installs lock2nix into a scratch prefix, builds tests/package/consumer.cpp against it twice
# (find_package(lock2nix), and pkg-config alone), runs it on the example project (text in, Nix
# out, no network) and checks what it wrote with the real Nix.
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
demo=$here/../../examples/demo
"$work/consumer/consumer" "$demo/poetry.lock" "$demo/pyproject.toml" >"$work/env.nix" 2>"$work/err" ||
    { echo "FAIL the consumer failed:"; cat "$work/err"; exit 1; }
grep -q '^lock2nix [0-9]' "$work/err" || { echo "FAIL no version"; exit 1; }
NIX_CONFIG="build-users-group =" nix-instantiate --parse "$work/env.nix" >/dev/null ||
    { echo "FAIL the consumer's Nix does not parse"; exit 1; }
grep -q 'name = "rich-15.0.0-py3-none-any.whl";' "$work/env.nix" ||
    { echo "FAIL the consumer's Nix does not fetch rich's wheel"; exit 1; }
grep -q 'x86_64-linux python3.11' "$work/env.nix" || { echo "FAIL wrong target"; exit 1; }
# The pure core alone (no index client, no git, no libarchive) writes the same file.
cmake -S "$here" -B "$work/consumer-core" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DCONSUMER_LIBRARY=lock2nix::core >/dev/null
cmake --build "$work/consumer-core" >/dev/null ||
    { echo "FAIL the consumer does not link against lock2nix::core alone"; exit 1; }
"$work/consumer-core/consumer" "$demo/poetry.lock" "$demo/pyproject.toml" 2>/dev/null | cmp -s - "$work/env.nix" ||
    { echo "FAIL the core-only consumer writes something else"; exit 1; }
# pkg-config alone is enough to build the same consumer (static library: --static for its deps).
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name lock2nix.pc)")
# shellcheck disable=SC2046
c++ -std=c++20 -o "$work/consumer-pc" "$here/consumer.cpp" $(pkg-config --static --cflags --libs lock2nix) ||
    { echo "FAIL pkg-config does not give what the consumer needs"; exit 1; }
"$work/consumer-pc" "$demo/poetry.lock" "$demo/pyproject.toml" | cmp -s - "$work/env.nix" ||
    { echo "FAIL the pkg-config build writes something else"; exit 1; }
[ -x "$work/prefix/bin/lock2nix" ] || { echo "FAIL the CLI is not installed"; exit 1; }
[ -f "$work/prefix/share/lock2nix/overrides/seed.toml" ] || { echo "FAIL the override database is not installed"; exit 1; }
echo "10 passed, 0 failed"
