#!/usr/bin/env bash
# Runs the whole test suite (installing and building first when needed).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --no-example
ctest --test-dir "${LOCK2NIX_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
# The same unit and CLI tests under ASan+UBSan, and the short fuzz runs (LOCK2NIX_NO_SANITIZE=1
# skips them, e.g. for a quick local run).
if [ "${LOCK2NIX_NO_SANITIZE:-}" != 1 ]; then
    tools/test-sanitized.sh
fi
