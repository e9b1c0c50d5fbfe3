#!/usr/bin/env bash
# The benchmark command: Postern side by side with Postfix and Dovecot.
#
#   bench/run.sh [--quick] [--only smtp,pop3,maps,imap] [--no-docs] [--keep]
#
# Installs what is missing (scripts/setup.sh: Postfix, Dovecot and gnuplot
# from Debian, their system services kept from starting), builds Postern in
# Release and the IMAP load client, then runs bench/bench.py as root.
# --quick takes about 4 minutes; the full run about 20 (see docs/benchmarks.md).
#   POSTERN_BENCH_BUILD   Release build folder (default: build/bench)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: run as root (it creates a test user and starts mail servers in sandboxes)" >&2
  exit 1
fi
bash "$root/scripts/setup.sh"
# The peers run only inside the benchmark's sandboxes, never as system services.
if command -v systemctl >/dev/null; then
  systemctl disable --quiet postfix dovecot 2>/dev/null || true
fi

build="${POSTERN_BENCH_BUILD:-$root/build/bench}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOSTERN_BUILD_TESTS=OFF \
  $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache) \
  >/dev/null
# The programs the sandboxes run. imapd is new: when it does not build, the
# table says so (Postern's IMAP figures become n/a) instead of failing.
ninja -C "$build" -j"$(nproc)" master postfix postconf postsuper postmap postalias smtpd pickup qmgr local showq auth pop3d
unset POSTERN_BENCH_IMAPD_ERROR
if [ -f "$root/imapd/CMakeLists.txt" ]; then
  if ! ninja -C "$build" -j"$(nproc)" imapd; then
    rm -f "$build/bin/imapd"
    export POSTERN_BENCH_IMAPD_ERROR="imapd does not build in this tree"
  fi
else
  rm -f "$build/bin/imapd"
fi
client="$build/bin/bench-imap-load"
if [ ! -x "$client" ] || [ "$root/bench/imap/imap_load.cpp" -nt "$client" ]; then
  g++ -std=c++20 -O2 -Wall -Wextra -pthread "$root/bench/imap/imap_load.cpp" -o "$client"
fi

# 1,000 idle IMAP connections need descriptors on both ends.
ulimit -n "$(ulimit -Hn)"
exec python3 "$root/bench/bench.py" --build "$build" "$@"
