"""smtpd restrictions that ask outside smtpd, end to end: check_policy_service
against a policy server written here (DUNNO, REJECT, DEFER_IF_PERMIT, one
that never answers -> smtpd_policy_service_default_action after the timeout
while another session of the same smtpd is served, connection reuse, at
end-of-data), DNS lists served by dnsmasq on loopback (reject_rbl_client
with a result filter and TXT reason, rbl_reply_maps, reject_rhsbl_*,
permit_dnswl_client and its open-relay guard), check_*_mx_access,
check_*_ns_access, permit_mx_backup (+ permit_mx_backup_networks) and
smtpd_restriction_classes. One instance; each listener overrides the
restriction lists with master.cf -o."""
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DNSMASQ, free_port, start_dnsmasq  # noqa: E402
from test_smtpd import ListenerSessions, Raw, make_instance  # noqa: E402



def dns_name_hex(name):
    """A domain name in DNS wire format (uncompressed), as hex for --dns-rr."""
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return (out + b"\0").hex()


DNS_RECORDS = [
    # DNS block list bl.test: 127.0.0.2 listed with a reason, 127.0.0.3 with 127.0.0.10 (filtered out by =127.0.0.[2..9])
    "--address=/2.0.0.127.bl.test/127.0.0.2", "--txt-record=2.0.0.127.bl.test,listed for testing",
    "--address=/3.0.0.127.bl.test/127.0.0.10",
    # DNS allow list: 127.0.0.4
    "--address=/4.0.0.127.wl.test/127.0.0.2",
    # Domain block list rhs.test: spam.test and localhost (the client name of 127.0.0.1)
    "--address=/spam.test.rhs.test/127.0.0.2", "--address=/localhost.rhs.test/127.0.0.2",
    # MX hosts
    "--mx-host=badmx.test,mx.spammer.test,10", "--address=/mx.spammer.test/127.0.0.66",
    "--mx-host=badaddr.test,mx.badaddr.test,10", "--address=/mx.badaddr.test/127.0.0.68",
    "--mx-host=goodmx.test,mx.goodmx.test,10", "--address=/mx.goodmx.test/127.0.0.67",
    # NS hosts (dnsmasq serves NS only as raw records)
    f"--dns-rr=badns.test,2,{dns_name_hex('ns.spammer.test')}", "--address=/ns.spammer.test/127.0.0.69",
    f"--dns-rr=goodns.test,2,{dns_name_hex('ns.goodns.test')}", "--address=/ns.goodns.test/127.0.0.71",
    # permit_mx_backup: we (127.0.0.1) are the second MX of backup.test and the only one of primary.test
    "--mx-host=backup.test,mx1.backup.test,10", "--mx-host=backup.test,mx2.backup.test,20",
    "--address=/mx1.backup.test/127.0.0.70", "--address=/mx2.backup.test/127.0.0.1",
    "--mx-host=primary.test,mx.primary.test,10", "--address=/mx.primary.test/127.0.0.1",
    # Client names for the rhsbl checks stay what they are with or without PTR lookups.
    "--host-record=localhost,127.0.0.1",
]

