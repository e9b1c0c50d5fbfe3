"""The showq service: a local user who cannot read the queue lists it with
mailq / postqueue -p / -j through public/showq (plain and chrooted), sees
what root sees, gets Postfix's "mail system is down" when showq does not run,
and a hostile request gets an error line while showq keeps serving."""
import grp
import json
import os
import pwd
import socket
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, IS_ROOT, Instance, make_queue_folders, queue_json, wait_until  # noqa: E402

PICKUP = "pickup fifo n - n 60 1 pickup\n"
SHOWQ = "showq unix n - n - - showq\n"


@unittest.skipUnless(IS_ROOT, "needs root to create a second user")
class ShowqCase(unittest.TestCase):
    master_cf = PICKUP + SHOWQ

    def setUp(self):
        self.user = "psq" + uuid.uuid4().hex[:8]
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", self.user], check=True)
        self.pw = pwd.getpwnam(self.user)
        self.inst = Instance(master_cf=self.master_cf)
        make_queue_folders(self.inst)
        self.inst.start()

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log())
        self.inst.cleanup()
        subprocess.run(["userdel", self.user], check=False)

    def as_user(self, *argv):
        # The postdrop group as a supplementary group stands in for the
        # set-group-ID bit of an installed postqueue (public/ is 2710 postdrop).
        groups = ["--groups", str(grp.getgrnam("postdrop").gr_gid)]
        return subprocess.run(["setpriv", "--reuid", self.user, "--regid", str(self.pw.pw_gid),
                               *groups, "--", *argv], capture_output=True, text=True, timeout=60)

    def queue_two(self):
        for n in (1, 2):
            r = self.inst.command("sendmail", "-f", f"s{n}@example.test", f"r{n}@example.org",
                                  input=f"Subject: {n}\n\nbody {n}\n")
            self.assertEqual(r.returncode, 0, r.stderr)
        found = wait_until(lambda: len([m for m in queue_json(self.inst)
                                        if m["queue_name"] == "incoming"]) == 2, timeout=15)
        self.assertTrue(found, self.inst.log())

    def user_cmd(self, name, *args):
        return self.as_user(os.path.join(BIN, name), "-c", self.inst.conf, *args)

    def showq_exchange(self, request):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(30)
            s.connect(os.path.join(self.inst.queue, "public", "showq"))
            s.sendall(request)
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            return data.decode()


class ShowqTest(ShowqCase):
    def test_user_lists_the_queue_like_root(self):
        self.queue_two()
        root_p = self.inst.command("postqueue", "-p")
        root_j = self.inst.command("postqueue", "-j")
        self.assertEqual(root_p.returncode, 0, root_p.stderr)
        mailq = self.user_cmd("mailq")
        self.assertEqual(mailq.returncode, 0, mailq.stderr)
        self.assertEqual(mailq.stdout, root_p.stdout)
        self.assertIn("s1@example.test", mailq.stdout)
        self.assertIn("r2@example.org", mailq.stdout)
        self.assertIn("-- ", mailq.stdout)
        p = self.user_cmd("postqueue", "-p")
        self.assertEqual((p.returncode, p.stdout), (0, root_p.stdout), p.stderr)
        j = self.user_cmd("postqueue", "-j")
        self.assertEqual(j.returncode, 0, j.stderr)
        self.assertEqual(j.stdout, root_j.stdout)
        senders = sorted(json.loads(line)["sender"] for line in j.stdout.splitlines())
        self.assertEqual(senders, ["s1@example.test", "s2@example.test"])

    def test_empty_queue(self):
        mailq = self.user_cmd("mailq")
        self.assertEqual((mailq.returncode, mailq.stdout), (0, "Mail queue is empty\n"), mailq.stderr)
        j = self.user_cmd("postqueue", "-j")
        self.assertEqual((j.returncode, j.stdout), (0, ""), j.stderr)

    def test_bad_requests_get_an_error_and_showq_keeps_serving(self):
        self.queue_two()
        for bad in (b"../../etc/passwd\n", b"LIST\n", b"list\njson\n", b"x" * 200, b"\n"):
            self.assertEqual(self.showq_exchange(bad), "error: bad request\n", bad)
        self.inst.wait_for_log(r"postfix/showq\[\d+\]: warning: bad request")
        self.assertEqual(self.showq_exchange(b"list\n"), self.inst.command("postqueue", "-p").stdout)
        mailq = self.user_cmd("mailq")
        self.assertEqual(mailq.returncode, 0, mailq.stderr)
        self.assertIn("s2@example.test", mailq.stdout)


class ChrootShowqTest(ShowqCase):
    """Debian's stock entry runs showq chrooted to queue_directory."""
    master_cf = PICKUP + "showq unix n - y - - showq\n"

    def test_chrooted_showq_lists_like_root(self):
        self.queue_two()
        mailq = self.user_cmd("mailq")
        self.assertEqual(mailq.returncode, 0, mailq.stderr)
        self.assertEqual(mailq.stdout, self.inst.command("postqueue", "-p").stdout)
        j = self.user_cmd("postqueue", "-j")
        self.assertEqual(j.returncode, 0, j.stderr)
        self.assertEqual(j.stdout, self.inst.command("postqueue", "-j").stdout)
        self.assertEqual(len(j.stdout.splitlines()), 2)


class NoShowqTest(ShowqCase):
    master_cf = PICKUP

    def test_user_is_told_the_mail_system_is_down(self):
        self.queue_two()
        p = self.user_cmd("postqueue", "-p")
        self.assertEqual(p.returncode, 69)
        self.assertIn("postqueue: fatal: Queue report unavailable - mail system is down", p.stderr)
        self.assertEqual(p.stdout, "")
        mailq = self.user_cmd("mailq")
        self.assertNotEqual(mailq.returncode, 0)
        self.assertIn("Queue report unavailable - mail system is down", mailq.stderr)
        self.assertNotIn("s1@example.test", mailq.stdout)
        # Root still reads the queue directly.
        root = self.inst.command("postqueue", "-p")
        self.assertEqual(root.returncode, 0, root.stderr)
        self.assertIn("s1@example.test", root.stdout)


if __name__ == "__main__":
    unittest.main()
