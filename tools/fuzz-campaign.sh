#!/usr/bin/env bash
# A fuzzing campaign over every harness of a -DLOCK2NIX_FUZZ=ON build: SECONDS per harness,
# PARALLEL harnesses at a time (each one job, niced), corpora kept in CORPUS_DIR/<harness> (seeded
# from fuzz/corpus; one process each, no -jobs: that would log to files in the current
# directory) and crashes in CORPUS_DIR/crashes/<harness>. Prints, per harness, executions,
# coverage (cov), features (ft) and the findings.
#   tools/fuzz-campaign.sh BUILD_DIR SECONDS [PARALLEL] [CORPUS_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
build=$1
seconds=$2
parallel=${3:-1}
out=${4:-$build/fuzz-campaign}
harnesses=(lock pyproject overrides pep440 pep508 names index sdist nix_string)
mkdir -p "$out/crashes" "$out/logs"
run() {
    local h=$1 dict=()
    [ -f "fuzz/dict/$h.dict" ] && dict=(-dict="fuzz/dict/$h.dict")
    mkdir -p "$out/$h" "$out/crashes/$h"
    nice -n 19 "$build/fuzz/fuzz_$h" "$out/$h" "fuzz/corpus/$h" "${dict[@]}" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$out/crashes/$h/" >"$out/logs/$h.log" 2>&1
}
running=0
for h in "${harnesses[@]}"; do
    run "$h" &
    running=$((running + 1))
    if [ "$running" -ge "$parallel" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
printf '%-11s %12s %7s %7s %9s\n' harness executions cov ft findings
for h in "${harnesses[@]}"; do
    log=$out/logs/$h.log
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    findings=$(find "$out/crashes/$h" -type f | wc -l)
    printf '%-11s %12s %7s %7s %9s\n' "$h" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$findings"
done