LISTENERS = {
    "policy": ["smtpd_recipient_restrictions=check_policy_service,inet:127.0.0.1:{policy}",
               "smtpd_policy_service_timeout=2s"],
    "policy_eod": ["smtpd_end_of_data_restrictions=check_policy_service,inet:127.0.0.1:{policy}"],
    "rbl": ["smtpd_client_restrictions=reject_rbl_client,bl.test"],
    "rbl_nodelay": ["smtpd_delay_reject=no", "smtpd_client_restrictions=reject_rbl_client,bl.test"],
    "rbl_filter": ["smtpd_client_restrictions=reject_rbl_client,bl.test=127.0.0.[2..9]"],
    "rbl_custom": ["smtpd_client_restrictions=reject_rbl_client,bl.test", "maps_rbl_reject_code=550",
                   "rbl_reply_maps=texthash:{conf}/rbl_reply"],
    "dnswl": ["smtpd_client_restrictions=permit_dnswl_client,wl.test,reject"],
    "dnswl_relay": ["smtpd_relay_restrictions=permit_dnswl_client,wl.test,reject_unauth_destination"],
    "rhsbl": ["smtpd_helo_restrictions=reject_rhsbl_helo,rhs.test",
              "smtpd_sender_restrictions=reject_rhsbl_sender,rhs.test"],
    "rhsbl_client": ["smtpd_client_restrictions=reject_rhsbl_client,rhs.test"],
    "rhsbl_reverse": ["smtpd_client_restrictions=reject_rhsbl_reverse_client,rhs.test"],
    "mx": ["smtpd_sender_restrictions=check_sender_mx_access,texthash:{conf}/mx_access",
           "smtpd_recipient_restrictions=check_recipient_mx_access,texthash:{conf}/mx_access"],
    "ns": ["smtpd_sender_restrictions=check_sender_ns_access,texthash:{conf}/ns_access"],
    "server_more": ["smtpd_helo_restrictions=check_helo_mx_access,texthash:{conf}/server_access,"
                    "check_helo_ns_access,texthash:{conf}/server_access",
                    "smtpd_recipient_restrictions=check_recipient_ns_access,texthash:{conf}/server_access"],
    "backup": ["smtpd_relay_restrictions=permit_mx_backup,reject_unauth_destination"],
    "backup_nets": ["smtpd_relay_restrictions=permit_mx_backup,reject_unauth_destination",
                    "permit_mx_backup_networks=127.0.0.80/32"],
    "classes": ["smtpd_recipient_restrictions=check_recipient_access,texthash:{conf}/class_access"],
    "class_direct": ["smtpd_client_restrictions=strict_class"],
}

TABLES = {
    "rbl_reply": "bl.test $rbl_code 5.7.1 Rejected by $rbl_domain: $rbl_reason\n",
    "mx_access": "spammer.test REJECT bad mail server\n127.0.0.68 REJECT bad mail server address\n"
                 "goodmx.test OK\n",
    "ns_access": "ns.spammer.test REJECT bad name server\n",
    "class_access": "protected@mail.example.test strict_class\n",
    "server_access": "spammer.test REJECT bad server\n",
}


