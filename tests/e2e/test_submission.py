"""Local submission and the queue tools: sendmail (-t, -f, -F, -i/-oi, -bs,
-bp, the mailq name), postdrop + pickup through cleanup into incoming/,
postqueue -p/-j/-f/-i, postsuper -d/-h/-H/-r/-s, postcat -q, and privacy of
queue files between users. No qmgr runs: messages stay in incoming/."""
import grp
import os
import pwd
import re
import shutil
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, IS_ROOT, Instance, make_queue_folders, queue_json,  # noqa: E402
                     wait_until)

PICKUP = "pickup fifo n - n 60 1 pickup\n"


class QueueCase(unittest.TestCase):
    start_pickup = True

    def setUp(self):
        self.inst = Instance(master_cf=PICKUP if self.start_pickup else "")
        make_queue_folders(self.inst)
        if self.start_pickup:
            self.inst.start()

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log())
        self.inst.cleanup()

    def sendmail(self, *args, input, check=True):
        result = self.inst.command("sendmail", *args, input=input)
        if check:
            self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def wait_queued(self, count, queue_name="incoming"):
        """Waits until `count` messages are in `queue_name`; returns them."""
        found = wait_until(lambda: (lambda q: q if len(q) >= count else None)(
            [m for m in queue_json(self.inst) if m["queue_name"] == queue_name]), timeout=15)
        if not found:
            self.fail(f"{count} message(s) not in {queue_name}: {queue_json(self.inst)}\n{self.inst.log()}")
        return found

    def postcat(self, *args):
        result = self.inst.command("postcat", *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout


class SendmailTest(QueueCase):
    def test_t_extracts_to_cc_bcc_and_cleanup_removes_bcc(self):
        self.sendmail("-t", "-F", "Alice Example", "-f", "alice@example.test", input=(
            "To: Bob <bob@example.org>, carol@example.org\n"
            "Cc: \"Dave, D.\" <dave@example.org>\n"
            "Bcc: eve@example.org\n"
            "Subject: extraction\n\nhello\n"))
        [msg] = self.wait_queued(1)
        self.assertEqual(msg["sender"], "alice@example.test")
        self.assertEqual(sorted(r["address"] for r in msg["recipients"]),
                         ["bob@example.org", "carol@example.org", "dave@example.org", "eve@example.org"])
        header = self.postcat("-hq", msg["queue_id"])
        self.assertNotIn("Bcc:", header)
        self.assertIn("Subject: extraction", header)
        self.assertRegex(header, r"(?m)^Received: ")
        self.assertRegex(header, r"(?m)^Message-I[Dd]: <")
        self.assertRegex(header, r"(?m)^From: .*Alice Example")
        self.inst.wait_for_log(rf"postfix/pickup\[\d+\]: {msg['queue_id']}: uid=\d+ from=<alice@example.test>")

    def test_t_without_header_recipients_fails(self):
        result = self.sendmail("-t", input="Subject: nobody\n\nx\n", check=False)
        self.assertEqual(result.returncode, 65)
        self.assertIn("No recipient addresses found in message header", result.stderr)

    def test_no_recipients_at_all_is_a_usage_error(self):
        result = self.sendmail(input="x\n", check=False)
        self.assertEqual(result.returncode, 64)

    def test_dot_line_ends_message_unless_i(self):
        self.sendmail("-f", "a@example.test", "one@example.org", input="Subject: dot\n\nbefore\n.\nafter\n")
        self.sendmail("-i", "-f", "b@example.test", "two@example.org", input="Subject: dot\n\nbefore\n.\nafter\n")
        self.sendmail("-oi", "-f", "c@example.test", "three@example.org", input="Subject: dot\n\nbefore\n.\nafter\n")
        msgs = {m["sender"]: m for m in self.wait_queued(3)}
        self.assertEqual(self.postcat("-bq", msgs["a@example.test"]["queue_id"]), "before\n")
        self.assertEqual(self.postcat("-bq", msgs["b@example.test"]["queue_id"]), "before\n.\nafter\n")
        self.assertEqual(self.postcat("-bq", msgs["c@example.test"]["queue_id"]), "before\n.\nafter\n")

    def test_bs_speaks_smtp_on_stdin(self):
        dialogue = ("EHLO client.example\r\nMAIL FROM:<smtp@example.test>\r\n"
                    "RCPT TO:<r1@example.org>\r\nRCPT TO:<r2@example.org>\r\nDATA\r\n"
                    "Subject: via -bs\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n")
        result = self.sendmail("-bs", input=dialogue)
        codes = [line[:3] for line in result.stdout.splitlines()]
        self.assertEqual(codes[0], "220")
        self.assertIn("354", codes)
        self.assertIn("250 2.0.0 Ok: queued", result.stdout)
        self.assertEqual(codes[-1], "221")
        [msg] = self.wait_queued(1)
        self.assertEqual(msg["sender"], "smtp@example.test")
        self.assertEqual(sorted(r["address"] for r in msg["recipients"]), ["r1@example.org", "r2@example.org"])
        self.assertEqual(self.postcat("-bq", msg["queue_id"]), ".leading dot\n")

    def test_bs_rejects_out_of_order_commands(self):
        result = self.sendmail("-bs", input="HELO x\r\nRCPT TO:<a@b.c>\r\nDATA\r\nQUIT\r\n")
        self.assertIn("503 5.5.1 Error: need MAIL command", result.stdout)
        self.assertIn("503 5.5.1 Error: need RCPT command", result.stdout)

    def test_mailq_name_and_bp_list_the_queue(self):
        self.assertTrue(os.path.islink(os.path.join(BIN, "mailq")))
        empty = self.inst.command("mailq")
        self.assertEqual(empty.stdout, "Mail queue is empty\n")
        self.sendmail("-f", "q@example.test", "r@example.org", input="Subject: q\n\nx\n")
        self.wait_queued(1)
        mailq = self.inst.command("mailq")
        bp = self.inst.command("sendmail", "-bp")
        postqueue = self.inst.command("postqueue", "-p")
        self.assertEqual(mailq.stdout, postqueue.stdout)
        self.assertEqual(bp.stdout, postqueue.stdout)
        self.assertIn("q@example.test", mailq.stdout)


class NewaliasesTest(QueueCase):
    start_pickup = False

    def test_bi_rebuilds_alias_database(self):
        aliases = os.path.join(self.inst.conf, "aliases")
        with open(aliases, "w") as f:
            f.write("postmaster: root\n")
        self.inst.write_main_cf(f"alias_maps = hash:{aliases}\nalias_database = hash:{aliases}\n")
        result = self.inst.command("sendmail", "-bi")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.exists(aliases + ".db"))


