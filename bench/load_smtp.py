"""SMTP end to end: smtp-source (Debian's postfix) -> smtpd -> queue -> local
delivery to the Maildir of one user. One run measures:
  accepted/s   messages / time until smtp-source has its last 250 after DATA
  delivered/s  messages / time until Maildir/new holds every message
  CPU s/1000   CPU seconds of the whole suite (its cgroup) per 1,000 messages
  peak memory  the highest Pss sum of the suite's processes, sampled
"""
import os
import subprocess
import threading
import time

SMTP_SOURCE = "/usr/sbin/smtp-source"


class MemorySampler(threading.Thread):
    def __init__(self, cgroup, interval=0.25):
        super().__init__(daemon=True)
        self.cgroup, self.interval = cgroup, interval
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak_kb = max(self.peak_kb, self.cgroup.memory_kb())
            self.done.wait(self.interval)

    def stop(self):
        self.done.set()
        self.join()
        self.peak_kb = max(self.peak_kb, self.cgroup.memory_kb())
        return self.peak_kb


def run_once(suite, user, messages, sessions, size, timeout):
    """One smtp-source run against suite; returns a dict of figures."""
    user.empty()
    time.sleep(0.3)  # let the previous run's last queue removals settle
    # The previous run's data and metadata go to disk now, not during this
    # run (ext4 also keeps a freed inode from reuse for longer while its
    # inode-table block is unwritten: finding 14 in docs/benchmarks.md).
    os.sync()
    cpu0 = suite.cgroup.cpu_seconds()
    sampler = MemorySampler(suite.cgroup)
    sampler.start()
    t0 = time.perf_counter()
    src = subprocess.Popen([SMTP_SOURCE, "-d", "-s", str(sessions), "-m", str(messages), "-l", str(size),
                            "-M", "client.bench.test", "-f", "sender@bench.test",
                            "-t", f"{user.name}@bench.test", f"127.0.0.1:{suite.smtp_port}"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    accepted_s = None
    delivered_s = None
    deadline = t0 + timeout
    while time.perf_counter() < deadline:
        if accepted_s is None and src.poll() is not None:
            accepted_s = time.perf_counter() - t0
            if src.returncode != 0:
                sampler.stop()
                raise RuntimeError(f"{suite.name}: smtp-source failed: {src.stderr.read()[-2000:]}")
        if user.count_new() >= messages:
            delivered_s = time.perf_counter() - t0
            if accepted_s is None:
                src.wait(timeout=timeout)
                accepted_s = time.perf_counter() - t0
            break
        time.sleep(0.02)
    peak_kb = sampler.stop()
    cpu = suite.cgroup.cpu_seconds() - cpu0
    if delivered_s is None:
        if src.poll() is None:
            src.kill()
            src.wait()
        raise RuntimeError(f"{suite.name}: only {user.count_new()} of {messages} messages delivered "
                           f"within {timeout:.0f} s\n{suite.log()[-3000:]}")
    return {
        "accepted": messages / accepted_s,
        "delivered": messages / delivered_s,
        "cpu_per_1000": cpu / messages * 1000,
        "peak_mb": peak_kb / 1024,
    }
