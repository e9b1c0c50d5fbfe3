"""Sandboxes for bench/: Postern, Debian's Postfix and Debian's Dovecot, each
in its own temp folder, listening on loopback ports, started in a cgroup of
its own so the CPU time and memory of the whole suite (every process it
forks) can be read. Stopped by PID; anything left in the cgroup is killed.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time

CGROUP_CPU = "/sys/fs/cgroup/cpuacct"
CGROUP_CPU_V2 = "/sys/fs/cgroup/unified"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Cgroup:
    """A cpuacct cgroup (v1) for one suite: CPU nanoseconds of every process
    that ever ran in it, and the list of the ones alive."""

    def __init__(self, name):
        self.path = os.path.join(CGROUP_CPU, name)
        os.makedirs(self.path, exist_ok=True)

    def enter(self):
        """preexec_fn: the child (and all it forks) joins the group."""
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def cpu_seconds(self):
        with open(os.path.join(self.path, "cpuacct.usage")) as f:
            return int(f.read()) / 1e9

    def pids(self):
        with open(os.path.join(self.path, "cgroup.procs")) as f:
            return [int(x) for x in f.read().split()]

    def memory_kb(self, field="Pss"):
        """Sum of Pss (or Rss) over the live processes, in kB. Pss splits
        shared pages between the processes that map them, so a suite of
        many processes is not charged a shared library once per process."""
        total = 0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    for line in f:
                        if line.startswith(field + ":"):
                            total += int(line.split()[1])
                            break
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass
        return total

    def kill_all(self):
        for _ in range(50):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
        try:
            os.rmdir(self.path)
        except OSError:
            pass


def make_maildir(path, uid, gid):
    for sub in ("", "new", "cur", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
        os.chown(os.path.join(path, sub), uid, gid)
        os.chmod(os.path.join(path, sub), 0o700)


class BenchUser:
    """A system account that receives the benchmark's mail (created by the
    run, removed at its end): no password, no shell."""

    def __init__(self, name, home):
        self.name = name
        self.home = home
        os.makedirs(os.path.dirname(home), exist_ok=True)
        if not _user_exists(name):
            subprocess.run(["useradd", "--system", "-M", "-d", home, "-s", "/usr/sbin/nologin", name],
                           check=True, capture_output=True)
        pw = pwd.getpwnam(name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        os.makedirs(home, exist_ok=True)
        os.chown(home, self.uid, self.gid)
        self.maildir = os.path.join(home, "Maildir")
        self.spent = 0
        make_maildir(self.maildir, self.uid, self.gid)

    def count_new(self):
        return len(os.listdir(os.path.join(self.maildir, "new")))

    def empty(self):
        """A fresh, empty Maildir for the next run. The previous one is moved
        aside, not deleted: deleting thousands of files right before a run
        slowed the run's own file creations, for either suite alike (ext4
        without a journal skips recently freed inodes when it allocates one,
        scanning past each), so a figure depended on the run before it. The
        spent folders go with the home's parent folder at the end."""
        self.spent += 1
        aside = os.path.join(os.path.dirname(self.home), "spent", str(self.spent))
        os.makedirs(os.path.dirname(aside), exist_ok=True)
        os.rename(self.maildir, aside)
        make_maildir(self.maildir, self.uid, self.gid)

    def remove(self):
        subprocess.run(["userdel", self.name], capture_output=True)


def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


# -- shared configuration ----------------------------------------------------

def main_cf(root, extra=""):
    """main.cf lines both MTAs get: same domain, same delivery, same limits.
    Durability settings are left at their defaults on both sides."""
    return "\n".join([
        "# written by bench/sandbox.py",
        "compatibility_level = 3.6",
        f"queue_directory = {root}/spool",
        f"data_directory = {root}/lib",
        f"maillog_file = {root}/maillog",
        f"maillog_file_prefixes = {root}",
        "mail_owner = postfix",
        "setgid_group = postdrop",
        "inet_interfaces = 127.0.0.1",
        "inet_protocols = ipv4",
        "myhostname = mail.bench.test",
        "mydomain = bench.test",
        "mydestination = $myhostname, bench.test, localhost",
        "mynetworks = 127.0.0.0/8",
        "alias_maps =",
        "alias_database =",
        "home_mailbox = Maildir/",
        "smtpd_banner = $myhostname ESMTP",
        extra, ""])


def dovecot_common(users_file, imap_port, pop3_port):
    """dovecot.conf lines Postern and Dovecot share. fsync and index settings
    stay at Dovecot's defaults; the per-user-and-address limit is raised so
    that 100 load clients and 1,000 idle connections of one user fit."""
    return f"""# written by bench/sandbox.py
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 100
mail_location = maildir:~/Maildir
mail_max_userip_connections = 2000
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users_file}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users_file}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
"""


class Suite:
    """Common life cycle: a temp root, a cgroup, start, stop by PID."""
    name = "?"

    def __init__(self, tag):
        self.root = os.path.join("/tmp", f"pb{os.getpid() % 100000}{tag}")
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root)
        os.chmod(self.root, 0o755)
        self.cgroup = Cgroup(f"postern-bench-{os.getpid()}-{tag}")
        self.master_pid = None

    def run_in_group(self, argv):
        """Runs a start command in the suite's cgroup. Its output goes to a
        file: the daemons it leaves behind inherit the descriptors, and a pipe
        would never see end-of-file."""
        out_path = os.path.join(self.root, "start.out")
        with open(out_path, "w") as out:
            r = subprocess.run(argv, preexec_fn=self.cgroup.enter, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT, timeout=120)
        with open(out_path, errors="replace") as f:
            r.stdout, r.stderr = "", f.read()
        return r

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except (FileNotFoundError, AttributeError):
            return ""

    def cleanup(self, keep=False):
        try:
            self.stop()
        except Exception:  # noqa: BLE001 - the group kill below finishes the job
            pass
        self.cgroup.kill_all()
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)


