"""Mail that comes back: what cleanup rejects on the sendmail path returns to
its sender as a bounce; postsuper -r sends queued mail through pickup and
cleanup again (new queue ID, delivered recipients dropped, arrival kept);
notify_classes decides whether an undeliverable bounce reaches the
postmaster. pickup, qmgr and local run in one instance per test; users are
created by the test (root)."""
import os
import re
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IS_ROOT, Instance, queue_json, wait_until  # noqa: E402

MASTER_CF = """\
pickup    fifo  n       -       n       60      1       pickup
qmgr      fifo  n       -       n       300     1       qmgr
local     unix  -       n       n       -       -       local
"""
DOMAIN = "mail.example.test"


@unittest.skipUnless(IS_ROOT, "creates users and delivers to them: run as root")
class QueueAdminTest(unittest.TestCase):
    def setUp(self):
        self.users = []
        self.inst = None

    def tearDown(self):
        log = self.inst.log() if self.inst else ""
        if self.inst:
            if not getattr(getattr(self, "_outcome", None), "success", True):
                print(log, file=sys.stderr)
            self.inst.cleanup()
        for u in self.users:
            subprocess.run(["userdel", "-r", u], capture_output=True)
        bad = re.findall(r".*(?:killed by signal \d+|exit status [1-9]|fatal: |panic: ).*", log)
        self.assertEqual(bad, [], "daemon failures in the log")

    def launch(self, extra=""):
        self.inst = Instance(master_cf=MASTER_CF)
        self.spool = os.path.join(self.inst.root, "mail")
        os.makedirs(self.spool)
        os.chmod(self.spool, 0o1777)
        aliases = os.path.join(self.inst.conf, "aliases")
        with open(aliases, "w") as f:
            f.write("postmaster: root\n")
        self.inst.write_main_cf("\n".join([
            f"mail_spool_directory = {self.spool}",
            f"alias_maps = hash:{aliases}",
            f"alias_database = hash:{aliases}",
            "minimal_backoff_time = 1s",
            "maximal_backoff_time = 2s",
            "queue_run_delay = 1s",
            extra, ""]))
        self.assertEqual(self.inst.command("postalias", aliases).returncode, 0)
        self.assertEqual(self.inst.postfix("set-permissions").returncode, 0)
        self.inst.start()

    def make_user(self):
        name = "pq" + uuid.uuid4().hex[:8]
        home = os.path.join(self.inst.root, "home", name)
        os.makedirs(os.path.dirname(home), exist_ok=True)
        subprocess.run(["useradd", "-m", "-d", home, "-s", "/bin/sh", name], check=True, capture_output=True)
        self.users.append(name)
        return name

    def box(self, name):
        try:
            with open(os.path.join(self.spool, name), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def sendmail(self, *args, text):
        r = self.inst.command("sendmail", *args, input=text)
        self.assertEqual(r.returncode, 0, r.stderr)

    # -- cleanup rejections on the sendmail path ------------------------------
    def test_too_many_hops_from_sendmail_returns_to_the_sender(self):
        self.launch("hopcount_limit = 3")
        user = self.make_user()
        hops = "".join(f"Received: from hop{i}.example.org by relay{i}.example.org; Sun, 22 Nov 2026 10:0{i}:00 +0000\n"
                       for i in range(4))
        self.sendmail("-f", f"{user}@{DOMAIN}", f"{user}@{DOMAIN}",
                      text=hops + "Subject: looping message\n\nround and round\n")
        self.assertTrue(wait_until(lambda: "Status: 5.4.0" in self.box(user), 30), self.inst.log())
        text = self.box(user)
        self.assertIn("Content-Type: multipart/report; report-type=delivery-status", text)
        self.assertIn("too many hops", text)
        self.assertIn("Subject: looping message", text)  # the original comes back with it
        self.assertIn("Return-Path: <>", text)
        self.assertEqual(text.count("\nSubject: looping message\n"), 1, "never delivered, only returned")
        log = self.inst.log()
        self.assertRegex(log, r"postfix/pickup\[\d+\]: \w+: uid=\d+ from=<[^>]+>: reject: 554 5\.4\.0 Error: too many hops")
        self.assertRegex(log, r"postfix/pickup\[\d+\]: \w+: sender non-delivery notification: \w+")

    def test_rejected_null_sender_mail_needs_2bounce_to_reach_postmaster(self):
        self.launch("hopcount_limit = 1")
        hops = "Received: from a by b; Sun, 22 Nov 2026 10:00:00 +0000\n" * 2
        # The default notify_classes (resource, software): discarded, and said so.
        self.sendmail("-f", "<>", f"root@{DOMAIN}", text=hops + "Subject: silent\n\nx\n")
        self.inst.wait_for_log(r"postfix/pickup\[\d+\]: \w+: undeliverable bounce discarded", 30)
        self.assertNotIn("silent", self.box("root"))
        # With 2bounce it goes to 2bounce_notice_recipient (postmaster -> root).
        with open(os.path.join(self.inst.conf, "main.cf"), "a") as f:
            f.write("notify_classes = 2bounce, resource, software\n")
        self.assertEqual(self.inst.postfix("reload").returncode, 0)
        time.sleep(1)  # pickup re-reads main.cf when master restarts it
        self.sendmail("-f", "<>", f"root@{DOMAIN}", text=hops + "Subject: loud\n\nx\n")
        self.assertTrue(wait_until(lambda: "Subject: loud" in self.box("root"), 30), self.inst.log())
        self.assertIn("Postmaster Copy: Undelivered Mail", self.box("root"))
        self.assertIn(f"Return-Path: <double-bounce@{DOMAIN}>", self.box("root"))

    # -- postsuper -r -----------------------------------------------------------
    def test_requeue_runs_cleanup_again_and_keeps_only_undelivered_recipients(self):
        self.launch()
        user = self.make_user()
        # One local recipient is delivered; the remote one waits in deferred/.
        self.sendmail("-f", f"{user}@{DOMAIN}", f"{user}@{DOMAIN}", "far@remote.example.org",
                      text="Subject: half way\n\nbody line\n")
        self.assertTrue(wait_until(lambda: "Subject: half way" in self.box(user), 30), self.inst.log())
        deferred = wait_until(lambda: [m for m in queue_json(self.inst) if m["queue_name"] == "deferred"], 30)
        self.assertTrue(deferred, self.inst.log())
        [old] = deferred
        self.assertEqual([r["address"] for r in old["recipients"]], ["far@remote.example.org"])

        r = self.inst.command("postsuper", "-r", old["queue_id"])
        self.assertIn("postsuper: Requeued: 1 message", r.stderr)
        self.inst.wait_for_log(rf"postfix/postsuper\[\d+\]: {old['queue_id']}: requeued")
        # pickup passes it through cleanup: a new queue ID, the same message.
        def requeued():
            found = [m for m in queue_json(self.inst) if m["queue_id"] != old["queue_id"]]
            return found if found else None
        again = wait_until(requeued, 30)
        self.assertTrue(again, self.inst.log())
        [new] = again
        self.assertEqual([r["address"] for r in new["recipients"]], ["far@remote.example.org"])
        self.assertEqual(new["sender"], f"{user}@{DOMAIN}")
        self.assertEqual(new["arrival_time"], old["arrival_time"])  # expiry still counts from the first arrival
        header = self.inst.command("postcat", "-hq", new["queue_id"]).stdout
        self.assertEqual(len(re.findall(r"(?m)^Received: ", header)), 1, header)  # no second trace header
        self.assertIn("Subject: half way", header)
        body = self.inst.command("postcat", "-bq", new["queue_id"]).stdout
        self.assertIn("body line", body)
        self.assertRegex(self.inst.log(), rf"postfix/pickup\[\d+\]: {new['queue_id']}: uid=\d+ from=<{user}@{DOMAIN}>")
        # The local recipient was delivered once, before the requeue, and not again.
        time.sleep(1.5)
        self.assertEqual(self.box(user).count("Subject: half way"), 1)

    # -- postsuper -e / -f ------------------------------------------------------
    def test_expire_returns_deferred_mail_and_f_releases_held_mail(self):
        self.launch()
        user = self.make_user()
        self.sendmail("-f", f"{user}@{DOMAIN}", "far@remote.example.org", text="Subject: never arrives\n\nx\n")
        self.sendmail("-f", f"{user}@{DOMAIN}", "other@remote.example.org", text="Subject: held one\n\nx\n")
        queued = wait_until(lambda: (lambda q: q if len(q) == 2 and all(m["queue_name"] == "deferred" for m in q)
                                     else None)(queue_json(self.inst)), 30)
        self.assertTrue(queued, self.inst.log())
        by_subject = {}
        for m in queued:
            by_subject["held" if m["recipients"][0]["address"].startswith("other") else "deferred"] = m["queue_id"]
        r = self.inst.command("postsuper", "-h", by_subject["held"])
        self.assertIn("Placed on hold: 1 message", r.stderr)

        r = self.inst.command("postsuper", "-e", by_subject["deferred"])
        self.assertIn("postsuper: Expired: 1 message", r.stderr)
        self.inst.wait_for_log(rf"postfix/postsuper\[\d+\]: {by_subject['deferred']}: expired")
        self.assertTrue(wait_until(lambda: "Subject: never arrives" in self.box(user), 30), self.inst.log())
        self.assertIn("administratively expired", self.box(user))
        self.assertRegex(self.inst.log(), rf"{by_subject['deferred']}: to=<far@remote.example.org>, .*status=expired")

        # -e leaves a held message on hold; -f releases it so it expires too.
        r = self.inst.command("postsuper", "-e", by_subject["held"])
        self.assertIn("Expired: 1 message", r.stderr)
        time.sleep(2)
        self.assertNotIn("Subject: held one", self.box(user))
        self.assertEqual({m["queue_id"]: m["queue_name"] for m in queue_json(self.inst)}[by_subject["held"]], "hold")
        r = self.inst.command("postsuper", "-f", by_subject["held"])
        self.assertIn("Expired: 1 message", r.stderr)
        self.assertTrue(wait_until(lambda: "Subject: held one" in self.box(user), 30), self.inst.log())
        self.assertTrue(wait_until(lambda: queue_json(self.inst) == [], 15), queue_json(self.inst))


if __name__ == "__main__":
    unittest.main()