class PostqueueFormatTest(QueueCase):
    def test_p_and_j_formats(self):
        for i in range(3):
            self.sendmail("-f", f"s{i}@example.test", f"r{i}@example.org", "x@example.org",
                          input=f"Subject: {i}\n\n" + "y" * (600 * i) + "\n")
        msgs = self.wait_queued(3)
        out = self.inst.command("postqueue", "-p").stdout
        lines = out.splitlines()
        self.assertEqual(lines[0], "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------")
        for m in msgs:
            self.assertRegex(out, rf"(?m)^{m['queue_id']}  +{m['message_size']} "
                                  r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d  " + re.escape(m["sender"]) + "$")
        self.assertRegex(out, r"(?m)^ {42}r0@example\.org$")
        total_kb = sum(m["message_size"] for m in msgs) // 1024
        self.assertTrue(out.endswith(f"\n-- {total_kb} Kbytes in 3 Requests.\n"), out)
        self.assertEqual(out.count("\n\n"), 3)  # a blank line between entries and before the total
        for m in msgs:
            self.assertEqual(set(m), {"queue_name", "queue_id", "arrival_time", "message_size",
                                      "forced_expire", "sender", "recipients"})
            self.assertIs(m["forced_expire"], False)
            self.assertIsInstance(m["arrival_time"], int)

    def test_flush_without_qmgr_does_not_fail(self):
        result = self.inst.command("postqueue", "-f")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("qmgr is not running", result.stderr)
        self.assertEqual(self.inst.command("sendmail", "-q").returncode, 0)

    def test_flush_writes_qmgr_fifo_when_present(self):
        fifo = os.path.join(self.inst.queue, "public", "qmgr")
        os.mkfifo(fifo, 0o622)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            self.assertEqual(self.inst.command("postqueue", "-f").returncode, 0)
            self.assertEqual(os.read(reader, 64), b"FADI")
        finally:
            os.close(reader)


class PostsuperTest(QueueCase):
    def queue_names(self):
        return {m["queue_id"]: m["queue_name"] for m in queue_json(self.inst)}

    def test_hold_release_requeue_delete(self):
        for i in range(2):
            self.sendmail("-f", f"s{i}@example.test", "r@example.org", input="Subject: s\n\nx\n")
        a, b = [m["queue_id"] for m in self.wait_queued(2)]

        held = self.inst.command("postsuper", "-h", a)
        self.assertIn("postsuper: Placed on hold: 1 message", held.stderr)
        self.assertEqual(self.queue_names()[a], "hold")
        self.assertRegex(self.inst.command("postqueue", "-p").stdout, rf"(?m)^{a}! ")
        self.inst.wait_for_log(rf"postfix/postsuper\[\d+\]: {a}: placed on hold")

        released = self.inst.command("postsuper", "-H", "ALL")
        self.assertIn("Released from hold: 1 message", released.stderr)
        self.assertEqual(self.queue_names()[a], "deferred")

        # postqueue -i on a deferred message: rescheduled, no qmgr needed.
        self.assertEqual(self.inst.command("postqueue", "-i", a).returncode, 0)
        self.assertEqual(self.inst.command("postqueue", "-i", "4jXVLr0Np8z00Ky000").returncode, 1)

        # As in Postfix, -r sends both through maildrop/, pickup and cleanup
        # again: each comes back into incoming/ with a new queue ID.
        requeued = self.inst.command("postsuper", "-r", "ALL")
        self.assertIn("Requeued: 2 messages\n", requeued.stderr)
        again = self.wait_queued(2)
        new_ids = [m["queue_id"] for m in again]
        self.assertEqual(set(new_ids) & {a, b}, set())
        self.assertEqual(sorted(m["sender"] for m in again), ["s0@example.test", "s1@example.test"])
        self.assertEqual(set(self.queue_names().values()), {"incoming"})

        deleted = self.inst.command("postsuper", "-d", new_ids[1])
        self.assertIn("postsuper: Deleted: 1 message", deleted.stderr)
        self.assertEqual(list(self.queue_names()), [new_ids[0]])
        self.inst.command("postsuper", "-d", "ALL")
        self.assertEqual(self.inst.command("postqueue", "-p").stdout, "Mail queue is empty\n")

    def test_unknown_and_malformed_ids(self):
        result = self.inst.command("postsuper", "-d", "../../etc/passwd")
        self.assertIn("invalid mail queue id", result.stderr)
        self.assertIn("Deleted: 0 messages", result.stderr)

    def test_s_repairs_the_queue(self):
        self.sendmail("-f", "s@example.test", "r@example.org", input="Subject: s\n\nx\n")
        [msg] = self.wait_queued(1)
        self.inst.command("postsuper", "-h", msg["queue_id"])
        q = self.inst.queue
        owner = pwd.getpwnam("postfix") if IS_ROOT else None

        def plant(path, data, mode):
            with open(path, "wb") as f:
                f.write(data)
            os.chmod(path, mode)
            if owner:
                os.chown(path, owner.pw_uid, owner.pw_gid)

        # A complete file with a queue ID name but garbage inside.
        bad_id = "4jXVLr0Np8z00Ky001"
        plant(os.path.join(q, "incoming", bad_id), b"garbage", 0o700)
        # A file that is not named like a queue ID.
        plant(os.path.join(q, "incoming", "junk.txt"), b"junk", 0o700)
        # The held message moved into deferred/ but outside its hash folder.
        shutil.move(os.path.join(q, "hold", msg["queue_id"]), os.path.join(q, "deferred", msg["queue_id"]))
        # A defer log for a message that does not exist.
        plant(os.path.join(q, "defer", "4jXVLr0Np8z00Ky002"), b"recipient=x\n", 0o600)

        result = self.inst.command("postsuper", "-s")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.exists(os.path.join(q, "corrupt", bad_id)))
        self.assertTrue(os.path.exists(os.path.join(q, "corrupt", "junk.txt")))
        self.assertFalse(os.path.exists(os.path.join(q, "deferred", msg["queue_id"])))
        self.assertEqual(queue_json(self.inst)[0]["queue_name"], "deferred")
        self.assertFalse(os.path.exists(os.path.join(q, "defer", "4jXVLr0Np8z00Ky002")))
        self.assertIn("corrupt queue file", result.stderr)


