"""access(5) message actions end to end: HOLD, DISCARD, REDIRECT, BCC,
PREPEND, FILTER and INFO from check_sender_access / check_recipient_access
hash tables, header_checks and body_checks from regexp tables (REJECT,
IGNORE, of the Received smtpd adds too, HOLD, WARN) for SMTP and sendmail
submissions, and
content_filter on one smtpd service (master.cf -o), each
asserted by what a user sees: mailq's '!', mailboxes that do or do not get
the message, the prepended header in the delivered copy, and the message
arriving at an SMTP sink standing in for the content filter. One instance;
three throw-away system users receive mail in an mbox spool. Needs root
(local delivery as the users)."""
import os
import pwd
import re
import smtplib
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IS_ROOT, Instance, free_port, wait_until  # noqa: E402
from test_remote_delivery import FakeServer  # noqa: E402

DOMAIN = "example.test"


@unittest.skipUnless(IS_ROOT, "local delivery to system users needs root")
class AccessActionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tag = uuid.uuid4().hex[:6]
        cls.users = {role: f"pa{role[0]}{tag}" for role in ("rcpt", "boss", "archive")}
        for name in cls.users.values():
            subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", name], check=True)
        cls.rcpt, cls.boss, cls.archive = (f"{cls.users[r]}@{DOMAIN}" for r in ("rcpt", "boss", "archive"))
        cls.sink = FakeServer("127.0.0.1")
        cls.port, cls.cf_port = free_port(), free_port()
        master_cf = (f"127.0.0.1:{cls.port} inet n - n - - smtpd\n"
                     f"127.0.0.1:{cls.cf_port} inet n - n - - smtpd\n"
                     f"  -o content_filter=smtp:[127.0.0.1]:{cls.sink.port}\n"
                     "pickup    fifo  n       -       n       60      1       pickup\n"
                     "qmgr      unix  n       -       n       300     1       qmgr\n"
                     "local     unix  -       n       n       -       -       local\n"
                     "smtp      unix  -       -       n       -       -       smtp\n")
        cls.inst = inst = Instance(master_cf=master_cf)
        try:
            cls.spool = os.path.join(inst.root, "mail")
            os.makedirs(cls.spool)
            os.chmod(cls.spool, 0o1777)
            conf = inst.conf
            tables = {
                "sender_access": (f"hold@sender.test HOLD\n"
                                  f"held@sender.test HOLD waiting for review\n"
                                  f"discard@sender.test DISCARD\n"
                                  f"bcc@sender.test BCC {cls.archive}\n"
                                  f"prepend@sender.test PREPEND X-Access-Tag: tagged by table\n"
                                  f"filter@sender.test FILTER smtp:[127.0.0.1]:{cls.sink.port}\n"
                                  f"info@sender.test INFO noted by table\n"
                                  f"broken@sender.test FILTER no-colon-here\n"),
                "rcpt_access": f"redirected@{DOMAIN} REDIRECT {cls.boss}\n",
            }
            with open(os.path.join(conf, "header_checks"), "w") as f:
                f.write("/^Subject: .*forbidden words/ REJECT 5.7.1 Forbidden words in the subject\n"
                        "/^Subject: .*hold by header/ HOLD checked by hand\n"
                        "/^Subject: .*warn by header/ WARN looked odd\n"
                        "/^X-Strip-Me:/ IGNORE\n"
                        # The tutorial rule: hide where authenticated users send from.
                        "/^Received: from hidden\\.example/ IGNORE\n")
            with open(os.path.join(conf, "body_checks"), "w") as f:
                f.write("/^Please wire the money/ REJECT 5.7.1 No scams\n"
                        "/^tracking pixel here$/ IGNORE\n")
            for name, text in tables.items():
                with open(os.path.join(conf, name), "w") as f:
                    f.write(text)
                r = inst.command("postmap", f"hash:{os.path.join(conf, name)}")
                assert r.returncode == 0, r.stderr
            aliases = os.path.join(conf, "aliases")
            with open(aliases, "w") as f:
                # "redirected" is a real address that would reach rcpt if REDIRECT did nothing.
                f.write(f"postmaster: root\nredirected: {cls.users['rcpt']}\n")
            inst.write_main_cf("\n".join([
                "compatibility_level = 3.6",
                "mynetworks = 127.0.0.1/32",
                f"mydestination = {DOMAIN}, $myhostname, localhost",
                f"mail_spool_directory = {cls.spool}",
                f"alias_maps = hash:{aliases}",
                f"alias_database = hash:{aliases}",
                "smtpd_error_sleep_time = 0",
                f"header_checks = regexp:{conf}/header_checks",
                f"body_checks = regexp:{conf}/body_checks",
                f"smtpd_recipient_restrictions = check_sender_access hash:{conf}/sender_access,"
                f" check_recipient_access hash:{conf}/rcpt_access, permit_mynetworks, reject_unauth_destination",
                "queue_run_delay = 1s", "minimal_backoff_time = 1s", "maximal_backoff_time = 2s", ""]))
            r = inst.command("postalias", aliases)
            assert r.returncode == 0, r.stderr
            r = inst.postfix("set-permissions")
            assert r.returncode == 0, r.stderr
            inst.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.inst.cleanup()
        cls.sink.close()
        for name in cls.users.values():
            subprocess.run(["userdel", name], capture_output=True)

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log()[-8000:], file=sys.stderr)

    # -- helpers -------------------------------------------------------------
    def send(self, sender, rcpts, subject, port=None):
        """Sends one message; returns the queue ID from the 250 reply."""
        msg = f"From: {sender}\r\nTo: {', '.join(rcpts)}\r\nSubject: {subject}\r\n\r\nbody of {subject}\r\n"
        with smtplib.SMTP("127.0.0.1", port or self.port, timeout=20) as s:
            s.ehlo("client.example.org")
            s.mail(sender)
            for r in rcpts:
                code, text = s.rcpt(r)
                self.assertEqual(code, 250, text)
            code, text = s.data(msg)
            self.assertEqual(code, 250, text)
            return re.search(r"queued as (\w+)", text.decode()).group(1)

    def mbox(self, address):
        try:
            with open(os.path.join(self.spool, address.split("@")[0]), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_mbox(self, address, text, timeout=20):
        if not wait_until(lambda: text in self.mbox(address), timeout):
            self.fail(f"{text!r} not delivered to {address}; mailbox:\n{self.mbox(address)}")

    def settle(self, subject):
        """A plain message to rcpt sent after the one under test and waited
        for: qmgr has handled the earlier message by the time it arrives."""
        marker = f"marker after {subject} {uuid.uuid4().hex[:6]}"
        self.send("plain@sender.test", [self.rcpt], marker)
        self.wait_mbox(self.rcpt, f"Subject: {marker}")

    def mailq(self):
        r = self.inst.command("postqueue", "-p")
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    # -- tests ---------------------------------------------------------------
    def test_hold_shows_in_mailq_and_waits_for_release(self):
        qid = self.send("hold@sender.test", [self.rcpt], "held message")
        self.assertTrue(os.path.exists(os.path.join(self.inst.queue, "hold", qid)))
        self.assertRegex(self.mailq(), rf"(?m)^{qid}!\s+\d+ .* hold@sender\.test$")
        self.inst.wait_for_log(rf"NOQUEUE: hold: RCPT from localhost\[127\.0\.0\.1\]: <hold@sender\.test>: "
                               rf"Sender address triggers HOLD action; from=<hold@sender\.test> "
                               rf"to=<{re.escape(self.rcpt)}> proto=ESMTP helo=<client\.example\.org>")
        self.inst.wait_for_log(rf"{qid}: hold: <hold@sender\.test>: Sender address triggers HOLD action")
        self.settle("held message")
        self.assertNotIn("Subject: held message", self.mbox(self.rcpt))
        # The administrator releases it: then, and only then, it is delivered.
        r = self.inst.command("postsuper", "-H", qid)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.inst.command("postqueue", "-f")
        self.wait_mbox(self.rcpt, "Subject: held message")
        self.assertNotIn(qid, self.mailq())

    def test_hold_with_text_logs_the_text(self):
        qid = self.send("held@sender.test", [self.rcpt], "held with text")
        self.assertRegex(self.mailq(), rf"(?m)^{qid}!")
        self.inst.wait_for_log(rf"NOQUEUE: hold: RCPT from .*: <held@sender\.test>: Sender address waiting for review;")
        r = self.inst.command("postsuper", "-d", qid)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_discard_answers_250_and_delivers_nothing(self):
        qid = self.send("discard@sender.test", [self.rcpt, self.boss], "discarded message")
        self.inst.wait_for_log(rf"{qid}: discard: <discard@sender\.test>: Sender address triggers DISCARD action")
        self.assertRegex(self.inst.log(), r"NOQUEUE: discard: RCPT from localhost\[127\.0\.0\.1\]: "
                                          r"<discard@sender\.test>: Sender address triggers DISCARD action;")
        self.assertNotIn(qid, self.mailq())
        self.settle("discarded message")
        self.assertNotIn("Subject: discarded message", self.mbox(self.rcpt))
        self.assertNotIn("Subject: discarded message", self.mbox(self.boss))
        self.assertNotRegex(self.inst.log(), rf"{qid}: to=")

    def test_redirect_delivers_to_the_new_address_only(self):
        qid = self.send("plain@sender.test", [f"redirected@{DOMAIN}"], "redirected message")
        self.wait_mbox(self.boss, "Subject: redirected message")
        self.inst.wait_for_log(rf"{qid}: to=<{re.escape(self.boss)}>, orig_to=<redirected@{DOMAIN}>, relay=local, "
                               r".*status=sent")
        self.assertRegex(self.inst.log(), rf"NOQUEUE: redirect: RCPT from .*: <redirected@{DOMAIN}>: "
                                          rf"Recipient address triggers REDIRECT {re.escape(self.boss)};")
        self.settle("redirected message")
        self.assertNotIn("Subject: redirected message", self.mbox(self.rcpt))

    def test_bcc_delivers_to_both(self):
        qid = self.send("bcc@sender.test", [self.rcpt], "copied message")
        self.wait_mbox(self.rcpt, "Subject: copied message")
        self.wait_mbox(self.archive, "Subject: copied message")
        self.inst.wait_for_log(rf"{qid}: to=<{re.escape(self.archive)}>, relay=local, .*status=sent")
        # A blind copy: the header does not name the archive.
        self.assertNotIn(self.archive, self.mbox(self.rcpt).split("Subject: copied message")[0][-500:])

    def test_prepend_puts_the_header_on_top(self):
        self.send("prepend@sender.test", [self.rcpt], "tagged message")
        self.wait_mbox(self.rcpt, "Subject: tagged message")
        box = self.mbox(self.rcpt)
        msg = box[box.rindex("\nFrom prepend@sender.test") + 1:] if "\nFrom prepend@" in box else box
        header = msg.split("\n\n", 1)[0]
        self.assertIn("\nX-Access-Tag: tagged by table\n", header)
        # Above our own Received, as Postfix puts it.
        self.assertLess(header.index("X-Access-Tag:"), header.index("Received: from client.example.org"))

    def test_filter_sends_the_message_to_the_filter_transport(self):
        before = len(self.sink.messages)
        qid = self.send("filter@sender.test", [self.rcpt], "filtered message")
        self.assertTrue(wait_until(lambda: len(self.sink.messages) > before, 20), self.inst.log()[-3000:])
        got = self.sink.messages[-1]
        self.assertIn("Subject: filtered message", got["data"])
        self.assertEqual([r.split(" ORCPT=")[0] for r in got["rcpts"]], [f"RCPT TO:<{self.rcpt}>"])
        self.inst.wait_for_log(rf"{qid}: to=<{re.escape(self.rcpt)}>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:"
                               rf"{self.sink.port}, .*status=sent")
        self.settle("filtered message")
        self.assertNotIn("Subject: filtered message", self.mbox(self.rcpt))

    def test_content_filter_on_one_service(self):
        before = len(self.sink.messages)
        self.send("plain@sender.test", [self.boss], "content filtered", port=self.cf_port)
        self.assertTrue(wait_until(lambda: len(self.sink.messages) > before, 20), self.inst.log()[-3000:])
        self.assertIn("Subject: content filtered", self.sink.messages[-1]["data"])
        self.assertEqual([r.split(" ORCPT=")[0] for r in self.sink.messages[-1]["rcpts"]], [f"RCPT TO:<{self.boss}>"])
        # The other service has no filter: mail goes to the mailbox.
        self.send("plain@sender.test", [self.boss], "not content filtered")
        self.wait_mbox(self.boss, "Subject: not content filtered")
        self.assertNotIn("Subject: content filtered\n", self.mbox(self.boss))

    def test_info_logs_and_delivers(self):
        self.send("info@sender.test", [self.rcpt], "noted message")
        self.wait_mbox(self.rcpt, "Subject: noted message")
        self.assertRegex(self.inst.log(), r"NOQUEUE: info: RCPT from localhost\[127\.0\.0\.1\]: <info@sender\.test>: "
                                          r"Sender address noted by table;")

    def test_malformed_action_is_a_configuration_error(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=20) as s:
            s.mail("broken@sender.test")
            code, text = s.rcpt(self.rcpt)
        self.assertEqual((code, text.decode()), (451, "4.3.5 Server configuration error"))
        self.inst.wait_for_log(r'warning: access table action "no-colon-here": FILTER needs transport:destination')

    def test_header_checks_reject_at_end_of_data(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=20) as s:
            s.ehlo("client.example.org")
            s.mail("plain@sender.test")
            s.rcpt(self.rcpt)
            code, text = s.data("Subject: some forbidden words here\r\n\r\nbody\r\n")
        self.assertEqual((code, text.decode()), (550, "5.7.1 Forbidden words in the subject"))
        # Postfix's cleanup line, the one log parsers look for.
        self.inst.wait_for_log(r"\w+: reject: header Subject: some forbidden words here from "
                               r"localhost\[127\.0\.0\.1\]; from=<plain@sender\.test> "
                               rf"to=<{re.escape(self.rcpt)}> proto=ESMTP helo=<client\.example\.org>: "
                               r"5\.7\.1 Forbidden words in the subject")
        self.settle("forbidden")
        self.assertNotIn("some forbidden words", self.mbox(self.rcpt))

    def test_header_checks_ignore_hold_and_warn(self):
        msg = ("Subject: stripped and hidden\r\nX-Strip-Me: secret\r\nX-Kept: yes\r\n\r\nbody\r\n")
        with smtplib.SMTP("127.0.0.1", self.port, timeout=20) as s:
            s.ehlo("hidden.example")  # our Received starts "Received: from hidden.example"
            s.sendmail("plain@sender.test", [self.rcpt], msg)
        self.wait_mbox(self.rcpt, "Subject: stripped and hidden")
        delivered = self.mbox(self.rcpt).split("Subject: stripped and hidden")[0].rsplit("\nFrom ", 1)[-1]
        self.assertNotIn("X-Strip-Me", delivered)
        self.assertNotIn("Received: from hidden.example", delivered)
        self.assertIn("X-Kept: yes", self.mbox(self.rcpt))

        qid = self.send("plain@sender.test", [self.rcpt], "please hold by header")
        self.assertRegex(self.mailq(), rf"(?m)^{qid}!")
        self.inst.wait_for_log(rf"{qid}: hold: header Subject: please hold by header from localhost\[127\.0\.0\.1\]; "
                               r"from=<plain@sender\.test> .*: checked by hand")
        self.assertEqual(self.inst.command("postsuper", "-d", qid).returncode, 0)

        qid = self.send("plain@sender.test", [self.rcpt], "warn by header")
        self.wait_mbox(self.rcpt, "Subject: warn by header")
        self.inst.wait_for_log(rf"{qid}: warning: header Subject: warn by header from .*: looked odd")

    def test_body_checks_reject_and_ignore(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=20) as s:
            s.ehlo("client.example.org")
            s.mail("plain@sender.test")
            s.rcpt(self.rcpt)
            code, text = s.data("Subject: urgent\r\n\r\nDear friend,\r\nPlease wire the money today\r\n")
        self.assertEqual((code, text.decode()), (550, "5.7.1 No scams"))
        self.inst.wait_for_log(r"\w+: reject: body Please wire the money today from localhost\[127\.0\.0\.1\]; "
                               r"from=<plain@sender\.test> .*: 5\.7\.1 No scams")
        self.send("plain@sender.test", [self.rcpt], "with a pixel")
        self.wait_mbox(self.rcpt, "Subject: with a pixel")
        self.assertIn("body of with a pixel", self.mbox(self.rcpt))
        with smtplib.SMTP("127.0.0.1", self.port, timeout=20) as s:
            s.sendmail("plain@sender.test", [self.rcpt],
                       "Subject: pixel stripped\r\n\r\nbefore\r\ntracking pixel here\r\nafter\r\n")
        self.wait_mbox(self.rcpt, "Subject: pixel stripped")
        delivered = self.mbox(self.rcpt).split("Subject: pixel stripped", 1)[1]
        self.assertIn("before\nafter\n", delivered)
        self.assertNotIn("tracking pixel here", delivered)

    def test_header_checks_reject_a_sendmail_submission_bounces(self):
        r = self.inst.command("sendmail", "-f", f"{self.users['archive']}@{DOMAIN}", self.rcpt,
                              input="Subject: local forbidden words\n\nbody\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.inst.wait_for_log(r"\w+: reject: header Subject: local forbidden words from local; "
                               rf"from=<{re.escape(self.users['archive'])}@{DOMAIN}>")
        # The submitter learns why from a bounce; the recipient gets nothing.
        self.wait_mbox(self.archive, "Forbidden words in the subject")
        self.assertNotIn("Subject: local forbidden words", self.mbox(self.rcpt))

    def test_z_no_daemon_failures(self):
        time.sleep(0.2)
        bad = re.findall(r".*(?:killed by signal|fatal: |panic: |AddressSanitizer|runtime error).*", self.inst.log())
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
