"""End-to-end test harness: a real Postern instance in a short temp folder.

Each Instance writes main.cf/master.cf with loopback addresses and free
ports, runs the build tree's binaries, and on teardown stops master and kills
its whole process group (master runs in its own session), so no process
outlives a test. Python's standard library only.
"""
import base64
import grp
import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BUILD_DIR = os.environ.get("POSTERN_BUILD_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "test")
BIN = os.path.join(BUILD_DIR, "bin")
IS_ROOT = os.geteuid() == 0


_ports_given = set()
_port_random = random.Random(os.getpid() ^ time.time_ns())


def free_port(host="127.0.0.1"):
    """A TCP port that is free on host right now, and not one this test
    process was already given. It is drawn at random below the kernel's
    ephemeral range (ip_local_port_range starts at 32768): a port the kernel
    hands out by itself may meanwhile become the source port of some
    outgoing connection, and then the server that was meant to listen on it
    cannot bind. Random draws keep tests running in parallel apart."""
    low, high = 10000, 32000
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            high = min(high, int(f.read().split()[0]) - 1)
    except (OSError, ValueError, IndexError):
        pass
    while True:
        port = _port_random.randint(low, high)
        if port in _ports_given:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
        _ports_given.add(port)
        return port


def wait_until(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"


def start_dnsmasq(port, args, log_file=None):
    """A DNS server for one test on 127.0.0.1:port (UDP and TCP). It answers
    from `args` only (--local zones, records) and never asks the host's
    resolver, reads no configuration file and writes no pid file. With
    log_file, every query is logged there. Returns the Popen once dnsmasq
    answers; the caller stops it."""
    cmd = [DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
           "--bind-interfaces", "--listen-address=127.0.0.1", f"--port={port}", "--pid-file="]
    if IS_ROOT:
        cmd.append("--user=root")
    if log_file:
        cmd += ["--log-queries", f"--log-facility={log_file}"]
    proc = subprocess.Popen(cmd + list(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def answers():
        # MX of ready.test: any reply with our ID will do (NXDOMAIN, REFUSED).
        q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05ready\x04test\x00\x00\x0f\x00\x01"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.3)
            try:
                s.sendto(q, ("127.0.0.1", port))
                return s.recv(512)[:2] == b"\x12\x34"
            except OSError:
                return False
    if not wait_until(lambda: proc.poll() is None and answers(), timeout=10):
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError("dnsmasq did not answer: " + err.decode(errors="replace"))
    return proc


def process_exists(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before or while reading
        return False


def processes_in_group(pgid):
    """PIDs (not zombies) whose process group is pgid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry))
    return found


class Instance:
    """One sandboxed Postern: config in <root>/etc, queue in <root>/spool."""

    def __init__(self, main_cf_extra="", master_cf=""):
        self.root = tempfile.mkdtemp(prefix="pe", dir="/tmp")
        os.chmod(self.root, 0o755)  # daemons that dropped privileges read it
        self.conf = os.path.join(self.root, "etc")
        self.queue = os.path.join(self.root, "spool")
        self.data = os.path.join(self.root, "lib")
        self.maillog = os.path.join(self.root, "maillog")
        for d in (self.conf, self.data):
            os.makedirs(d, mode=0o755)
        self.master_pid = None
        self.dead_dns_port = free_port()
        self.write_main_cf(main_cf_extra)
        self.write_master_cf(master_cf)

    # -- configuration -------------------------------------------------
    def base_main_cf(self, dead_dns=True):
        user = "postfix" if IS_ROOT else pwd.getpwuid(os.getuid()).pw_name
        group = "postdrop" if IS_ROOT else grp.getgrgid(os.getgid()).gr_name
        return "\n".join([
            "# written by tests/e2e/harness.py",
            f"queue_directory = {self.queue}",
            f"data_directory = {self.data}",
            f"daemon_directory = {BIN}",
            f"command_directory = {BIN}",
            f"maillog_file = {self.maillog}",
            f"mail_owner = {user}",
            f"setgid_group = {group}",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "myhostname = mail.example.test",
            "mydomain = example.test",
            "service_throttle_time = 2s",
            # DNS stays on loopback: a port nobody serves refuses every query
            # at once, so lookups (smtpd's client names, the smtp agent's MX)
            # fail temporarily without waiting. Tests with their own dnsmasq
            # set dns_resolver_addresses themselves (write_main_cf).
            *([f"dns_resolver_addresses = 127.0.0.1:{self.dead_dns_port}"] if dead_dns else []),
            "",
        ])

    def write_main_cf(self, extra=""):
        own_dns = re.search(r"^\s*dns_resolver_addresses\s*=", extra, re.M) is not None
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write(self.base_main_cf(dead_dns=not own_dns) + extra)

    def write_master_cf(self, text):
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(text)

    # -- commands --------------------------------------------------------
    def command(self, name, *args, input=None, check=False):
        return subprocess.run([os.path.join(BIN, name), "-c", self.conf, *args],
                              input=input, capture_output=True, text=True,
                              timeout=120, check=check)

    def postfix(self, *args):
        return self.command("postfix", *args)

    def start(self):
        result = self.postfix("start")
        if result.returncode != 0:
            raise AssertionError(f"postfix start failed: {result.stderr}\n{self.log()}")
        self.master_pid = self.read_master_pid()
        return result

    def read_master_pid(self):
        path = os.path.join(self.queue, "pid", "master.pid")
        with open(path) as f:
            return int(f.read().strip())

    def stop(self):
        return self.postfix("stop")

    def cleanup(self):
        """Stop master if it runs and kill anything left in its group."""
        if self.master_pid and process_exists(self.master_pid):
            self.postfix("stop")
        if self.master_pid:
            for pid in processes_in_group(self.master_pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        shutil.rmtree(self.root, ignore_errors=True)

    # -- logs ------------------------------------------------------------
    def log(self):
        try:
            with open(self.maillog, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_for_log(self, pattern, timeout=10.0):
        regex = re.compile(pattern)
        found = wait_until(lambda: regex.search(self.log()), timeout)
        if not found:
            raise AssertionError(f"log line /{pattern}/ not seen within {timeout}s:\n{self.log()}")
        return found


class LineClient:
    """A plain TCP line client (for test services)."""

    def __init__(self, port, host="127.0.0.1", timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rwb")

    def read_line(self):
        return self.file.readline().decode().rstrip("\r\n")

    def send_line(self, line):
        self.file.write(line.encode() + b"\r\n")
        self.file.flush()

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass


class SmtpClient:
    """Line-level SMTP over a socket from a chosen loopback source address,
    for what smtplib hides or refuses to send. `tls_ctx` wraps the socket at
    once (smtps); starttls() upgrades it later."""

    def __init__(self, port, source="127.0.0.1", timeout=15, tls_ctx=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
        if tls_ctx:
            self.sock = tls_ctx.wrap_socket(self.sock)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply_lines(self):
        """One (possibly multi-line) reply as a list of its lines."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"closed; got {lines!r} {self.buf!r}")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line.decode("utf-8", "replace"))
            if len(line) < 4 or line[3:4] != b"-":
                return lines

    def reply(self):
        """One reply as text: its line, or all its lines joined by newlines."""
        return "\n".join(self.reply_lines())

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def starttls(self, tls_ctx):
        got = self.cmd("STARTTLS")
        if got != "220 2.0.0 Ready to start TLS":
            raise AssertionError(f"STARTTLS answered {got!r}")
        self.sock = tls_ctx.wrap_socket(self.sock)

    def closed(self):
        try:
            return self.sock.recv(1) == b""
        except OSError:
            return True

    def close(self):
        self.sock.close()


def b64(text):
    """Base64 of a string, as SMTP AUTH and IMAP AUTHENTICATE send it."""
    return base64.b64encode(text.encode()).decode()


def write_smtpd_auth(inst, users):
    """The dovecot.conf an smtpd with SMTP AUTH needs: a passwd-file of
    `users` ("name:{PLAIN}pw::::::" lines) and the auth service's
    private/auth listener. Returns the users file's path."""
    path = os.path.join(inst.conf, "users")
    with open(path, "w") as f:
        f.write(users)
    with open(os.path.join(inst.conf, "dovecot.conf"), "w") as f:
        f.write("protocols = none\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\n"
                "auth_failure_delay = 0\n"
                f"passdb {{\n  driver = passwd-file\n  args = {path}\n}}\n"
                "service auth {\n  unix_listener private/auth {\n    mode = 0660\n  }\n}\n")
    return path


# -- queue helpers (added for tests/e2e/test_submission.py) ------------------
QUEUE_FOLDERS = {"maildrop": 0o1730, "incoming": 0o700, "active": 0o700, "deferred": 0o700,
                 "hold": 0o700, "corrupt": 0o700, "bounce": 0o700, "defer": 0o700, "trace": 0o700,
                 "private": 0o700, "public": 0o2710, "pid": 0o755}


def make_queue_folders(inst):
    """The queue folders without starting master: `postfix set-permissions`
    as root (Postfix's owners), plain folders owned by the test user otherwise."""
    if IS_ROOT:
        result = inst.postfix("set-permissions")
        if result.returncode != 0:
            raise AssertionError(f"postfix set-permissions failed: {result.stderr}")
        return
    for name, mode in QUEUE_FOLDERS.items():
        path = os.path.join(inst.queue, name)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, mode)


def queue_json(inst):
    """postqueue -j as a list of dicts."""
    import json
    result = inst.command("postqueue", "-j")
    if result.returncode != 0:
        raise AssertionError(f"postqueue -j failed: {result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
