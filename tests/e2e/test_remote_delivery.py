"""End-to-end remote delivery: Postern instances on their own loopback
addresses (127.X.Y.2, .3, .4, derived from the PID so parallel test runs do
not collide) exchange mail on port 25 through MX records served by a dnsmasq
the test starts (dns_resolver_addresses points the smtp agent at it).

  A (127.X.Y.2)  the sender's server: smtp agent, routing, relayhost
  B (127.X.Y.3)  mx1.b.test: MX of b.test and second MX of c.test
  C (127.X.Y.4)  mx.d.test: started late (defer, then delivery)
  127.X.Y.9      dead.c.test: nothing listens (first MX of c.test)
  127.X.Y.5/6    Python servers: a relayhost with STARTTLS + AUTH, an LMTP server
  127.X.Y.7      a Python server that refuses nobody@ (several recipients in one
                 transaction) and is the fallback relay of fb.test
  127.X.Y.8      a Python server without 8BITMIME (7-bit downgrade)
  127.X.Y.10     A's smtp_bind_address in the "bound" service

Runs as root (port 25 and local delivery to root's mailbox); smtp and relay
are chrooted to the queue folder, as in Debian's stock master.cf.
"""
import base64
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IS_ROOT, Instance, free_port, start_dnsmasq, wait_until  # noqa: E402

PID = os.getpid()
NET = f"127.{10 + PID % 200}.{1 + (PID // 200) % 250}"
A, B, C, DEAD, RELAY, LMTP, PLAIN, SEVEN, SOURCE = (f"{NET}.{n}" for n in (2, 3, 4, 9, 5, 6, 7, 8, 10))
NOT_LOCAL = "192.0.2.1"  # TEST-NET-1: never an address of this host, so bind() fails

MASTER_CF = """\
{addr}:25 inet n       -       n       -       -       smtpd
qmgr      unix  n       -       n       300     1       qmgr
local     unix  -       n       n       -       -       local
smtp      unix  -       -       y       -       -       smtp
relay     unix  -       -       y       -       -       smtp
  -o smtp_tls_security_level=encrypt
lmtp      unix  -       -       n       -       -       lmtp
"""


