"""Real IMAP clients against imapd: isync's mbsync (sync, a change from a
second client on both sides, sync again: nothing lost, nothing duplicated,
and a third sync that changes nothing) and curl's imap:// URLs. Needs
root (users, privilege drops)."""
import glob
import imaplib
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_imap import ImapBase, simple  # noqa: E402


def message_ids(maildir):
    """Message-IDs of every message in a Maildir folder (new/ and cur/)."""
    ids = []
    for path in glob.glob(os.path.join(maildir, "new", "*")) + glob.glob(os.path.join(maildir, "cur", "*")):
        with open(path, errors="replace") as f:
            m = re.search(r"^Message-ID: (<[^>]+>)", f.read(), re.M | re.I)
            ids.append(m.group(1) if m else None)
    return sorted(ids, key=str)


def with_id(subject, n):
    return simple(subject).replace("\r\n\r\n", f"\r\nMessage-ID: <{n}@clients.test>\r\n\r\n", 1)


class ImapClientsTest(ImapBase):
    def server_ids(self, m, folder):
        typ, data = m.select(folder)
        self.assertEqual(typ, "OK")
        if data[0] == b"0":
            return []
        typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        return sorted(re.search(rb"<[^>]+>", x[1]).group(0).decode() for x in data if isinstance(x, tuple))

    def test_mbsync_two_way_sync(self):
        if not shutil.which("mbsync"):
            self.skipTest("isync (mbsync) is not installed: scripts/setup.sh installs scripts/packages/imap.txt")
        m = self.imap("alice")
        m.create("Lists")
        for i in range(3):
            m.append("INBOX", None, None, with_id(f"inbox {i}", f"i{i}").encode())
        for i in range(2):
            m.append("Lists", None, None, with_id(f"list {i}", f"l{i}").encode())
        m.logout()
        local = os.path.join(self.inst.root, "mbsync")
        os.makedirs(local)
        rc = os.path.join(self.inst.root, "mbsyncrc")
        with open(rc, "w") as f:
            f.write(f"IMAPAccount test\nHost localhost\nPort {self.sport}\nUser alice\nPass alice-pw\n"
                    f"SSLType IMAPS\nCertificateFile {self.cert}\nAuthMechs PLAIN\n\n"
                    "IMAPStore remote\nAccount test\n\n"
                    f"MaildirStore local\nPath {local}/\nInbox {local}/INBOX\nSubFolders Verbatim\n\n"
                    "Channel test\nFar :remote:\nNear :local:\nPatterns INBOX Lists\nCreate Both\n"
                    "Expunge Both\nSyncState *\n")

        def sync():
            r = subprocess.run(["mbsync", "-c", rc, "-a"], capture_output=True, text=True, timeout=60,
                               env={**os.environ, "HOME": self.inst.root})
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.inst.log()[-5000:])

        sync()
        self.assertEqual(message_ids(os.path.join(local, "INBOX")), ["<i0@clients.test>", "<i1@clients.test>",
                                                                     "<i2@clients.test>"])
        self.assertEqual(message_ids(os.path.join(local, "Lists")), ["<l0@clients.test>", "<l1@clients.test>"])
        # A second client changes the server: one new message, one expunged, one flagged.
        m = self.imap("alice")
        m.append("INBOX", None, None, with_id("inbox new", "i3").encode())
        m.select("INBOX")
        typ, data = m.search(None, "HEADER", "Message-ID", "i1@")
        m.store(data[0].decode(), "+FLAGS", r"(\Deleted)")
        m.expunge()
        typ, data = m.search(None, "HEADER", "Message-ID", "i0@")
        m.store(data[0].decode(), "+FLAGS", r"(\Flagged)")
        m.logout()
        # ... and the local side gets a message of its own.
        with open(os.path.join(local, "Lists", "new", "1700000000.local1.host"), "w") as f:
            f.write(with_id("written locally", "l9").replace("\r\n", "\n"))
        sync()
        want_inbox = ["<i0@clients.test>", "<i2@clients.test>", "<i3@clients.test>"]
        want_lists = ["<l0@clients.test>", "<l1@clients.test>", "<l9@clients.test>"]
        self.assertEqual(message_ids(os.path.join(local, "INBOX")), want_inbox)
        self.assertEqual(message_ids(os.path.join(local, "Lists")), want_lists)
        m = self.imap("alice")
        self.assertEqual(self.server_ids(m, "INBOX"), want_inbox)
        self.assertEqual(self.server_ids(m, "Lists"), want_lists)
        typ, data = m.select("INBOX")
        typ, data = m.search(None, "FLAGGED")
        self.assertEqual(len(data[0].split()), 1)
        m.logout()
        flagged = [p for p in glob.glob(os.path.join(local, "INBOX", "cur", "*")) if re.search(r":2,[A-Z]*F", p)]
        self.assertEqual(len(flagged), 1)
        # Nothing left to do: a third sync changes nothing on either side.
        sync()
        self.assertEqual(message_ids(os.path.join(local, "INBOX")), want_inbox)
        self.assertEqual(message_ids(os.path.join(local, "Lists")), want_lists)
        m = self.imap("alice")
        self.assertEqual(self.server_ids(m, "INBOX"), want_inbox)
        self.assertEqual(self.server_ids(m, "Lists"), want_lists)
        m.logout()

    def test_curl_imap_urls(self):
        if not shutil.which("curl"):
            self.skipTest("curl is not installed")
        m = self.imap("bob")
        m.create("Reports")
        m.append("Reports", None, None, simple("curl me", "report body\r\n").encode())
        m.logout()
        base = f"imap://127.0.0.1:{self.port}"
        auth = ["-u", "bob:bob-pw", "--login-options", "AUTH=PLAIN"]
        r = subprocess.run(["curl", "-sS", base + "/", *auth], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Reports", r.stdout)
        self.assertIn("INBOX", r.stdout)
        r = subprocess.run(["curl", "-sS", base + "/Reports;UID=1", *auth], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Subject: curl me", r.stdout)
        self.assertIn("report body", r.stdout)
        # A custom command (EXAMINE + SEARCH) and TLS through STARTTLS.
        r = subprocess.run(["curl", "-sS", f"imap://mail.example.test:{self.port}/Reports", *auth,
                            "-X", "SEARCH SUBJECT curl", "--ssl-reqd",
                            "--cacert", self.cert, "--resolve", f"mail.example.test:{self.port}:127.0.0.1"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("* SEARCH 1", r.stdout)
        r = subprocess.run(["curl", "-sS", f"imap://127.0.0.1:{self.port}/", "-u", "bob:wrong"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    unittest.main()
