#!/usr/bin/env bash
# The benchmark command: Postern side by side with Postfix and Dovecot.
#
#   bench/run.sh [--quick] [--only smtp,pop3,maps,imap] [--no-docs] [--keep]
#
# Installs what is missing (scripts/setup.sh: Postfix, Dovecot and gnuplot
# from Debian, their system services kept from starting), builds Postern in
# Release (the committed tree, HEAD) and the IMAP load client, then runs
# bench/bench.py as root.
# On a quiet 2-core machine --quick takes about 3 minutes, the full run about 21.
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

# What is measured is the committed tree (HEAD), exported into the build
# folder: the commit in the results is exactly the code that ran, and
# uncommitted work in the checkout neither breaks nor skews the run. Files
# are copied only when they changed, so rebuilds stay incremental.
build="${POSTERN_BENCH_BUILD:-$root/build/bench}"
src="$build/src"
mkdir -p "$build"
export_dir="$(mktemp -d "$build/export.XXXXXX")"
trap 'rm -rf "$export_dir"' EXIT
git -C "$root" archive HEAD | tar -x -C "$export_dir"
POSTERN_BENCH_COMMIT="$(git -C "$root" rev-parse --short HEAD)"
export POSTERN_BENCH_COMMIT
python3 - "$export_dir" "$src" <<'SYNC'
import filecmp, os, shutil, sys
new, cur = sys.argv[1], sys.argv[2]
def same(a, b):
    if os.path.islink(a) or os.path.islink(b):
        return os.path.islink(a) and os.path.islink(b) and os.readlink(a) == os.readlink(b)
    return os.path.exists(b) and filecmp.cmp(a, b, shallow=False)
wanted = set()
for folder, _, files in os.walk(new):
    for name in files:
        rel = os.path.relpath(os.path.join(folder, name), new)
        wanted.add(rel)
        source, target = os.path.join(new, rel), os.path.join(cur, rel)
        if not same(source, target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                os.unlink(target)
            shutil.copy2(source, target, follow_symlinks=False)
for folder, _, files in os.walk(cur):
    for name in files:
        path = os.path.join(folder, name)
        if os.path.relpath(path, cur) not in wanted:
            os.unlink(path)
SYNC
obj="$build/obj"
cmake -S "$src" -B "$obj" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOSTERN_BUILD_TESTS=OFF \
  $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache) \
  >/dev/null
# The programs the sandboxes run. imapd is new: when it does not build, the
# table says so (Postern's IMAP figures become n/a) instead of failing.
ninja -C "$obj" -j"$(nproc)" master postfix postconf postsuper postmap postalias smtpd pickup qmgr local showq auth pop3d
unset POSTERN_BENCH_IMAPD_ERROR
if [ -f "$src/imapd/CMakeLists.txt" ]; then
  if ! ninja -C "$obj" -j"$(nproc)" imapd; then
    rm -f "$obj/bin/imapd"
    export POSTERN_BENCH_IMAPD_ERROR="imapd does not build at this commit"
  fi
else
  rm -f "$obj/bin/imapd"
fi
client="$obj/bin/bench-imap-load"
if [ ! -x "$client" ] || [ "$src/bench/imap/imap_load.cpp" -nt "$client" ]; then
  g++ -std=c++20 -O2 -Wall -Wextra -pthread "$src/bench/imap/imap_load.cpp" -o "$client"
fi

# 1,000 idle IMAP connections need descriptors on both ends.
ulimit -n "$(ulimit -Hn)"
python3 "$root/bench/bench.py" --build "$obj" "$@"
