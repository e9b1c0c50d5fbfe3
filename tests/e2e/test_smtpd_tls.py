"""smtpd TLS and SMTP AUTH end to end: STARTTLS (smtpd_tls_security_level
may/encrypt), wrapper mode (smtps, 465-style), the submission service with
Postfix's stock master.cf -o overrides, smtpd_tls_auth_only, AUTH PLAIN and
LOGIN through Postern's auth (smtpd_sasl_type = dovecot), the CVE-2011-0411
injection check, relay with and without AUTH, and the Received header
(ESMTPS/ESMTPSA, TLS version and cipher). One instance, several listeners;
swaks and Python's smtplib/ssl as clients."""
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IS_ROOT, SmtpClient, b64, free_port, wait_until, write_smtpd_auth  # noqa: E402
from test_smtpd import make_instance, read_queue_file  # noqa: E402

SWAKS = shutil.which("swaks")


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


@unittest.skipUnless(IS_ROOT, "the auth daemon and users need root")
class SmtpdTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()       # STARTTLS may, AUTH on plain too
        cls.only_port = free_port()  # smtpd_tls_auth_only = yes
        cls.sub_port = free_port()   # submission: encrypt, auth only, permit_sasl_authenticated
        cls.smtps_port = free_port()  # wrapper mode
        master_cf = (f"127.0.0.1:{cls.port} inet n - n - - smtpd\n"
                     f"127.0.0.1:{cls.only_port} inet n - n - - smtpd -o smtpd_tls_auth_only=yes\n"
                     f"127.0.0.1:{cls.sub_port} inet n - n - - smtpd\n"
                     "  -o syslog_name=postfix/submission\n"
                     "  -o smtpd_tls_security_level=encrypt\n"
                     "  -o smtpd_sasl_auth_enable=yes\n"
                     "  -o smtpd_tls_auth_only=yes\n"
                     "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n"
                     f"127.0.0.1:{cls.smtps_port} inet n - n - - smtpd\n"
                     "  -o syslog_name=postfix/smtps\n"
                     "  -o smtpd_tls_wrappermode=yes\n"
                     "  -o smtpd_sasl_auth_enable=yes\n"
                     "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n")

        def prepare(inst):
            cert = os.path.join(inst.conf, "cert.pem")
            key = os.path.join(inst.conf, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=mail.example.test", "-keyout", key, "-out", cert],
                           capture_output=True, check=True)
            os.chmod(key, 0o600)
            write_smtpd_auth(inst, "alice:{PLAIN}alice-pw::::::\n")
            inst.write_main_cf(
                "compatibility_level = 3.6\nlocal_recipient_maps =\nmynetworks = 127.0.0.1/32\n"
                "smtpd_error_sleep_time = 0\n"
                f"dovecot_config_file = {inst.conf}/dovecot.conf\n"
                f"smtpd_tls_cert_file = {cert}\nsmtpd_tls_key_file = {key}\n"
                "smtpd_tls_security_level = may\nsmtpd_tls_received_header = yes\n"
                "smtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\nsmtpd_sasl_path = private/auth\n"
                "smtpd_sasl_authenticated_header = yes\nbroken_sasl_auth_clients = yes\n"
                "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n")

        cls.inst = make_instance("", master_cf, prepare)
        if not wait_until(lambda: os.path.exists(os.path.join(cls.inst.queue, "private", "auth")), timeout=10):
            raise AssertionError("no auth socket:\n" + cls.inst.log())

    @classmethod
    def tearDownClass(cls):
        cls.inst.cleanup()

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log()[-8000:])

    def raw(self, port=None, source="127.0.0.1", tls=False):
        c = SmtpClient(port or self.port, source, tls_ctx=tls_context() if tls else None)
        self.addCleanup(c.close)
        self.assertTrue(c.reply_lines()[0].startswith("220 "))
        return c

    def swaks(self, *args):
        if not SWAKS:
            self.skipTest("swaks is not installed (scripts/packages)")
        r = subprocess.run([SWAKS, "--server", "127.0.0.1", "--helo", "client.example.org",
                            "--from", "alice@example.org", "--timeout", "20", *args],
                           capture_output=True, text=True, timeout=60)
        return r

    def queued(self, output):
        m = re.search(r"250 2\.0\.0 Ok: queued as (\w+)", output)
        self.assertTrue(m, output)
        return read_queue_file(self.inst.queue, m.group(1))

    # -- STARTTLS ----------------------------------------------------------------
    def test_starttls_then_ehlo_no_longer_offers_it(self):
        c = self.raw()
        before = c.send("EHLO client.example.org\r\n") or c.reply_lines()
        self.assertIn("250-STARTTLS", before)
        self.assertIn("250-AUTH PLAIN LOGIN", before)
        self.assertIn("250-AUTH=PLAIN LOGIN", before)  # broken_sasl_auth_clients
        c.starttls(tls_context())
        c.send("EHLO client.example.org\r\n")
        after = c.reply_lines()
        self.assertNotIn("250-STARTTLS", after)
        self.assertIn("250-AUTH PLAIN LOGIN", after)
        self.assertEqual(c.cmd("STARTTLS"), "554 5.5.1 Error: TLS already active")
        self.inst.wait_for_log(r"postfix/smtpd\[\d+\]: Anonymous TLS connection established from "
                               r"localhost\[127\.0\.0\.1\]: TLSv1\.[23] with cipher \S+ \(\d+/\d+ bits\)")

    def test_cve_2011_0411_buffered_commands_are_discarded(self):
        c = self.raw()
        c.send("EHLO client.example.org\r\n")
        c.reply_lines()
        # One packet: STARTTLS plus a plaintext command that must never run.
        c.send("STARTTLS\r\nRSET\r\n")
        self.assertEqual(c.reply_lines(), ["220 2.0.0 Ready to start TLS"])
        c.sock = tls_context().wrap_socket(c.sock)
        c.send("EHLO client.example.org\r\n")
        first = c.reply_lines()
        self.assertTrue(first[0].startswith("250-mail.example.test"), first)  # not RSET's "250 2.0.0 Ok"
        self.assertEqual(c.cmd("QUIT"), "221 2.0.0 Bye")
        line = self.inst.wait_for_log(r"disconnect from localhost\[127\.0\.0\.1\] ehlo=2 starttls=1 quit=1 commands=4")
        self.assertTrue(line)

    def test_swaks_tls_auth_plain_received_header(self):
        r = self.swaks("--port", str(self.port), "--to", "bob@remote.example", "--tls",
                       "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "alice-pw")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        q = self.queued(r.stdout)
        self.assertEqual(q["attrs"].get("sasl_username"), "alice")
        self.assertEqual(q["attrs"].get("protocol"), "ESMTPSA")
        head = q["content"].split(b"\r\n\r\n", 1)[0].decode()
        self.assertRegex(head, r"^Received: from client\.example\.org \(localhost \[127\.0\.0\.1\]\)\r\n"
                               r"\t\(using TLSv1\.[23] with cipher \S+ \(\d+/\d+ bits\)\)\r\n"
                               r"\t\(No client certificate requested\)\r\n"
                               r"\t\(Authenticated sender: alice\)\r\n"
                               r"\tby mail\.example\.test \(Postfix\) with ESMTPSA id ")
        self.inst.wait_for_log(r"postfix/smtpd\[\d+\]: \w+: client=localhost\[127\.0\.0\.1\], "
                               r"sasl_method=PLAIN, sasl_username=alice")

    def test_swaks_tls_without_auth_is_esmtps(self):
        r = self.swaks("--port", str(self.port), "--to", "bob@mail.example.test", "--tls")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        q = self.queued(r.stdout)
        self.assertEqual(q["attrs"].get("protocol"), "ESMTPS")
        self.assertIn(b"with ESMTPS id", q["content"])

    def test_auth_login_and_failures(self):
        c = self.raw()
        c.cmd("EHLO client.example.org")
        self.assertEqual(c.cmd("AUTH PLAIN " + b64("\0alice\0wrong")),
                         "535 5.7.8 Error: authentication failed: authentication failure")
        self.inst.wait_for_log(r"warning: localhost\[127\.0\.0\.1\]: SASL PLAIN authentication failed")
        self.assertEqual(c.cmd("AUTH LOGIN"), "334 " + b64("Username:"))
        self.assertEqual(c.cmd("*"), "501 5.7.0 Authentication aborted")
        self.assertEqual(c.cmd("AUTH CRAM-MD5"),
                         "535 5.7.8 Error: authentication failed: Invalid authentication mechanism")
        self.assertEqual(c.cmd("AUTH LOGIN"), "334 " + b64("Username:"))
        self.assertEqual(c.cmd(b64("alice")), "334 " + b64("Password:"))
        self.assertEqual(c.cmd(b64("alice-pw")), "235 2.7.0 Authentication successful")
        self.assertEqual(c.cmd("AUTH PLAIN"), "503 5.5.1 Error: already authenticated")

    def test_auth_plain_with_continuation(self):
        c = self.raw()
        c.cmd("EHLO client.example.org")
        self.assertEqual(c.cmd("AUTH PLAIN"), "334 ")
        self.assertEqual(c.cmd(b64("\0alice\0alice-pw")), "235 2.7.0 Authentication successful")

    def test_relay_from_outside_mynetworks_needs_auth(self):
        c = self.raw(source="127.0.0.2")
        c.cmd("EHLO client.example.org")
        c.cmd("MAIL FROM:<alice@example.org>")
        self.assertEqual(c.cmd("RCPT TO:<bob@remote.example>"), "554 5.7.1 <bob@remote.example>: Relay access denied")
        self.inst.wait_for_log(re.escape(
            "NOQUEUE: reject: RCPT from unknown[127.0.0.2]: 554 5.7.1 <bob@remote.example>: Relay access denied; "
            "from=<alice@example.org> to=<bob@remote.example> proto=ESMTP helo=<client.example.org>"))
        c.cmd("RSET")
        self.assertEqual(c.cmd("AUTH PLAIN " + b64("\0alice\0alice-pw")), "235 2.7.0 Authentication successful")
        c.cmd("MAIL FROM:<alice@example.org>")
        self.assertEqual(c.cmd("RCPT TO:<bob@remote.example>"), "250 2.1.5 Ok")

    def test_tls_auth_only(self):
        c = self.raw(self.only_port)
        c.send("EHLO client.example.org\r\n")
        self.assertNotIn("AUTH", " ".join(c.reply_lines()))
        self.assertEqual(c.cmd("AUTH PLAIN " + b64("\0alice\0alice-pw")), "503 5.5.1 Error: authentication not enabled")
        c.starttls(tls_context())
        c.send("EHLO client.example.org\r\n")
        self.assertIn("250-AUTH PLAIN LOGIN", c.reply_lines())
        self.assertEqual(c.cmd("AUTH PLAIN " + b64("\0alice\0alice-pw")), "235 2.7.0 Authentication successful")

    # -- submission (587) and smtps (465) ------------------------------------------------
    def test_submission_requires_tls_then_auth(self):
        c = self.raw(self.sub_port)
        c.send("EHLO client.example.org\r\n")
        ehlo = c.reply_lines()
        self.assertIn("250-STARTTLS", ehlo)
        self.assertNotIn("AUTH", " ".join(ehlo))
        self.assertEqual(c.cmd("MAIL FROM:<alice@example.org>"), "530 5.7.0 Must issue a STARTTLS command first")
        c.starttls(tls_context())
        c.cmd("EHLO client.example.org")
        c.cmd("MAIL FROM:<alice@example.org>")
        self.assertEqual(c.cmd("RCPT TO:<bob@remote.example>"),
                         "554 5.7.1 <localhost[127.0.0.1]>: Client host rejected: Access denied")
        c.cmd("RSET")
        self.assertEqual(c.cmd("AUTH PLAIN " + b64("\0alice\0alice-pw")), "235 2.7.0 Authentication successful")
        self.assertEqual(c.cmd("MAIL FROM:<alice@example.org>"), "250 2.1.0 Ok")
        self.assertEqual(c.cmd("RCPT TO:<bob@remote.example>"), "250 2.1.5 Ok")
        self.inst.wait_for_log(r"postfix/submission/smtpd\[\d+\]: Anonymous TLS connection established")

    def test_smtps_wrapper_mode_with_swaks(self):
        r = self.swaks("--port", str(self.smtps_port), "--to", "bob@remote.example", "--tlsc",
                       "--auth", "LOGIN", "--auth-user", "alice", "--auth-password", "alice-pw")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        q = self.queued(r.stdout)
        self.assertEqual(q["attrs"].get("protocol"), "ESMTPSA")
        self.inst.wait_for_log(r"postfix/smtps/smtpd\[\d+\]: \w+: client=localhost\[127\.0\.0\.1\], "
                               r"sasl_method=LOGIN, sasl_username=alice")

    def test_smtps_refuses_plaintext_and_unauthenticated_relay(self):
        c = self.raw(self.smtps_port, tls=True)
        c.cmd("EHLO client.example.org")
        c.cmd("MAIL FROM:<alice@example.org>")
        self.assertEqual(c.cmd("RCPT TO:<bob@remote.example>"),
                         "554 5.7.1 <localhost[127.0.0.1]>: Client host rejected: Access denied")
        # A plaintext client gets no banner and no command is read.
        s = socket.create_connection(("127.0.0.1", self.smtps_port), timeout=5)
        s.sendall(b"EHLO plain\r\n")
        s.settimeout(5)
        try:
            data = s.recv(100)
        except (socket.timeout, ConnectionResetError):
            data = b""
        s.close()
        self.assertFalse(data.startswith(b"220"), data)


if __name__ == "__main__":
    unittest.main()
