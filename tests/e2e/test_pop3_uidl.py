"""pop3_uidl_format: a Maildir user's UIDLs in the configured form (%f, the
file name, as sites migrating from other servers configure it), stable
across sessions, with pop3d's usual login and mail processes."""
import hashlib
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_pop3 import Pop3Base, maildir_deliver  # noqa: E402


class UidlFormatTest(Pop3Base):
    extra_conf = "protocol pop3 {\n  pop3_uidl_format = %f\n}\n"

    def test_uidl_is_the_maildir_file_name(self):
        names = maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 3)
        os.chown(self.vhome, self.pw.pw_uid, self.pw.pw_gid)
        self.start()
        p = self.pop()
        listed = [line.decode().split() for line in p.uidl()[1]]
        self.assertEqual([u for _, u in listed], names)
        self.assertEqual(p.uidl(2).decode().split()[2], names[1])
        p.quit()
        p = self.pop()  # the same in the next session
        self.assertEqual([line.decode().split()[1] for line in p.uidl()[1]], names)
        p.quit()


class UidlHeaderDigestTest(Pop3Base):
    extra_conf = "protocol pop3 {\n  pop3_uidl_format = %Lm\n}\n"

    def test_uidl_is_the_header_digest(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 2)
        self.start()
        p = self.pop()
        got = [line.decode().split()[1] for line in p.uidl()[1]]
        want = [hashlib.md5(f"From: a@example.test\r\nSubject: message {i}\r\n".encode()).hexdigest()
                for i in range(2)]
        self.assertEqual(got, want)
        p.quit()


if __name__ == "__main__":
    unittest.main()
