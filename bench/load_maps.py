"""Lookup tables: build time and lookups/s of a 100,000-entry hash: table,
Postern's postmap against Debian's Postfix postmap (was bench/maps).
Lookups go through `postmap -q -` with every key on stdin, half of them
misses; both figures include process start, as an administrator sees them.
"""
import os
import subprocess
import time

POSTFIX_POSTMAP = "/usr/sbin/postmap"


def _timed(argv, stdin_path=None):
    start = time.perf_counter()
    with open(stdin_path or os.devnull, "rb") as stdin:
        r = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if r.returncode not in (0, 1):
        raise RuntimeError(f"{argv[0]} failed: {r.stderr.decode()[-2000:]}")
    return elapsed


class MapsFixture:
    """The source table and the key list, written once per benchmark run."""

    def __init__(self, folder, entries):
        self.folder, self.entries = folder, entries
        self.conf = os.path.join(folder, "cf")
        os.makedirs(self.conf, exist_ok=True)
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write("compatibility_level = 3.6\n")
        self.source = "".join(f"user{i}@example{i % 997}.com  local{i}@example.net\n" for i in range(entries))
        self.keys = os.path.join(folder, "keys")
        with open(self.keys, "w") as f:
            for i in range(entries):  # every other key misses
                f.write(f"user{i}@example{i % 997}.com\n" if i % 2 == 0 else f"nobody{i}@example.org\n")

    def run_once(self, postmap, tag):
        src = os.path.join(self.folder, tag)
        with open(src, "w") as f:
            f.write(self.source)
        build_s = _timed([postmap, "-c", self.conf, "hash:" + src])
        query_s = _timed([postmap, "-c", self.conf, "-q", "-", "hash:" + src], self.keys)
        return {"build_s": build_s, "lookups_per_s": self.entries / query_s}
