#!/usr/bin/env bash
# A fuzzing campaign over every harness of a -DLOCK2NIX_FUZZ=ON build: CPU_SECONDS per harness,
# PARALLEL harnesses at a time (each one job, niced), corpora kept in CORPUS_DIR/<harness> (seeded
# from fuzz/corpus; one process each, no -jobs: that would log to files in the current
# directory) and crashes in CORPUS_DIR/crashes/<harness>. Prints, per harness, the CPU seconds
# it used (user + system: niced harnesses on a busy machine get less than their wall time, and the
# campaign's promise is in CPU time), executions, coverage (cov), features (ft) and the findings.
# Runs add up: corpora and CPU seconds are kept in CORPUS_DIR, so a campaign may span sessions,
# and a harness runs only until its recorded CPU seconds reach CPU_SECONDS (0 prints the summary).
#   tools/fuzz-campaign.sh BUILD_DIR CPU_SECONDS [PARALLEL] [CORPUS_DIR]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
build=$1
seconds=$2
parallel=${3:-1}
out=${4:-$build/fuzz-campaign}
# LOCK2NIX_FUZZ_HARNESSES="lock index" runs only those (a campaign spread over several runs).
read -r -a harnesses <<<"${LOCK2NIX_FUZZ_HARNESSES:-lock pylock pyproject overrides pep440 pep508 names index sdist nix_string code_paths}"
mkdir -p "$out/crashes" "$out/logs"
# `nice` orders processes within one autogroup only: a campaign started with setsid is a group
# of its own and took an equal share of the CPU from builds at nice 0 (the CI run beside it got a
# quarter of the machine). Leading its own session, the campaign lowers its group's weight too.
if [ "$(ps -o sid= -p $$ | tr -d ' ')" = "$$" ] && [ -w /proc/self/autogroup ]; then
    echo 19 >/proc/self/autogroup 2>/dev/null || true
fi
# Timeouts are wall-clock time: a niced harness on a busy machine can be starved for seconds, which
# libFuzzer reports as a timeout and stops. So the limit is generous, and a timeout whose input
# runs alone within a second is moved to starved/ and fuzzing goes on for the rest of the budget.
timeout=${LOCK2NIX_FUZZ_TIMEOUT:-120}
cpu_of() { awk '{s += $1} END {printf "%d\n", s + 0}' "$out/logs/$1.cpu" 2>/dev/null || echo 0; }
# slow-unit-* files are reports, not findings (-report_slow_units).
findings_of() { find "$out/crashes/$1" -type f ! -name 'slow-unit-*' 2>/dev/null; }
run() {
    local h=$1 dict=()
    [ -f "fuzz/dict/$h.dict" ] && dict=(-dict="fuzz/dict/$h.dict")
    mkdir -p "$out/$h" "$out/crashes/$h" "$out/starved/$h"
    local TIMEFORMAT='%U %S'
    local cpu used left
    while :; do
        # The budget is CPU time, libFuzzer's limit wall time: ask for what is left in CPU
        # seconds (a starved run gets less and the loop asks again).
        left=$((seconds - $(cpu_of "$h")))
        [ "$left" -gt 0 ] || break
        cpu=$( { time nice -n 19 "$build/fuzz/fuzz_$h" "$out/$h" "fuzz/corpus/$h" "${dict[@]}" \
            -max_total_time="$left" -rss_limit_mb=2048 -timeout="$timeout" -print_final_stats=1 \
            -artifact_prefix="$out/crashes/$h/" >>"$out/logs/$h.log" 2>&1; } 2>&1)
        # shellcheck disable=SC2086
        used=$(echo $cpu | awk '{printf "%.0f\n", $1 + $2}')
        echo "$used" >>"$out/logs/$h.cpu"
        local starved=no unit
        for unit in "$out/crashes/$h"/timeout-*; do
            [ -f "$unit" ] || continue
            if timeout 10 "$build/fuzz/fuzz_$h" "$unit" >/dev/null 2>&1; then
                mv "$unit" "$out/starved/$h/" && starved=yes
            fi
        done
        # A real finding stops the harness, as libFuzzer did, and so does a run that could not
        # start (no CPU time used); otherwise top up the CPU time.
        [ "$starved" = yes ] || [ -z "$(findings_of "$h")" ] || break
        [ "$used" -ge 1 ] || break
    done
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
printf '%-11s %8s %12s %7s %7s %9s\n' harness cpu-s executions cov ft findings
for h in "${harnesses[@]}"; do
    log=$out/logs/$h.log
    [ -f "$log" ] || continue
    cpu=$(cpu_of "$h")
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    findings=$(findings_of "$h" | wc -l)
    printf '%-11s %8s %12s %7s %7s %9s\n' "$h" "${cpu:-?}" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$findings"
done
