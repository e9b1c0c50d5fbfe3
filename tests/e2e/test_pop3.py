"""pop3d and auth from dovecot.conf: passwd-file and system users, Maildir
and mbox, Python poplib, curl and fetchmail, bad input, penalties, STLS and
implicit TLS, deletions only at QUIT, the mailbox lock, and the commands
postern-pw and postern-doveconf. Needs root (users, privilege drops)."""
import base64
import hashlib
import hmac
import os
import poplib
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, IS_ROOT, Instance, free_port, wait_until  # noqa: E402


def make_user(name, home, password=None):
    subprocess.run(["useradd", "-M", "-d", home, "-s", "/usr/sbin/nologin", name], check=True)
    if password:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    os.makedirs(home, exist_ok=True)
    pw = pwd.getpwnam(name)
    os.chown(home, pw.pw_uid, pw.pw_gid)
    return pw


def remove_user(name):
    subprocess.run(["userdel", name], capture_output=True)


def chown_tree(path, pw):
    for root, dirs, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for f in files:
            os.chown(os.path.join(root, f), pw.pw_uid, pw.pw_gid)


def maildir_deliver(maildir, pw, n, body_extra=""):
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    names = []
    for i in range(n):
        name = f"{1700000000 + i}.M{i}P1.test"
        with open(os.path.join(maildir, "new", name), "w") as f:
            f.write(f"From: a@example.test\nSubject: message {i}\n\nbody {i}\n.line with dot\n{body_extra}")
        names.append(name)
    chown_tree(maildir, pw)
    return names


def mbox_text(n):
    out = ""
    for i in range(n):
        out += (f"From sender@example.test Mon Jan  1 00:00:0{i % 10} 2024\n"
                f"From: sender@example.test\nSubject: mbox {i}\n\nline one {i}\n>From quoted\n\n")
    return out


