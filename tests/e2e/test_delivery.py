"""End-to-end delivery: qmgr + local in a real instance, as root, with users
the test creates. Messages are injected with postern-test-enqueue (a queue
file written through lib/queue), so the delivery path is tested on its own.
"""
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
from harness import BIN, IS_ROOT, Instance, free_port, wait_until  # noqa: E402

MASTER_CF = """\
qmgr      fifo  n       -       n       300     1       qmgr
local     unix  -       n       n       -       -       local
"""
DOMAIN = "mail.example.test"


def message(subject, body="hello\n", extra_headers=""):
    return f"From: alice@remote.test\nSubject: {subject}\n{extra_headers}\n{body}"


@unittest.skipUnless(IS_ROOT, "delivery tests create users and switch to them: run as root")
class DeliveryTest(unittest.TestCase):
    def setUp(self):
        self.users = []
        self.inst = None

    def tearDown(self):
        log = self.inst.log() if self.inst else ""
        if self.inst:
            if any(self._outcome.result.failures) or any(self._outcome.result.errors):
                print(log, file=sys.stderr)
            self.inst.cleanup()
        for u in self.users:
            subprocess.run(["userdel", "-r", u], capture_output=True)
        # No daemon may crash (a sanitizer abort shows as signal 6), exit with
        # an error or log fatal/panic; only the crash test's own kill -9 is expected.
        bad = re.findall(r".*(?:killed by signal (?!9\b)\d+|exit status [1-9]|fatal: |panic: ).*", log)
        self.assertEqual(bad, [], "daemon failures in the log")

    # -- helpers -----------------------------------------------------------
    def make_user(self):
        name = "pt" + uuid.uuid4().hex[:8]
        home = os.path.join(self.inst.root, "home", name)
        os.makedirs(os.path.dirname(home), exist_ok=True)
        subprocess.run(["useradd", "-m", "-d", home, "-s", "/bin/sh", name], check=True, capture_output=True)
        self.users.append(name)
        return pwd.getpwnam(name)

    def start(self, extra="", aliases=""):
        self.inst = Instance(master_cf=MASTER_CF)
        self.spool = os.path.join(self.inst.root, "mail")
        os.makedirs(self.spool, mode=0o1777)
        os.chmod(self.spool, 0o1777)
        self.aliases = os.path.join(self.inst.conf, "aliases")
        self.extra = extra
        return aliases

    def launch(self, aliases=""):
        with open(self.aliases, "w") as f:
            f.write("postmaster: root\n" + aliases)
        self.inst.write_main_cf("\n".join([
            f"mail_spool_directory = {self.spool}",
            f"alias_maps = hash:{self.aliases}",
            f"alias_database = hash:{self.aliases}",
            "minimal_backoff_time = 1s",
            "maximal_backoff_time = 2s",
            "queue_run_delay = 1s",
            "deliver_lock_attempts = 2",
            "deliver_lock_delay = 1s",
            self.extra, ""]))
        r = self.inst.command("postalias", self.aliases)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.inst.postfix("set-permissions")  # the queue folders, owned by mail_owner
        self.assertEqual(r.returncode, 0, r.stderr)
        self.inst.start()

    def enqueue(self, sender, *rcpts, text):
        owner = "postfix"
        r = subprocess.run([os.path.join(BIN, "postern-test-enqueue"), self.inst.queue, owner, sender, *rcpts],
                           input=text, capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def wait_removed(self, qid, timeout=20):
        self.inst.wait_for_log(rf"{qid}: removed", timeout)

    def read(self, path):
        with open(path, errors="replace") as f:
            return f.read()

    # -- tests -------------------------------------------------------------
    def test_alias_to_root_lands_in_roots_mailbox(self):
        self.start()
        self.launch("zhangsan: root\n")
        qid = self.enqueue("alice@remote.test", f"zhangsan@{DOMAIN}", text=message("tutorial"))
        self.wait_removed(qid)
        box = os.path.join(self.spool, "root")
        text = self.read(box)
        self.assertRegex(text, r"^From alice@remote.test  \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n")
        self.assertIn("Return-Path: <alice@remote.test>\n", text)
        self.assertIn(f"Delivered-To: root@{DOMAIN}\n", text)
        self.assertIn("Subject: tutorial\n", text)
        self.assertEqual(os.stat(box).st_uid, 0)
        log = self.inst.log()
        self.assertRegex(log, rf"postfix/local\[\d+\]: {qid}: to=<root@{DOMAIN}>, orig_to=<zhangsan@{DOMAIN}>, "
                              r"relay=local, delay=[\d.]+, delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, "
                              r"status=sent \(delivered to mailbox\)")
        self.assertRegex(log, rf"postfix/qmgr\[\d+\]: {qid}: from=<alice@remote.test>, size=\d+, nrcpt=1 \(queue active\)")

    def test_null_sender_failure_is_discarded_without_2bounce(self):
        # Postfix's default notify_classes (resource, software) has no 2bounce:
        # an undeliverable bounce is dropped, and the log says so.
        self.start()
        self.launch()
        qid = self.enqueue("", f"nosuchuser@{DOMAIN}", text=message("unwanted bounce"))
        self.inst.wait_for_log(rf"{qid}: undeliverable bounce discarded")
        self.wait_removed(qid)
        self.assertNotIn("unwanted bounce", self.read(os.path.join(self.spool, "root")) if
                         os.path.exists(os.path.join(self.spool, "root")) else "")
        self.assertNotRegex(self.inst.log(), rf"{qid}: sender non-delivery notification")

    def test_null_sender_failure_goes_to_postmaster_once(self):
        self.start(extra="notify_classes = 2bounce, resource, software")
        self.launch()
        qid = self.enqueue("", f"nosuchuser@{DOMAIN}", text=message("bounce of a bounce"))
        self.inst.wait_for_log(rf"{qid}: sender non-delivery notification: (\w+)")
        new_id = re.search(rf"{qid}: sender non-delivery notification: (\w+)", self.inst.log()).group(1)
        self.wait_removed(new_id)
        root_box = os.path.join(self.spool, "root")
        text = self.read(root_box)
        self.assertIn("Subject: Postmaster Copy: Undelivered Mail", text)
        self.assertIn(f"Return-Path: <double-bounce@{DOMAIN}>", text)
        self.assertIn("Content-Type: text/rfc822-headers", text)

    def test_expired_message_returns_to_sender(self):
        self.start(extra="maximal_queue_lifetime = 2s")
        self.launch()
        sender = self.make_user()
        qid = self.enqueue(f"{sender.pw_name}@{DOMAIN}", "bob@example.org", text=message("too late"))
        self.inst.wait_for_log(rf"{qid}: to=<bob@example.org>, relay=none, .*status=expired", 30)
        self.wait_removed(qid, 30)
        box = os.path.join(self.spool, sender.pw_name)
        self.assertTrue(wait_until(lambda: os.path.exists(box) and "Status: 4.4.7" in self.read(box), 20), self.inst.log())
        self.assertIn("Action: failed", self.read(box))

    def test_dsn_notify_never_and_success(self):
        self.start()
        self.launch()
        sender = self.make_user()
        rcpt = self.make_user()
        # The helper's "address/bits" form: 1 NEVER, 2 SUCCESS, 4 FAILURE, 8 DELAY.
        quiet = self.enqueue(f"{sender.pw_name}@{DOMAIN}", f"nosuchuser@{DOMAIN}/1", text=message("never"))
        self.wait_removed(quiet)
        self.assertNotRegex(self.inst.log(), rf"{quiet}: sender non-delivery notification")
        told = self.enqueue(f"{sender.pw_name}@{DOMAIN}", f"{rcpt.pw_name}@{DOMAIN}/2", text=message("success"))
        self.inst.wait_for_log(rf"{told}: sender delivery status notification: \w+")
        box = os.path.join(self.spool, sender.pw_name)
        self.assertTrue(wait_until(lambda: os.path.exists(box) and "Action: delivered" in self.read(box), 20), self.inst.log())
        self.assertNotIn("Subject: never", self.read(box))

    def test_mailbox_command_procmail_with_extension(self):
        self.start(extra='mailbox_command = /usr/bin/procmail -a "$EXTENSION"\nrecipient_delimiter = +')
        self.launch()
        user = self.make_user()
        rc = os.path.join(user.pw_dir, ".procmailrc")
        with open(rc, "w") as f:
            f.write('DEFAULT=$HOME/pbox\nARG="$1"\n:0\n* ARG ?? ^^lists^^\nlists\n')
        os.chown(rc, user.pw_uid, user.pw_gid)
        os.chmod(rc, 0o600)
        plain = self.enqueue("alice@remote.test", f"{user.pw_name}@{DOMAIN}", text=message("to procmail"))
        tagged = self.enqueue("alice@remote.test", f"{user.pw_name}+lists@{DOMAIN}", text=message("to lists"))
        self.wait_removed(plain)
        self.wait_removed(tagged)
        self.assertIn("Subject: to procmail", self.read(os.path.join(user.pw_dir, "pbox")))
        self.assertIn("Subject: to lists", self.read(os.path.join(user.pw_dir, "lists")))
        self.assertEqual(os.stat(os.path.join(user.pw_dir, "pbox")).st_uid, user.pw_uid)
        self.assertRegex(self.inst.log(), rf"{plain}: .*status=sent \(delivered to command: /usr/bin/procmail")

    def test_qmgr_as_a_unix_socket_service(self):
        # Stock master.cf today: "qmgr unix n - n 300 1 qmgr".
        self.start(extra="queue_run_delay = 3600s")
        self.inst.write_master_cf(MASTER_CF.replace("qmgr      fifo", "qmgr      unix"))
        self.launch()
        user = self.make_user()
        qid = self.enqueue("alice@remote.test", f"{user.pw_name}@{DOMAIN}", text=message("socket"))
        self.wait_removed(qid)
        self.assertIn("Subject: socket", self.read(os.path.join(self.spool, user.pw_name)))

    def test_user_mbox_is_owned_by_the_user_and_quotes_from(self):
        self.start()
        self.launch()
        user = self.make_user()
        qid = self.enqueue("alice@remote.test", f"{user.pw_name}@{DOMAIN}",
                           text=message("mbox", "From the start\nplain\n"))
        self.wait_removed(qid)
        box = os.path.join(self.spool, user.pw_name)
        st = os.stat(box)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (user.pw_uid, 0o600))
        text = self.read(box)
        self.assertIn("\n>From the start\nplain\n\n", text)
        self.assertFalse(os.path.exists(box + ".lock"))

    def test_maildir_home_mailbox(self):
        self.start(extra="home_mailbox = Maildir/")
        self.launch()
        user = self.make_user()
        qid = self.enqueue("alice@remote.test", f"{user.pw_name}@{DOMAIN}", text=message("maildir"))
        self.wait_removed(qid)
        new = os.path.join(user.pw_dir, "Maildir", "new")
        files = os.listdir(new)
        self.assertEqual(len(files), 1)
        path = os.path.join(new, files[0])
        self.assertEqual(os.stat(path).st_uid, user.pw_uid)
        self.assertIn("Subject: maildir\n", self.read(path))
        self.assertEqual(os.listdir(os.path.join(user.pw_dir, "Maildir", "tmp")), [])
        self.assertRegex(self.inst.log(), rf"{qid}: to=<{user.pw_name}@{DOMAIN}>.*status=sent \(delivered to maildir\)")

    def test_unknown_user_bounces_to_sender(self):
        self.start()
        self.launch()
        sender = self.make_user()
        qid = self.enqueue(f"{sender.pw_name}@{DOMAIN}", f"nosuchuser@{DOMAIN}", text=message("lost"))
        self.inst.wait_for_log(rf'{qid}: to=<nosuchuser@{DOMAIN}>.*dsn=5\.1\.1, status=bounced \(unknown user: "nosuchuser"\)')
        self.inst.wait_for_log(rf"{qid}: sender non-delivery notification: \w+")
        self.wait_removed(qid)
        box = os.path.join(self.spool, sender.pw_name)
        self.assertTrue(wait_until(lambda: os.path.exists(box) and "Status: 5.1.1" in self.read(box), 20), self.inst.log())
        text = self.read(box)
        self.assertIn("Return-Path: <>\n", text)
        self.assertIn("Content-Type: multipart/report; report-type=delivery-status;", text)
        self.assertIn(f"Final-Recipient: rfc822; nosuchuser@{DOMAIN}", text)
        self.assertIn("Action: failed", text)
        self.assertIn("Subject: lost", text)

    def test_forward_to_a_command_and_the_mailbox(self):
        self.start()
        self.launch()
        user = self.make_user()
        out = os.path.join(user.pw_dir, "piped")
        with open(os.path.join(user.pw_dir, ".forward"), "w") as f:
            f.write(f'\\{user.pw_name}, "|/usr/bin/id -u > {out}; cat >> {out}"\n')
        os.chown(os.path.join(user.pw_dir, ".forward"), user.pw_uid, user.pw_gid)
        qid = self.enqueue("alice@remote.test", f"{user.pw_name}@{DOMAIN}", text=message("forwarded"))
        self.wait_removed(qid)
        piped = self.read(out)
        self.assertEqual(piped.splitlines()[0], str(user.pw_uid))  # ran as the user, not root
        self.assertIn("Subject: forwarded", piped)
        self.assertIn("Subject: forwarded", self.read(os.path.join(self.spool, user.pw_name)))
        self.assertRegex(self.inst.log(), rf"{qid}: to=<{user.pw_name}@{DOMAIN}>.*status=sent \(delivered to command: ")

    def test_deferred_delivery_succeeds_on_flush(self):
        self.start(extra="minimal_backoff_time = 3600s\nmaximal_backoff_time = 3600s\nqueue_run_delay = 3600s")
        self.launch()
        user = self.make_user()
        box = os.path.join(self.spool, user.pw_name)
        lock = box + ".lock"
        with open(lock, "w"):
            pass  # somebody else (a mail reader) holds the mailbox
        qid = self.enqueue("alice@remote.test", f"{user.pw_name}@{DOMAIN}", text=message("later"))
        self.inst.wait_for_log(rf"{qid}: to=<{user.pw_name}@{DOMAIN}>.*status=deferred \(cannot update mailbox", 30)
        os.unlink(lock)
        time.sleep(0.5)
        self.assertFalse(os.path.exists(box) and "Subject: later" in self.read(box))
        r = self.inst.command("postqueue", "-f")
        if r.returncode != 0:  # postqueue not built: ask qmgr directly, as postqueue -f does
            with open(os.path.join(self.inst.queue, "public", "qmgr"), "w") as f:
                f.write("F")
        self.wait_removed(qid, 30)
        self.assertIn("Subject: later", self.read(box))

    def test_remote_recipient_is_deferred_with_a_reason_and_a_delay_warning(self):
        self.start(extra="delay_warning_time = 1s")
        self.launch()
        sender = self.make_user()
        qid = self.enqueue(f"{sender.pw_name}@{DOMAIN}", "bob@example.org", text=message("remote"))
        self.inst.wait_for_log(rf"{qid}: to=<bob@example.org>, relay=none, .*status=deferred \(mail transport unavailable")
        self.assertTrue(wait_until(lambda: any(qid in files for _, _, files in os.walk(os.path.join(self.inst.queue, "deferred")))))
        # mailq shows the reason from the defer log.
        self.assertTrue(wait_until(lambda: "mail transport unavailable" in self.inst.command("postqueue", "-p").stdout, 10),
                        self.inst.command("postqueue", "-p").stdout)
        # Once older than delay_warning_time: one "still trying" report to the sender.
        self.inst.wait_for_log(rf"{qid}: sender delay notification: \w+", 20)
        box = os.path.join(self.spool, sender.pw_name)
        self.assertTrue(wait_until(lambda: os.path.exists(box) and "Action: delayed" in self.read(box), 20), self.inst.log())
        time.sleep(3)
        self.assertEqual(self.inst.log().count(f"{qid}: sender delay notification"), 1)

    def test_notify_classes_delay_copies_delay_warnings_to_delay_notice_recipient(self):
        self.start()
        watcher = self.make_user()
        self.extra = ("delay_warning_time = 1s\nnotify_classes = resource, software, delay\n"
                      f"delay_notice_recipient = {watcher.pw_name}")
        self.launch()
        sender = self.make_user()
        qid = self.enqueue(f"{sender.pw_name}@{DOMAIN}", "bob@example.org", text=message("remote"))
        # A delayed bounce (null sender): only the postmaster copy, never a warning to <>.
        null_qid = self.enqueue("", "carol@example.org", text=message("delayed bounce"))
        self.inst.wait_for_log(rf"{qid}: sender delay notification: \w+", 20)
        self.inst.wait_for_log(rf"{qid}: postmaster delay notification: \w+", 20)
        self.inst.wait_for_log(rf"{null_qid}: postmaster delay notification: \w+", 20)
        box = os.path.join(self.spool, watcher.pw_name)
        self.assertTrue(wait_until(lambda: os.path.exists(box) and self.read(box).count("Action: delayed") >= 2, 20),
                        self.inst.log())
        text = self.read(box)
        self.assertIn("<bob@example.org>", text)
        self.assertIn("<carol@example.org>", text)
        self.assertRegex(text, r"(?m)^From: .*MAILER-DAEMON")
        self.assertNotIn(f"{null_qid}: sender delay notification", self.inst.log())

    def test_mailx_reads_and_procmail_lockfile_holds_the_mailbox(self):
        self.start()
        self.launch()
        user = self.make_user()
        box = os.path.join(self.spool, user.pw_name)
        env = dict(os.environ, POSTERN_TEST_COUNT="20")
        # procmail's lockfile(1) takes the same <mailbox>.lock dotlock.
        subprocess.run(["lockfile", "-r0", box + ".lock"], check=True)
        r = subprocess.run([os.path.join(BIN, "postern-test-enqueue"), self.inst.queue, "postfix",
                            "alice@remote.test", f"{user.pw_name}@{DOMAIN}"],
                           input=message("batch {n}"), capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.inst.wait_for_log(r"status=deferred \(cannot update mailbox .*unable to lock", 30)
        os.unlink(box + ".lock")
        with open(os.path.join(self.inst.queue, "public", "qmgr"), "w") as f:
            f.write("F")
        readers = 0
        def all_there():
            nonlocal readers
            # mailx reads the mailbox while local appends to it. It leaves with
            # "x": "q" after "-f" (mailx's edit mode) writes the status changes
            # back without the dotlock, which can overwrite a delivery made
            # meanwhile by any MTA (seen here once local got fast).
            out = subprocess.run(["mail", "-f", box], input="x\n", capture_output=True, text=True, timeout=10).stdout
            readers += 1
            return '"%s": 20 messages' % box in out
        self.assertTrue(wait_until(all_there, 60, 0.2), self.inst.log())
        self.assertGreater(readers, 0)
        with open(box) as f:
            split = subprocess.run(["formail", "-s", "sh", "-c", "cat >/dev/null; echo m"], stdin=f,
                                   capture_output=True, text=True).stdout
        self.assertEqual(split.count("m"), 20)

    def test_mutt_writes_the_mailbox_while_local_delivers(self):
        self.start()
        self.launch()
        user = self.make_user()
        box = os.path.join(self.spool, user.pw_name)
        muttrc = os.path.join(self.inst.root, "muttrc")
        with open(muttrc, "w") as f:
            # mutt appends its Fcc copy to the same mbox, with its own fcntl + dotlock.
            f.write(f'set sendmail="/bin/true"\nset record="{box}"\nset copy=yes\nset mbox_type=mbox\n'
                    'set from="tester@example.test"\nset use_from=yes\n')
        # The mailbox exists and belongs to its user, as useradd leaves it on Debian;
        # local refuses to append to a file someone else owns.
        with open(box, "w"):
            pass
        os.chown(box, user.pw_uid, user.pw_gid)
        os.chmod(box, 0o600)
        env = dict(os.environ, POSTERN_TEST_COUNT="40")
        r = subprocess.run([os.path.join(BIN, "postern-test-enqueue"), self.inst.queue, "postfix",
                            "alice@remote.test", f"{user.pw_name}@{DOMAIN}"],
                           input=message("batch {n}"), capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        for i in range(10):
            m = subprocess.run(["mutt", "-n", "-F", muttrc, "-s", f"mutt {i}", "someone@example.test"],
                               input="body\n", capture_output=True, text=True, timeout=30,
                               env=dict(os.environ, HOME=self.inst.root))
            self.assertEqual(m.returncode, 0, m.stderr)
        self.assertTrue(wait_until(lambda: self.read(box).count("\nSubject: batch ") == 40, 60), self.inst.log())
        text = self.read(box)
        for n in range(1, 41):
            self.assertEqual(text.count(f"\nSubject: batch {n}\n"), 1)
        for i in range(10):
            self.assertEqual(text.count(f"\nSubject: mutt {i}\n"), 1)
        with open(box) as f:
            split = subprocess.run(["formail", "-s", "sh", "-c", "cat >/dev/null; echo m"], stdin=f,
                                   capture_output=True, text=True).stdout
        self.assertEqual(split.count("m"), 50)

    def test_kill_qmgr_and_local_during_1000_messages(self):
        # A local killed while it holds the mailbox leaves its dotlock behind, as
        # Postfix's would; stale_lock_time decides when it is broken (default 500s).
        self.start(extra="minimal_backoff_time = 1s\nmaximal_backoff_time = 1s\nqueue_run_delay = 1s\n"
                         "stale_lock_time = 5s")
        self.launch()
        user = self.make_user()
        box = os.path.join(self.spool, user.pw_name)
        env = dict(os.environ, POSTERN_TEST_COUNT="1000")
        r = subprocess.run([os.path.join(BIN, "postern-test-enqueue"), self.inst.queue, "postfix",
                            "alice@remote.test", f"{user.pw_name}@{DOMAIN}"],
                           input=message("crash {n}"), capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)

        def pids(name):
            out = subprocess.run(["pgrep", "-g", str(self.inst.master_pid), "-x", name],
                                 capture_output=True, text=True).stdout
            return [int(p) for p in out.split()]

        def delivered():
            try:
                return self.read(box).count("\nSubject: crash ")
            except FileNotFoundError:
                return 0
        def kill_all(name):
            for p in pids(name):
                try:
                    os.kill(p, 9)
                except ProcessLookupError:
                    pass  # it had just exited (max_idle)
        self.assertTrue(wait_until(lambda: delivered() > 100, 60), self.inst.log())
        at_qmgr_kill = delivered()
        kill_all("qmgr")
        time.sleep(0.5)
        with open(os.path.join(self.inst.queue, "public", "qmgr"), "w") as f:
            f.write("A")  # master starts a new qmgr for the waiting trigger
        self.assertTrue(wait_until(lambda: delivered() > 300, 60), self.inst.log())
        at_local_kill = delivered()
        kill_all("local")
        def finished():
            return all(not files for d in ("incoming", "active", "deferred")
                       for _, _, files in os.walk(os.path.join(self.inst.queue, d)))
        self.assertTrue(wait_until(finished, 240, 0.5), self.inst.log()[-3000:])
        text = self.read(box)
        seen = {}
        for line in text.split("\n"):
            if line.startswith("Subject: crash "):
                n = int(line.split()[-1])
                seen[n] = seen.get(n, 0) + 1
        missing = [n for n in range(1, 1001) if n not in seen]
        duplicates = sum(c - 1 for c in seen.values())
        print(f"crash test: 1000 messages, qmgr killed at {at_qmgr_kill} and local at {at_local_kill} delivered; "
              f"{len(missing)} missing, {duplicates} duplicates", file=sys.stderr)
        self.assertEqual(missing, [])
        self.assertLessEqual(duplicates, 5)  # only what was in flight at the kills

    def test_pflogsumm_counts_the_traffic(self):
        self.start()
        self.launch()
        user = self.make_user()
        ids = [self.enqueue("alice@remote.test", f"{user.pw_name}@{DOMAIN}", text=message(f"sum {i}"))
               for i in range(3)]
        bounced = self.enqueue(f"{user.pw_name}@{DOMAIN}", f"nosuchuser@{DOMAIN}", text=message("nobody"))
        for qid in ids + [bounced]:
            self.wait_removed(qid)
        out = subprocess.run(["pflogsumm", "--detail", "0", self.inst.maillog], capture_output=True, text=True).stdout
        self.assertRegex(out, r"\n\s*4\s+delivered", out)  # three messages and the bounce
        self.assertRegex(out, r"\n\s*1\s+bounced", out)


@unittest.skipUnless(IS_ROOT, "the tutorial flow creates users: run as root")
class TutorialTest(unittest.TestCase):
    """The first thing every tutorial does: sendmail, mail(1) and SMTP to a
    local user, /etc/aliases with newaliases, then cat the spool mailbox."""

    def setUp(self):
        self.port = free_port()
        self.inst = Instance(master_cf=MASTER_CF + (
            "pickup    fifo  n       -       n       60      1       pickup\n"
            f"127.0.0.1:{self.port} inet n - n - - smtpd\n"))
        self.spool = os.path.join(self.inst.root, "mail")
        os.makedirs(self.spool)
        self.aliases = os.path.join(self.inst.conf, "aliases")
        with open(self.aliases, "w") as f:
            f.write("postmaster: root\nzhangsan: root\n")
        self.inst.write_main_cf("\n".join([
            f"mail_spool_directory = {self.spool}",
            f"alias_maps = hash:{self.aliases}",
            f"alias_database = hash:{self.aliases}",
            "smtpd_error_sleep_time = 0",
            ""]))
        self.user = "pt" + uuid.uuid4().hex[:8]
        subprocess.run(["useradd", "-M", "-d", "/nonexistent", self.user], check=True, capture_output=True)
        r = self.inst.command("newaliases")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.inst.postfix("set-permissions").returncode, 0)
        self.inst.start()

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log(), file=sys.stderr)
        self.inst.cleanup()
        subprocess.run(["userdel", self.user], capture_output=True)

    def box(self, name):
        try:
            with open(os.path.join(self.spool, name), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def test_sendmail_mailx_and_smtp_reach_the_mailbox(self):
        rcpt = f"{self.user}@{DOMAIN}"
        r = self.inst.command("sendmail", "-f", "root", rcpt, input="Subject: via sendmail\n\ntext\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        # mail(1) as the tutorials run it, with sendmail pointed at ours.
        wrapper = os.path.join(self.inst.root, "sendmail-wrapper")
        with open(wrapper, "w") as f:
            f.write(f"#!/bin/sh\nexec {BIN}/sendmail -c {self.inst.conf} \"$@\"\n")
        os.chmod(wrapper, 0o755)
        mailrc = os.path.join(self.inst.root, "mailrc")
        with open(mailrc, "w") as f:
            f.write(f"set sendmail={wrapper}\n")
        subprocess.run(["mail", "-s", "via mailx", rcpt], input="text\n", text=True, check=True, timeout=30,
                       env=dict(os.environ, MAILRC=mailrc))
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            s.sendmail("alice@remote.test", [rcpt], "Subject: via smtp\r\n\r\ntext\r\n")
        self.assertTrue(wait_until(lambda: all(f"Subject: via {w}" in self.box(self.user)
                                               for w in ("sendmail", "mailx", "smtp")), 30), self.box(self.user))
        self.assertEqual(os.stat(os.path.join(self.spool, self.user)).st_uid, pwd.getpwnam(self.user).pw_uid)

    def test_system_account_aliased_to_root(self):
        r = self.inst.command("sendmail", "-f", "root", f"zhangsan@{DOMAIN}", input="Subject: to zhangsan\n\nx\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(wait_until(lambda: "Subject: to zhangsan" in self.box("root"), 30))
        self.assertIn(f"Delivered-To: root@{DOMAIN}", self.box("root"))

    def test_default_local_recipient_maps_knows_users_and_aliases(self):
        # local_recipient_maps is not set: Postfix's default
        # "proxy:unix:passwd.byname $alias_maps" applies at RCPT time.
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            s.ehlo("client.example.org")
            s.mail("alice@remote.test")
            self.assertEqual(s.rcpt(f"{self.user}@{DOMAIN}")[0], 250)  # a passwd entry
            self.assertEqual(s.rcpt(f"zhangsan@{DOMAIN}")[0], 250)     # only an alias
            code, text = s.rcpt(f"nosuchuser@{DOMAIN}")
            self.assertEqual(code, 550)
            self.assertIn(b"5.1.1", text)
            self.assertIn(b"User unknown in local recipient table", text)

    def test_20_parallel_smtp_clients_delivered_exactly_once(self):
        import hashlib
        import mailbox
        import random
        import threading
        clients, per_client = 20, 10
        rcpt = f"{self.user}@{DOMAIN}"
        digests = {}
        errors = []

        def client(c):
            rng = random.Random(c)
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=60) as s:
                    for m in range(per_client):
                        tag = f"par-{c}-{m}"
                        body = "".join(f"{tag} line {i} {rng.getrandbits(64):016x}\r\n"
                                       for i in range(rng.randint(1, 40)))
                        digests[tag] = hashlib.sha256(body.encode()).hexdigest()
                        s.sendmail("alice@remote.test", [rcpt], f"Subject: {tag}\r\n\r\n{body}")
            except Exception as e:  # reported below, with the client number
                errors.append(f"client {c}: {e!r}")

        threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        total = clients * per_client
        self.assertTrue(wait_until(lambda: self.box(self.user).count("\nSubject: par-") >= total, 90),
                        f"{self.box(self.user).count('Subject: par-')} of {total} delivered")
        time.sleep(1)  # anything extra (a duplicate) would arrive now
        seen = {}
        for msg in mailbox.mbox(os.path.join(self.spool, self.user)):
            tag = msg["Subject"]
            if not tag or not tag.startswith("par-"):
                continue
            body = msg.get_payload().replace("\r\n", "\n").replace("\n", "\r\n")
            seen.setdefault(tag, []).append(hashlib.sha256(body.encode()).hexdigest())
        self.assertEqual(sorted(seen), sorted(digests))
        self.assertEqual([t for t, d in seen.items() if len(d) != 1], [], "delivered more than once")
        self.assertEqual([t for t, d in seen.items() if d[0] != digests[t]], [], "content changed")

    def test_unknown_user_through_sendmail_bounces(self):
        r = self.inst.command("sendmail", "-f", f"{self.user}@{DOMAIN}", f"nosuchuser@{DOMAIN}",
                              input="Subject: to nobody\n\nx\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(wait_until(lambda: "Status: 5.1.1" in self.box(self.user), 30), self.inst.log())
        self.assertIn("Subject: to nobody", self.box(self.user))


if __name__ == "__main__":
    unittest.main()
