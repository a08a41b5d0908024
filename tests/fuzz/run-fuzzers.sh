#!/bin/sh
# Runs each fuzz target of a build configured with -Dfuzzing=true for
# SECONDS, on a copy of its seed corpus and regressions (the repository is
# not modified), and fails if any of them finds a crash, a leak, a timeout
# or a sanitizer report. Prints each target's executions and executions
# per second.
#
#   tests/fuzz/run-fuzzers.sh BUILD_DIR SECONDS
#
# The inputs a fuzzer failed on are kept in the printed directory: copy
# them to tests/fuzz/regressions/TARGET/ once fixed.

set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
targets="study metric-line params"

case $seconds in
    ''|*[!0-9]*) echo "$0: SECONDS must be a whole number, not '$seconds'" >&2; exit 2 ;;
esac
for t in $targets; do
    if [ ! -x "$build/tests/fuzz/fuzz-$t" ]; then
        echo "$0: no $build/tests/fuzz/fuzz-$t; configure with" >&2
        echo "  CC=clang meson setup BUILD_DIR -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false" >&2
        echo "and build with: ninja -C BUILD_DIR fuzzers" >&2
        exit 2
    fi
done

# GSlice's magazines hide allocations from AddressSanitizer and make
# LeakSanitizer run after every input; plain malloc does neither.
G_SLICE=always-malloc
export G_SLICE

work=$(mktemp -d "${TMPDIR:-/tmp}/vernier-fuzz-XXXXXX") || exit 2
failed=""
printf '%-12s %8s %12s %8s  %s\n' target seconds executions exec/s result
for t in $targets; do
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
    cp "$here/corpus/$t/"* "$work/$t/corpus/"
    if [ -d "$here/regressions/$t" ]; then
        cp "$here/regressions/$t/"* "$work/$t/corpus/" 2>/dev/null
    fi
    log="$work/$t/fuzz.log"
    start=$(date +%s)
    "$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" \
        "$work/$t/corpus" > "$log" 2>&1
    status=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate="?"
    if [ -n "$runs" ] && [ "$elapsed" -gt 0 ]; then
        rate=$(( runs / elapsed ))
    fi
    if [ $status -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $status)"
        failed="$failed $t"
    fi
    printf '%-12s %8s %12s %8s  %s\n' "$t" "$elapsed" "${runs:-?}" "$rate" "$result"
done

if [ -n "$failed" ]; then
    for t in $failed; do
        echo
        echo "== fuzz-$t: $work/$t/fuzz.log (inputs in $work/$t/artifacts/)"
        grep -E -A40 'CRITICAL|WARNING|^==[0-9]+==ERROR|^ALARM|runtime error' "$work/$t/fuzz.log" | head -n 80
    done
    exit 1
fi
rm -rf "$work"
exit 0
