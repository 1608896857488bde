#!/usr/bin/env bash
# Runs the whole test suite (installing and building first when needed).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --no-example
# Whole outputs of passing tests are kept (CTest cuts them at 1 KiB), for the list below.
ctest --test-dir "${LOCK2NIX_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" \
    --test-output-size-passed 1048576
# Cases a test script could not run here (no strace, no mount namespace, no memory limit under a
# sanitizer, ...) pass as skipped inside a passing test: list them, so a machine that drops some
# is seen to.
list_skipped() {
    local skipped
    skipped=$(grep -h '^SKIPPED' "$1" || true)
    if [ -n "$skipped" ]; then
        echo "cases skipped on this machine ($2):"
        echo "$skipped" | sed 's/^/  /'
    fi
}
list_skipped "${LOCK2NIX_BUILD_DIR:-build}/Testing/Temporary/LastTest.log" "main suite"
# The same unit and CLI tests under ASan+UBSan, and the short fuzz runs (LOCK2NIX_NO_SANITIZE=1
# skips them, e.g. for a quick local run).
if [ "${LOCK2NIX_NO_SANITIZE:-}" != 1 ]; then
    tools/test-sanitized.sh
    list_skipped "${LOCK2NIX_SANITIZE_BUILD_DIR:-build-sanitize}/sanitized-tests.log" "sanitized"
fi
