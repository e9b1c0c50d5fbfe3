"""The tutorials' scenario end to end (issue 8's "done when"): alice at
a.test submits a message over the submission service of instance A
(STARTTLS, AUTH PLAIN through Postern's auth), A finds b.test's mail server
by its MX record (a dnsmasq the test starts on loopback) and delivers to
instance B on another loopback address, B delivers into bob's Maildir, and
bob reads the message with imaplib from B's imapd. Also
reject_sender_login_mismatch with smtpd_sender_login_maps: another user's
address is refused (553 5.7.1), one's own is accepted, and without AUTH an
address that belongs to a login is refused as Postfix documents.

  A (127.X.Y.2)  mail.a.test: smtpd on 25 and a submission listener, auth, qmgr, smtp
  B (127.X.Y.3)  mx.b.test:   smtpd on 25, qmgr, local (Maildir), imapd

Needs root (port 25, users, privilege drops)."""
import imaplib
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DNSMASQ, IS_ROOT, Instance, free_port, start_dnsmasq, wait_until, write_smtpd_auth  # noqa: E402

PID = os.getpid()
NET = f"127.{10 + (PID + 97) % 200}.{1 + (PID // 200) % 250}"
A, B = f"{NET}.2", f"{NET}.3"


def unverified_tls():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


