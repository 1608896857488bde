#!/usr/bin/env bash
# The unit and command-line tests again under AddressSanitizer + UndefinedBehaviorSanitizer, in a
# build directory of their own, then each libFuzzer harness for a short run (CTest label `fuzz`)
# and the Nix round trip of the writer's literals. tools/test.sh calls this after the main suite.
# With clang the sanitized build is also the fuzz build (-DLOCK2NIX_FUZZ=ON: one build serves
# both); without clang only the sanitized tests run.
#   LOCK2NIX_SANITIZE_BUILD_DIR  the build directory (default build-sanitize)
#   LOCK2NIX_FUZZ_SECONDS        seconds per harness (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${LOCK2NIX_SANITIZE_BUILD_DIR:-build-sanitize}
seconds=${LOCK2NIX_FUZZ_SECONDS:-20}
start=$(date +%s)
flags=(-DLOCK2NIX_SANITIZE=ON -DLOCK2NIX_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo)
fuzz=no
if command -v clang++ >/dev/null && [ "${LOCK2NIX_NO_FUZZ:-}" != 1 ]; then
    flags+=(-DCMAKE_CXX_COMPILER=clang++ -DLOCK2NIX_FUZZ=ON -DLOCK2NIX_FUZZ_SECONDS="$seconds")
    fuzz=yes
fi
cmake -S . -B "$build" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$build"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Unit tests and the command-line suites; not the corpus, e2e, flake, Nix-evaluation or package
# tests (they exercise Nix and the packaging, not lock2nix's memory, and would not fit CI's time),
# nor the hostile world around the process (kills, full disks, two writers: file-system
# behaviour, four minutes under ASan; its inputs run in cli.hostile-inputs here).
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -LE 'e2e|corpus|fuzz' \
    -E '^(nix|flake|package|e2e|corpus)\.|^cli\.hostile-world$' --test-output-size-passed 1048576
# The fuzz run below replaces CTest's log: keep this one for tools/test.sh's list of skipped cases.
cp "$build/Testing/Temporary/LastTest.log" "$build/sanitized-tests.log"
if [ "$fuzz" = yes ]; then
    ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -L fuzz
fi
echo "sanitized tests$([ "$fuzz" = yes ] && echo " and fuzz runs"): $(($(date +%s) - start)) s"
