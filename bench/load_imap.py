"""IMAP loads through bench-imap-load (bench/imap/imap_load.cpp): one op
type at a time, N clients, a fixed duration; and the memory of 1,000 idle
logged-in connections."""
import json
import subprocess
import time

from mailboxes import SEARCH_WORD


def run_op(client, port, user, password, op, clients, seconds, maildir=None, uid=-1, gid=-1):
    argv = [client, "--port", str(port), "--user", user, "--pass", password, "--op", op,
            "--clients", str(clients), "--seconds", str(seconds), "--word", SEARCH_WORD]
    if maildir:
        argv += ["--maildir", maildir, "--uid", str(uid), "--gid", str(gid)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=seconds * 4 + 300)
    if r.returncode != 0:
        raise RuntimeError(f"bench-imap-load {op}: {r.stderr.strip()[-500:]}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    if out["errors"]:
        raise RuntimeError(f"bench-imap-load {op} x{clients}: {out['errors']} errors, first: {out['first_error']}")
    if out["ops"] == 0:
        raise RuntimeError(f"bench-imap-load {op} x{clients}: no operation completed")
    return out


def idle_memory_per_connection(client, suite, user, password, connections):
    """kB of Pss the suite grows by per logged-in, selected, idle connection."""
    time.sleep(0.5)
    before = suite.cgroup.memory_kb()
    proc = subprocess.Popen([client, "--port", str(suite.imap_port), "--user", user, "--pass", password,
                             "--op", "hold", "--clients", str(connections)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"bench-imap-load hold: {proc.stderr.read()[-500:]}")
        status = json.loads(line)
        if status["errors"] or status["ready"] != connections:
            raise RuntimeError(f"hold: only {status['ready']} of {connections} connections logged in "
                               f"({status['first_error']})")
        time.sleep(1.0)
        after = suite.cgroup.memory_kb()
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    time.sleep(1.0)  # the server closes its side
    return (after - before) / connections
