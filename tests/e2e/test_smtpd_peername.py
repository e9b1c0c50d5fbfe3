"""smtpd's client host names end to end, as Postfix establishes them: the
PTR name of the client address must resolve back to that address to become
the client name ("connect from name[addr]", Received: "(name [addr])",
check_client_access); a PTR without a matching A record leaves the name
"unknown" but keeps the reverse name (reject_unknown_reverse_client_hostname,
check_reverse_client_hostname_access); no PTR is "unknown"; a DNS failure is
"unknown" with 450 instead of unknown_client_reject_code; a resolver that
never answers delays the banner by smtpd_peername_lookup_timeout only, and
smtpd_peername_lookup = no asks nothing. A dnsmasq on a loopback port serves
PTR/A records for the 127.0.10.x addresses the client binds to; 127.0.0.1
is named by /etc/hosts, as getnameinfo() would."""
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DNSMASQ, free_port, start_dnsmasq, wait_until  # noqa: E402
from test_smtpd import ListenerSessions, Raw, make_instance, queued_id, read_queue_file  # noqa: E402

GOOD, FORGED, NOPTR, NOLOOKUP = "127.0.10.1", "127.0.10.2", "127.0.10.3", "127.0.10.5"
REFUSED = "127.0.11.1"  # outside dnsmasq's zones: REFUSED, a temporary failure
SILENT = "127.0.12.1"   # forwarded to a server that never answers

LISTENERS = {
    "plain": [],
    "unknown_client": ["smtpd_client_restrictions=reject_unknown_client"],  # the legacy name
    "unknown_reverse": ["smtpd_client_restrictions=reject_unknown_reverse_client_hostname"],
    "client_access": ["smtpd_client_restrictions=check_client_access,texthash:{conf}/client_access"],
    "reverse_access": ["smtpd_client_restrictions=check_reverse_client_hostname_access,"
                       "texthash:{conf}/reverse_access"],
    "dead_dns": ["dns_resolver_addresses=127.0.0.1:{dead}",
                 "smtpd_client_restrictions=reject_unknown_client_hostname"],
    "no_lookup": ["smtpd_peername_lookup=no"],
    "slow": ["smtpd_peername_lookup_timeout=3s", "smtpd_client_restrictions=reject_unknown_client_hostname"],
}
TABLES = {
    "client_access": "peer.test REJECT peer.test is blocked\n",
    "reverse_access": "forged.peer.test REJECT claims to be forged.peer.test\n",
}


