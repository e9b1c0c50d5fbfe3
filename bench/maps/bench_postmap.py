#!/usr/bin/env python3
"""Side-by-side benchmark: build and query a 100,000-entry hash: table with
Postern's postmap and Debian's Postfix postmap. Not a test; run by hand:

    python3 bench/maps/bench_postmap.py [build_dir] [entries]

Prints build time, lookups per second (postmap -q - with every key, half of
them misses) and the ratio Postern/Postfix (>1 means Postern is faster).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time


def timed(argv, stdin_path=None):
    start = time.perf_counter()
    with open(stdin_path or os.devnull, "rb") as stdin:
        r = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if r.returncode not in (0, 1):
        sys.exit("%s failed: %s" % (argv[0], r.stderr.decode()))
    return elapsed


def best_of(n, fn):
    return min(fn() for _ in range(n))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/maps"
    entries = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    ours = os.path.join(build, "bin", "postmap")
    theirs = "/usr/sbin/postmap"
    if not os.path.exists(theirs):
        sys.exit("Debian's postfix package is not installed: /usr/sbin/postmap is missing")
    tmp = tempfile.mkdtemp(prefix="bench_maps.")
    try:
        cf = os.path.join(tmp, "cf")
        os.mkdir(cf)
        with open(os.path.join(cf, "main.cf"), "w") as f:
            f.write("compatibility_level = 3.6\n")
        source = "".join("user%d@example%d.com  local%d@example.net\n" % (i, i % 997, i) for i in range(entries))
        keys = os.path.join(tmp, "keys")
        with open(keys, "w") as f:
            for i in range(entries):  # every other key misses
                f.write("user%d@example%d.com\n" % (i, i % 997) if i % 2 == 0 else "nobody%d@example.org\n" % i)
        rows = []
        for name, prog in (("Postern", ours), ("Postfix", theirs)):
            src = os.path.join(tmp, name.lower())
            with open(src, "w") as f:
                f.write(source)
            build_s = best_of(3, lambda: timed([prog, "-c", cf, "hash:" + src]))
            query_s = best_of(3, lambda: timed([prog, "-c", cf, "-q", "-", "hash:" + src], keys))
            rows.append((name, build_s, entries / query_s))
        print("%d-entry hash: table (best of 3 runs)" % entries)
        print("%-8s %12s %18s" % ("", "build (s)", "lookups/s (-q -)"))
        for name, b, q in rows:
            print("%-8s %12.3f %18.0f" % (name, b, q))
        (_, ob, oq), (_, pb, pq) = rows
        print("%-8s %11.2fx %17.2fx" % ("ratio", pb / ob, oq / pq))
        print("(ratio > 1: Postern faster; builds include process start, lookups include reading stdin)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