class PostcatTest(QueueCase):
    def test_postcat_sections(self):
        self.sendmail("-f", "cat@example.test", "r@example.org", input="Subject: cat\n\nline one\nline two\n")
        [msg] = self.wait_queued(1)
        qid = msg["queue_id"]
        full = self.postcat("-q", qid)
        self.assertIn(f"*** ENVELOPE RECORDS incoming/{qid} ***", full)
        self.assertIn("sender: cat@example.test\n", full)
        self.assertIn("recipient: r@example.org\n", full)
        self.assertIn(f"*** MESSAGE CONTENTS incoming/{qid} ***", full)
        self.assertIn("Subject: cat\n", full)
        self.assertTrue(full.endswith(f"*** MESSAGE FILE END incoming/{qid} ***\n"))
        self.assertEqual(self.postcat("-bq", qid), "line one\nline two\n")
        self.assertNotIn("line one", self.postcat("-hq", qid))
        env = self.postcat("-eq", qid)
        self.assertIn("message_size: ", env)
        self.assertNotIn("Subject", env)
        # A path works too.
        path = os.path.join(self.inst.queue, "incoming", qid)
        self.assertEqual(self.postcat("-b", path), "line one\nline two\n")
        missing = self.inst.command("postcat", "-q", "4jXVLr0Np8z00Ky003")
        self.assertNotEqual(missing.returncode, 0)