@unittest.skipUnless(os.path.exists(DNSMASQ), "dnsmasq is not installed (scripts/packages/dns.txt)")
class PeernameTest(ListenerSessions, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ports = {name: free_port() for name in LISTENERS}
        cls.dns_port = free_port()
        dead = free_port()
        root = os.path.join("/tmp", f"peername-{os.getpid()}")
        os.makedirs(root, exist_ok=True)
        cls.dns_log = os.path.join(root, "dnsmasq.log")
        cls.root = root
        cls.dnsmasq = start_dnsmasq(cls.dns_port, [
            "--local=/test/", "--local=/10.0.127.in-addr.arpa/",
            f"--server=/12.0.127.in-addr.arpa/127.0.0.1#{dead}",
            "--ptr-record=1.10.0.127.in-addr.arpa,good.peer.test", "--host-record=good.peer.test,127.0.10.1",
            "--ptr-record=2.10.0.127.in-addr.arpa,forged.peer.test", "--host-record=forged.peer.test,127.0.10.99",
            "--ptr-record=5.10.0.127.in-addr.arpa,nolookup.peer.test",
            "--host-record=nolookup.peer.test,127.0.10.5"], log_file=cls.dns_log)

        def prepare(inst):
            for name, text in TABLES.items():
                with open(os.path.join(inst.conf, name), "w") as f:
                    f.write(text)
            inst.write_main_cf(
                "compatibility_level = 3.6\nmynetworks = 127.0.0.1/32\nsmtpd_error_sleep_time = 0\n"
                "local_recipient_maps =\nunknown_client_reject_code = 550\n"
                f"dns_resolver_addresses = 127.0.0.1:{cls.dns_port}\n"
                "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n")
            lines = []
            for name, overrides in LISTENERS.items():
                line = f"127.0.0.1:{cls.ports[name]} inet n - n - - smtpd"
                for o in overrides:
                    line += "\n  -o " + o.format(conf=inst.conf, dead=dead)
                lines.append(line)
            inst.write_master_cf("\n".join(lines) + "\n")

        try:
            cls.inst = make_instance("", "", prepare)
        except BaseException:
            cls.dnsmasq.kill()
            cls.dnsmasq.wait()
            shutil.rmtree(root, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.inst.cleanup()
        cls.dnsmasq.kill()
        cls.dnsmasq.wait()
        shutil.rmtree(cls.root, ignore_errors=True)

    def connect(self, listener, source):
        c = Raw(self.ports[listener], source, timeout=10)
        self.addCleanup(c.close)
        self.assertTrue(c.reply().startswith("220 "))
        return c

    def rcpt(self, listener, source):
        """The RCPT reply for local mail (client restrictions run at RCPT)."""
        c = self.connect(listener, source)
        self.assertTrue(c.cmd("EHLO client.example.org").startswith("250"))
        self.assertEqual(c.cmd("MAIL FROM:<a@example.org>"), "250 2.1.0 Ok")
        return c.cmd("RCPT TO:<alice@mail.example.test>")

    def send(self, source, helo="helo.example.org"):
        c = self.connect("plain", source)
        self.assertTrue(c.cmd("EHLO " + helo).startswith("250"))
        self.assertEqual(c.cmd("MAIL FROM:<a@example.org>"), "250 2.1.0 Ok")
        self.assertEqual(c.cmd("RCPT TO:<alice@mail.example.test>"), "250 2.1.5 Ok")
        self.assertTrue(c.cmd("DATA").startswith("354"))
        reply = c.cmd("Subject: peer\r\n\r\nhi\r\n.")
        self.assertTrue(reply.startswith("250 "), reply)
        c.cmd("QUIT")
        return read_queue_file(self.inst.queue, queued_id(reply))

    def log_has(self, text):
        self.inst.wait_for_log(re.escape(text))

    def dns_queries(self):
        with open(self.dns_log) as f:
            return f.read()

    # -- the names -------------------------------------------------------------
    def test_verified_name_in_logs_queue_file_and_received(self):
        q = self.send(GOOD)
        self.log_has(f"connect from good.peer.test[{GOOD}]")
        self.log_has(f"disconnect from good.peer.test[{GOOD}]")
        self.assertEqual(q["attrs"]["client_name"], "good.peer.test")
        self.assertEqual(q["attrs"]["reverse_client_name"], "good.peer.test")
        self.assertTrue(q["content"].startswith(
            f"Received: from helo.example.org (good.peer.test [{GOOD}])\r\n".encode()), q["content"][:200])

    def test_ptr_without_matching_address_is_unknown(self):
        q = self.send(FORGED)
        self.log_has(f"warning: hostname forged.peer.test does not resolve to address {FORGED}")
        self.log_has(f"connect from unknown[{FORGED}]")
        self.assertEqual(q["attrs"]["client_name"], "unknown")
        self.assertEqual(q["attrs"]["reverse_client_name"], "forged.peer.test")
        # As Postfix writes it: the unverified name never shows as the client's.
        self.assertTrue(q["content"].startswith(
            f"Received: from helo.example.org (unknown [{FORGED}])\r\n".encode()), q["content"][:200])

    def test_no_ptr_is_unknown(self):
        self.connect("plain", NOPTR).cmd("QUIT")
        self.log_has(f"connect from unknown[{NOPTR}]")

    def test_loopback_is_named_by_the_hosts_file(self):
        self.connect("plain", "127.0.0.1").cmd("QUIT")
        self.log_has("connect from localhost[127.0.0.1]")
        self.assertNotIn("1.0.0.127.in-addr.arpa", self.dns_queries())

    # -- restrictions ----------------------------------------------------------
    def test_reject_unknown_client_hostname(self):
        self.assertEqual(self.rcpt("unknown_client", GOOD), "250 2.1.5 Ok")
        for source in (FORGED, NOPTR):
            self.assertEqual(self.rcpt("unknown_client", source),
                             f"550 5.7.25 Client host rejected: cannot find your hostname, [{source}]")
        self.log_has(f"NOQUEUE: reject: RCPT from unknown[{NOPTR}]: 550 5.7.25 Client host rejected: "
                     f"cannot find your hostname, [{NOPTR}]; from=<a@example.org> to=<alice@mail.example.test> "
                     "proto=ESMTP helo=<client.example.org>")

    def test_temporary_dns_failure_defers_with_450(self):
        # A server that refuses, and one that cannot be reached at all.
        self.assertEqual(self.rcpt("unknown_client", REFUSED),
                         f"450 4.7.25 Client host rejected: cannot find your hostname, [{REFUSED}]")
        self.assertEqual(self.rcpt("dead_dns", GOOD),
                         f"450 4.7.25 Client host rejected: cannot find your hostname, [{GOOD}]")
        self.log_has(f"NOQUEUE: reject: RCPT from unknown[{GOOD}]: 450 4.7.25")

    def test_reject_unknown_reverse_client_hostname(self):
        self.assertEqual(self.rcpt("unknown_reverse", FORGED), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("unknown_reverse", NOPTR),
                         f"550 5.7.25 Client host rejected: cannot find your reverse hostname, [{NOPTR}]")
        self.assertEqual(self.rcpt("unknown_reverse", REFUSED),
                         f"450 4.7.25 Client host rejected: cannot find your reverse hostname, [{REFUSED}]")

    def test_check_client_access_matches_parent_domains_of_the_verified_name(self):
        self.assertEqual(self.rcpt("client_access", GOOD),
                         f"554 5.7.1 <good.peer.test[{GOOD}]>: Client host rejected: peer.test is blocked")
        self.assertEqual(self.rcpt("client_access", FORGED), "250 2.1.5 Ok")  # not verified: not its name

    def test_check_reverse_client_hostname_access(self):
        self.assertEqual(self.rcpt("reverse_access", FORGED),
                         f"554 5.7.1 <forged.peer.test[{FORGED}]>: Unverified Client host rejected: "
                         "claims to be forged.peer.test")
        self.assertEqual(self.rcpt("reverse_access", GOOD), "250 2.1.5 Ok")

    # -- no lookup, slow resolvers ------------------------------------------------
    def test_peername_lookup_off_asks_nothing(self):
        self.connect("no_lookup", NOLOOKUP).cmd("QUIT")
        self.log_has(f"connect from unknown[{NOLOOKUP}]")
        self.connect("no_lookup", "127.0.0.1").cmd("QUIT")
        self.log_has("connect from unknown[127.0.0.1]")
        # The plain listener does ask, so the query log shows lookups are logged.
        self.connect("plain", GOOD).cmd("QUIT")
        self.assertTrue(wait_until(lambda: "1.10.0.127.in-addr.arpa" in self.dns_queries(), 5))
        self.assertNotIn("5.10.0.127.in-addr.arpa", self.dns_queries())

    def test_silent_resolver_delays_the_banner_by_the_time_limit_only(self):
        started = time.monotonic()
        slow = Raw(self.ports["slow"], SILENT, timeout=10)
        self.addCleanup(slow.close)
        # Meanwhile another client of the same service is served at once.
        other = self.connect("slow", GOOD)
        self.assertLess(time.monotonic() - started, 2.5)
        self.assertEqual(other.cmd("QUIT"), "221 2.0.0 Bye")
        self.assertTrue(slow.reply().startswith("220 "))
        waited = time.monotonic() - started
        self.assertGreaterEqual(waited, 2.8)
        self.assertLess(waited, 8)
        self.log_has(f"warning: {SILENT}: hostname lookup timed out after 3s (smtpd_peername_lookup_timeout)")
        self.log_has(f"connect from unknown[{SILENT}]")
        self.assertTrue(slow.cmd("EHLO client.example.org").startswith("250"))
        self.assertEqual(slow.cmd("MAIL FROM:<a@example.org>"), "250 2.1.0 Ok")
        self.assertEqual(slow.cmd("RCPT TO:<alice@mail.example.test>"),
                         f"450 4.7.25 Client host rejected: cannot find your hostname, [{SILENT}]")


if __name__ == "__main__":
    unittest.main()
