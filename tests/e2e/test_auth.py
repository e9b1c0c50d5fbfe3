"""The auth service on its own (no POP3): `service auth { unix_listener ... {
mode user group } }` as the tutorials write it for Postfix's chrooted smtpd,
applied by master when it creates the socket and again on reload,
a slow PAM stack checked on worker threads so other clients are not kept
waiting (as Dovecot's auth-worker), and a `deny = yes` passdb. Spoken to
over private/auth with the Dovecot auth protocol, as Postfix's smtpd does.
Needs root (a PAM service file in /etc/pam.d, socket owners)."""
import base64
import grp
import os
import pwd
import socket
import stat
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IS_ROOT, Instance, processes_in_group, wait_until  # noqa: E402

SLOW_SECONDS = 3


class AuthClient:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(20)
        self.sock.connect(path)
        self.f = self.sock.makefile("rwb")
        self.f.write(b"VERSION\t1\t2\nCPID\t4242\n")
        self.f.flush()
        while self.readline() != "DONE":
            pass

    def readline(self):
        return self.f.readline().decode().rstrip("\n")

    def auth(self, rid, user, password):
        resp = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        self.f.write(f"AUTH\t{rid}\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp={resp}\n"
                     .encode())
        self.f.flush()

    def close(self):
        self.sock.close()