class PolicyServer:
    """A policy server (SMTPD_POLICY_README) on loopback: a thread per
    connection, several requests per connection. Answers by recipient or
    sender: reject@ -> REJECT, later@ -> DEFER_IF_PERMIT, slow@ -> never,
    sender bad-eod@ at END-OF-MESSAGE -> REJECT, anything else DUNNO."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.connections = 0
        self.lock = threading.Lock()
        self.stopping = False
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        buf = b""
        with conn:
            while True:
                while b"\n\n" not in buf:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buf += chunk
                raw, buf = buf.split(b"\n\n", 1)
                attrs = dict(line.split("=", 1) for line in raw.decode().split("\n") if "=" in line)
                with self.lock:
                    self.requests.append(attrs)
                rcpt, sender = attrs.get("recipient", ""), attrs.get("sender", "")
                if rcpt.startswith("slow@"):
                    while conn.recv(4096):  # never answer; smtpd gives up and closes
                        pass
                    return
                if rcpt.startswith("reject@"):
                    action = "REJECT policy says no"
                elif rcpt.startswith("later@"):
                    action = "DEFER_IF_PERMIT try later"
                elif sender.startswith("bad-eod@") and attrs.get("protocol_state") == "END-OF-MESSAGE":
                    action = "550 5.7.0 message refused by policy"
                else:
                    action = "DUNNO"
                conn.sendall(f"action={action}\n\n".encode())

    def close(self):
        self.stopping = True
        self.sock.close()


class SmtpdRemoteChecksTest(ListenerSessions, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(DNSMASQ):
            raise unittest.SkipTest("dnsmasq is not installed (scripts/packages/dns.txt)")
        cls.ports = {name: free_port() for name in LISTENERS}
        cls.policy = PolicyServer()
        cls.dns_port = free_port()
        try:
            cls.dnsmasq = start_dnsmasq(cls.dns_port, ["--local=/test/", "--local=/localhost/", *DNS_RECORDS])
        except BaseException:
            cls.policy.close()
            raise

        def prepare(inst):
            for name, text in TABLES.items():
                with open(os.path.join(inst.conf, name), "w") as f:
                    f.write(text)
            inst.write_main_cf(
                "compatibility_level = 3.6\nmynetworks = 127.0.0.1/32\nsmtpd_error_sleep_time = 0\nrecipient_delimiter = +\n"
                "local_recipient_maps = inline:{alice=x, reject=x, later=x, slow=x, protected=x}\n"
                f"dns_resolver_addresses = 127.0.0.1:{cls.dns_port}\n"
                "smtpd_restriction_classes = strict_class\nstrict_class = reject_rbl_client bl.test\n"
                "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n")
            lines = []
            for name, overrides in LISTENERS.items():
                # One process for "policy": a slow policy server must not stall its other sessions.
                maxproc = "1" if name == "policy" else "-"
                line = f"127.0.0.1:{cls.ports[name]} inet n - n - {maxproc} smtpd"
                for o in overrides:
                    line += "\n  -o " + o.format(conf=inst.conf, policy=cls.policy.port)
                lines.append(line)
            inst.write_master_cf("\n".join(lines) + "\n")

        try:
            cls.inst = make_instance("", "", prepare)
        except BaseException:
            cls.dnsmasq.kill()
            cls.dnsmasq.wait()
            cls.policy.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.inst.cleanup()
        cls.dnsmasq.kill()
        cls.dnsmasq.wait()
        cls.policy.close()

    def rcpt(self, listener, rcpt="alice@mail.example.test", sender="a@example.org", source="127.0.0.1",
             helo="client.example.org"):
        c = self.session(listener, source, helo)
        self.assertEqual(c.cmd(f"MAIL FROM:<{sender}>"), "250 2.1.0 Ok")
        return c.cmd(f"RCPT TO:<{rcpt}>")

    # -- check_policy_service --------------------------------------------------------
    def test_policy_dunno_reject_defer_if_permit(self):
        self.assertEqual(self.rcpt("policy"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("policy", "reject@mail.example.test"),
                         "554 5.7.1 <reject@mail.example.test>: Recipient address rejected: policy says no")
        self.assertEqual(self.rcpt("policy", "later@mail.example.test"),
                         "450 4.7.1 <later@mail.example.test>: Recipient address rejected: try later")
        with self.policy.lock:
            req = [r for r in self.policy.requests if r.get("recipient") == "reject@mail.example.test"][-1]
        self.assertEqual(req["request"], "smtpd_access_policy")
        self.assertEqual(req["protocol_state"], "RCPT")
        self.assertEqual(req["protocol_name"], "ESMTP")
        self.assertEqual(req["helo_name"], "client.example.org")
        self.assertEqual(req["sender"], "a@example.org")
        self.assertEqual(req["client_address"], "127.0.0.1")
        self.assertTrue(req["instance"])

    def test_policy_connection_is_reused(self):
        c = self.session("policy")
        c.cmd("MAIL FROM:<a@example.org>")
        with self.policy.lock:
            before_conn, before_req = self.policy.connections, len(self.policy.requests)
        for i in range(4):
            self.assertEqual(c.cmd(f"RCPT TO:<alice+{i}@mail.example.test>"), "250 2.1.5 Ok")
        with self.policy.lock:
            self.assertEqual(len(self.policy.requests) - before_req, 4)
            self.assertLessEqual(self.policy.connections - before_conn, 1)

    def test_silent_policy_server_gets_the_default_action_and_others_are_served(self):
        slow = self.session("policy", source="127.0.0.6")
        slow.cmd("MAIL FROM:<a@example.org>")
        slow.send("RCPT TO:<slow@mail.example.test>\r\n")
        time.sleep(0.3)  # the request is with the policy server now
        started = time.monotonic()
        self.assertEqual(self.rcpt("policy", source="127.0.0.7"), "250 2.1.5 Ok")
        self.assertLess(time.monotonic() - started, 1.5)  # not queued behind the 2 s timeout
        self.assertEqual(slow.reply(), "451 4.3.5 <slow@mail.example.test>: Recipient address rejected: "
                                       "Server configuration problem")
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.inst.wait_for_log(r"warning: problem talking to server inet:127\.0\.0\.1:\d+: timeout")
        # Both sessions were in the same smtpd process.
        log = self.inst.log()
        pids = {m.group(2): m.group(1) for m in re.finditer(r"smtpd\[(\d+)\]: connect from \S+\[(127\.0\.0\.[67])\]", log)}
        self.assertEqual(pids.get("127.0.0.6"), pids.get("127.0.0.7"))

    def test_policy_at_end_of_data(self):
        for sender, want in (("bad-eod@example.org", "550 5.7.0 <END-OF-MESSAGE>: End-of-data rejected: "
                                                     "message refused by policy"),
                             ("good@example.org", "250 2.0.0 Ok: queued as ")):
            c = self.session("policy_eod")
            c.cmd(f"MAIL FROM:<{sender}>")
            c.cmd("RCPT TO:<alice@mail.example.test>")
            self.assertTrue(c.cmd("DATA").startswith("354"))
            self.assertTrue(c.cmd("Subject: x\r\n\r\nbody\r\n.").startswith(want))
        with self.policy.lock:
            req = [r for r in self.policy.requests if r.get("sender") == "good@example.org"][-1]
        self.assertEqual(req["protocol_state"], "END-OF-MESSAGE")
        self.assertEqual(req["recipient_count"], "1")

    # -- DNS lists -----------------------------------------------------------------
    def test_reject_rbl_client(self):
        self.assertEqual(self.rcpt("rbl", source="127.0.0.2"),
                         "554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using bl.test; "
                         "listed for testing")
        self.inst.wait_for_log(r"NOQUEUE: reject: RCPT from \S+\[127\.0\.0\.2\]: 554 5\.7\.1 Service unavailable; "
                               r"Client host \[127\.0\.0\.2\] blocked using bl\.test; listed for testing;")
        self.assertEqual(self.rcpt("rbl", source="127.0.0.3"),
                         "554 5.7.1 Service unavailable; Client host [127.0.0.3] blocked using bl.test")
        self.assertEqual(self.rcpt("rbl", source="127.0.0.5"), "250 2.1.5 Ok")

    def test_reject_rbl_client_at_connect_without_delay_reject(self):
        c = Raw(self.ports["rbl_nodelay"], "127.0.0.2")
        self.addCleanup(c.close)
        self.assertTrue(c.reply().startswith("220 "))
        self.assertEqual(c.cmd("EHLO client.example.org"), "554 5.7.1 Service unavailable; Client host [127.0.0.2] "
                                                           "blocked using bl.test; listed for testing")
        self.inst.wait_for_log(r"NOQUEUE: reject: CONNECT from \S+\[127\.0\.0\.2\]: 554 5\.7\.1 Service unavailable")
        self.assertEqual(self.rcpt("rbl_nodelay", source="127.0.0.5"), "250 2.1.5 Ok")

    def test_rbl_result_filter(self):
        self.assertTrue(self.rcpt("rbl_filter", source="127.0.0.2").startswith("554 5.7.1 Service unavailable"))
        self.assertEqual(self.rcpt("rbl_filter", source="127.0.0.3"), "250 2.1.5 Ok")

    def test_rbl_reply_maps(self):
        self.assertEqual(self.rcpt("rbl_custom", source="127.0.0.2"),
                         "550 5.7.1 Rejected by bl.test: listed for testing")
        self.assertEqual(self.rcpt("rbl_custom", source="127.0.0.5"), "250 2.1.5 Ok")

    def test_permit_dnswl_client(self):
        self.assertEqual(self.rcpt("dnswl", source="127.0.0.4"), "250 2.1.5 Ok")
        self.assertRegex(self.rcpt("dnswl", source="127.0.0.5"),
                         r"^554 5\.7\.1 <\S+\[127\.0\.0\.5\]>: Client host rejected: Access denied$")

    def test_permit_dnswl_client_never_opens_the_relay(self):
        self.assertEqual(self.rcpt("dnswl_relay", "x@remote.test", source="127.0.0.4"),
                         "554 5.7.1 <x@remote.test>: Relay access denied")
        self.assertEqual(self.rcpt("dnswl_relay", source="127.0.0.4"), "250 2.1.5 Ok")

    def test_reject_rhsbl_sender_and_helo(self):
        self.assertEqual(self.rcpt("rhsbl", sender="x@spam.test"),
                         "554 5.7.1 Service unavailable; Sender address [spam.test] blocked using rhs.test")
        self.assertEqual(self.rcpt("rhsbl", helo="spam.test"),
                         "554 5.7.1 Service unavailable; Helo command [spam.test] blocked using rhs.test")
        self.assertEqual(self.rcpt("rhsbl", sender="x@example.org"), "250 2.1.5 Ok")

    def test_reject_rhsbl_client_and_reverse_client(self):
        # 127.0.0.1 is "localhost", listed; 127.0.0.5 has no listed name.
        self.assertEqual(self.rcpt("rhsbl_client"),
                         "554 5.7.1 Service unavailable; Client host [localhost] blocked using rhs.test")
        self.assertEqual(self.rcpt("rhsbl_client", source="127.0.0.5"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("rhsbl_reverse"),
                         "554 5.7.1 Service unavailable; Unverified Client host [localhost] blocked using rhs.test")
        self.assertEqual(self.rcpt("rhsbl_reverse", source="127.0.0.5"), "250 2.1.5 Ok")

    # -- MX / NS access ------------------------------------------------------------
    def test_check_sender_and_recipient_mx_access(self):
        self.assertEqual(self.rcpt("mx", sender="a@badmx.test"),
                         "554 5.7.1 <a@badmx.test>: Sender address rejected: bad mail server")
        self.assertEqual(self.rcpt("mx", sender="a@badaddr.test"),
                         "554 5.7.1 <a@badaddr.test>: Sender address rejected: bad mail server address")
        self.assertEqual(self.rcpt("mx", sender="a@goodmx.test"), "250 2.1.5 Ok")  # OK counts as DUNNO
        self.inst.wait_for_log(r"warning: check_sender_mx_access: .*OK is not allowed here")
        self.assertEqual(self.rcpt("mx", "x@badmx.test", sender="a@goodmx.test"),
                         "554 5.7.1 <x@badmx.test>: Recipient address rejected: bad mail server")

    def test_check_sender_ns_access(self):
        self.assertEqual(self.rcpt("ns", sender="a@badns.test"),
                         "554 5.7.1 <a@badns.test>: Sender address rejected: bad name server")
        # No NS for the subdomain: its parent's name servers count.
        self.assertEqual(self.rcpt("ns", sender="a@host.badns.test"),
                         "554 5.7.1 <a@host.badns.test>: Sender address rejected: bad name server")
        self.assertEqual(self.rcpt("ns", sender="a@goodns.test"), "250 2.1.5 Ok")

    def test_check_helo_mx_and_ns_access_and_recipient_ns_access(self):
        self.assertEqual(self.rcpt("server_more", helo="badmx.test"),
                         "554 5.7.1 <badmx.test>: Helo command rejected: bad server")
        self.assertEqual(self.rcpt("server_more", helo="badns.test"),
                         "554 5.7.1 <badns.test>: Helo command rejected: bad server")
        self.assertEqual(self.rcpt("server_more", helo="goodmx.test"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("server_more", "x@badns.test", helo="goodmx.test"),
                         "554 5.7.1 <x@badns.test>: Recipient address rejected: bad server")

    # -- permit_mx_backup ----------------------------------------------------------
    def test_permit_mx_backup(self):
        self.assertEqual(self.rcpt("backup", "x@backup.test", source="127.0.0.2"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("backup", "x@primary.test", source="127.0.0.2"),
                         "554 5.7.1 <x@primary.test>: Relay access denied")
        self.assertEqual(self.rcpt("backup", "x@goodmx.test", source="127.0.0.2"),
                         "554 5.7.1 <x@goodmx.test>: Relay access denied")
        self.assertEqual(self.rcpt("backup_nets", "x@backup.test", source="127.0.0.2"),
                         "554 5.7.1 <x@backup.test>: Relay access denied")

    # -- smtpd_restriction_classes -------------------------------------------------
    def test_restriction_class_as_access_result_and_as_restriction(self):
        self.assertTrue(self.rcpt("classes", "protected@mail.example.test", source="127.0.0.2")
                        .startswith("554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using bl.test"))
        self.assertEqual(self.rcpt("classes", "alice@mail.example.test", source="127.0.0.2"), "250 2.1.5 Ok")
        self.assertEqual(self.rcpt("classes", "protected@mail.example.test", source="127.0.0.5"), "250 2.1.5 Ok")
        self.assertTrue(self.rcpt("class_direct", source="127.0.0.2").startswith("554 5.7.1 Service unavailable"))
        self.assertEqual(self.rcpt("class_direct", source="127.0.0.5"), "250 2.1.5 Ok")
        # A class is a parameter of the administrator's own: postconf does not call it unused.
        r = self.inst.command("postconf", "-n")
        self.assertIn("strict_class = reject_rbl_client bl.test", r.stdout)
        self.assertNotIn("unused parameter", r.stderr)


if __name__ == "__main__":
    unittest.main()
