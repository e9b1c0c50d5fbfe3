"""smtpd access control end to end: every smtpd_*_restrictions rule with a
client that passes and one that fails, as Postfix words the replies and the
"NOQUEUE: reject:" log lines (fail2ban reads them), smtpd_delay_reject,
smtpd_helo_required, Postfix 3's default relay rule, relay_domains,
mynetworks from a table, the open-relay safety net and an unknown
restriction (451 4.3.5). One instance; each listener overrides the
restriction lists with master.cf -o, as administrators do."""
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DNSMASQ, free_port, start_dnsmasq  # noqa: E402
from test_smtpd import ListenerSessions, make_instance  # noqa: E402

LISTENERS = {
    # name: -o overrides (no spaces: master.cf words)
    "default": ["smtpd_relay_restrictions=permit_mynetworks,permit_sasl_authenticated,defer_unauth_destination"],
    "relay": [],
    "helo": ["smtpd_helo_required=yes",
             "smtpd_helo_restrictions=reject_invalid_helo_hostname,reject_non_fqdn_helo_hostname,"
             "check_helo_access,texthash:{conf}/helo_access"],
    "sender": ["smtpd_sender_restrictions=reject_non_fqdn_sender,check_sender_access,texthash:{conf}/sender_access,"
               "reject_unlisted_sender"],
    "client": ["smtpd_client_restrictions=check_client_access,texthash:{conf}/client_access"],
    "unknown_client": ["smtpd_client_restrictions=permit_mynetworks,reject_unknown_client_hostname"],
    "nodelay": ["smtpd_delay_reject=no", "smtpd_client_restrictions=check_client_access,texthash:{conf}/client_access"],
    "rcpt": ["smtpd_recipient_restrictions=reject_non_fqdn_recipient,check_recipient_access,"
             "texthash:{conf}/rcpt_access,reject_unlisted_recipient"],
    "broken": ["smtpd_recipient_restrictions=permit_mynetworks,reject_bogus_restriction"],
    "open": ["smtpd_relay_restrictions=permit", "smtpd_recipient_restrictions=permit"],
    "pipelining": ["smtpd_data_restrictions=reject_unauth_pipelining"],
    "warn": ["smtpd_sender_restrictions=warn_if_reject,reject_non_fqdn_sender"],
    "nets": ["mynetworks=cidr:{conf}/networks.cidr"],
    "eod": ["smtpd_end_of_data_restrictions=check_sender_access,texthash:{conf}/eod_access"],
    "dns": ["smtpd_helo_restrictions=reject_unknown_helo_hostname",
            "smtpd_sender_restrictions=reject_unknown_sender_domain",
            "smtpd_recipient_restrictions=reject_unknown_recipient_domain"],
}

TABLES = {
    "helo_access": "blocked.example.org REJECT go away\n",
    "sender_access": "spam.test REJECT no spam\nvip@spam.test OK\n",
    "client_access": "127.0.0.3 REJECT\n",
    "rcpt_access": "held@mail.example.test 450 4.2.1 mailbox busy\n",
    "networks.cidr": "127.0.0.4/32 OK\n",
    "eod_access": "late@example.org REJECT not after all\n",
}


