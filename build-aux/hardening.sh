#!/bin/bash
# Hardening checks, run by CI after the test suite:
#  1. the whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer
#     (any report fails it: leaks included);
#  2. valgrind memcheck of the engine's tests (a definitely lost block fails);
#  3. each libFuzzer target for VERNIER_FUZZ_SECONDS (default 60) seconds,
#     built with clang (any crash, leak or sanitizer report fails).
# Usage: build-aux/hardening.sh [asan|valgrind|fuzz]...  (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(asan valgrind fuzz)
fuzz_seconds=${VERNIER_FUZZ_SECONDS:-60}

# Each step runs even when one before it failed; the script fails if any
# did. (set -e does not hold inside a step whose status is tested: each
# step chains its commands with &&.)
run_step() {
  case $1 in
    asan)
      echo "== the whole suite under AddressSanitizer and UBSan (build-asan)"
      { test -d build-asan || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false; } &&
      # Any report is a failure. intercept_tls_get_addr=0: the sanitizer
      # runtime of GCC 12 may take a dynamic TLS block for a pre-2.25
      # glibc header by the coincidence of its address, and LeakSanitizer's
      # exit-time scan then crashes ("Tracer caught signal 11") without any
      # leak: seen about once in five runs of the workers test.
      ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:intercept_tls_get_addr=0 \
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C build-asan --print-errorlogs
      ;;
    valgrind)
      echo "== valgrind memcheck of the engine's tests (build)"
      { test -d build || meson setup build; } &&
      # The 10^6-choice limit test alone takes minutes under memcheck; it
      # runs in the plain and the sanitized suites.
      meson test -C build --setup valgrind --print-errorlogs \
        --test-args '-s /vernier/config/limits/many-choices' \
        sdk config loader study tuners command
      ;;
    fuzz)
      echo "== libFuzzer targets, ${fuzz_seconds}s each (build-fuzzers, clang)"
      { test -d build-fuzzers || CC=clang meson setup build-fuzzers -Dfuzzing=true \
          -Db_sanitize=address,undefined -Db_lundef=false -Dintrospection=disabled; } &&
      # The fuzz targets and the plugins they load, not the whole tree.
      ninja -C build-fuzzers fuzzers &&
      tests/fuzz/run-fuzzers.sh build-fuzzers "$fuzz_seconds"
      ;;
  esac
}

failed=()
for step in "${steps[@]}"; do
  case $step in
    asan|valgrind|fuzz) ;;
    *) echo "hardening.sh: unknown step '$step' (asan, valgrind or fuzz)" >&2; exit 2 ;;
  esac
done
for step in "${steps[@]}"; do
  run_step "$step" || failed+=("$step")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "hardening: failed: ${failed[*]}"
  exit 1
fi