class Pop3Base(unittest.TestCase):
    # Each test class sets DOVECOT_CONF (format with {root}, {port}, {sport}).
    mail_location = "maildir:~/Maildir"
    extra_conf = ""

    def setUp(self):
        if not IS_ROOT:
            self.skipTest("needs root")
        self.port, self.sport = free_port(), free_port()
        self.inst = Instance()
        self.users = []
        tag = f"{os.getpid() % 10000}{int(time.time() * 1000) % 100000}"
        self.unix_user = f"pt{tag}"
        self.home = os.path.join(self.inst.root, "home", self.unix_user)
        self.pw = make_user(self.unix_user, self.home, "Sys-Pass-1")
        self.users.append(self.unix_user)
        self.cert, self.key = self.make_cert()
        self.passwd_file = os.path.join(self.inst.conf, "users")
        alice_hash = self.command_ok("postern-pw", "-s", "SHA512-CRYPT", "-p", "alice-pw")
        self.vhome = os.path.join(self.inst.root, "vmail", "alice")
        with open(self.passwd_file, "w") as f:
            f.write(f"alice:{alice_hash}:{self.pw.pw_uid}:{self.pw.pw_gid}::{self.vhome}::\n")
            f.write(f"bob:{{PLAIN}}bob-pw:{self.pw.pw_uid}:{self.pw.pw_gid}::{self.vhome}-bob::\n")
        os.makedirs(self.vhome)
        os.chown(self.vhome, self.pw.pw_uid, self.pw.pw_gid)
        self.write_dovecot_conf()

    def tearDown(self):
        if hasattr(self, "inst") and (os.environ.get("POP3_TEST_LOG") or
                                      not getattr(getattr(self, "_outcome", None), "success", True)):
            print(self.inst.log())
        if hasattr(self, "inst"):
            self.inst.cleanup()
        for u in getattr(self, "users", []):
            remove_user(u)

    def command_ok(self, name, *args):
        r = subprocess.run([os.path.join(BIN, name), *args], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def make_cert(self):
        cert = os.path.join(self.inst.conf, "cert.pem")
        key = os.path.join(self.inst.conf, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=mail.example.test", "-keyout", key, "-out", cert],
                       capture_output=True, check=True)
        os.chmod(key, 0o600)
        return cert, key

    def write_dovecot_conf(self):
        os.makedirs(os.path.join(self.inst.conf, "conf.d"), exist_ok=True)
        with open(os.path.join(self.inst.conf, "conf.d", "10-auth.conf"), "w") as f:
            f.write("disable_plaintext_auth = yes\nauth_mechanisms = plain login cram-md5\n"
                    f"passdb {{\n  driver = passwd-file\n  args = scheme=CRYPT username_format=%u {self.passwd_file}\n}}\n"
                    "passdb {\n  driver = pam\n}\n"
                    f"userdb {{\n  driver = passwd-file\n  args = username_format=%u {self.passwd_file}\n}}\n"
                    "userdb {\n  driver = passwd\n}\n")
        with open(os.path.join(self.inst.conf, "dovecot.conf"), "w") as f:
            f.write("# tutorial-style dovecot.conf\n"
                    "protocols = pop3\n"
                    "listen = 127.0.0.1\n"
                    f"mail_location = {self.mail_location}\n"
                    "ssl = yes\n"
                    f"ssl_cert = <{self.cert}\n"
                    f"ssl_key = <{self.key}\n"
                    "auth_failure_delay = 1 secs\n"
                    "login_trusted_networks = 192.168.1.0/24\n"
                    "!include conf.d/*.conf\n"
                    "!include_try local.conf\n"
                    "service pop3-login {\n"
                    f"  inet_listener pop3 {{\n    port = {self.port}\n  }}\n"
                    f"  inet_listener pop3s {{ port = {self.sport}\n    ssl = yes\n  }}\n"
                    "}\n" + self.extra_conf)

    def start(self):
        self.inst.start()
        wait_until(lambda: self._can_connect(self.port), timeout=10)

    def _can_connect(self, port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def pop(self, user="alice", password="alice-pw"):
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        p.user(user)
        p.pass_(password)
        return p


class MaildirTest(Pop3Base):
    def test_poplib_session_and_quit_semantics(self):
        maildir = os.path.join(self.vhome, "Maildir")
        maildir_deliver(maildir, self.pw, 3)
        self.start()
        p = self.pop()
        self.assertEqual(p.stat()[0], 3)
        uidls = p.uidl()[1]
        self.assertEqual(len(uidls), 3)
        lines = p.retr(1)[1]
        self.assertIn(b"Subject: message 0", lines)
        self.assertIn(b".line with dot", lines)  # un-stuffed by poplib
        top = p.top(2, 0)[1]
        self.assertIn(b"Subject: message 1", top)
        self.assertNotIn(b"body 1", top)
        p.dele(1)
        self.assertEqual(p.stat()[0], 2)
        p.rset()
        p.dele(2)
        # A dropped connection deletes nothing.
        p.sock.shutdown(socket.SHUT_RDWR)
        p.close()
        time.sleep(0.5)
        p = self.pop()
        self.assertEqual(p.stat()[0], 3)
        self.assertEqual(p.uidl()[1], uidls)  # stable across sessions
        p.dele(2)
        p.quit()
        p = self.pop()
        self.assertEqual(p.stat()[0], 2)
        self.assertEqual(p.uidl()[1][0].split()[1], uidls[0].split()[1])
        p.quit()
        self.inst.wait_for_log(r"dovecot\[\d+\]: pop3-login: Login: user=<alice>, method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1")
        self.inst.wait_for_log(r"pop3\(alice\)<\d+><[^>]*>: Disconnected: Logged out .*del=1/")

    def test_wire_bytes_after_login_and_pipelined(self):
        # Exact bytes: CRLF for LF-stored files, dot-stuffing, the "."
        # terminator, TOP. Once with commands sent after the login reply,
        # once pipelined behind PASS (the login process has read them and
        # must pass them on with the socket).
        maildir = os.path.join(self.vhome, "Maildir")
        maildir_deliver(maildir, self.pw, 1)
        with open(os.path.join(maildir, "new", "1700000009.M9P1.test"), "w") as f:
            f.write("Subject: no final newline\n\n.\n..two\nlast")
        chown_tree(maildir, self.pw)
        self.start()
        first = "From: a@example.test\r\nSubject: message 0\r\n\r\nbody 0\r\n..line with dot\r\n"
        second = "Subject: no final newline\r\n\r\n..\r\n...two\r\nlast"
        # The size is the message's, before dot-stuffing (one "." added to
        # the first, two to the second).
        expected = (f"+OK {len(first) - 1} octets\r\n{first}.\r\n"
                    f"+OK {len(second) - 2} octets\r\n{second}\r\n.\r\n"
                    f"+OK {len(first) - 1} octets\r\nFrom: a@example.test\r\nSubject: message 0\r\n\r\nbody 0\r\n.\r\n"
                    "+OK Logging out, messages deleted.\r\n").encode()
        commands = b"RETR 1\r\nRETR 2\r\nTOP 1 1\r\nQUIT\r\n"

        def session(pipelined):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            f = s.makefile("rb")
            self.assertTrue(f.readline().startswith(b"+OK"))
            login = b"USER alice\r\nPASS alice-pw\r\n"
            s.sendall(login + commands if pipelined else login)
            self.assertTrue(f.readline().startswith(b"+OK"))  # USER
            self.assertEqual(f.readline(), b"+OK Logged in.\r\n")
            if not pipelined:
                s.sendall(commands)
            got = f.read()
            s.close()
            return got

        self.assertEqual(session(False), expected)
        self.assertEqual(session(True), expected)

    def test_killed_session_deletes_nothing(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 2)
        self.start()
        p = self.pop()
        p.dele(1)
        p.dele(2)
        out = subprocess.run(["pgrep", "-u", str(self.pw.pw_uid), "-f", "pop3d"], capture_output=True, text=True)
        for pid in out.stdout.split():
            os.kill(int(pid), 9)
        time.sleep(0.5)
        p = self.pop()
        self.assertEqual(p.stat()[0], 2)
        p.quit()

    def test_privilege_separation(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 1)
        self.start()

        def uids_of_pop3d():
            found = []
            for pid in os.listdir("/proc"):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        argv = f.read().split(b"\0")
                    # This instance's only (forks keep the listener's "-c <conf>").
                    if b"pop3d" not in argv[0] or self.inst.conf.encode() not in argv:
                        continue
                    with open(f"/proc/{pid}/status") as f:
                        uid_line = next(l for l in f if l.startswith("Uid:"))
                    found.append(tuple(int(x) for x in uid_line.split()[1:4]))  # real, effective, saved
                except (OSError, StopIteration):
                    pass
            return found

        postfix_uid = pwd.getpwnam("postfix").pw_uid
        # Before login, the login process talks to the client: mail_owner in
        # every slot (no saved root).
        pre = poplib.POP3("127.0.0.1", self.port, timeout=20)
        self.assertIn((postfix_uid,) * 3, uids_of_pop3d())
        pre.quit()
        self.assertTrue(wait_until(lambda: (postfix_uid,) * 3 not in uids_of_pop3d(), timeout=10))
        # After a plain login the mail process (the user) has the client
        # socket itself, and the login process is gone.
        p = self.pop()
        self.assertEqual(p.stat()[0], 1)
        uids = uids_of_pop3d()
        self.assertIn((self.pw.pw_uid,) * 3, uids)
        self.assertTrue(wait_until(lambda: (postfix_uid,) * 3 not in uids_of_pop3d(), timeout=10))
        p.quit()

    def test_stop_ends_sessions_without_deleting(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 2)
        self.start()
        p = self.pop()
        p.dele(1)
        self.assertEqual(self.inst.stop().returncode, 0)

        def session_processes():
            r = subprocess.run(["pgrep", "-u", str(self.pw.pw_uid), "-f", "pop3d"], capture_output=True, text=True)
            return r.stdout.split()

        self.assertTrue(wait_until(lambda: not session_processes(), timeout=10))
        p.close()
        self.assertEqual(len(os.listdir(os.path.join(self.vhome, "Maildir", "new"))), 2)

    def test_in_use(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 1)
        self.start()
        p = self.pop()
        with self.assertRaises(poplib.error_proto) as cm:
            self.pop()
        self.assertIn(b"[IN-USE]", cm.exception.args[0])
        p.quit()
        self.pop().quit()

    def test_system_user_through_pam(self):
        maildir_deliver(os.path.join(self.home, "Maildir"), self.pw, 2)
        self.start()
        p = self.pop(self.unix_user, "Sys-Pass-1")
        self.assertEqual(p.stat()[0], 2)
        p.quit()
        with self.assertRaises(poplib.error_proto):
            self.pop(self.unix_user, "wrong")
        # A failing PAM login (pam_unix asks for a delay) must not stall other clients.
        import threading
        failing = threading.Thread(target=lambda: self.assertRaises(poplib.error_proto, self.pop, self.unix_user, "bad"))
        failing.start()
        time.sleep(0.2)
        start = time.monotonic()
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 1)
        self.pop("bob", "bob-pw").quit()
        self.assertLess(time.monotonic() - start, 1.5)
        failing.join()

    def test_sasl_mechanisms(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 1)
        self.start()
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        caps = p.capa()
        self.assertIn("STLS", caps)
        self.assertIn("USER", caps)  # from localhost
        self.assertEqual(sorted(caps["SASL"]), ["CRAM-MD5", "LOGIN", "PLAIN"])
        self.assertNotIn("LOGIN-DELAY", caps)  # pop3_login_delay is off by default
        resp = base64.b64encode(b"\0alice\0alice-pw").decode()
        self.assertTrue(p._shortcmd(f"AUTH PLAIN {resp}").startswith(b"+OK"))
        p.quit()
        # LOGIN with challenges
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        p._putcmd("AUTH LOGIN")
        self.assertEqual(p._getline()[0], b"+ " + base64.b64encode(b"Username:"))
        p._putcmd(base64.b64encode(b"bob").decode())
        p._getline()
        p._putcmd(base64.b64encode(b"bob-pw").decode())
        self.assertTrue(p._getline()[0].startswith(b"+OK"))
        p.quit()
        # CRAM-MD5 works for the {PLAIN} user
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        p._putcmd("AUTH CRAM-MD5")
        challenge = base64.b64decode(p._getline()[0][2:])
        digest = hmac.new(b"bob-pw", challenge, hashlib.md5).hexdigest()
        p._putcmd(base64.b64encode(f"bob {digest}".encode()).decode())
        self.assertTrue(p._getline()[0].startswith(b"+OK"))
        p.quit()

    def test_bad_input_and_penalty(self):
        self.start()
        p = poplib.POP3("127.0.0.1", self.port, timeout=30)
        self.assertTrue(p._shortcmd("NOOP x") if False else True)
        for cmd in ["XYZZY", "A" * 5000, "RETR 1", "AUTH PLAIN !!!notbase64", "AUTH NOSUCH", "USER"]:
            with self.assertRaises(poplib.error_proto):
                p._shortcmd(cmd)
        p.close()
        # Failed logins: each answer waits longer, bounded.
        times = []
        p = poplib.POP3("127.0.0.1", self.port, timeout=30)
        for i in range(3):
            start = time.monotonic()
            with self.assertRaises(poplib.error_proto) as cm:
                p.user("alice")
                p.pass_(f"wrong{i}")
            self.assertIn(b"[AUTH]", cm.exception.args[0])
            times.append(time.monotonic() - start)
        self.assertGreaterEqual(times[0], 0.9)
        self.assertGreater(times[2], times[0] + 1)
        self.assertLess(times[2], 16)
        self.inst.wait_for_log(r"pop3-login: Disconnected \(auth failed, 3 attempts in \d+ secs\): user=<alice>, method=PLAIN, rip=127\.0\.0\.1")
        # fail2ban's stock dovecot filter sees the failure line.
        if shutil.which("fail2ban-regex") and os.path.exists("/etc/fail2ban/filter.d/dovecot.conf"):
            r = subprocess.run(["fail2ban-regex", self.inst.maillog, "/etc/fail2ban/filter.d/dovecot.conf"],
                               capture_output=True, text=True, timeout=120)
            self.assertRegex(r.stdout, r"Failregex: [1-9]\d* total", r.stdout)
        # The server process survived all of it.
        time.sleep(0.2)
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 1)
        self.pop().quit()

    def test_stls_and_implicit_tls(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 1)
        self.start()
        ctx = ssl.create_default_context(cafile=self.cert)
        ctx.check_hostname = False
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        p.stls(ctx)
        p.user("alice")
        p.pass_("alice-pw")
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        p = poplib.POP3_SSL("127.0.0.1", self.sport, context=ctx, timeout=20)
        p.user("alice")
        p.pass_("alice-pw")
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        self.inst.wait_for_log(r"Login: user=<alice>, method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=\d+, TLS")

    def test_stls_discards_pipelined_commands(self):
        self.start()
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.recv(1000)
        s.sendall(b"STLS\r\nUSER injected\r\n")
        time.sleep(0.3)
        self.assertTrue(s.recv(1000).startswith(b"+OK"))
        ctx = ssl.create_default_context(cafile=self.cert)
        ctx.check_hostname = False
        t = ctx.wrap_socket(s)
        t.sendall(b"PASS alice-pw\r\n")
        self.assertTrue(t.recv(1000).startswith(b"-ERR"))  # USER was not kept
        t.close()

    def test_curl_and_fetchmail(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 3)
        self.start()
        # curl prefers CRAM-MD5, which alice's hashed password cannot do: ask for PLAIN.
        r = subprocess.run(["curl", "-sS", f"pop3://127.0.0.1:{self.port}/", "-u", "alice:alice-pw",
                            "--login-options", "AUTH=PLAIN"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.stdout.split()[0::2], ["1", "2", "3"], r.stderr)
        r = subprocess.run(["curl", "-sS", f"pop3://127.0.0.1:{self.port}/2", "-u", "alice:alice-pw",
                            "--login-options", "AUTH=PLAIN"],
                           capture_output=True, text=True, timeout=30)
        self.assertIn("Subject: message 1", r.stdout)
        if not shutil.which("fetchmail"):
            self.skipTest("fetchmail not installed")
        out = os.path.join(self.inst.root, "fetched")
        rc = os.path.join(self.inst.root, "fetchmailrc")
        with open(rc, "w") as f:
            f.write(f"poll 127.0.0.1 protocol pop3 port {self.port} auth password:\n"
                    f"  user alice password alice-pw is root here mda \"/bin/sh -c 'cat >> {out}'\"\n")
        os.chmod(rc, 0o600)
        r = subprocess.run(["fetchmail", "-f", rc, "--nosslcertck", "-v", "--sslproto", "", "--idfile",
                            os.path.join(self.inst.root, "fetchids")],
                           capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": self.inst.root})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(out) as f:
            text = f.read()
        self.assertEqual(text.count("Subject: message"), 3)
        self.assertEqual(os.listdir(os.path.join(self.vhome, "Maildir", "new")), [])

    def test_ten_thousand_messages(self):
        maildir = os.path.join(self.vhome, "Maildir")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        for i in range(10000):
            with open(os.path.join(maildir, "cur", f"{1600000000 + i}.M{i}P2.test,S=30,W=31:2,S"), "w") as f:
                f.write("Subject: x\n\n0123456789abcd\n")
        chown_tree(maildir, self.pw)
        self.start()
        start = time.monotonic()
        p = self.pop()
        self.assertEqual(len(p.list()[1]), 10000)
        self.assertEqual(len(p.uidl()[1]), 10000)
        p.quit()
        self.assertLess(time.monotonic() - start, 10)


class ShadowAndReloadTest(Pop3Base):
    def test_shadow_passdb_and_reload(self):
        maildir_deliver(os.path.join(self.home, "Maildir"), self.pw, 1)
        # Only shadow + passwd: the system user, hashed by chpasswd (yescrypt or SHA-512).
        with open(os.path.join(self.inst.conf, "conf.d", "10-auth.conf"), "w") as f:
            f.write("disable_plaintext_auth = no\npassdb {\n  driver = shadow\n}\nuserdb {\n  driver = passwd\n}\n")
        self.start()
        p = self.pop(self.unix_user, "Sys-Pass-1")
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        # reload applies a new listener port from dovecot.conf; no master.cf entry involved.
        new_port = free_port()
        conf = os.path.join(self.inst.conf, "dovecot.conf")
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            f.write(text.replace(f"port = {self.port}\n", f"port = {new_port}\n"))
        self.assertEqual(self.inst.postfix("reload").returncode, 0)
        self.assertTrue(wait_until(lambda: self._can_connect(new_port), timeout=10))
        self.port = new_port
        p = self.pop(self.unix_user, "Sys-Pass-1")
        p.quit()


class PostfixSmtpdTest(Pop3Base):
    """Debian's Postfix smtpd (its own master, in a temp config) with
    smtpd_sasl_type = dovecot, pointed at Postern's auth socket."""

    def postfix(self, pf, *args):
        return subprocess.run(["/usr/sbin/postfix", "-c", os.path.join(pf, "etc"), *args], capture_output=True,
                              text=True, timeout=60, env={**os.environ, "MAIL_CONFIG": os.path.join(pf, "etc")})

    def test_postfix_smtpd_authenticates(self):
        if not os.path.exists("/usr/lib/postfix/sbin/smtpd"):
            self.skipTest("Debian's postfix is not installed")
        self.start()
        pf = os.path.join(self.inst.root, "pf")
        for d in ("etc", "queue", "data"):
            os.makedirs(os.path.join(pf, d))
        os.chown(os.path.join(pf, "data"), pwd.getpwnam("postfix").pw_uid, -1)
        port = free_port()
        with open(os.path.join(pf, "etc", "main.cf"), "w") as f:
            f.write(f"compatibility_level = 3.6\nqueue_directory = {pf}/queue\ndata_directory = {pf}/data\n"
                    "mail_owner = postfix\nsetgid_group = postdrop\ninet_interfaces = 127.0.0.1\n"
                    "inet_protocols = ipv4\nmyhostname = pf.example.test\n"
                    f"maillog_file = {pf}/maillog\nmaillog_file_prefixes = {pf}\nlocal_recipient_maps =\n"
                    "smtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\n"
                    f"smtpd_sasl_path = {self.inst.queue}/private/auth\nsmtpd_tls_security_level = none\n")
        with open(os.path.join(pf, "etc", "master.cf"), "w") as f:
            f.write(f"127.0.0.1:{port} inet n - n - - smtpd\npostlog unix-dgram n - n - 1 postlogd\n")
        started = self.postfix(pf, "start")
        try:
            self.assertEqual(started.returncode, 0, started.stdout + started.stderr)
            self.assertTrue(wait_until(lambda: self._can_connect(port), timeout=10))
            import smtplib
            smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
            smtp.ehlo("client.test")
            self.assertIn("PLAIN", smtp.esmtp_features.get("auth", "").upper())
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                smtp.login("alice", "wrong")
            smtp.close()
            smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
            smtp.ehlo("client.test")
            code, _ = smtp.login("alice", "alice-pw")
            self.assertEqual(code, 235)
            smtp.quit()
        except AssertionError:
            with open(os.path.join(pf, "maillog"), errors="replace") as f:
                print(f.read())
            raise
        finally:
            self.postfix(pf, "stop")
            pid_file = os.path.join(pf, "queue", "pid", "master.pid")
            if os.path.exists(pid_file):
                with open(pid_file) as f:
                    text = f.read().strip()
                if text.isdigit() and os.path.exists(f"/proc/{text}"):
                    try:
                        os.kill(int(text), 9)
                    except ProcessLookupError:
                        pass


class AuthSocketTest(Pop3Base):
    """The auth socket, spoken to the way Postfix's smtpd (smtpd_sasl_type =
    dovecot, smtpd_sasl_path = private/auth) speaks to Dovecot's."""

    def talk(self, lines):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(20)
        s.connect(os.path.join(self.inst.queue, "private", "auth"))
        f = s.makefile("rwb")
        f.write(b"VERSION\t1\t2\nCPID\t4242\n")
        f.flush()
        hello = []
        while True:
            line = f.readline().decode().rstrip("\n")
            hello.append(line)
            if line == "DONE":
                break
        answers = []
        for line in lines:
            f.write(line.encode() + b"\n")
            f.flush()
            answers.append(f.readline().decode().rstrip("\n"))
        s.close()
        return hello, answers

    def test_postfix_style_exchange(self):
        self.start()
        ok = base64.b64encode(b"\0alice\0alice-pw").decode()
        bad = base64.b64encode(b"\0alice\0nope").decode()
        hello, answers = self.talk([
            f"AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tsecured\tresp={ok}",
            f"AUTH\t2\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tsecured\tresp={bad}",
            "AUTH\t3\tLOGIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tsecured",
        ])
        self.assertEqual(hello[0], "VERSION\t1\t2")
        self.assertIn("MECH\tPLAIN\tplaintext", hello)
        self.assertTrue(any(h.startswith("COOKIE\t") for h in hello))
        self.assertEqual(answers[0], "OK\t1\tuser=alice")
        self.assertEqual(answers[1], "FAIL\t2\tuser=alice")
        self.assertEqual(answers[2], "CONT\t3\t" + base64.b64encode(b"Username:").decode())
        # Plaintext from a remote, non-TLS client is refused (disable_plaintext_auth = yes).
        _, answers = self.talk([f"AUTH\t1\tPLAIN\tservice=smtp\trip=203.0.113.9\tresp={ok}"])
        self.assertIn("Plaintext authentication disallowed", answers[0])
        # Secrets never reach the log.
        self.assertNotIn("alice-pw", self.inst.log())
        self.assertNotIn(ok, self.inst.log())


class MboxTest(Pop3Base):
    mail_location = "mbox:~/mail:INBOX=/tmp/%u.placeholder"

    def setUp(self):
        super().setUp()
        self.spool = os.path.join(self.inst.root, "spool-mail")
        os.makedirs(self.spool, mode=0o1777)
        self.mail_location = f"mbox:~/mail:INBOX={self.spool}/%u"
        self.write_dovecot_conf()

    def write_mbox(self, user, n):
        path = os.path.join(self.spool, user)
        with open(path, "w") as f:
            f.write(mbox_text(n))
        os.chown(path, self.pw.pw_uid, self.pw.pw_gid)
        return path

    def test_mbox_retrieve_and_delete(self):
        path = self.write_mbox("alice", 3)
        self.start()
        p = self.pop()
        self.assertEqual(p.stat()[0], 3)
        uidls = p.uidl()[1]
        self.assertIn(b"Subject: mbox 1", p.retr(2)[1])
        p.dele(2)
        p.quit()
        with open(path) as f:
            text = f.read()
        self.assertNotIn("Subject: mbox 1", text)
        self.assertEqual(text.count("\nFrom: sender"), 2)
        p = self.pop()
        self.assertEqual([u.split()[1] for u in p.uidl()[1]], [uidls[0].split()[1], uidls[2].split()[1]])
        p.dele(1)
        p.sock.shutdown(socket.SHUT_RDWR)  # dropped: nothing deleted
        p.close()
        time.sleep(0.3)
        p = self.pop()
        self.assertEqual(p.stat()[0], 2)
        p.quit()

    def test_mail_arriving_during_session_is_kept(self):
        path = self.write_mbox("alice", 2)
        self.start()
        p = self.pop()
        p.dele(1)
        with open(path, "a") as f:
            f.write("From x@y Mon Jan  1 00:00:00 2024\nSubject: late\n\nlate body\n\n")
        p.quit()
        p = self.pop()
        self.assertEqual(p.stat()[0], 2)
        self.assertIn(b"Subject: late", p.retr(2)[1])
        p.quit()


class SslRequiredTest(Pop3Base):
    extra_conf = "protocol pop3 {\n  ssl = required\n}\n"

    def test_no_login_before_tls(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 1)
        self.start()
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        caps = p.capa()
        self.assertNotIn("USER", caps)
        self.assertNotIn("SASL", caps)
        with self.assertRaises(poplib.error_proto) as cm:
            p.user("alice")
        self.assertIn(b"[AUTH]", cm.exception.args[0])
        with self.assertRaises(poplib.error_proto):
            p._shortcmd("AUTH PLAIN " + base64.b64encode(b"\0bob\0bob-pw").decode())
        ctx = ssl.create_default_context(cafile=self.cert)
        ctx.check_hostname = False
        p.stls(ctx)
        p.user("alice")
        p.pass_("alice-pw")
        self.assertEqual(p.stat()[0], 1)
        p.quit()


class StockDebianConfigTest(Pop3Base):
    """Debian's stock /etc/dovecot (dovecot-core), copied, with only the edits
    the tutorials make: system users through PAM and passwd-file users."""

    def setUp(self):
        if not os.path.exists("/etc/dovecot/conf.d/10-master.conf"):
            self.skipTest("dovecot-core's stock configuration is not installed")
        super().setUp()
        stock = os.path.join(self.inst.root, "dovecot")
        shutil.copytree("/etc/dovecot", stock, ignore=shutil.ignore_patterns("private"))
        conf_d = os.path.join(stock, "conf.d")

        def edit(name, *pairs):
            path = os.path.join(stock, name)
            with open(path) as f:
                text = f.read()
            for old, new in pairs:
                self.assertIn(old, text, f"{name}: {old!r}")
                text = text.replace(old, new, 1)
            with open(path, "w") as f:
                f.write(text)

        edit("dovecot.conf", ("!include conf.d/*.conf", "protocols = imap pop3 lmtp\nlisten = 127.0.0.1\n!include conf.d/*.conf"))
        edit("conf.d/10-auth.conf", ("#disable_plaintext_auth = yes", "disable_plaintext_auth = no"),
             ("#!include auth-passwdfile.conf.ext", "!include auth-passwdfile.conf.ext"))
        edit("conf.d/auth-passwdfile.conf.ext", ("/etc/dovecot/users", self.passwd_file),
             ("/etc/dovecot/users", self.passwd_file))
        edit("conf.d/10-mail.conf", ("\nmail_location = mbox:~/mail:INBOX=/var/mail/%u", "\nmail_location = maildir:~/Maildir"))
        edit("conf.d/10-ssl.conf", ("ssl_cert = </etc/dovecot/private/dovecot.pem", f"ssl_cert = <{self.cert}"),
             ("ssl_key = </etc/dovecot/private/dovecot.key", f"ssl_key = <{self.key}"))
        edit("conf.d/10-master.conf", ("#port = 110", f"port = {self.port}"), ("#port = 995", f"port = {self.sport}"),
             ("#port = 143", "port = 0"), ("#port = 993", "port = 0"),
             ("#unix_listener /var/spool/postfix/private/auth {\n  #  mode = 0666\n  #}",
              f"unix_listener {self.inst.queue}/private/auth {{\n    mode = 0666\n  }}"))
        os.remove(os.path.join(self.inst.conf, "dovecot.conf"))
        self.inst.write_main_cf(f"dovecot_config_file = {stock}/dovecot.conf\n")
        del conf_d

    def test_tutorial_edits_give_pop3(self):
        maildir_deliver(os.path.join(self.home, "Maildir"), self.pw, 2)
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 1)
        self.start()
        p = self.pop(self.unix_user, "Sys-Pass-1")  # pam, userdb passwd
        self.assertEqual(p.stat()[0], 2)
        p.dele(1)
        p.quit()
        p = self.pop("alice", "alice-pw")  # passwd-file
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        p = self.pop(self.unix_user, "Sys-Pass-1")
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        self.inst.wait_for_log(r"protocol lmtp is not available in Postern yet")
        r = self.inst.command("postern-doveconf", "-n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")  # the stock files hold no setting we do not know
        self.assertIn("disable_plaintext_auth = no", r.stdout)


class CommandsTest(unittest.TestCase):
    def test_postern_pw(self):
        for scheme in ("SHA512-CRYPT", "SHA256-CRYPT", "BLF-CRYPT", "MD5-CRYPT", "CRAM-MD5", "PLAIN", "SSHA256"):
            r = subprocess.run([os.path.join(BIN, "postern-pw"), "-s", scheme, "-p", "pw"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(r.stdout.startswith("{" + scheme + "}"), r.stdout)
            t = subprocess.run([os.path.join(BIN, "postern-pw"), "-t", r.stdout.strip(), "-p", "pw"],
                               capture_output=True, text=True)
            self.assertEqual(t.returncode, 0, t.stdout)
            self.assertIn("(verified)", t.stdout)
        r = subprocess.run([os.path.join(BIN, "postern-pw"), "-s", "SHA512-CRYPT"], input="secret\n",
                           capture_output=True, text=True)
        self.assertTrue(r.stdout.startswith("{SHA512-CRYPT}$6$"))
        self.assertNotIn("secret", r.stdout + r.stderr)

    def test_postern_doveconf(self):
        inst = Instance()
        try:
            with open(os.path.join(inst.conf, "dovecot.conf"), "w") as f:
                f.write("protocols = pop3\ndisable_plaintext_auth = no\nbogus_setting = 1\n"
                        "passdb {\n  driver = pam\n}\n")
            r = inst.command("postern-doveconf", "-n")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("protocols = pop3\n", r.stdout)
            self.assertIn("passdb {\n  driver = pam\n}\n", r.stdout)
            self.assertIn("line 3: unknown setting: bogus_setting", r.stderr)
            r = inst.command("postern-doveconf", "-h", "disable_plaintext_auth")
            self.assertEqual(r.stdout.strip(), "no")
            with open(os.path.join(inst.conf, "dovecot.conf"), "a") as f:
                f.write("service auth {\n")
            r = inst.command("postern-doveconf", "-n")
            self.assertEqual(r.returncode, 1)
            self.assertIn("dovecot.conf, line 7: missing '}'", r.stderr)
        finally:
            inst.cleanup()


if __name__ == "__main__":
    unittest.main()
