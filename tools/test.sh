#!/usr/bin/env bash
# Runs the whole test suite (installing and building first when needed).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --no-example
ctest --test-dir "${LOCK2NIX_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