@unittest.skipUnless(IS_ROOT, "port 25, system users and privilege drops need root")
@unittest.skipUnless(os.path.exists(DNSMASQ), "dnsmasq is installed by scripts/setup.sh")
class TwoDomainsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="p2d", dir="/tmp")
        cls.dns = None
        cls.a = cls.b = None
        cls.sysuser = "pb" + uuid.uuid4().hex[:8]
        try:
            cls.start_dns()
            cls.b = cls.make_b()
            cls.a = cls.make_a()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for inst in (cls.a, cls.b):
            if inst:
                inst.cleanup()
        if cls.dns:
            cls.dns.send_signal(signal.SIGTERM)
            try:
                cls.dns.wait(5)
            except subprocess.TimeoutExpired:
                cls.dns.kill()
        subprocess.run(["userdel", cls.sysuser], capture_output=True)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def start_dns(cls):
        cls.dns_port = free_port()
        cls.dns = start_dnsmasq(cls.dns_port, [
            "--local=/test/", "--mx-host=a.test,mail.a.test,10", "--mx-host=b.test,mx.b.test,10",
            f"--host-record=mail.a.test,{A}", f"--host-record=mx.b.test,{B}"])  # also the PTR records

    @staticmethod
    def common_main_cf(inst, addr, hostname, domain):
        aliases = os.path.join(inst.conf, "aliases")
        return aliases, [
            f"inet_interfaces = {addr}",
            f"myhostname = {hostname}",
            f"mydomain = {domain}",
            f"mydestination = {domain}, $myhostname, localhost",
            f"alias_maps = hash:{aliases}",
            f"alias_database = hash:{aliases}",
            "compatibility_level = 3.6",
            f"dns_resolver_addresses = 127.0.0.1:{TwoDomainsTest.dns_port}",
            "smtpd_error_sleep_time = 0",
            "queue_run_delay = 1s", "minimal_backoff_time = 1s", "maximal_backoff_time = 2s",
        ]

    @classmethod
    def make_b(cls):
        cls.imap_port = free_port(B)
        inst = Instance(master_cf=(f"{B}:25    inet  n       -       n       -       -       smtpd\n"
                                   "qmgr      unix  n       -       n       300     1       qmgr\n"
                                   "local     unix  -       n       n       -       -       local\n"))
        home = os.path.join(inst.root, "home", cls.sysuser)
        os.makedirs(os.path.dirname(home))
        os.chmod(os.path.dirname(home), 0o755)
        subprocess.run(["useradd", "-M", "-d", home, "-s", "/usr/sbin/nologin", cls.sysuser], check=True)
        os.makedirs(home)
        pw = pwd.getpwnam(cls.sysuser)
        os.chown(home, pw.pw_uid, pw.pw_gid)
        users = os.path.join(inst.conf, "users")
        with open(users, "w") as f:
            # bob's IMAP login reads the Maildir local delivery writes.
            f.write(f"bob:{{PLAIN}}bob-pw:{pw.pw_uid}:{pw.pw_gid}::{home}::\n")
        with open(os.path.join(inst.conf, "dovecot.conf"), "w") as f:
            f.write("protocols = imap\n"
                    f"listen = {B}\n"
                    "mail_location = maildir:~/Maildir\n"
                    "ssl = no\n"
                    "disable_plaintext_auth = no\n"
                    "auth_mechanisms = plain login\n"
                    "auth_failure_delay = 0\n"
                    f"passdb {{\n  driver = passwd-file\n  args = {users}\n}}\n"
                    f"userdb {{\n  driver = passwd-file\n  args = {users}\n}}\n"
                    f"service imap-login {{\n  inet_listener imap {{\n    port = {cls.imap_port}\n  }}\n}}\n")
        aliases, lines = cls.common_main_cf(inst, B, "mx.b.test", "b.test")
        with open(aliases, "w") as f:
            f.write(f"postmaster: root\nbob: {cls.sysuser}\n")
        inst.write_main_cf("\n".join(lines + ["home_mailbox = Maildir/", "mynetworks = 127.0.0.1/32", ""]))
        cls.prepare_and_start(inst, aliases)
        if not wait_until(lambda: cls.can_connect(B, cls.imap_port), timeout=15):
            raise AssertionError("B's imapd did not start:\n" + inst.log())
        return inst

    @classmethod
    def make_a(cls):
        cls.sub_port = free_port(A)
        inst = Instance(master_cf=(
            f"{A}:25    inet  n       -       n       -       -       smtpd\n"
            f"{A}:{cls.sub_port} inet n -    n       -       -       smtpd\n"
            "  -o syslog_name=postfix/submission\n"
            "  -o smtpd_tls_security_level=encrypt\n"
            "  -o smtpd_sasl_auth_enable=yes\n"
            "  -o smtpd_tls_auth_only=yes\n"
            "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n"
            "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n"
            "qmgr      unix  n       -       n       300     1       qmgr\n"
            "local     unix  -       n       n       -       -       local\n"
            "smtp      unix  -       -       n       -       -       smtp\n"))
        cert, key = os.path.join(inst.conf, "cert.pem"), os.path.join(inst.conf, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=mail.a.test", "-keyout", key, "-out", cert], capture_output=True, check=True)
        os.chmod(key, 0o600)
        write_smtpd_auth(inst, "alice:{PLAIN}alice-pw::::::\ncarol:{PLAIN}carol-pw::::::\n")
        aliases, lines = cls.common_main_cf(inst, A, "mail.a.test", "a.test")
        with open(aliases, "w") as f:
            f.write("postmaster: root\nalice: root\ncarol: root\n")
        inst.write_main_cf("\n".join(lines + [
            "mynetworks = 127.0.0.0/8",
            "smtp_connect_timeout = 5s",
            f"smtpd_tls_cert_file = {cert}", f"smtpd_tls_key_file = {key}",
            "smtpd_sasl_type = dovecot", "smtpd_sasl_path = private/auth",
            "smtpd_sender_login_maps = inline:{ alice@a.test=alice, carol@a.test=carol }",
            "smtpd_sender_restrictions = reject_sender_login_mismatch",
            ""]))
        cls.prepare_and_start(inst, aliases)
        if not wait_until(lambda: os.path.exists(os.path.join(inst.queue, "private", "auth")), timeout=10):
            raise AssertionError("A has no auth socket:\n" + inst.log())
        return inst

    @staticmethod
    def prepare_and_start(inst, aliases):
        r = inst.command("postalias", aliases)
        assert r.returncode == 0, r.stderr
        r = inst.postfix("set-permissions")
        assert r.returncode == 0, r.stderr
        inst.start()

    @staticmethod
    def can_connect(host, port):
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            return False

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            for name in ("a", "b"):
                print(f"--- log of {name} ---\n" + getattr(self, name).log()[-6000:], file=sys.stderr)

    def submission(self, user):
        s = smtplib.SMTP(A, self.sub_port, timeout=20)
        self.addCleanup(s.close)
        s.ehlo("laptop.a.test")
        s.starttls(context=unverified_tls())
        s.ehlo("laptop.a.test")
        s.login(user, f"{user}-pw")
        return s

    # -- reject_sender_login_mismatch ------------------------------------------
    def test_1_someone_elses_address_is_refused(self):
        s = self.submission("alice")
        self.assertEqual(s.mail("carol@a.test")[0], 250)  # smtpd_delay_reject: decided at RCPT
        code, text = s.rcpt("bob@b.test")
        self.assertEqual((code, text.decode()),
                         (553, "5.7.1 <carol@a.test>: Sender address rejected: not owned by user alice"))
        self.a.wait_for_log(r"postfix/submission/smtpd\[\d+\]: NOQUEUE: reject: RCPT from .*: 553 5\.7\.1 "
                            r"<carol@a\.test>: Sender address rejected: not owned by user alice; "
                            r"from=<carol@a\.test> to=<bob@b\.test> proto=ESMTPSA")
        # Her own address goes through in the same session.
        s.rset()
        self.assertEqual(s.mail("alice@a.test")[0], 250)
        self.assertEqual(s.rcpt("postmaster@a.test")[0], 250)

    def test_2_unauthenticated_use_of_an_owned_address_is_refused(self):
        with smtplib.SMTP(A, 25, timeout=20) as s:
            s.ehlo("laptop.a.test")
            self.assertEqual(s.mail("alice@a.test")[0], 250)
            code, text = s.rcpt("postmaster@a.test")
            self.assertEqual((code, text.decode()),
                             (553, "5.7.1 <alice@a.test>: Sender address rejected: not logged in"))
            s.rset()
            # An address no login owns needs no login.
            self.assertEqual(s.mail("stranger@a.test")[0], 250)
            self.assertEqual(s.rcpt("postmaster@a.test")[0], 250)
        # The submission port refuses unauthenticated clients outright.
        with smtplib.SMTP(A, self.sub_port, timeout=20) as s:
            s.ehlo("laptop.a.test")
            s.starttls(context=unverified_tls())
            s.ehlo("laptop.a.test")
            self.assertEqual(s.mail("stranger@a.test")[0], 250)
            code, _ = s.rcpt("bob@b.test")
            self.assertEqual(code, 554)

    # -- the done-when scenario ---------------------------------------------------
    def test_3_alice_at_a_sends_bob_at_b_reads_over_imap(self):
        subject = f"Lunch on Friday {uuid.uuid4().hex[:6]}"
        body = "Hi Bob,\r\n\r\nlunch at noon?\r\n.dot-started line stays\r\n\r\nAlice\r\n"
        s = self.submission("alice")
        s.sendmail("alice@a.test", ["bob@b.test"],
                   f"From: Alice <alice@a.test>\r\nTo: Bob <bob@b.test>\r\nSubject: {subject}\r\n\r\n{body}")
        s.quit()
        # A looked up b.test's MX and handed the message to B.
        self.a.wait_for_log(rf"to=<bob@b\.test>, relay=mx\.b\.test\[{re.escape(B)}\]:25, .*status=sent", timeout=30)
        self.b.wait_for_log(r"to=<" + re.escape(self.sysuser) + r"@[\w.]+>, orig_to=<bob@b\.test>, relay=local, "
                            r".*status=sent", timeout=30)

        m = imaplib.IMAP4(B, self.imap_port, timeout=20)
        self.addCleanup(m.logout)
        m.login("bob", "bob-pw")
        typ, data = m.select("INBOX")
        self.assertEqual(typ, "OK")
        typ, found = m.search(None, "SUBJECT", f'"{subject}"')
        self.assertEqual(typ, "OK")
        ids = found[0].split()
        self.assertEqual(len(ids), 1, found)
        typ, parts = m.fetch(ids[0], "(BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] BODY.PEEK[TEXT])")
        self.assertEqual(typ, "OK")
        header = parts[0][1].decode()
        text = parts[1][1].decode()
        self.assertIn(f"Subject: {subject}", header)
        self.assertIn("From: Alice <alice@a.test>", header)
        self.assertEqual(text, body)
        # The trace shows the way it came: authenticated submission at A, then A to B.
        typ, parts = m.fetch(ids[0], "(BODY.PEEK[HEADER.FIELDS (RECEIVED)])")
        received = parts[0][1].decode()
        self.assertRegex(received, r"from mail\.a\.test \(\S+ \[127\.[\d.]+\]\)\s+by mx\.b\.test")
        self.assertRegex(received, r"by mail\.a\.test \(Postfix\) with ESMTPSA")

    def test_9_no_daemon_failures(self):
        for inst in (self.a, self.b):
            bad = re.findall(r".*(?:killed by signal|fatal: |panic: |AddressSanitizer|runtime error).*", inst.log())
            self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
