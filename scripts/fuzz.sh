#!/usr/bin/env bash
# Runs every fuzz target of a -Dfuzz=true build for SECONDS each, FUZZ_JOBS
# (default 2) at a time, from the seed corpora in tests/fuzz/corpus/ (kept as they are; what a
# run finds goes to BUILD/fuzz-corpus/). A crash, leak, timeout (over 1 s) or
# memory use over the limit is saved under BUILD/fuzz-crashes/ and fails the run.
# usage: scripts/fuzz.sh BUILD SECONDS
set -u
build=${1:?usage: fuzz.sh BUILD SECONDS}
seconds=${2:?usage: fuzz.sh BUILD SECONDS}
src=$(cd "$(dirname "$0")/.." && pwd)
targets=$(find "$build/tests/fuzz" -maxdepth 1 -type f -perm -u+x -name "fuzz_*" | sed "s|.*/fuzz_||" | sort)
mkdir -p "$build/fuzz-logs"

run_one() {
    local name=$1 work="$build/fuzz-corpus/$1" crashes="$build/fuzz-crashes/$1/"
    mkdir -p "$work" "$crashes"
    TMPDIR="$build/fuzz-corpus" "$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" \
        -timeout=1 -rss_limit_mb=512 -malloc_limit_mb=512 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$crashes" \
        "$work" "$src/tests/fuzz/corpus/$name" >"$build/fuzz-logs/$name.log" 2>&1
}

# JOBS targets at a time (default 2, one per core of the usual machine)
jobs=${FUZZ_JOBS:-2}
failed=0
set -- $targets
while [ $# -gt 0 ]; do
    pids=""
    for _ in $(seq "$jobs"); do
        [ $# -gt 0 ] || break
        run_one "$1" &
        pids="$pids $!"
        shift
    done
    for pid in $pids; do
        wait "$pid" || failed=$((failed + 1))
    done
done
for name in $targets; do
    log="$build/fuzz-logs/$name.log"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    if grep -qE '^==[0-9]+==ERROR|SUMMARY: |runtime error|Test unit written' "$log"; then
        echo "fuzz $name: FAILED after ${execs:-?} runs ($cov); see $log"
    else
        echo "fuzz $name: ${execs:-?} runs in ${seconds} s, $cov, nothing found"
    fi
done
echo "fuzz: $failed of $(echo $targets | wc -w) targets failed"
[ $failed -eq 0 ]