class MtaSuite(Suite):
    """Postern or Postfix as an MTA: smtpd on a loopback port, queue, local
    delivery to Maildir. Postern also serves POP3/IMAP from dovecot.conf."""

    def __init__(self, tag, postfix_cmd, master_cf, main_extra=""):
        super().__init__(tag)
        self.conf = os.path.join(self.root, "etc")
        os.makedirs(self.conf)
        os.makedirs(os.path.join(self.root, "lib"))
        os.makedirs(os.path.join(self.root, "spool"))
        self.log_path = os.path.join(self.root, "maillog")
        self.postfix_cmd = postfix_cmd
        self.smtp_port = free_port()
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write(main_cf(self.root, main_extra))
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(master_cf.format(port=self.smtp_port))

    def postfix(self, *args, in_group=False):
        argv = [self.postfix_cmd, "-c", self.conf, *args]
        r = self.run_in_group(argv) if in_group else subprocess.run(argv, capture_output=True, text=True,
                                                                      timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"{self.name}: postfix {' '.join(args)} failed: {r.stderr}{r.stdout}\n{self.log()[-3000:]}")
        return r

    def start(self, ports=()):
        self.postfix("set-permissions")
        self.postfix("start", in_group=True)
        for port in (self.smtp_port, *ports):
            if not wait_port(port):
                raise RuntimeError(f"{self.name}: nothing listens on {port}\n{self.log()[-3000:]}")

    def stop(self):
        subprocess.run([self.postfix_cmd, "-c", self.conf, "stop"], capture_output=True, timeout=60)
        deadline = time.monotonic() + 10
        while self.cgroup.pids() and time.monotonic() < deadline:
            time.sleep(0.1)


POSTERN_MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
qmgr      unix  n       -       n       300     1       qmgr
local     unix  -       n       n       -       -       local
"""

# Debian's stock master.cf services that an smtpd -> local path touches,
# without chroot (Postern does not chroot either).
POSTFIX_MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class PosternSuite(MtaSuite):
    name = "Postern"

    def __init__(self, bin_dir, users_file_lines):
        extra = f"daemon_directory = {bin_dir}\ncommand_directory = {bin_dir}\n"
        super().__init__("n", os.path.join(bin_dir, "postfix"), POSTERN_MASTER_CF, extra)
        self.bin_dir = bin_dir
        self.imap_port, self.pop3_port = free_port(), free_port()
        self.users_file = os.path.join(self.conf, "users")
        with open(self.users_file, "w") as f:
            f.write(users_file_lines)
        os.chmod(self.users_file, 0o640)
        with open(os.path.join(self.conf, "dovecot.conf"), "w") as f:
            f.write(dovecot_common(self.users_file, self.imap_port, self.pop3_port))

    def has_imap(self):
        return os.path.exists(os.path.join(self.bin_dir, "imapd"))

    def start(self):
        super().start(ports=(self.pop3_port,))
        if os.environ.get("POSTERN_BENCH_IMAPD_ERROR"):
            self.imap_error = os.environ["POSTERN_BENCH_IMAPD_ERROR"]
        elif not self.has_imap():
            self.imap_error = "no imapd in this tree yet"
        elif not wait_port(self.imap_port, timeout=5):
            self.imap_error = "imapd is built but master does not listen on the IMAP port"
        else:
            self.imap_error = None


class PostfixSuite(MtaSuite):
    name = "Postfix"

    def __init__(self):
        extra = ("daemon_directory = /usr/lib/postfix/sbin\ncommand_directory = /usr/sbin\n"
                 "meta_directory = /etc/postfix\nshlib_directory = /usr/lib/postfix\n")
        super().__init__("f", "/usr/sbin/postfix", POSTFIX_MASTER_CF, extra)


class DovecotSuite(Suite):
    name = "Dovecot"

    def __init__(self, users_file_lines):
        super().__init__("d")
        self.conf_path = os.path.join(self.root, "dovecot.conf")
        self.log_path = os.path.join(self.root, "dovecot.log")
        self.users_file = os.path.join(self.root, "users")
        with open(self.users_file, "w") as f:
            f.write(users_file_lines)
        os.chmod(self.users_file, 0o644)
        self.imap_port, self.pop3_port = free_port(), free_port()
        with open(self.conf_path, "w") as f:
            f.write(f"base_dir = {self.root}/run\nstate_dir = {self.root}/state\n"
                    f"log_path = {self.log_path}\n"
                    + dovecot_common(self.users_file, self.imap_port, self.pop3_port))

    def start(self):
        r = self.run_in_group(["/usr/sbin/dovecot", "-c", self.conf_path])
        if r.returncode != 0:
            raise RuntimeError(f"dovecot failed to start: {r.stderr}\n{self.log()[-3000:]}")
        for port in (self.imap_port, self.pop3_port):
            if not wait_port(port):
                raise RuntimeError(f"Dovecot: nothing listens on {port}\n{self.log()[-3000:]}")
        # Dovecot may listen before it has written its pid file (seen on a
        # loaded machine): wait for it rather than fail the run.
        pid_file = os.path.join(self.root, "run", "master.pid")
        deadline = time.monotonic() + 10
        while True:
            try:
                with open(pid_file) as f:
                    self.master_pid = int(f.read().strip())
                break
            except (OSError, ValueError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Dovecot: no pid in {pid_file}\n{self.log()[-3000:]}")
                time.sleep(0.05)

    def stop(self):
        if self.master_pid:
            try:
                os.kill(self.master_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 10
            while self.cgroup.pids() and time.monotonic() < deadline:
                time.sleep(0.1)