class FakeServer:
    """A small SMTP/LMTP server in a thread: STARTTLS (when given a
    certificate), AUTH PLAIN/LOGIN (when given credentials), and a record of
    each transaction. Enough to test the client, not a mail server."""

    def __init__(self, host, lmtp=False, cert=None, credentials=None, eightbitmime=True, refuse=None):
        self.lmtp = lmtp
        self.cert = cert
        self.credentials = credentials
        self.eightbitmime = eightbitmime
        self.refuse = refuse or {}  # RCPT address prefix -> reply
        self.connections = 0
        self.peers = []  # "addr:port at time" of every connection, for failure messages
        self.messages = []  # dicts: mail, rcpts, data, raw, tls, auth
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(5)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def close(self):
        self.sock.close()

    def serve(self):
        while True:
            try:
                conn, (self.peer, peer_port) = self.sock.accept()
            except OSError:
                return
            self.peers.append(f"{self.peer}:{peer_port} at {time.strftime('%H:%M:%S')}")
            self.streams = [conn]
            self.connections += 1
            try:
                conn.settimeout(20)
                self.session(conn)
            except (OSError, ssl.SSLError):
                pass
            finally:
                for s in self.streams:
                    s.close()

    def session(self, conn):
        f = conn.makefile("rb")
        out = conn

        def send(text):
            out.sendall(text.encode() + b"\r\n")

        send("220 fake.test ESMTP")
        tls = False
        authed = None
        mail, rcpts = None, []
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode(errors="replace").rstrip("\r\n")
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "LHLO"):
                ext = ["PIPELINING", "SIZE 100000"] + (["8BITMIME"] if self.eightbitmime else []) + ["DSN"]
                if self.cert and not tls:
                    ext.append("STARTTLS")
                if self.credentials and (tls or not self.cert):
                    ext.append("AUTH PLAIN LOGIN")
                send("\r\n".join([f"250-fake.test"] + [f"250-{e}" for e in ext[:-1]] + [f"250 {ext[-1]}"]))
            elif verb == "STARTTLS" and self.cert:
                send("220 2.0.0 Ready to start TLS")
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(*self.cert)
                out = ctx.wrap_socket(conn, server_side=True)
                self.streams.append(out)
                f = out.makefile("rb")
                tls = True
            elif verb == "AUTH" and self.credentials:
                parts = cmd.split()
                if parts[1].upper() == "PLAIN":
                    blob = base64.b64decode(parts[2]).split(b"\0")
                    user, password = blob[1].decode(), blob[2].decode()
                else:
                    send("334 VXNlcm5hbWU6")
                    user = base64.b64decode(f.readline().strip()).decode()
                    send("334 UGFzc3dvcmQ6")
                    password = base64.b64decode(f.readline().strip()).decode()
                if (user, password) == self.credentials:
                    authed = user
                    send("235 2.7.0 Authentication successful")
                else:
                    send("535 5.7.8 Error: authentication failed")
            elif verb == "MAIL":
                if self.credentials and not authed:
                    send("530 5.7.0 Authentication required")
                    continue
                mail, rcpts = cmd, []
                send("250 2.1.0 Ok")
            elif verb == "RCPT":
                address = cmd.split(":", 1)[1].split(">")[0].lstrip(" <")
                refusal = next((r for prefix, r in self.refuse.items() if address.startswith(prefix)), None)
                if refusal:
                    send(refusal)
                    continue
                rcpts.append(cmd)
                send("250 2.1.5 Ok")
            elif verb == "DATA":
                if not rcpts:
                    send("554 5.5.1 Error: no valid recipients")
                    continue
                send("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while True:
                    chunk = f.readline()
                    if not chunk or chunk == b".\r\n":
                        break
                    data += chunk
                self.messages.append({"mail": mail, "rcpts": rcpts, "data": data.decode(errors="replace"),
                                      "raw": data, "tls": tls, "auth": authed, "peer": self.peer})
                for _ in (rcpts if self.lmtp else [None]):
                    send("250 2.0.0 Ok: queued as FAKE1")
            elif verb == "QUIT":
                send("221 2.0.0 Bye")
                return
            else:
                send("502 5.5.2 Error: command not recognized")


@unittest.skipUnless(IS_ROOT, "instances listen on port 25 and deliver to root's mailbox: run as root")
class RemoteDeliveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="prd", dir="/tmp")
        cls.procs = []
        cls.instances = []
        # A self-signed certificate for the relayhost's STARTTLS.
        cls.cert = (os.path.join(cls.tmp, "cert.pem"), os.path.join(cls.tmp, "key.pem"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=relay.test", "-addext", "subjectAltName=DNS:relay.test",
                        "-keyout", cls.cert[1], "-out", cls.cert[0]],
                       check=True, capture_output=True)
        cls.relay = FakeServer(RELAY, cert=cls.cert, credentials=("relayuser", "s3cret pw"))
        cls.lmtp = FakeServer(LMTP, lmtp=True)
        cls.plain = FakeServer(PLAIN, refuse={"nobody@": "550 5.1.1 <nobody@multi.test>: Recipient address rejected"})
        cls.seven = FakeServer(SEVEN, eightbitmime=False)
        cls.start_dns()
        cls.b = cls.make_instance(B, "mx1.b.test", "b.test, c.test")
        cls.c = cls.make_instance(C, "mx.d.test", "d.test", start=False)
        passwords = os.path.join(cls.tmp, "sasl_passwd")
        with open(passwords, "w") as f:
            for host in (RELAY, "relay.test", "other.test"):
                f.write(f"[{host}]:{cls.relay.port} relayuser:s3cret pw\n")
        cls.a_extra = "\n".join([
            f"dns_resolver_addresses = 127.0.0.1:{cls.dns_port}",
            "mynetworks = 127.0.0.0/8",
            f"transport_maps = inline:{{ lmtp.test=lmtp:inet:{LMTP}:{cls.lmtp.port}, "
            f"relayed.test=relay:[{RELAY}]:{cls.relay.port}, "
            f"verified.test=secured:[relay.test]:{cls.relay.port}, "
            f"misnamed.test=secured:[other.test]:{cls.relay.port}, "
            f"multi.test=smtp:[{PLAIN}]:{cls.plain.port}, seven.test=smtp:[{SEVEN}]:{cls.seven.port}, "
            f"fb.test=fallback:, fbhop.test=fallback:[{DEAD}]:25, "
            f"bound.test=bound:[{PLAIN}]:{cls.plain.port}, unbindable.test=unbindable:[{PLAIN}]:{cls.plain.port}, "
            f"enforced.test=enforced:[{PLAIN}]:{cls.plain.port} }}",
            "smtp_connect_timeout = 5s",
            "smtp_tls_security_level = may",
            "smtp_sasl_auth_enable = yes",
            f"smtp_sasl_password_maps = texthash:{passwords}",
            "smtp_sasl_security_options = noanonymous",
        ])
        # A service that insists on a verified certificate whose name matches.
        secured = (f"secured   unix  -       -       n       -       -       smtp\n"
                   f"  -o smtp_tls_security_level=verify -o smtp_tls_CAfile={cls.cert[0]}\n"
                   # smtp_fallback_relay for fb.test, whose only MX is down.
                   f"fallback  unix  -       -       n       -       -       smtp\n"
                   f"  -o smtp_fallback_relay=[{PLAIN}]:{cls.plain.port}\n"
                   # smtp_bind_address: one that works, one that cannot be
                   # bound (warning, then unbound), and the same enforced.
                   f"bound     unix  -       -       n       -       -       smtp\n"
                   f"  -o smtp_bind_address={SOURCE}\n"
                   f"unbindable unix -       -       n       -       -       smtp\n"
                   f"  -o smtp_bind_address={NOT_LOCAL}\n"
                   f"enforced  unix  -       -       n       -       -       smtp\n"
                   f"  -o smtp_bind_address={NOT_LOCAL} -o smtp_bind_address_enforce=yes\n")
        os.chmod(cls.tmp, 0o755)
        os.chmod(cls.cert[0], 0o644)
        cls.a = cls.make_instance(A, "mail.a.test", "a.test", extra=cls.a_extra, master_extra=secured)

    @classmethod
    def tearDownClass(cls):
        for inst in cls.instances:
            inst.cleanup()
        for p in cls.procs:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        for server in (cls.relay, cls.lmtp, cls.plain, cls.seven):
            server.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def start_dns(cls):
        cls.dns_port = free_port()
        records = [
            "--mx-host=b.test,mx1.b.test,10",
            "--mx-host=c.test,dead.c.test,10",
            "--mx-host=c.test,mx1.b.test,20",
            "--mx-host=d.test,mx.d.test,10",
            "--mx-host=fb.test,dead.c.test,10",
            "--dns-rr=nullmx.test,15,000000",  # RFC 7505: preference 0, exchange "."
            f"--host-record=mx1.b.test,{B}",
            f"--host-record=mx.d.test,{C}",
            f"--host-record=dead.c.test,{DEAD}",
            f"--host-record=nullmx.test,{B}",
            f"--host-record=relay.test,{RELAY}",
            f"--host-record=other.test,{RELAY}",
        ]
        cls.procs.append(start_dnsmasq(cls.dns_port, ["--local=/test/", *records]))

    @classmethod
    def make_instance(cls, addr, hostname, domains, extra="", start=True, master_extra=""):
        inst = Instance(master_cf=MASTER_CF.format(addr=addr) + master_extra)
        inst.spool = os.path.join(inst.root, "mail")
        os.makedirs(inst.spool)
        os.chmod(inst.spool, 0o1777)
        aliases = os.path.join(inst.conf, "aliases")
        with open(aliases, "w") as f:
            f.write("postmaster: root\n")
        inst.write_main_cf("\n".join([
            f"inet_interfaces = {addr}",
            f"myhostname = {hostname}",
            f"mydestination = {domains}, $myhostname, localhost",
            f"mail_spool_directory = {inst.spool}",
            f"alias_maps = hash:{aliases}",
            f"alias_database = hash:{aliases}",
            "minimal_backoff_time = 1s",
            "maximal_backoff_time = 2s",
            "queue_run_delay = 1s",
            extra, ""]))
        r = inst.command("postalias", aliases)
        assert r.returncode == 0, r.stderr
        cls.instances.append(inst)
        if start:
            inst.start()
        return inst

    def tearDown(self):
        if any(self._outcome.result.failures) or any(self._outcome.result.errors):
            for name in ("a", "b", "c"):
                print(f"--- log of {name} ---\n" + getattr(self, name).log(), file=sys.stderr)

    # -- helpers -----------------------------------------------------------
    def send(self, rcpt, subject, sender="root@a.test", body="hello\n"):
        with smtplib.SMTP(A, 25, timeout=20) as s:
            s.sendmail(sender, [rcpt], f"From: {sender}\nTo: {rcpt}\nSubject: {subject}\n\n{body}")

    def mbox(self, inst, user="root"):
        try:
            with open(os.path.join(inst.spool, user), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_mbox(self, inst, text, timeout=20):
        if not wait_until(lambda: text in self.mbox(inst), timeout):
            self.fail(f"{text!r} not delivered; mailbox:\n{self.mbox(inst)}")

    # -- tests ---------------------------------------------------------------
    def test_1_mx_delivery_between_domains(self):
        self.send("root@b.test", "by MX to b")
        self.wait_mbox(self.b, "Subject: by MX to b")
        self.a.wait_for_log(rf"to=<root@b\.test>, relay=mx1\.b\.test\[{re.escape(B)}\]:25, delay=[\d.]+, "
                            r"delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: queued as \w+\)")
        # B saw it come from A's smtp client with A's EHLO name.
        self.assertRegex(self.b.log(), r"from=<root@a\.test>")

    def test_2_second_mx_when_first_is_down(self):
        self.send("root@c.test", "second MX")
        self.wait_mbox(self.b, "Subject: second MX")
        log = self.a.log()
        self.assertRegex(log, rf"connect to dead\.c\.test\[{re.escape(DEAD)}\]:25: Connection refused")
        self.assertRegex(log, rf"to=<root@c\.test>, relay=mx1\.b\.test\[{re.escape(B)}\]:25, .*status=sent")

    def test_3_defer_then_delivery_when_remote_returns(self):
        self.send("root@d.test", "deferred first")
        self.a.wait_for_log(rf"to=<root@d\.test>, relay=(none|mx\.d\.test\[{re.escape(C)}\]:25), .*"
                            r"status=deferred \(connect to mx\.d\.test\[" + re.escape(C) + r"\]:25: Connection refused\)")
        r = self.a.command("postqueue", "-p")
        self.assertIn("root@d.test", r.stdout)
        self.c.start()
        self.a.command("postqueue", "-f")
        self.wait_mbox(self.c, "Subject: deferred first", timeout=30)
        self.a.wait_for_log(r"to=<root@d\.test>, relay=mx\.d\.test\[.*status=sent")

    def test_4_bounce_on_5xx_with_remote_text(self):
        self.send("nosuchuser@b.test", "to nobody")
        self.a.wait_for_log(r"to=<nosuchuser@b\.test>, relay=mx1\.b\.test\[.*dsn=5\.1\.1, status=bounced "
                            r"\(host mx1\.b\.test\[.*\] said: 550 5\.1\.1 .*\(in reply to RCPT TO command\)\)")
        # The sender (root@a.test, local on A) gets the bounce with the remote text.
        self.wait_mbox(self.a, "said: 550 5.1.1")
        self.assertIn("nosuchuser@b.test", self.mbox(self.a))

    def test_5_null_mx_bounces(self):
        self.send("someone@nullmx.test", "null mx")
        self.a.wait_for_log(r"to=<someone@nullmx\.test>, relay=none, .*dsn=5\.1\.10, status=bounced "
                            r"\(Domain nullmx\.test does not accept mail \(nullMX\)\)")
        self.wait_mbox(self.a, "does not accept mail (nullMX)")

    def test_6_relay_transport_with_starttls_and_auth(self):
        self.send("friend@relayed.test", "through the relay")
        self.a.wait_for_log(rf"to=<friend@relayed\.test>, relay={re.escape(RELAY)}\[{re.escape(RELAY)}\]:"
                            rf"{self.relay.port}, .*status=sent \(250 2\.0\.0 Ok: queued as FAKE1\)")
        got = [m for m in self.relay.messages if "through the relay" in m["data"]]
        self.assertEqual(len(got), 1)
        self.assertTrue(got[0]["tls"], "the relay service (-o smtp_tls_security_level=encrypt) must use STARTTLS")
        self.assertEqual(got[0]["auth"], "relayuser")
        self.assertIn("MAIL FROM:<root@a.test>", got[0]["mail"])
        self.assertIn("SIZE=", got[0]["mail"])  # the server announced SIZE
        # The server announced DSN: the original recipient goes along.
        self.assertIn("ORCPT=rfc822;friend@relayed.test", got[0]["rcpts"][0])
        self.assertRegex(self.a.log(), r"TLS connection established to .*TLSv1\.[23] with cipher")

    def test_7_lmtp_to_an_lmtp_server(self):
        self.send("box@lmtp.test", "by lmtp")
        self.a.wait_for_log(rf"to=<box@lmtp\.test>, relay={re.escape(LMTP)}\[{re.escape(LMTP)}\]:{self.lmtp.port}, "
                            r".*status=sent \(250 2\.0\.0 Ok: queued as FAKE1\)")
        got = [m for m in self.lmtp.messages if "by lmtp" in m["data"]]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["rcpts"][0].split()[1], "TO:<box@lmtp.test>")

    def test_7b_tls_verify_checks_chain_and_name(self):
        # smtp_tls_security_level = verify: the certificate must chain to
        # smtp_tls_CAfile and name the server.
        self.send("friend@verified.test", "verified tls")
        self.a.wait_for_log(r"to=<friend@verified\.test>, relay=relay\.test\[.*status=sent")
        self.assertRegex(self.a.log(), r"Verified TLS connection established to relay\.test\[")
        self.send("friend@misnamed.test", "wrong name")
        self.a.wait_for_log(r"to=<friend@misnamed\.test>, relay=other\.test\[.*dsn=4\.7\.5, status=deferred "
                            r"\(TLS handshake with other\.test\[.*failed: server certificate not verified")
        self.assertFalse([m for m in self.relay.messages if "wrong name" in m["data"]])

    def test_8_relayhost_parameter(self):
        # relayhost = [host]:port sends all remote mail there, without MX lookup,
        # with the password found under "[host]:port".
        relayhost = f"[{RELAY}]:{self.relay.port}"
        self.assertEqual(self.a.command("postconf", "-e", f"relayhost = {relayhost}").returncode, 0)
        try:
            self.assertEqual(self.a.postfix("reload").returncode, 0)
            time.sleep(0.5)
            self.send("someone@b.test", "via relayhost")
            self.a.wait_for_log(rf"to=<someone@b\.test>, relay={re.escape(RELAY)}\[{re.escape(RELAY)}\]:"
                                rf"{self.relay.port}, .*status=sent")
            got = [m for m in self.relay.messages if "via relayhost" in m["data"]]
            self.assertEqual(len(got), 1)
            self.assertEqual(got[0]["auth"], "relayuser")
            self.assertTrue(got[0]["tls"], "smtp_tls_security_level = may uses STARTTLS when offered")
        finally:
            self.a.command("postconf", "-e", "relayhost =")
            self.a.postfix("reload")

    def test_91_several_recipients_one_transaction(self):
        before = self.plain.connections
        rcpts = ["one@multi.test", "two@multi.test", "nobody@multi.test"]
        with smtplib.SMTP(A, 25, timeout=20) as s:
            s.sendmail("root@a.test", rcpts, "From: root@a.test\nSubject: three at once\n\nhello all\n")
        relay = rf"relay={re.escape(PLAIN)}\[{re.escape(PLAIN)}\]:{self.plain.port}, "
        for rcpt in ("one", "two"):
            self.a.wait_for_log(rf"to=<{rcpt}@multi\.test>, {relay}.*status=sent \(250 2\.0\.0 Ok: queued as FAKE1\)")
        self.a.wait_for_log(rf"to=<nobody@multi\.test>, {relay}.*dsn=5\.1\.1, status=bounced \(host "
                            rf"{re.escape(PLAIN)}\[{re.escape(PLAIN)}\] said: 550 5\.1\.1 <nobody@multi\.test>: "
                            r"Recipient address rejected \(in reply to RCPT TO command\)\)")
        got = [m for m in self.plain.messages if "three at once" in m["data"]]
        self.assertEqual(len(got), 1, "one transaction for the three recipients")
        self.assertEqual([r.split()[1] for r in got[0]["rcpts"]], ["TO:<one@multi.test>", "TO:<two@multi.test>"])
        self.assertEqual(self.plain.connections - before, 1,
                         f"one connection for the three recipients; connections: {self.plain.peers}")
        # The sender gets a bounce for nobody@ only.
        self.wait_mbox(self.a, "Final-Recipient: rfc822; nobody@multi.test")
        self.assertNotIn("Final-Recipient: rfc822; one@multi.test", self.mbox(self.a))
        self.assertNotIn("Final-Recipient: rfc822; two@multi.test", self.mbox(self.a))

    def test_92_8bit_to_a_server_without_8bitmime(self):
        import email
        text = "Gr\u00fc\u00dfe aus K\u00f6ln, caf\u00e9 \u2014 " + "\u00e9" * 60 + "\r\n.leading dot\r\n"
        attachment = base64.b64encode(b"\x00\x01binary\xff").decode()
        msg = ("From: root@a.test\r\nSubject: eight bit\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n"
               "--sep\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
               + text +
               "--sep\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               + attachment + "\r\n--sep--\r\n").encode()
        with smtplib.SMTP(A, 25, timeout=20) as s:
            s.ehlo()
            s.sendmail("root@a.test", ["x@seven.test"], msg, mail_options=["BODY=8BITMIME"])
        self.a.wait_for_log(r"to=<x@seven\.test>, relay=.*status=sent")
        got = [m for m in self.seven.messages if "eight bit" in m["data"]]
        self.assertEqual(len(got), 1)
        raw = got[0]["raw"].replace(b"\r\n..", b"\r\n.")  # undo dot-stuffing
        self.assertNotIn("BODY=8BITMIME", got[0]["mail"])
        self.assertTrue(all(b < 128 for b in raw), "every byte sent to a 7-bit server is 7-bit")
        self.assertTrue(all(len(line) <= 78 for line in raw.split(b"\r\n")), "lines stay within 76 + CRLF")
        parsed = email.message_from_bytes(raw)
        parts = parsed.get_payload()
        self.assertEqual(parts[0]["Content-Transfer-Encoding"], "quoted-printable")
        # The line break before a boundary belongs to the boundary (RFC 2046).
        self.assertEqual(parts[0].get_payload(decode=True).decode("utf-8"), text[:-2])
        self.assertEqual(parts[1]["Content-Transfer-Encoding"], "base64")  # left as it was
        self.assertEqual(parts[1].get_payload(decode=True), b"\x00\x01binary\xff")

    def test_93_fallback_relay_after_every_mx_failed(self):
        self.send("user@fb.test", "via fallback")
        self.a.wait_for_log(rf"to=<user@fb\.test>, relay={re.escape(PLAIN)}\[{re.escape(PLAIN)}\]:"
                            rf"{self.plain.port}, .*status=sent")
        self.assertRegex(self.a.log(), rf"connect to dead\.c\.test\[{re.escape(DEAD)}\]:25: Connection refused")
        self.assertEqual(len([m for m in self.plain.messages if "via fallback" in m["data"]]), 1)
        # A next hop set by transport_maps is not the recipient's own domain:
        # Postfix uses no fallback relay for it, and neither do we.
        self.send("user@fbhop.test", "fixed next hop")
        self.a.wait_for_log(r"(\w+): to=<user@fbhop\.test>, relay=.*status=deferred")
        self.assertFalse([m for m in self.plain.messages if "fixed next hop" in m["data"]])
        queue_id = re.search(r"(\w+): to=<user@fbhop\.test>", self.a.log()).group(1)
        self.a.command("postsuper", "-d", queue_id)

    def test_94_smtp_bind_address(self):
        self.send("user@bound.test", "from the bound address")
        self.a.wait_for_log(r"to=<user@bound\.test>, relay=.*status=sent")
        got = [m for m in self.plain.messages if "from the bound address" in m["data"]]
        self.assertEqual([m["peer"] for m in got], [SOURCE])
        # An address this host does not have: a warning, then the kernel's choice.
        self.send("user@unbindable.test", "bind fails softly")
        self.a.wait_for_log(r"to=<user@unbindable\.test>, relay=.*status=sent")
        self.assertRegex(self.a.log(), rf"warning: smtp_connect_addr: bind {re.escape(NOT_LOCAL)}: "
                                       r"Cannot assign requested address")
        got = [m for m in self.plain.messages if "bind fails softly" in m["data"]]
        self.assertEqual(len(got), 1)
        self.assertNotEqual(got[0]["peer"], NOT_LOCAL)
        # smtp_bind_address_enforce = yes: deferred, nothing sent.
        self.send("user@enforced.test", "must not leave")
        line = self.a.wait_for_log(r"to=<user@enforced\.test>, relay=.*status=deferred.*").group(0)
        self.assertIn("dsn=4.4.0", line)
        self.assertIn("server configuration error", line)
        self.assertFalse([m for m in self.plain.messages if "must not leave" in m["data"]])
        queue_id = re.search(r"(\w+): to=<user@enforced\.test>", self.a.log()).group(1)
        self.a.command("postsuper", "-d", queue_id)

    def test_9_no_daemon_failures(self):
        for inst in (self.a, self.b):
            bad = re.findall(r".*(?:killed by signal \d+|exit status [1-9]|fatal: |panic: ).*", inst.log())
            self.assertEqual(bad, [], "daemon failures in the log")


if __name__ == "__main__":
    unittest.main()
