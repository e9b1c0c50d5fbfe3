"""pop3_login_delay (Postern's dovecot.conf setting for RFC 2449's
LOGIN-DELAY): CAPA announces it before and after login; a user who logs in
again within the delay gets -ERR [LOGIN-DELAY] after a correct password and
the connection ends; failed and refused logins do not count; once the
delay has passed the login goes ahead. Needs root (users, privilege drops)."""
import base64
import os
import poplib
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_pop3 import Pop3Base, maildir_deliver  # noqa: E402

DELAY = 2


class LoginDelayTest(Pop3Base):
    extra_conf = f"protocol pop3 {{\n  pop3_login_delay = {DELAY} secs\n}}\n"

    def write_dovecot_conf(self):
        super().write_dovecot_conf()
        # Wrong passwords are part of the test: answer them at once.
        path = os.path.join(self.inst.conf, "dovecot.conf")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("auth_failure_delay = 1 secs\n", "auth_failure_delay = 0\n"))

    def refused(self, user="alice", password="alice-pw", sasl=False):
        """Logs in (USER/PASS or AUTH PLAIN) and expects the LOGIN-DELAY
        refusal and the end of the session."""
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        with self.assertRaises(poplib.error_proto) as caught:
            if sasl:
                p._shortcmd("AUTH PLAIN " + base64.b64encode(f"\0{user}\0{password}".encode()).decode())
            else:
                p.user(user)
                p.pass_(password)
        reply = caught.exception.args[0].decode()
        self.assertTrue(reply.startswith("-ERR [LOGIN-DELAY] "), reply)
        self.assertEqual(p.sock.recv(100), b"", "the session goes on after [LOGIN-DELAY]")
        p.close()
        return reply

    def test_login_delay(self):
        maildir_deliver(os.path.join(self.vhome, "Maildir"), self.pw, 1)
        self.start()
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        self.assertEqual(p.capa().get("LOGIN-DELAY"), [str(DELAY)])
        p.user("alice")
        p.pass_("alice-pw")
        first_login = time.monotonic()
        self.assertEqual(p.capa().get("LOGIN-DELAY"), [str(DELAY)])  # after login too
        self.assertEqual(p.stat()[0], 1)
        p.quit()

        # At once again: refused after the right password, and the log says why.
        reply = self.refused()
        self.assertRegex(reply, r"try again in [12] seconds")
        self.inst.wait_for_log(r"pop3-login: Login refused: logged in again within pop3_login_delay=2 "
                               r"\(\d secs left\): user=<alice>, method=PLAIN, rip=127\.0\.0\.1")
        # The delay is per user: bob is not held up by alice's login.
        p = self.pop("bob", "bob-pw")
        p.quit()
        # A wrong password is an ordinary [AUTH] failure, not [LOGIN-DELAY].
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        p.user("alice")
        with self.assertRaises(poplib.error_proto) as caught:
            p.pass_("wrong")
        self.assertTrue(caught.exception.args[0].startswith(b"-ERR [AUTH]"), caught.exception.args[0])
        p.quit()

        # Refused late in the delay: if that refusal counted, the next try would fail too.
        time.sleep(max(0.0, first_login + DELAY - 0.6 - time.monotonic()))
        self.refused(sasl=True)
        time.sleep(max(0.0, first_login + DELAY + 0.3 - time.monotonic()))
        # A failed login after the delay does not start a new one either.
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        p.user("alice")
        with self.assertRaises(poplib.error_proto):
            p.pass_("wrong")
        p.quit()
        p = self.pop()
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        # That login counts: the next one is refused again.
        self.refused()

        # The last login outlives a restart of everything: with a longer
        # delay, a login right after `postfix stop` + `start` is refused.
        conf = os.path.join(self.inst.conf, "dovecot.conf")
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            f.write(text.replace(f"pop3_login_delay = {DELAY} secs", "pop3_login_delay = 1 min"))
        self.assertEqual(self.inst.stop().returncode, 0)
        self.start()
        p = poplib.POP3("127.0.0.1", self.port, timeout=20)
        self.assertEqual(p.capa().get("LOGIN-DELAY"), ["60"])
        p.quit()
        self.assertRegex(self.refused(), r"try again in (5\d|60) seconds")
        self.assertNotIn("killed by signal", self.inst.log())


if __name__ == "__main__":
    unittest.main()