@unittest.skipUnless(IS_ROOT, "writes a PAM service file and sets socket owners: run as root")
class AuthServiceTest(unittest.TestCase):
    def setUp(self):
        self.inst = Instance()
        self.pam_service = f"postern-e2e-{os.getpid()}"
        self.pam_file = os.path.join("/etc/pam.d", self.pam_service)
        script = os.path.join(self.inst.root, "slow-pam.sh")
        with open(script, "w") as f:
            # pam_exec gives the user in PAM_USER; "slow" stands for an LDAP
            # or RADIUS module that takes seconds to answer.
            f.write(f'#!/bin/sh\n[ "$PAM_USER" = slow ] && sleep {SLOW_SECONDS}\nexit 0\n')
        os.chmod(script, 0o755)
        with open(self.pam_file, "w") as f:
            f.write(f"auth required pam_exec.so quiet {script}\n"
                    "auth required pam_permit.so\n"
                    "account required pam_permit.so\n")
        denied = os.path.join(self.inst.conf, "denied-users")
        with open(denied, "w") as f:
            f.write("mallory\n")
        self.socket_path = os.path.join(self.inst.queue, "private", "auth")
        conf = os.path.join(self.inst.conf, "dovecot.conf")
        with open(conf, "w") as f:
            f.write("auth_mechanisms = plain\n"
                    "disable_plaintext_auth = no\n"
                    "auth_failure_delay = 0\n"
                    f"passdb {{\n  driver = passwd-file\n  deny = yes\n  args = {denied}\n}}\n"
                    f"passdb {{\n  driver = pam\n  args = {self.pam_service}\n}}\n"
                    "service auth {\n"
                    f"  unix_listener {self.socket_path} {{\n"
                    "    mode = 0660\n    user = postfix\n    group = postfix\n  }\n"
                    "}\n")
        self.inst.write_main_cf(f"dovecot_config_file = {conf}\n")
        self.assertEqual(self.inst.postfix("set-permissions").returncode, 0)
        self.conf_path = conf
        self.inst.start()

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log(), file=sys.stderr)
        self.inst.cleanup()
        os.unlink(self.pam_file)

    def socket_state(self):
        try:
            st = os.stat(self.socket_path)
        except FileNotFoundError:
            return None
        return (stat.S_ISSOCK(st.st_mode), oct(stat.S_IMODE(st.st_mode)), pwd.getpwuid(st.st_uid).pw_name,
                grp.getgrgid(st.st_gid).gr_name)

    def process_names(self):
        names = []
        for pid in processes_in_group(self.inst.master_pid):
            try:
                with open(f"/proc/{pid}/comm") as f:
                    names.append(f.read().strip())
            except (FileNotFoundError, ProcessLookupError):
                pass
        return names

    def connects_as(self, user, group):
        """Whether a process with that user and (only) that group may connect."""
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setgroups([])
                os.setgid(grp.getgrnam(group).gr_gid)
                os.setuid(pwd.getpwnam(user).pw_uid)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.socket_path)
                code = 0
            except PermissionError:
                code = 13
            finally:
                os._exit(code)
        status = os.waitpid(pid, 0)[1]
        self.assertTrue(os.WIFEXITED(status) and os.WEXITSTATUS(status) in (0, 13), f"child status {status}")
        return os.WEXITSTATUS(status) == 0

    def reload_listener(self, settings):
        with open(self.conf_path) as f:
            text = f.read()
        start = text.index("    mode = ")
        with open(self.conf_path, "w") as f:
            f.write(text[:start] + settings + text[text.index("  }\n", start):])
        self.assertEqual(self.inst.postfix("reload").returncode, 0)

    def test_unix_listener_mode_user_and_group(self):
        # Set by master when it creates the socket: before any client and
        # before auth ever ran (auth starts for its first client).
        self.assertEqual(self.socket_state(), (True, "0o660", "postfix", "postfix"))
        self.assertNotIn("auth", self.process_names())
        # The private/ folder is mail_owner's: only postfix's uid gets that far,
        # so the socket's group is shown by who is not its owner.
        self.assertTrue(self.connects_as("postfix", "nogroup"))

        # `postfix reload` applies a new owner: group members may connect, others not.
        self.reload_listener("    mode = 0660\n    user = nobody\n    group = postfix\n")
        self.assertTrue(wait_until(lambda: self.socket_state() == (True, "0o660", "nobody", "postfix"), 10),
                        f"{self.socket_state()}\n{self.inst.log()}")
        self.assertTrue(self.connects_as("postfix", "postfix"))
        self.assertFalse(self.connects_as("postfix", "nogroup"))

        # ... and a new mode.
        self.reload_listener("    mode = 0666\n    user = nobody\n    group = postfix\n")
        self.assertTrue(wait_until(lambda: self.socket_state() == (True, "0o666", "nobody", "postfix"), 10),
                        f"{self.socket_state()}\n{self.inst.log()}")
        self.assertTrue(self.connects_as("postfix", "nogroup"))
        # The service behind the new socket answers.
        c = AuthClient(self.socket_path)
        c.auth(1, "trent", "any")
        self.assertEqual(c.readline(), "OK\t1\tuser=trent")
        c.close()

        # A bad mode or an unknown user is reported with file and line and
        # that field keeps its default.
        self.reload_listener("    mode = 0999\n    user = no-such-user-pe\n    group = postfix\n")
        self.assertTrue(wait_until(lambda: self.socket_state() == (True, "0o600", "postfix", "postfix"), 10),
                        f"{self.socket_state()}\n{self.inst.log()}")
        self.inst.wait_for_log(r"dovecot\.conf, line \d+: unix_listener \S+/private/auth: bad mode 0999; ignored")
        self.inst.wait_for_log(r"dovecot\.conf, line \d+: unix_listener \S+/private/auth: unknown user "
                               r"no-such-user-pe; ignored")

    def test_slow_pam_does_not_stall_other_clients(self):
        slow = AuthClient(self.socket_path)
        started = time.monotonic()
        slow.auth(1, "slow", "any")
        time.sleep(0.3)  # the slow check is under way in a worker
        fast = AuthClient(self.socket_path)
        fast_start = time.monotonic()
        fast.auth(1, "fast", "any")
        self.assertEqual(fast.readline(), "OK\t1\tuser=fast")
        self.assertLess(time.monotonic() - fast_start, 1.5, "a slow PAM check held up another client")
        # Pipelined on one connection too: the quick answer overtakes the slow one.
        both = AuthClient(self.socket_path)
        both.auth(7, "slow", "any")
        both.auth(8, "fast", "any")
        self.assertEqual(both.readline(), "OK\t8\tuser=fast")
        self.assertEqual(slow.readline(), "OK\t1\tuser=slow")
        self.assertGreaterEqual(time.monotonic() - started, SLOW_SECONDS - 0.5)
        self.assertEqual(both.readline(), "OK\t7\tuser=slow")
        for c in (slow, fast, both):
            c.close()

    def test_deny_passdb_refuses_a_listed_user(self):
        c = AuthClient(self.socket_path)
        c.auth(1, "mallory", "any")  # pam_permit would let anyone in
        self.assertEqual(c.readline(), "FAIL\t1\tuser=mallory")
        c.auth(2, "trent", "any")
        self.assertEqual(c.readline(), "OK\t2\tuser=trent")
        c.close()
        self.assertNotIn("killed by signal", self.inst.log())


if __name__ == "__main__":
    unittest.main()
