#!/usr/bin/env bash
# The README's test command: installs what is needed, builds with AddressSanitizer
# and UndefinedBehaviorSanitizer, and runs every test (unit, golden, fuzz, e2e)
# with ctest. Extra arguments go to ctest (e.g. -L unit, -R config).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
build="${POSTERN_TEST_BUILD:-$root/build/test}"
# -O1 -g1: what the sanitizers recommend, with line tables for their stack
# traces; it compiles twice as fast as -O2 -g on CI's two cores. No NDEBUG:
# assertions stay on in the test build.
bash "$root/scripts/build.sh" "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOSTERN_SANITIZE=ON \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
cd "$build"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --output-on-failure -j"$(nproc)" "$@"