class MaildropWithoutPickupTest(QueueCase):
    start_pickup = False

    def test_message_waits_in_maildrop(self):
        self.sendmail("-f", "m@example.test", "r@example.org", input="Subject: m\n\nx\n")
        [msg] = self.wait_queued(1, "maildrop")
        self.assertIn("m@example.test", self.inst.command("mailq").stdout)
        self.assertEqual(self.postcat("-bq", msg["queue_id"]), "x\n")


@unittest.skipUnless(IS_ROOT, "chroot needs root")
class ChrootPickupTest(QueueCase):
    """Debian's stock entry runs pickup chrooted to queue_directory."""

    def setUp(self):
        self.inst = Instance(master_cf="pickup fifo n - y 60 1 pickup\n")
        make_queue_folders(self.inst)
        self.inst.start()

    def test_chrooted_pickup_queues_mail(self):
        self.sendmail("-f", "c@example.test", "r@example.org", input="Subject: chroot\n\nx\n")
        [msg] = self.wait_queued(1)
        self.assertEqual(self.postcat("-bq", msg["queue_id"]), "x\n")


class PickupValidationTest(QueueCase):
    """pickup treats maildrop files as hostile: bad ones go to corrupt/."""

    def plant(self, name, data, mode=0o744):
        path = os.path.join(self.inst.queue, "maildrop", name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def wake_pickup(self):
        fd = os.open(os.path.join(self.inst.queue, "public", "pickup"), os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, b"W")
        os.close(fd)

    def test_garbage_and_hard_links_are_moved_to_corrupt(self):
        self.plant("4jXVLr0Np8z00Ky010", b"PSTNQF\x01garbage")
        linked = self.plant("4jXVLr0Np8z00Ky011", b"whatever")
        os.link(linked, os.path.join(self.inst.root, "second-link"))
        self.wake_pickup()
        self.inst.wait_for_log(r"4jXVLr0Np8z00Ky010: uid=\d+: bad maildrop file: corrupt queue file")
        self.inst.wait_for_log(r"4jXVLr0Np8z00Ky011: uid=\d+: bad maildrop file: file has more than one link")
        corrupt = os.listdir(os.path.join(self.inst.queue, "corrupt"))
        self.assertIn("4jXVLr0Np8z00Ky010", corrupt)
        self.assertIn("4jXVLr0Np8z00Ky011", corrupt)
        self.assertEqual(os.listdir(os.path.join(self.inst.queue, "maildrop")), [])

    def test_forged_client_attributes_are_refused_by_postdrop(self):
        # A hand-made stream claiming to come from an authenticated network
        # client: postdrop refuses it (exit 65), nothing reaches maildrop/.
        import struct

        def rec(t, payload):
            return t + struct.pack(">I", len(payload)) + payload
        rcpt = b"N\x00" + struct.pack(">I", 5) + b"b@x.y"
        body = b"Subject: x\r\n\r\nx\r\n"
        stream = (b"PSTNQF\x01" + rec(b"T", b"1.0") + rec(b"S", b"a@x.y") +
                  rec(b"A", b"sasl_username=admin") + rec(b"R", rcpt) + rec(b"M", body) + rec(b"E", b""))
        result = subprocess.run([os.path.join(BIN, "postdrop"), "-c", self.inst.conf], input=stream,
                                capture_output=True, timeout=60)
        self.assertEqual(result.returncode, 65, result.stderr)
        self.assertIn(b"client attributes are not allowed", result.stderr)
        self.assertEqual(os.listdir(os.path.join(self.inst.queue, "maildrop")), [])


@unittest.skipUnless(IS_ROOT, "needs root to create a second user")
class PrivacyTest(unittest.TestCase):
    """Another local user can neither read nor list queued mail; a user's
    submission is attributed to that user's uid (the file owner); a
    set-group-ID postdrop refuses a configuration the user chose."""

    def setUp(self):
        self.user = "pst" + uuid.uuid4().hex[:8]
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", self.user], check=True)
        self.pw = pwd.getpwnam(self.user)
        self.inst = Instance(master_cf=PICKUP)
        make_queue_folders(self.inst)
        self.inst.start()

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log())
        self.inst.cleanup()
        subprocess.run(["userdel", self.user], check=False)

    def as_user(self, *argv, input=None, postdrop_group=False, env=None):
        groups = (["--groups", str(grp.getgrnam("postdrop").gr_gid)] if postdrop_group
                  else ["--init-groups"])
        return subprocess.run(["setpriv", "--reuid", self.user, "--regid", str(self.pw.pw_gid),
                               *groups, "--", *argv], input=input, capture_output=True,
                              text=True, timeout=60, env=env)

    def test_other_user_cannot_read_queue_files(self):
        r = self.inst.command("sendmail", "-f", "root@example.test", "r@example.org",
                              input="Subject: secret\n\ntop secret\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        qid = wait_until(lambda: next((m["queue_id"] for m in queue_json(self.inst)
                                       if m["queue_name"] == "incoming"), None), timeout=15)
        self.assertTrue(qid, self.inst.log())
        path = os.path.join(self.inst.queue, "incoming", qid)
        cat = self.as_user("cat", path)
        self.assertNotEqual(cat.returncode, 0)
        self.assertIn("Permission denied", cat.stderr)
        ls = self.as_user("ls", os.path.join(self.inst.queue, "maildrop"))
        self.assertNotEqual(ls.returncode, 0)
        postcat = self.as_user(os.path.join(BIN, "postcat"), "-c", self.inst.conf, "-q", qid)
        self.assertNotEqual(postcat.returncode, 0)
        self.assertNotIn("top secret", postcat.stdout)
        mailq = self.as_user(os.path.join(BIN, "mailq"), "-c", self.inst.conf)
        self.assertNotEqual(mailq.returncode, 0)
        self.assertNotIn("root@example.test", mailq.stdout)

    def test_user_submission_is_attributed_to_the_file_owner(self):
        # The postdrop group as a supplementary group stands in for the
        # set-group-ID bit of an installed postdrop.
        r = self.as_user(os.path.join(BIN, "sendmail"), "-c", self.inst.conf, "r@example.org",
                         input="Subject: from a user\n\nhello\n", postdrop_group=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.inst.wait_for_log(rf"postfix/pickup\[\d+\]: \w+: uid={self.pw.pw_uid} from=<{self.user}")
        self.assertEqual(os.listdir(os.path.join(self.inst.queue, "maildrop")), [])

    def test_authorized_users_lists(self):
        self.inst.write_main_cf("authorized_submit_users = !%s, static:anyone\n"
                                "authorized_mailq_users = root\n" % self.user)
        sendmail = self.as_user(os.path.join(BIN, "sendmail"), "-c", self.inst.conf, "r@example.org",
                                input="Subject: no\n\nx\n", postdrop_group=True)
        self.assertEqual(sendmail.returncode, 77)
        self.assertIn(f"User {self.user}({self.pw.pw_uid}) is not allowed to submit mail", sendmail.stderr)
        # postdrop is the privileged step; it refuses on its own too.
        postdrop = self.as_user(os.path.join(BIN, "postdrop"), "-c", self.inst.conf, input="",
                                postdrop_group=True)
        self.assertEqual(postdrop.returncode, 77)
        self.assertEqual(os.listdir(os.path.join(self.inst.queue, "maildrop")), [])
        mailq = self.as_user(os.path.join(BIN, "postqueue"), "-c", self.inst.conf, "-p")
        self.assertEqual(mailq.returncode, 77)
        self.assertIn("is not allowed to view the mail queue", mailq.stderr)
        # Root and mail_owner always may.
        self.assertEqual(self.inst.command("postqueue", "-p").returncode, 0)
        self.assertEqual(self.inst.command("sendmail", "r@example.org", input="x\n").returncode, 0)

    def test_setgid_postdrop_refuses_a_user_chosen_config(self):
        private = os.path.join(self.inst.root, "sbin")
        os.makedirs(private)
        os.chmod(private, 0o755)
        postdrop = os.path.join(private, "postdrop")
        shutil.copy(os.path.join(BIN, "postdrop"), postdrop)
        os.chown(postdrop, 0, grp.getgrnam("postdrop").gr_gid)
        os.chmod(postdrop, 0o2755)
        # LeakSanitizer cannot run in a set-group-ID process (sanitizer builds).
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        r = self.as_user(postdrop, "-c", self.inst.conf, input="", env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("alternate_config_directories", r.stderr)
        self.assertEqual(os.listdir(os.path.join(self.inst.queue, "maildrop")), [])


if __name__ == "__main__":
    unittest.main()
