"""notify_classes transcripts from smtpd: policy, protocol, resource and
software notices land in postmaster's mailbox with the session transcript,
exactly once per session, only for the classes asked for, and never with a
password in them. One instance, one smtpd service per setting, clients on
distinct loopback addresses so that each test finds its own notice.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IS_ROOT, SmtpClient, b64, free_port, wait_until, write_smtpd_auth  # noqa: E402
from test_smtpd import make_instance  # noqa: E402

DOMAIN = "mail.example.test"


class Client(SmtpClient):
    """The harness's SMTP client, past the banner."""

    def __init__(self, port, source):
        super().__init__(port, source)
        self.reply()  # banner

    def quit(self):
        self.cmd("QUIT")
        self.close()


@unittest.skipUnless(IS_ROOT, "local delivery to postmaster (root's mailbox) and the auth daemon need root")
class NotifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.all_port = free_port()      # notify_classes = policy, protocol, resource, software
        cls.default_port = free_port()  # Postfix's default: resource, software
        cls.full_port = free_port()     # queue_minfree never met: a resource problem
        cls.broken_port = free_port()   # a missing access table: a software (configuration) problem
        master_cf = ("qmgr      fifo  n       -       n       300     1       qmgr\n"
                     "local     unix  -       n       n       -       -       local\n"
                     f"127.0.0.1:{cls.all_port} inet n - n - - smtpd\n"
                     "  -o notify_classes=policy,protocol,resource,software\n"
                     "  -o smtpd_sasl_auth_enable=yes\n"
                     f"127.0.0.1:{cls.default_port} inet n - n - - smtpd\n"
                     f"127.0.0.1:{cls.full_port} inet n - n - - smtpd -o queue_minfree=1000000000000000\n"
                     f"127.0.0.1:{cls.broken_port} inet n - n - - smtpd"
                     " -o smtpd_recipient_restrictions=check_recipient_access,hash:/nonexistent/access\n")

        def prepare(inst):
            cls.spool = os.path.join(inst.root, "mail")
            os.makedirs(cls.spool, mode=0o1777)
            os.chmod(cls.spool, 0o1777)
            aliases = os.path.join(inst.conf, "aliases")
            with open(aliases, "w") as f:
                f.write("postmaster: root\n")
            write_smtpd_auth(inst, "alice:{PLAIN}Secret-Pw-7731::::::\n")
            inst.write_main_cf(
                "compatibility_level = 3.6\nmynetworks = 127.0.0.1/32\n"
                "smtpd_error_sleep_time = 0\nqueue_run_delay = 1s\n"
                "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
                f"mail_spool_directory = {cls.spool}\n"
                f"alias_maps = hash:{aliases}\nalias_database = hash:{aliases}\n"
                f"dovecot_config_file = {inst.conf}/dovecot.conf\n"
                "smtpd_sasl_type = dovecot\nsmtpd_sasl_path = private/auth\n")
            r = inst.command("postalias", aliases)
            if r.returncode != 0:
                raise AssertionError(r.stderr)

        cls.inst = make_instance("", master_cf, prepare)
        cls.mailbox = os.path.join(cls.spool, "root")

    @classmethod
    def tearDownClass(cls):
        log = cls.inst.log()
        cls.inst.cleanup()
        # No daemon may crash (a sanitizer abort shows as signal 6) or log fatal/panic.
        bad = re.findall(r".*(?:killed by signal \d+|exit status [1-9]|fatal: |panic: ).*", log)
        if bad:
            raise AssertionError("daemon failures in the log:\n" + "\n".join(bad))

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log()[-8000:])

    # -- helpers -------------------------------------------------------------
    def messages(self):
        try:
            with open(self.mailbox, errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            return []
        return [m for m in re.split(r"^(?=From )", text, flags=re.M) if m.strip()]

    def notices_about(self, source):
        subject = re.compile(rf"^Subject: Postern SMTP server: errors from \S*\[{re.escape(source)}\]$", re.M)
        return [m for m in self.messages() if subject.search(m)]

    def wait_notice(self, source):
        if not wait_until(lambda: self.notices_about(source), timeout=15):
            raise AssertionError(f"no notice about {source} in postmaster's mailbox:\n{self.inst.log()}")
        notices = self.notices_about(source)
        logged = re.findall(rf"postmaster notification: errors from \S*\[{re.escape(source)}\]", self.inst.log())
        self.assertEqual(len(notices), 1, notices)
        self.assertEqual(len(logged), 1, logged)
        return notices[0]

    # -- tests ---------------------------------------------------------------
    def test_rejected_relay_attempt_sends_one_policy_notice(self):
        c = Client(self.all_port, "127.0.0.2")
        c.cmd("EHLO relay.example")
        self.assertEqual(c.cmd("MAIL FROM:<spammer@remote.test>"), "250 2.1.0 Ok")
        self.assertEqual(c.cmd("RCPT TO:<victim@elsewhere.test>"),
                         "554 5.7.1 <victim@elsewhere.test>: Relay access denied")
        c.quit()
        notice = self.wait_notice("127.0.0.2")
        self.assertIn(f"From: MAILER-DAEMON@{DOMAIN} (Mail Delivery System)\n", notice)
        self.assertIn("Return-Path: <double-bounce@", notice)
        self.assertIn("Error classes: policy\n", notice)
        self.assertIn("Transcript of session follows.\n", notice)
        self.assertIn(f"Out: 220 {DOMAIN} ESMTP", notice)
        self.assertIn("In:  EHLO relay.example\n", notice)
        self.assertIn("In:  RCPT TO:<victim@elsewhere.test>\n"
                      "Out: 554 5.7.1 <victim@elsewhere.test>: Relay access denied\n"
                      "In:  QUIT\n", notice)

    def test_garbage_command_sends_one_protocol_notice(self):
        c = Client(self.all_port, "127.0.0.3")
        c.cmd("EHLO garbage.example")
        self.assertEqual(c.cmd("XYZZY plugh"), "500 5.5.2 Error: command not recognized")
        c.quit()
        notice = self.wait_notice("127.0.0.3")
        self.assertIn("Error classes: protocol\n", notice)
        self.assertIn("In:  XYZZY plugh\nOut: 500 5.5.2 Error: command not recognized\n", notice)

    def test_auth_secrets_never_in_the_transcript(self):
        password = "Secret-Pw-7731"
        wrong = "Wrong-Pw-5519"
        c = Client(self.all_port, "127.0.0.4")
        c.cmd("EHLO auth.example")
        plain_ok = b64(f"\0alice\0{password}")
        plain_bad = b64(f"\0alice\0{wrong}")
        self.assertTrue(c.cmd(f"AUTH PLAIN {plain_bad}").startswith("535 5.7.8"))
        self.assertEqual(c.cmd("AUTH LOGIN"), "334 VXNlcm5hbWU6")
        self.assertEqual(c.cmd(b64("alice")), "334 UGFzc3dvcmQ6")
        self.assertTrue(c.cmd(b64(wrong)).startswith("535 5.7.8"))
        self.assertEqual(c.cmd(f"AUTH PLAIN {plain_ok}"), "235 2.7.0 Authentication successful")
        self.assertEqual(c.cmd("BOGUS"), "500 5.5.2 Error: command not recognized")  # makes the notice
        c.quit()
        notice = self.wait_notice("127.0.0.4")
        self.assertIn("In:  AUTH PLAIN (hidden)\nOut: 535 5.7.8", notice)
        self.assertIn("In:  AUTH LOGIN\nOut: 334 VXNlcm5hbWU6\nIn:  (hidden)\nOut: 334 UGFzc3dvcmQ6\n"
                      "In:  (hidden)\nOut: 535 5.7.8", notice)
        for secret in (password, wrong, b64(password), b64(wrong), plain_ok, plain_bad, b64("alice")):
            self.assertNotIn(secret, notice)
            self.assertNotIn(secret, self.inst.log())

    def test_default_classes_report_neither_policy_nor_protocol(self):
        c = Client(self.default_port, "127.0.0.5")
        c.cmd("EHLO quiet.example")
        c.cmd("MAIL FROM:<spammer@remote.test>")
        self.assertEqual(c.cmd("RCPT TO:<victim@elsewhere.test>"),
                         "554 5.7.1 <victim@elsewhere.test>: Relay access denied")
        self.assertEqual(c.cmd("XYZZY"), "500 5.5.2 Error: command not recognized")
        c.quit()
        self.inst.wait_for_log(r"disconnect from \S*\[127\.0\.0\.5\]")
        # A later session that does send a notice: once it is in the mailbox,
        # a notice about the first session would have been written long before.
        sentinel = Client(self.all_port, "127.0.0.6")
        sentinel.cmd("XYZZY")
        sentinel.quit()
        self.wait_notice("127.0.0.6")
        self.assertEqual(self.notices_about("127.0.0.5"), [])
        self.assertNotRegex(self.inst.log(), r"postmaster notification: errors from \S*\[127\.0\.0\.5\]")

    def test_long_session_is_reported_in_parts_at_the_flush_threshold(self):
        # smtpd_history_flush_threshold = 100: at RSET the transcript (over
        # 100 lines, with an error) is sent and started over.
        c = Client(self.all_port, "127.0.0.9")
        c.cmd("EHLO long.example")
        self.assertEqual(c.cmd("FIRST-GARBAGE"), "500 5.5.2 Error: command not recognized")
        for _ in range(55):
            c.cmd("NOOP")
        c.cmd("RSET")
        self.assertEqual(c.cmd("SECOND-GARBAGE"), "500 5.5.2 Error: command not recognized")
        c.quit()
        if not wait_until(lambda: len(self.notices_about("127.0.0.9")) == 2, timeout=15):
            raise AssertionError(f"expected two notices about 127.0.0.9:\n{self.inst.log()}")
        first, second = sorted(self.notices_about("127.0.0.9"), key=lambda m: "FIRST-GARBAGE" not in m)
        self.assertIn("In:  FIRST-GARBAGE\n", first)
        self.assertIn("In:  RSET\n", first)
        self.assertNotIn("SECOND-GARBAGE", first)
        self.assertIn("In:  SECOND-GARBAGE\n", second)
        self.assertNotIn("FIRST-GARBAGE", second)
        self.assertEqual(second.count("In:  NOOP"), 0)

    def test_queue_storage_problem_sends_resource_notice_by_default(self):
        c = Client(self.full_port, "127.0.0.7")
        c.cmd("EHLO full.example")
        self.assertEqual(c.cmd("MAIL FROM:<alice@remote.test>"), "452 4.3.1 Insufficient system storage")
        c.quit()
        notice = self.wait_notice("127.0.0.7")
        self.assertIn("Error classes: resource\n", notice)
        self.assertIn("In:  MAIL FROM:<alice@remote.test>\nOut: 452 4.3.1 Insufficient system storage\n", notice)

    def test_configuration_error_sends_software_notice_by_default(self):
        c = Client(self.broken_port, "127.0.0.8")
        c.cmd("EHLO broken.example")
        c.cmd("MAIL FROM:<alice@remote.test>")
        self.assertEqual(c.cmd(f"RCPT TO:<root@{DOMAIN}>"), "451 4.3.5 Server configuration error")
        c.quit()
        notice = self.wait_notice("127.0.0.8")
        self.assertIn("Error classes: software\n", notice)
        self.assertIn(f"In:  RCPT TO:<root@{DOMAIN}>\nOut: 451 4.3.5 Server configuration error\n", notice)


if __name__ == "__main__":
    unittest.main()
