"""imapd killed during EXPUNGE, for mbox and Maildir: STORE \\Deleted on many
messages, send EXPUNGE, kill -9 the session's mail process at several
moments, reconnect and check that the folder opens, every message that was
not deleted is there with the same UID and bytes, a deleted one is either
whole or gone, and a new EXPUNGE completes. A local delivery during the
mbox rewrite is never lost; flags stored over IMAP reach Status/X-Status in
the mbox, and flags mutt wrote there reach IMAP. Needs root (users,
privilege drops)."""
import hashlib
import imaplib
import os
import pwd
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IS_ROOT, Instance, free_port, wait_until  # noqa: E402
from test_imap import MASTER_CF, Raw, chown_tree  # noqa: E402

MBOX_COUNT = 2000  # the rewrite of ~1 MB takes long enough to be hit
MAILDIR_COUNT = 600
# When to kill -9 after sending EXPUNGE: seconds, or "rewrite" (mbox: as soon
# as the rewrite's journal exists, i.e. while the spool is being rewritten).
KILL_POINTS = (0.0, 0.01, "rewrite", 0.03, "rewrite", "rewrite")


def message(n, tag):
    return (f"From: sender@example.test\nTo: user@example.test\nSubject: {tag} {n}\n"
            f"Message-ID: <{tag}.{n}@crash.test>\n\n"
            + "".join(f"line {i} of message {n}, {tag}\n" for i in range(8)))


class ImapCrashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not IS_ROOT:
            raise unittest.SkipTest("needs root (users, privilege drops)")
        cls.port = free_port()
        cls.inst = Instance(master_cf=MASTER_CF)
        cls.sysuser = "pc" + uuid.uuid4().hex[:8]
        cls.home = os.path.join(cls.inst.root, "home", cls.sysuser)
        cls.spool = os.path.join(cls.inst.root, "mail")
        os.makedirs(cls.home)
        os.makedirs(cls.spool)
        os.chmod(cls.spool, 0o1777)  # local (as the user) and imapd make dotlocks here
        subprocess.run(["useradd", "-M", "-d", cls.home, "-s", "/usr/sbin/nologin", cls.sysuser], check=True)
        cls.pw = pwd.getpwnam(cls.sysuser)
        cls.inbox = os.path.join(cls.spool, cls.sysuser)
        cls.mdir_home = os.path.join(cls.inst.root, "vmail", "mdir")
        os.makedirs(cls.mdir_home)
        chown_tree(cls.home, cls.pw)
        chown_tree(os.path.dirname(cls.mdir_home), cls.pw)
        uid, gid = cls.pw.pw_uid, cls.pw.pw_gid
        users = os.path.join(cls.inst.conf, "users")
        with open(users, "w") as f:
            # The system user reads the spool local delivers to; "mdir" has a Maildir.
            f.write(f"{cls.sysuser}:{{PLAIN}}sys-pw:{uid}:{gid}::{cls.home}::"
                    f"userdb_mail=mbox:~/mail:INBOX={cls.inbox}\n")
            f.write(f"mdir:{{PLAIN}}mdir-pw:{uid}:{gid}::{cls.mdir_home}::userdb_mail=maildir:~/Maildir\n")
        with open(os.path.join(cls.inst.conf, "dovecot.conf"), "w") as f:
            f.write("protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n"
                    "auth_mechanisms = plain login\nauth_failure_delay = 0\n"
                    "mail_max_userip_connections = 10\n"
                    f"passdb {{\n  driver = passwd-file\n  args = {users}\n}}\n"
                    f"userdb {{\n  driver = passwd-file\n  args = {users}\n}}\n"
                    "service imap-login {\n"
                    f"  inet_listener imap {{\n    port = {cls.port}\n  }}\n"
                    "}\n")
        aliases = os.path.join(cls.inst.conf, "aliases")
        with open(aliases, "w") as f:
            f.write("postmaster: root\n")
        cls.inst.write_main_cf(f"mail_spool_directory = {cls.spool}\nalias_maps = hash:{aliases}\n"
                               f"alias_database = hash:{aliases}\n")
        r = cls.inst.command("newaliases")
        assert r.returncode == 0, r.stderr
        r = cls.inst.postfix("set-permissions")  # sendmail's postdrop group
        assert r.returncode == 0, r.stderr
        cls.inst.start()
        if not wait_until(lambda: cls._can_connect(cls.port), timeout=15):
            print(cls.inst.log())
            cls.tearDownClass()
            raise AssertionError("imapd did not start")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "inst", None):
            cls.inst.cleanup()
            cls.inst = None
            subprocess.run(["userdel", cls.sysuser], capture_output=True)

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True) and self.inst:
            print(self.inst.log()[-20000:])

    @staticmethod
    def _can_connect(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def login(self, user):
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        m.login(user, "sys-pw" if user == self.sysuser else f"{user}-pw")
        return m

    def mail_processes(self):
        """PIDs of imapd processes running as the test user (mail processes)."""
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if not f.read().split(b"\0")[0].endswith(b"imapd"):
                        continue
                with open(f"/proc/{pid}/status") as f:
                    uid = next(line for line in f if line.startswith("Uid:")).split()[1]
                if int(uid) == self.pw.pw_uid:
                    found.append(int(pid))
            except (OSError, StopIteration):
                pass
        return found

    def snapshot(self, m):
        """{uid: (message-id, sha256 of the message)} of the selected folder."""
        typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        out = {}
        for part in data:
            if not isinstance(part, tuple):
                continue
            uid = int(re.search(rb"UID (\d+)", part[0]).group(1))
            mid = re.search(rb"Message-ID: (<[^>]+>)", part[1])
            out[uid] = (mid.group(1).decode() if mid else None, hashlib.sha256(part[1]).hexdigest())
        return out

    def check_after_crash(self, user, before, deleted, where):
        m = self.login(user)
        typ, data = m.select("INBOX")
        if typ != "OK":
            print(self.inst.log()[-8000:])  # why the folder did not open
        self.assertEqual(typ, "OK", f"{where}: {data}")
        now = self.snapshot(m)
        for uid, ident in before.items():
            if uid in deleted:
                if uid in now:
                    self.assertEqual(now[uid], ident, f"{where}: deleted UID {uid} changed")
            else:
                self.assertIn(uid, now, f"{where}: UID {uid} {ident[0]} lost")
                self.assertEqual(now[uid], ident, f"{where}: UID {uid} is not the same message")
        mids = [v[0] for v in now.values()]
        self.assertEqual(len(mids), len(set(mids)), f"{where}: a message is there twice")
        return m, now

    def crash_rounds(self, user, fill):
        """Marks a fresh set \\Deleted, sends EXPUNGE, kill -9 after a delay; checks."""
        fill()
        m = self.login(user)
        m.select("INBOX")
        before = self.snapshot(m)
        m.logout()
        uids = sorted(before)
        rng = random.Random(7)
        delivered = []
        deleted_so_far = set()
        interrupted = 0
        journal = os.path.join(self.home, "mail", ".imap", "INBOX", "postern-mbox-journal")
        points = KILL_POINTS + (rng.uniform(0, 0.05),)
        for round_no, delay in enumerate(points):
            wait_until(lambda: not self.mail_processes(), timeout=10)
            chosen = set(uids[round_no::7]) - deleted_so_far
            deleted_so_far |= chosen
            c = Raw(self.port, timeout=30)
            _, done = c.cmd("a", f"LOGIN {user} {'sys-pw' if user == self.sysuser else user + '-pw'}")
            self.assertIn("OK", done)
            _, done = c.cmd("b", "SELECT INBOX")
            self.assertIn("OK", done)
            uid_set = ",".join(str(u) for u in sorted(chosen))
            _, done = c.cmd("c", f"UID STORE {uid_set} +FLAGS.SILENT (\\Deleted)")
            self.assertIn("OK", done)
            procs = self.mail_processes()
            self.assertEqual(len(procs), 1, procs)
            c.send("d EXPUNGE\r\n")
            if delay == "rewrite" and user == self.sysuser:
                deadline = time.monotonic() + 10
                while not os.path.exists(journal) and time.monotonic() < deadline:
                    pass
                delay = "the rewrite began"
            elif delay == "rewrite":
                delay = 0.005
            if isinstance(delay, float) and delay:
                time.sleep(delay)
            os.kill(procs[0], signal.SIGKILL)
            c.close()
            if user == self.sysuser and os.path.exists(journal):
                interrupted += 1  # killed in the middle of the rewrite: the next login finishes it
            if user == self.sysuser:
                # local appends while the spool may be half rewritten.
                mid = f"<late.{round_no}@crash.test>"
                r = self.inst.command("sendmail", "-f", "root", f"{self.sysuser}@mail.example.test",
                                      input=f"Subject: late {round_no}\nMessage-ID: {mid}\n\nlate\n")
                self.assertEqual(r.returncode, 0, r.stderr)
                delivered.append(mid)
            wait_until(lambda: not self.mail_processes(), timeout=10)
            m, now = self.check_after_crash(user, before, deleted_so_far, f"round {round_no} (kill after {delay})")
            m.logout()
        # A last EXPUNGE completes and removes every message still \Deleted.
        m = self.login(user)
        m.select("INBOX")
        typ, data = m.uid("STORE", ",".join(str(u) for u in sorted(deleted_so_far)), "+FLAGS.SILENT", "(\\Deleted)")
        typ, data = m.expunge()
        self.assertEqual(typ, "OK")
        now = self.snapshot(m)
        survivors = {u: v for u, v in before.items() if u not in deleted_so_far}
        self.assertEqual({u: now[u][0] for u in survivors if u in now}, {u: v[0] for u, v in survivors.items()})
        self.assertFalse(deleted_so_far & set(now))
        m.logout()
        if user == self.sysuser:
            # The rounds that wait for the journal must have hit the rewrite itself.
            print(f"mbox rewrites interrupted by kill -9: {interrupted} of {len(points)}")
            self.assertGreaterEqual(interrupted, 1)
        return delivered, survivors

    def test_kill_during_mbox_expunge(self):
        def fill():
            with open(self.inbox, "w") as f:
                for n in range(MBOX_COUNT):
                    f.write(f"From sender@example.test  Tue Mar  1 09:00:00 2022\n{message(n, 'mbox')}\n")
            os.chown(self.inbox, self.pw.pw_uid, self.pw.pw_gid)
            os.chmod(self.inbox, 0o600)
        delivered, survivors = self.crash_rounds(self.sysuser, fill)
        # Every message local delivered during the crashes is there, once.
        def ids_in_spool():
            with open(self.inbox, errors="replace") as f:
                return re.findall(r"^Message-ID: (<[^>]+>)", f.read(), re.M)
        self.assertTrue(wait_until(lambda: set(delivered) <= set(ids_in_spool()), timeout=30),
                        f"local deliveries lost: {set(delivered) - set(ids_in_spool())}")
        ids = ids_in_spool()
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(set(ids), {v[0] for v in survivors.values()} | set(delivered))

    def test_kill_during_maildir_expunge(self):
        def fill():
            new = os.path.join(self.mdir_home, "Maildir", "new")
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(self.mdir_home, "Maildir", sub), exist_ok=True)
            for n in range(MAILDIR_COUNT):
                with open(os.path.join(new, f"1700000000.M{n}P1.crash"), "w") as f:
                    f.write(message(n, "maildir"))
            chown_tree(self.mdir_home, self.pw)
        self.crash_rounds("mdir", fill)

    def test_delivery_during_mbox_expunge_and_flags_in_file(self):
        wait_until(lambda: not self.mail_processes(), timeout=10)
        with open(self.inbox, "w") as f:
            for n in range(MBOX_COUNT):
                f.write(f"From sender@example.test  Tue Mar  1 09:00:00 2022\n{message(n, 'conc')}\n")
        os.chown(self.inbox, self.pw.pw_uid, self.pw.pw_gid)
        m = self.login(self.sysuser)
        m.select("INBOX")
        self.assertEqual(m.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")[0], "OK")
        self.assertEqual(m.store("1:10", "-FLAGS.SILENT", "(\\Deleted)")[0], "OK")
        self.assertEqual(m.store("2", "+FLAGS.SILENT", "(\\Seen \\Flagged)")[0], "OK")
        sent = []

        def deliver():
            for i in range(5):
                mid = f"<during.{i}@crash.test>"
                r = self.inst.command("sendmail", "-f", "root", f"{self.sysuser}@mail.example.test",
                                      input=f"Subject: during {i}\nMessage-ID: {mid}\n\nduring\n")
                if r.returncode == 0:
                    sent.append(mid)
                time.sleep(0.01)
        t = threading.Thread(target=deliver)
        t.start()
        typ, data = m.expunge()
        t.join()
        self.assertEqual(typ, "OK")
        self.assertEqual(len(sent), 5)
        m.logout()

        def ids():
            with open(self.inbox, errors="replace") as f:
                return re.findall(r"^Message-ID: (<[^>]+>)", f.read(), re.M)
        self.assertTrue(wait_until(lambda: set(sent) <= set(ids()), timeout=30), f"lost: {set(sent) - set(ids())}")
        self.assertEqual(sorted(ids()), sorted([f"<conc.{n}@crash.test>" for n in range(10)] + sent))
        # Flags stored over IMAP are in the file, where mutt reads them.
        with open(self.inbox) as f:
            text = f.read()
        self.assertIn("Message-ID: <conc.1@crash.test>\nStatus: RO\nX-Status: F\n\n", text)
        self.assertIn("Message-ID: <conc.0@crash.test>\n\n", text)  # unchanged flags, untouched bytes
        # mutt marks message 3 read by editing Status: IMAP sees \Seen.
        text = text.replace("Message-ID: <conc.2@crash.test>\n", "Message-ID: <conc.2@crash.test>\nStatus: RO\n", 1)
        with open(self.inbox, "w") as f:
            f.write(text)
        m = self.login(self.sysuser)
        m.select("INBOX")
        typ, data = m.fetch("1:3", "(FLAGS)")
        self.assertNotIn(b"\\Seen", data[0])
        self.assertIn(b"\\Seen", data[1])
        self.assertIn(b"\\Flagged", data[1])
        self.assertIn(b"\\Seen", data[2])
        m.logout()
        bad = re.findall(r".*(?:fatal: |panic: |AddressSanitizer|runtime error).*", self.inst.log())
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