class SmtpdAccessTest(ListenerSessions, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ports = {name: free_port() for name in LISTENERS}
        # A real DNS server on loopback for the DNS-based restrictions:
        # good.test has an MX, good-helo.test an A record, the rest of .test
        # does not exist (answered authoritatively).
        cls.dns_port = free_port()
        cls.dnsmasq = None
        if os.path.exists(DNSMASQ):
            cls.dnsmasq = start_dnsmasq(cls.dns_port, [
                "--local=/test/", "--mx-host=good.test,mx.good.test,10", "--host-record=mx.good.test,127.0.0.5",
                "--host-record=good-helo.test,127.0.0.6"])

        def prepare(inst):
            for name, text in TABLES.items():
                with open(os.path.join(inst.conf, name), "w") as f:
                    f.write(text)
            inst.write_main_cf(
                "compatibility_level = 3.6\nmynetworks = 127.0.0.1/32\nsmtpd_error_sleep_time = 0\n"
                "local_recipient_maps = inline:{alice=x, held=x}\nrelay_domains = relayed.test\n"
                f"dns_resolver_addresses = 127.0.0.1:{cls.dns_port}\n"
                "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n")
            lines = []
            for name, overrides in LISTENERS.items():
                line = f"127.0.0.1:{cls.ports[name]} inet n - n - - smtpd"
                for o in overrides:
                    line += "\n  -o " + o.format(conf=inst.conf)
                lines.append(line)
            inst.write_master_cf("\n".join(lines) + "\n")

        try:
            cls.inst = make_instance("", "", prepare)
        except BaseException:
            # tearDownClass does not run when setUpClass fails: stop dnsmasq here.
            if cls.dnsmasq:
                cls.dnsmasq.kill()
                cls.dnsmasq.wait()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.inst.cleanup()
        if cls.dnsmasq:
            cls.dnsmasq.kill()
            cls.dnsmasq.wait()

    def rcpt(self, listener, rcpt="alice@mail.example.test", sender="a@example.org", source="127.0.0.1",
             helo="client.example.org"):
        """The RCPT reply (MAIL must succeed)."""
        c = self.session(listener, source, helo)
        self.assertEqual(c.cmd(f"MAIL FROM:<{sender}>"), "250 2.1.0 Ok")
        return c.cmd(f"RCPT TO:<{rcpt}>")

    def log_has(self, text):
        self.inst.wait_for_log(re.escape(text))

    # -- relay control -------------------------------------------------------------
    def test_postfix3_default_defers_relaying(self):
        self.assertEqual(self.rcpt("default", "x@remote.test", source="127.0.0.2"),
                         "450 4.7.1 <x@remote.test>: Relay access denied")
        self.assertEqual(self.rcpt("default", "x@remote.test"), "250 2.1.5 Ok")

    def test_reject_unauth_destination_and_relay_domains(self):
        self.assertEqual(self.rcpt("relay", "x@remote.test", source="127.0.0.2"),
                         "554 5.7.1 <x@remote.test>: Relay access denied")
        self.log_has("NOQUEUE: reject: RCPT from unknown[127.0.0.2]: 554 5.7.1 <x@remote.test>: Relay access denied; "
                     "from=<a@example.org> to=<x@remote.test> proto=ESMTP helo=<client.example.org>")
        self.assertEqual(self.rcpt("relay", "x@sub.relayed.test", source="127.0.0.2"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("relay", "alice@mail.example.test", source="127.0.0.2"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("relay", "x%remote.test@mail.example.test", source="127.0.0.2"),
                         "554 5.7.1 <x%remote.test@mail.example.test>: Relay access denied")

    def test_mynetworks_from_a_cidr_table(self):
        self.assertEqual(self.rcpt("nets", "x@remote.test", source="127.0.0.4"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("nets", "x@remote.test", source="127.0.0.1"),
                         "554 5.7.1 <x@remote.test>: Relay access denied")

    def test_no_relay_rule_is_never_an_open_relay(self):
        self.assertEqual(self.rcpt("open", "x@remote.test", source="127.0.0.2"), "451 4.3.5 Server configuration error")
        self.assertEqual(self.rcpt("open", "alice@mail.example.test", source="127.0.0.2"),
                         "451 4.3.5 Server configuration error")
        self.inst.wait_for_log(r"warning: in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, "
                               r"specify at least one working instance of")

    def test_unknown_restriction_is_a_configuration_error(self):
        self.assertEqual(self.rcpt("broken"), "451 4.3.5 Server configuration error")
        self.inst.wait_for_log(r'warning: .*unknown smtpd restriction: "reject_bogus_restriction"')
        # The daemon lives on and answers the next client the same way.
        self.assertEqual(self.rcpt("broken"), "451 4.3.5 Server configuration error")

    # -- client --------------------------------------------------------------------
    def test_check_client_access_with_delay_reject(self):
        c = self.session("client", source="127.0.0.3")  # EHLO and MAIL still accepted
        self.assertEqual(c.cmd("MAIL FROM:<a@example.org>"), "250 2.1.0 Ok")
        self.assertEqual(c.cmd("RCPT TO:<alice@mail.example.test>"),
                         "554 5.7.1 <unknown[127.0.0.3]>: Client host rejected: Access denied")
        self.assertEqual(self.rcpt("client", source="127.0.0.2"), "250 2.1.5 Ok")

    def test_without_delay_reject_the_client_is_refused_at_helo(self):
        c = self.session("nodelay", source="127.0.0.3", helo=None)
        self.assertEqual(c.cmd("EHLO client.example.org"),
                         "554 5.7.1 <unknown[127.0.0.3]>: Client host rejected: Access denied")
        self.log_has("NOQUEUE: reject: CONNECT from unknown[127.0.0.3]: 554 5.7.1 <unknown[127.0.0.3]>: "
                     "Client host rejected: Access denied")
        self.assertEqual(self.rcpt("nodelay", source="127.0.0.2"), "250 2.1.5 Ok")

    def test_reject_unknown_client_hostname(self):
        self.assertEqual(self.rcpt("unknown_client", source="127.0.0.2"),
                         "450 4.7.25 Client host rejected: cannot find your hostname, [127.0.0.2]")
        self.assertEqual(self.rcpt("unknown_client", source="127.0.0.1"), "250 2.1.5 Ok")

    # -- helo ----------------------------------------------------------------------
    def test_helo_restrictions(self):
        self.assertEqual(self.rcpt("helo", helo="bad..name"), "501 5.5.2 <bad..name>: Helo command rejected: Invalid name")
        self.assertEqual(self.rcpt("helo", helo="shortname"),
                         "504 5.5.2 <shortname>: Helo command rejected: need fully-qualified hostname")
        self.assertEqual(self.rcpt("helo", helo="blocked.example.org"),
                         "554 5.7.1 <blocked.example.org>: Helo command rejected: go away")
        self.assertEqual(self.rcpt("helo", helo="good.example.org"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("helo", helo="[127.0.0.1]"), "250 2.1.5 Ok")

    def test_helo_required(self):
        c = self.session("helo", helo=None)
        self.assertEqual(c.cmd("MAIL FROM:<a@example.org>"), "503 5.5.1 Error: send HELO/EHLO first")
        c = self.session("relay", helo=None)
        self.assertEqual(c.cmd("MAIL FROM:<a@example.org>"), "250 2.1.0 Ok")

    # -- sender --------------------------------------------------------------------
    def test_sender_restrictions(self):
        self.assertEqual(self.rcpt("sender", sender="a@host"),
                         "504 5.5.2 <a@host>: Sender address rejected: need fully-qualified address")
        self.assertEqual(self.rcpt("sender", sender="x@mail.spam.test"),
                         "554 5.7.1 <x@mail.spam.test>: Sender address rejected: no spam")
        self.assertEqual(self.rcpt("sender", sender="vip@spam.test"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("sender", sender="nosuch@mail.example.test"),
                         "550 5.1.0 <nosuch@mail.example.test>: Sender address rejected: "
                         "User unknown in local recipient table")
        self.assertEqual(self.rcpt("sender", sender="alice@mail.example.test"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("sender", sender=""), "250 2.1.5 Ok")

    def test_warn_if_reject_logs_and_accepts(self):
        self.assertEqual(self.rcpt("warn", sender="w@host"), "250 2.1.5 Ok")
        self.log_has("NOQUEUE: reject_warning: RCPT from localhost[127.0.0.1]: 504 5.5.2 <w@host>: "
                     "Sender address rejected: need fully-qualified address; from=<w@host> "
                     "to=<alice@mail.example.test> proto=ESMTP helo=<client.example.org>")

    # -- recipient -----------------------------------------------------------------
    def test_recipient_restrictions(self):
        self.assertEqual(self.rcpt("rcpt", "alice"),
                         "504 5.5.2 <alice>: Recipient address rejected: need fully-qualified address")
        self.assertEqual(self.rcpt("rcpt", "held@mail.example.test"),
                         "450 4.2.1 <held@mail.example.test>: Recipient address rejected: mailbox busy")
        self.assertEqual(self.rcpt("rcpt", "nosuch@mail.example.test"),
                         "550 5.1.1 <nosuch@mail.example.test>: Recipient address rejected: "
                         "User unknown in local recipient table")
        self.assertEqual(self.rcpt("rcpt", "alice@mail.example.test"), "250 2.1.5 Ok")

    # -- data and end of data ----------------------------------------------------
    def test_reject_unauth_pipelining(self):
        c = self.session("pipelining", helo=None)
        c.cmd("HELO client.example.org")  # no EHLO: the client never saw PIPELINING
        c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<alice@mail.example.test>\r\nDATA\r\nSubject: x\r\n\r\nx\r\n.\r\n")
        self.assertEqual(c.reply(), "250 2.1.0 Ok")
        self.assertEqual(c.reply(), "250 2.1.5 Ok")
        self.assertEqual(c.reply(), "503 5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining")
        c = self.session("pipelining")
        c.cmd("MAIL FROM:<a@example.org>")
        c.cmd("RCPT TO:<alice@mail.example.test>")
        self.assertTrue(c.cmd("DATA").startswith("354"))

    def test_end_of_data_restrictions(self):
        for sender, want in (("late@example.org", "554 5.7.1 <late@example.org>: Sender address rejected: not after all"),
                             ("early@example.org", "250 2.0.0 Ok: queued as ")):
            c = self.session("eod")
            c.cmd(f"MAIL FROM:<{sender}>")
            c.cmd("RCPT TO:<alice@mail.example.test>")
            self.assertTrue(c.cmd("DATA").startswith("354"))
            self.assertTrue(c.cmd("Subject: x\r\n\r\nbody\r\n.").startswith(want))
        self.log_has("NOQUEUE: reject: END-OF-MESSAGE from localhost[127.0.0.1]: 554 5.7.1 <late@example.org>: "
                     "Sender address rejected: not after all")

    # -- DNS (dnsmasq on loopback) -----------------------------------------------
    def test_dns_based_restrictions(self):
        if not self.dnsmasq or self.dnsmasq.poll() is not None:
            self.skipTest("dnsmasq is not installed (scripts/packages/dns.txt)")
        self.assertEqual(self.rcpt("dns", sender="a@good.test", helo="good-helo.test"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("dns", sender="a@nowhere.test", helo="good-helo.test"),
                         "450 4.1.8 <a@nowhere.test>: Sender address rejected: Domain not found")
        self.assertEqual(self.rcpt("dns", sender="a@good.test", helo="nohost.test"),
                         "450 4.7.1 <nohost.test>: Helo command rejected: Host not found")
        self.assertEqual(self.rcpt("dns", "x@nowhere.test", sender="a@good.test", helo="good-helo.test"),
                         "450 4.1.2 <x@nowhere.test>: Recipient address rejected: Domain not found")
        self.assertEqual(self.rcpt("dns", "x@good.test", sender="a@good.test", helo="good-helo.test"), "250 2.1.5 Ok")


if __name__ == "__main__":
    unittest.main()
