#!/usr/bin/env python3
"""Postern side by side with Postfix and Dovecot. Run through bench/run.sh
(it installs the peers, builds Postern in Release and the IMAP load client):

    bench/run.sh [--quick] [--only smtp,pop3,imap,maps] [--no-docs]

Each figure is the median of several runs (min and max shown); Postern and
its peer are measured in alternation, on the same loopback, the same
mailboxes and the same durability settings (both at their defaults: fsync
on). Results go to stdout, bench/results/results.csv and, unless --no-docs,
docs/benchmarks.md and docs/benchmarks.png.
"""
import argparse
import datetime
import os
import platform
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import load_imap  # noqa: E402
import load_maps  # noqa: E402
import load_pop3  # noqa: E402
import load_smtp  # noqa: E402
import report  # noqa: E402
from mailboxes import fill_maildir  # noqa: E402
from report import Row  # noqa: E402
from sandbox import BenchUser, DovecotSuite, PosternSuite, PostfixSuite  # noqa: E402

ROOT = os.path.dirname(HERE)
PASSWORD = "bench-pw"

# name: (runs, smtp messages {size: count}, imap clients, imap seconds,
#        idle connections)
MODES = {
    "quick": dict(runs=3, smtp={2048: 200, 102400: 60}, sessions=(1, 10, 50), imap_clients=(1, 10),
                  imap_seconds=1.0, idle_connections=100),
    "full": dict(runs=5, smtp={2048: 1000, 102400: 200}, sessions=(1, 10, 50), imap_clients=(1, 10, 100),
                 imap_seconds=3.0, idle_connections=1000),
}
IMAP_OPS = (
    ("login", "box1k", "LOGIN+SELECT+LOGOUT"),
    ("fetch", "box1k", "FETCH 1:* (1,000 msgs)"),
    ("fetch", "box10k", "FETCH 1:* (10,000 msgs)"),
    ("body", "box1k", "FETCH BODY.PEEK[] random"),
    ("store", "box1k", "STORE +/-FLAGS random"),
    ("search", "box1k", "SEARCH TEXT (1,000 msgs)"),
    ("idle", "idlebox", "IDLE, delivery -> EXISTS"),
)


def say(text):
    print(text, flush=True)


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.node()} {model}".replace(",", " ")


def commit():
    if os.environ.get("POSTERN_BENCH_COMMIT"):  # the commit run.sh exported and built
        return os.environ["POSTERN_BENCH_COMMIT"]
    r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return r.stdout.strip() or "unknown"


def load_avg():
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


class Bench:
    def __init__(self, args):
        self.args = args
        self.mode = MODES["quick" if args.quick else "full"]
        self.bin = os.path.join(args.build, "bin")
        self.client = os.path.join(self.bin, "bench-imap-load")
        self.rows = []
        self.suites = []
        self.user = None

    def row(self, *a):
        r = Row(*a)
        self.rows.append(r)
        return r

    def measure(self, row, side, fn):
        """Runs fn once; a failure marks the side n/a with the reason."""
        if side in row.missing:
            return
        try:
            row.add(side, fn())
        except RuntimeError as e:
            say(f"  {row.group}: {row.metric} [{side}]: {str(e).splitlines()[0]}")
            row.fail(side, str(e).splitlines()[0][:200])

    # -- sandboxes --------------------------------------------------------
    def users_file(self, vhome):
        lines = ""
        for box in ("box1k", "box10k", "idlebox", "pop1k"):
            lines += f"{box}:{{PLAIN}}{PASSWORD}:{self.user.uid}:{self.user.gid}::{vhome}/{box}::\n"
        return lines

    def fill_boxes(self, vhome, which):
        counts = {"box1k": 1000, "box10k": 10000, "idlebox": 0, "pop1k": 1000}
        for box in which:
            home = os.path.join(vhome, box)
            os.makedirs(home, exist_ok=True)
            os.chown(home, self.user.uid, self.user.gid)
            fill_maildir(os.path.join(home, "Maildir"), counts[box], self.user.uid, self.user.gid)

    def start_all(self):
        tag = os.getpid() % 100000
        self.user = BenchUser(f"pbench{tag}", f"/tmp/pb{tag}home/{'pbench'}")
        os.chmod(os.path.dirname(self.user.home), 0o755)
        self.postern = PosternSuite(self.bin, "")
        self.suites.append(self.postern)
        self.postern_vhome = os.path.join(self.postern.root, "vhome")
        with open(self.postern.users_file, "w") as f:
            f.write(self.users_file(self.postern_vhome))
        self.postfix = PostfixSuite()
        self.suites.append(self.postfix)
        self.dovecot = DovecotSuite("")
        self.suites.append(self.dovecot)
        self.dovecot_vhome = os.path.join(self.dovecot.root, "vhome")
        with open(self.dovecot.users_file, "w") as f:
            f.write(self.users_file(self.dovecot_vhome))
        wants = set(self.args.only)
        boxes = []
        if "pop3" in wants:
            boxes.append("pop1k")
        if "imap" in wants:
            boxes += ["box1k", "box10k", "idlebox"]
        if boxes:
            say(f"writing mailboxes: {', '.join(boxes)} (one copy per server)")
            for vhome in (self.postern_vhome, self.dovecot_vhome):
                os.makedirs(vhome, exist_ok=True)
                os.chmod(vhome, 0o755)
                self.fill_boxes(vhome, boxes)
        self.postern.start()
        self.postfix.start()
        self.dovecot.start()
        say(f"Postern: smtp {self.postern.smtp_port}, pop3 {self.postern.pop3_port}, imap {self.postern.imap_port}"
            f"{' (' + self.postern.imap_error + ')' if self.postern.imap_error else ''}; "
            f"Postfix: smtp {self.postfix.smtp_port}; Dovecot: pop3 {self.dovecot.pop3_port}, "
            f"imap {self.dovecot.imap_port}")

    def cleanup(self):
        for s in self.suites:
            s.cleanup(keep=self.args.keep)
        if self.user:
            self.user.remove()
            if not self.args.keep:
                subprocess.run(["rm", "-rf", os.path.dirname(self.user.home)])

    # -- loads --------------------------------------------------------------
    def smtp(self):
        m = self.mode
        for size, count in m["smtp"].items():
            label = f"{size // 1024} KB"
            for sessions in m["sessions"]:
                say(f"SMTP {label} x{sessions} sessions, {count} messages, {m['runs']} runs")
                rows = {
                    "accepted": self.row("SMTP", f"accepted, {label}, {sessions} sess", "msg/s", True, "Postfix"),
                    "delivered": self.row("SMTP", f"delivered, {label}, {sessions} sess", "msg/s", True, "Postfix"),
                    "cpu_per_1000": self.row("SMTP", f"CPU per 1,000 msgs, {label}, {sessions} sess", "s", False,
                                             "Postfix"),
                    "peak_mb": self.row("SMTP", f"peak memory (Pss), {label}, {sessions} sess", "MB", False,
                                        "Postfix"),
                }
                timeout = 60 + count * (0.5 if size > 10000 else 0.1)
                for _ in range(m["runs"]):
                    for suite in (self.postern, self.postfix):
                        if suite.name in rows["delivered"].missing:
                            continue
                        try:
                            figures = load_smtp.run_once(suite, self.user, count, sessions, size, timeout)
                        except RuntimeError as e:
                            say(f"  {suite.name}: {str(e).splitlines()[0]}")
                            for r in rows.values():
                                r.fail(suite.name, str(e).splitlines()[0][:200])
                            continue
                        for key, r in rows.items():
                            r.add(suite.name, figures[key])

    def pop3(self):
        runs = self.mode["runs"]
        say(f"POP3: STAT, UIDL, RETR x1,000, {runs} runs")
        rows = {
            "stat_ms": self.row("POP3", "STAT, 1,000 msgs", "ms", False, "Dovecot"),
            "uidl_ms": self.row("POP3", "UIDL, 1,000 msgs", "ms", False, "Dovecot"),
            "retr_per_s": self.row("POP3", "RETR of all 1,000 msgs", "msg/s", True, "Dovecot"),
        }
        sides = (("Postern", self.postern.pop3_port), ("Dovecot", self.dovecot.pop3_port))
        for name, port in sides:  # warm-up: first access builds uidlists/indexes
            try:
                load_pop3.run_once(port, "pop1k", PASSWORD)
            except (RuntimeError, OSError) as e:
                for r in rows.values():
                    r.fail(name, f"POP3 session failed: {e}")
        for _ in range(runs):
            for name, port in sides:
                if name in rows["stat_ms"].missing:
                    continue
                try:
                    figures = load_pop3.run_once(port, "pop1k", PASSWORD)
                except (RuntimeError, OSError) as e:
                    for r in rows.values():
                        r.fail(name, f"POP3 session failed: {e}")
                    continue
                for key, r in rows.items():
                    r.add(name, figures[key])

    def maps(self):
        runs = self.mode["runs"]
        say(f"maps: 100,000-entry hash: table, {runs} runs")
        folder = os.path.join(self.postern.root, "maps")
        os.makedirs(folder, exist_ok=True)
        fixture = load_maps.MapsFixture(folder, 100000)
        build = self.row("maps", "postmap build, 100,000 entries", "s", False, "Postfix")
        lookups = self.row("maps", "postmap -q - lookups (half misses)", "lookups/s", True, "Postfix")
        for _ in range(runs):
            for name, prog in (("Postern", os.path.join(self.bin, "postmap")), ("Postfix", load_maps.POSTFIX_POSTMAP)):
                try:
                    figures = fixture.run_once(prog, name.lower())
                except RuntimeError as e:
                    build.fail(name, str(e)[:200])
                    lookups.fail(name, str(e)[:200])
                    continue
                build.add(name, figures["build_s"])
                lookups.add(name, figures["lookups_per_s"])

    def imap(self):
        m = self.mode
        sides = [("Postern", self.postern, self.postern_vhome), ("Dovecot", self.dovecot, self.dovecot_vhome)]
        postern_reason = self.postern.imap_error
        if not postern_reason:
            try:  # one session proves the server works before figures are taken
                load_imap.run_op(self.client, self.postern.imap_port, "box1k", PASSWORD, "fetch", 1, 0.2)
            except RuntimeError as e:
                postern_reason = f"Postern imapd does not work yet: {str(e).splitlines()[0][:150]}"
        for name, suite, _ in sides:  # warm-up: indexes of both mailboxes
            if name == "Postern" and postern_reason:
                continue
            for box in ("box1k", "box10k"):
                try:
                    load_imap.run_op(self.client, suite.imap_port, box, PASSWORD, "fetch", 1, 0.5)
                except RuntimeError as e:
                    say(f"  {name} warm-up on {box}: {e}")
        for op, box, label in IMAP_OPS:
            for clients in m["imap_clients"]:
                say(f"IMAP {label} x{clients} clients, {m['imap_seconds']} s, {m['runs']} runs")
                ops = self.row("IMAP", f"{label}, {clients} cl", "ops/s", True, "Dovecot")
                p50 = self.row("IMAP", f"{label}, {clients} cl, p50", "ms", False, "Dovecot")
                p99 = self.row("IMAP", f"{label}, {clients} cl, p99", "ms", False, "Dovecot")
                if postern_reason:
                    for r in (ops, p50, p99):
                        r.fail("Postern", postern_reason)
                for _ in range(m["runs"]):
                    for name, suite, vhome in sides:
                        if name in ops.missing:
                            continue
                        maildir = os.path.join(vhome, box, "Maildir") if op == "idle" else None
                        try:
                            out = load_imap.run_op(self.client, suite.imap_port, box, PASSWORD, op, clients,
                                                   m["imap_seconds"], maildir, self.user.uid, self.user.gid)
                        except RuntimeError as e:
                            say(f"  {name}: {str(e).splitlines()[0]}")
                            for r in (ops, p50, p99):
                                r.fail(name, str(e).splitlines()[0][:200])
                            continue
                        ops.add(name, out["ops_per_s"])
                        p50.add(name, out["p50_ms"])
                        p99.add(name, out["p99_ms"])
        n = m["idle_connections"]
        say(f"IMAP: memory per idle connection, {n} connections, {m['runs']} runs")
        idle = self.row("IMAP", f"memory per idle connection ({n} conns, Pss)", "kB", False, "Dovecot")
        if postern_reason:
            idle.fail("Postern", postern_reason)
        for _ in range(m["runs"]):
            for name, suite, _ in sides:
                self.measure(idle, name,
                             lambda s=suite: load_imap.idle_memory_per_connection(self.client, s, "box1k",
                                                                                  PASSWORD, n))

    # -- the run -------------------------------------------------------------
    def run(self):
        started = time.monotonic()
        meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
                "machine": machine(), "cpus": os.cpu_count(), "commit": commit(), "load_start": load_avg(),
                "mode": "quick" if self.args.quick else "full", "runs": self.mode["runs"]}
        say(f"bench: {meta['mode']} mode, commit {meta['commit']}, load average {meta['load_start']}")
        self.start_all()
        for part in ("smtp", "pop3", "maps", "imap"):
            if part in self.args.only:
                getattr(self, part)()
        meta["load_end"] = load_avg()
        wall = time.monotonic() - started
        meta["wall"] = f"{wall / 60:.1f} min"
        say("")
        say(report.text_table(self.rows))
        say(f"\n(wall time {meta['wall']}; load average {meta['load_start']} -> {meta['load_end']})")
        report.append_csv(os.path.join(HERE, "results", "results.csv"), meta, self.rows)
        if not self.args.no_docs:
            png = os.path.join(ROOT, "docs", "benchmarks.png")
            title = f"Postern vs Postfix/Dovecot, {meta['date']} UTC, commit {meta['commit']}, {meta['mode']} mode"
            report.plot(png, self.rows, title)
            report.write_docs(os.path.join(ROOT, "docs", "benchmarks.md"), meta, self.rows, "benchmarks.png")
            say("docs/benchmarks.md and docs/benchmarks.png updated")
        say("results appended to bench/results/results.csv")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", required=True, help="Postern Release build folder (with bin/)")
    p.add_argument("--quick", action="store_true", help="fewer messages and shorter runs (a few minutes)")
    p.add_argument("--only", default="smtp,pop3,maps,imap", help="comma-separated parts to run")
    p.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md and .png")
    p.add_argument("--keep", action="store_true", help="keep the sandboxes' folders (logs) after the run")
    args = p.parse_args()
    args.only = [x.strip() for x in args.only.split(",") if x.strip()]
    if os.geteuid() != 0:
        sys.exit("bench: run as root (the sandboxes start Postfix, Dovecot and Postern as root, like a real host)")

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    bench = Bench(args)
    try:
        bench.run()
    except KeyboardInterrupt:
        say("bench: interrupted; stopping the sandboxes")
        return 130
    finally:
        bench.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
