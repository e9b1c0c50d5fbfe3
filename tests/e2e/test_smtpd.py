"""smtpd and lib/cleanup end to end: a real master + smtpd, driven by
smtplib, swaks and raw sockets; queue files checked by parsing them
(docs/queue-format.md). Covers pipelining, CHUNKING, size and line limits,
SMTP smuggling variants, relay rules, 8BITMIME/SMTPUTF8, DSN, error limits,
timeouts, 1,000 messages from 20 parallel clients, kill -9 durability and a
full queue file system."""
import hashlib
import os
import random
import re
import shutil
import signal
import smtplib
import socket
import stat
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IS_ROOT, Instance, SmtpClient, free_port, process_exists, wait_until  # noqa: E402

HOST = "mail.example.test"


# -- queue files ---------------------------------------------------------------
def parse_queue_file(data):
    """The records of a queue file (docs/queue-format.md), strictly."""
    if data[:7] != b"PSTNQF\x01":
        raise ValueError("bad magic")
    out = {"attrs": {}, "rcpts": [], "end": False}
    pos = 7
    while pos < len(data):
        kind = chr(data[pos])
        n = int.from_bytes(data[pos + 1:pos + 5], "big")
        payload = data[pos + 5:pos + 5 + n]
        if len(payload) != n:
            raise ValueError("record runs past the end")
        pos += 5 + n
        if kind == "T":
            out["time"] = payload.decode()
        elif kind == "S":
            out["sender"] = payload.decode()
        elif kind == "A":
            name, _, value = payload.decode().partition("=")
            out["attrs"][name] = value
        elif kind == "R":
            alen = int.from_bytes(payload[2:6], "big")
            out["rcpts"].append({"done": chr(payload[0]), "notify": payload[1],
                                 "address": payload[6:6 + alen].decode(),
                                 "orcpt": payload[6 + alen:].decode()})
        elif kind == "M":
            out["content"] = payload
        elif kind == "E":
            out["end"] = True
            if pos != len(data):
                raise ValueError("bytes after end")
        else:
            raise ValueError(f"unknown record {kind}")
    if not out["end"]:
        raise ValueError("no end record")
    return out


def incoming_files(queue_dir):
    """{name: mode} of every entry in incoming/ (complete or not)."""
    d = os.path.join(queue_dir, "incoming")
    return {name: os.stat(os.path.join(d, name)).st_mode & 0o777 for name in os.listdir(d)}


def read_queue_file(queue_dir, queue_id):
    with open(os.path.join(queue_dir, "incoming", queue_id), "rb") as f:
        return parse_queue_file(f.read())


def body_of(content):
    return content.split(b"\r\n\r\n", 1)[1]


def queued_id(reply_text):
    m = re.search(r"queued as (\w+)", reply_text)
    return m.group(1) if m else None


# A raw SMTP client: the harness's, under the name these tests use.
Raw = SmtpClient


class ListenerSessions:
    """For test classes that run one smtpd listener per setting (cls.inst,
    cls.ports by listener name): the log of a failed test, and a session
    past the banner and EHLO (none when `helo` is empty)."""

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log()[-6000:])

    def session(self, listener, source="127.0.0.1", helo="client.example.org"):
        c = Raw(self.ports[listener], source)
        self.addCleanup(c.close)
        self.assertTrue(c.reply().startswith("220 "))
        if helo:
            self.assertTrue(c.cmd("EHLO " + helo).startswith("250"))
        return c


def base_config(extra=""):
    # These tests send to made-up users: local_recipient_maps is off here and
    # exercised in LocalRecipientTest.
    # The relay rule of the tutorials (Postfix 3's default says defer_unauth_destination).
    return ("compatibility_level = 3.6\n"
            "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n"
            "local_recipient_maps =\n"
            "mynetworks = 127.0.0.1/32\n"
            "smtpd_forbid_bare_newline_exclusions =\n"
            "message_size_limit = 2000000\n"
            "smtpd_error_sleep_time = 0\n" + extra)


def make_instance(main_cf, master_cf, prepare=None):
    inst = Instance(main_cf, master_cf)
    if prepare:
        prepare(inst)
    if IS_ROOT:
        r = inst.postfix("set-permissions")
        if r.returncode != 0:
            raise AssertionError(r.stderr)
    else:
        for d in ("maildrop", "incoming", "active", "deferred", "hold", "corrupt", "bounce",
                  "defer", "trace", "private", "public", "pid"):
            os.makedirs(os.path.join(inst.queue, d), mode=0o700, exist_ok=True)
    inst.start()
    return inst


def smtpd_pids(inst):
    return sorted(set(int(p) for p in re.findall(r"postfix/smtpd\[(\d+)\]", inst.log())
                      if process_exists(int(p))))


class SmtpdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.minfree_port = free_port()
        cls.timeout_port = free_port()
        cls.normalize_port = free_port()
        cls.sleep_port = free_port()
        cls.junk_port = free_port()
        master_cf = (f"127.0.0.1:{cls.port} inet n - n - - smtpd\n"
                     f"127.0.0.1:{cls.minfree_port} inet n - n - - smtpd -o queue_minfree=1000000000000000\n"
                     f"127.0.0.1:{cls.timeout_port} inet n - n - - smtpd -o smtpd_timeout=2s"
                     f" -o smtpd_recipient_limit=2\n"
                     f"127.0.0.1:{cls.normalize_port} inet n - n - - smtpd"
                     f" -o smtpd_forbid_bare_newline=normalize\n"
                     f"127.0.0.1:{cls.sleep_port} inet n - n - - smtpd -o smtpd_soft_error_limit=2"
                     f" -o smtpd_error_sleep_time=1s\n"
                     f"127.0.0.1:{cls.junk_port} inet n - n - - smtpd -o smtpd_junk_command_limit=3"
                     f" -o smtpd_hard_error_limit=5\n")
        cls.inst = make_instance(base_config(), master_cf)
        cls.queue = cls.inst.queue

    @classmethod
    def tearDownClass(cls):
        cls.inst.cleanup()

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log()[-6000:])

    def raw(self, source="127.0.0.1", port=None):
        c = Raw(port or self.port, source)
        self.addCleanup(c.close)
        self.assertTrue(c.reply().startswith("220 "))
        return c

    def send_ok(self, sender="a@example.test", rcpts=("b@mail.example.test",), msg=b"Subject: t\r\n\r\nhi\r\n",
                **kw):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
            s.ehlo("client.test")
            s.mail(sender, kw.get("mail_options", []))
            for r in rcpts:
                code, text = s.rcpt(r, kw.get("rcpt_options", []))
                self.assertEqual(code, 250, text)
            code, text = s.data(msg)
            self.assertEqual(code, 250, text)
            return queued_id(text.decode())

    # -- greeting, EHLO, simple commands ----------------------------------
    def test_banner_ehlo_and_simple_commands(self):
        c = Raw(self.port)
        self.addCleanup(c.close)
        self.assertEqual(c.reply(), f"220 {HOST} ESMTP Postern")
        self.assertEqual(c.cmd("EHLO client.test").split("\n"),
                         [f"250-{HOST}", "250-PIPELINING", "250-SIZE 2000000", "250-ENHANCEDSTATUSCODES",
                          "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING"])
        self.assertEqual(c.cmd("HELO client.test"), f"250 {HOST}")
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")
        self.assertEqual(c.cmd("RSET"), "250 2.0.0 Ok")
        self.assertEqual(c.cmd("VRFY postmaster"), "502 5.5.1 VRFY command is disabled")
        self.assertTrue(c.cmd("HELP").startswith("214 2.0.0 "))
        self.assertEqual(c.cmd("FOO bar"), "500 5.5.2 Error: command not recognized")
        self.assertEqual(c.cmd("RCPT TO:<b@mail.example.test>"), "503 5.5.1 Error: need MAIL command")
        self.assertEqual(c.cmd("DATA"), "503 5.5.1 Error: need RCPT command")
        self.assertEqual(c.cmd("MAIL FROM:<a@example.test>"), "250 2.1.0 Ok")
        self.assertEqual(c.cmd("MAIL FROM:<a@example.test>"), "503 5.5.1 Error: nested MAIL command")
        self.assertEqual(c.cmd("MAIL FROM:<a@example.test"), "501 5.1.7 Bad sender address syntax")
        self.assertEqual(c.cmd("QUIT"), "221 2.0.0 Bye")
        self.assertTrue(c.closed())
        self.inst.wait_for_log(r"disconnect from localhost\[127\.0\.0\.1\] helo=1 ehlo=1 mail=1/3 rcpt=0/1 "
                               r"data=0/1 rset=1 noop=1 vrfy=0/1 help=1 quit=1 unknown=0/1 commands=7/13")

    # -- a message end to end ------------------------------------------------
    def test_message_queued_with_envelope_headers_and_logs(self):
        msg = b"Subject: hello\r\nFrom: a@example.test\r\n\r\nline 1\r\n..dot stuffed\r\n"
        qid = self.send_ok(msg=msg, mail_options=["RET=HDRS", "ENVID=env+2Bid"],
                           rcpt_options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;orig@example.test"])
        self.assertIsNotNone(qid)
        q = read_queue_file(self.queue, qid)
        self.assertEqual(incoming_files(self.queue)[qid], 0o700)
        self.assertEqual(q["sender"], "a@example.test")
        self.assertEqual(q["rcpts"], [{"done": "N", "notify": 2 | 4, "address": "b@mail.example.test",
                                       "orcpt": "rfc822;orig@example.test"}])
        self.assertEqual(q["attrs"]["client_address"], "127.0.0.1")
        self.assertEqual(q["attrs"]["client_name"], "localhost")
        self.assertEqual(q["attrs"]["protocol"], "ESMTP")
        self.assertEqual(q["attrs"]["helo_name"], "client.test")
        self.assertEqual(q["attrs"]["ret"], "HDRS")
        self.assertEqual(q["attrs"]["envid"], "env+id")
        content = q["content"]
        self.assertTrue(content.startswith(
            b"Received: from client.test (localhost [127.0.0.1])\r\n\tby mail.example.test (Postfix) with ESMTP id "
            + qid.encode() + b"\r\n\tfor <b@mail.example.test>; "), content)
        self.assertIn(b"\r\nSubject: hello\r\nFrom: a@example.test\r\n", content)
        self.assertIn(b"\r\nMessage-Id: <", content)
        self.assertIn(b"\r\nDate: ", content)
        # smtplib stuffs "..dot" to "...dot"; smtpd removes one dot again
        self.assertTrue(content.endswith(b"\r\n\r\nline 1\r\n..dot stuffed\r\n"), content)
        self.inst.wait_for_log(qid + r": client=localhost\[127\.0\.0\.1\]")
        self.inst.wait_for_log(qid + r": message-id=<\d{14}\." + qid + "@mail.example.test>")

    def test_swaks(self):
        if not shutil.which("swaks"):
            self.skipTest("swaks is not installed")
        r = subprocess.run(["swaks", "--server", f"127.0.0.1:{self.port}", "--from", "s@example.test",
                            "--to", "b@mail.example.test", "--helo", "swaks.test", "--body", "swaks body"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        qid = queued_id(r.stdout)
        self.assertIsNotNone(qid, r.stdout)
        self.assertIn(b"swaks body", read_queue_file(self.queue, qid)["content"])
        # and with PIPELINING
        r = subprocess.run(["swaks", "--server", f"127.0.0.1:{self.port}", "--from", "s@example.test",
                            "--to", "b@mail.example.test", "--pipeline", "--body", "piped"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_pipelining(self):
        c = self.raw()
        c.cmd("EHLO pipe.test")
        c.send("MAIL FROM:<p@example.test>\r\nRCPT TO:<b@mail.example.test>\r\nRCPT TO:<x@remote.test>\r\n"
               "RCPT TO:<c@mail.example.test>\r\nDATA\r\n")
        self.assertEqual(c.reply(), "250 2.1.0 Ok")
        self.assertEqual(c.reply(), "250 2.1.5 Ok")
        self.assertEqual(c.reply(), "250 2.1.5 Ok")  # 127.0.0.1 is in mynetworks
        self.assertEqual(c.reply(), "250 2.1.5 Ok")
        self.assertTrue(c.reply().startswith("354 "))
        c.send("Subject: p\r\n\r\nbody\r\n.\r\nMAIL FROM:<q@example.test>\r\nRCPT TO:<b@mail.example.test>\r\n"
               "DATA\r\nSubject: q\r\n\r\nsecond\r\n.\r\nQUIT\r\n")
        first = c.reply()
        self.assertTrue(first.startswith("250 2.0.0 Ok: queued as "), first)
        self.assertEqual(c.reply(), "250 2.1.0 Ok")
        self.assertEqual(c.reply(), "250 2.1.5 Ok")
        self.assertTrue(c.reply().startswith("354 "))
        second = c.reply()
        self.assertTrue(second.startswith("250 2.0.0 Ok: queued as "), second)
        self.assertEqual(c.reply(), "221 2.0.0 Bye")
        q = read_queue_file(self.queue, queued_id(first))
        self.assertEqual([r["address"] for r in q["rcpts"]],
                         ["b@mail.example.test", "x@remote.test", "c@mail.example.test"])
        self.assertTrue(q["content"].endswith(b"\r\n\r\nbody\r\n"))
        self.assertTrue(read_queue_file(self.queue, queued_id(second))["content"].endswith(b"\r\n\r\nsecond\r\n"))

    def test_chunking(self):
        c = self.raw()
        c.cmd("EHLO chunk.test")
        c.send("BDAT 5\r\nabcde")  # refused, but the chunk is read and skipped
        self.assertEqual(c.reply(), "503 5.5.1 Error: need MAIL command")
        c.cmd("MAIL FROM:<c@example.test> BODY=8BITMIME")
        c.cmd("RCPT TO:<b@mail.example.test>")
        part1 = b"Subject: chunked\r\n\r\nfirst part, with a lone dot line next\r\n.\r\n"
        part2 = b"and the rest \xc3\xa9\r\n"
        c.send(b"BDAT %d\r\n" % len(part1) + part1)
        self.assertEqual(c.reply(), f"250 2.0.0 Ok: {len(part1)} bytes")
        c.send(b"BDAT %d LAST\r\n" % len(part2) + part2)
        r = c.reply()
        self.assertRegex(r, r"^250 2\.0\.0 Ok: %d bytes queued as \w+$" % (len(part1) + len(part2)))
        q = read_queue_file(self.queue, queued_id(r))
        self.assertEqual(body_of(q["content"]), b"first part, with a lone dot line next\r\n.\r\n" + part2)
        self.assertEqual(q["attrs"]["body"], "8BITMIME")
        # BDAT 0 LAST ends an empty-tailed message; DATA is refused during BDAT.
        c.cmd("MAIL FROM:<c@example.test>")
        c.cmd("RCPT TO:<b@mail.example.test>")
        c.send(b"BDAT 14\r\nSubject: z\r\n\r\n")
        self.assertEqual(c.reply(), "250 2.0.0 Ok: 14 bytes")
        self.assertEqual(c.cmd("DATA"), "503 5.5.1 Error: DATA after BDAT")
        self.assertEqual(c.cmd("BDAT 0"), "551 5.7.1 Null BDAT request")
        self.assertTrue(c.cmd("BDAT 0 LAST").startswith("250 2.0.0 Ok: 14 bytes queued as "))
        self.assertEqual(c.cmd("BDAT x"), "521 5.5.4 Syntax: BDAT count [LAST]")
        self.assertTrue(c.closed())

    # -- limits ----------------------------------------------------------------
    def test_size_limit(self):
        c = self.raw()
        c.cmd("EHLO size.test")
        self.assertEqual(c.cmd("MAIL FROM:<s@example.test> SIZE=2000001"), "552 5.3.4 Message size exceeds fixed limit")
        c.cmd("MAIL FROM:<s@example.test> SIZE=1000")
        c.cmd("RCPT TO:<b@mail.example.test>")
        self.assertTrue(c.cmd("DATA").startswith("354"))
        line = b"x" * 998 + b"\r\n"
        c.send(b"Subject: big\r\n\r\n" + line * 2100 + b".\r\n")
        self.assertEqual(c.reply(), "552 5.3.4 Message size exceeds fixed limit")
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")
        # BDAT past the limit
        c.cmd("MAIL FROM:<s@example.test>")
        c.cmd("RCPT TO:<b@mail.example.test>")
        big = b"y" * 2100000
        c.send(b"BDAT %d LAST\r\n" % len(big) + big)
        self.assertEqual(c.reply(), "552 5.3.4 Chunk exceeds message size limit")
        self.assertEqual(c.cmd("QUIT"), "221 2.0.0 Bye")
        self.inst.wait_for_log(r"NOQUEUE: reject: END-OF-MESSAGE from localhost\[127\.0\.0\.1\]: 552 5\.3\.4 ")

    def test_over_long_lines(self):
        c = self.raw()
        c.cmd("EHLO long.test")
        self.assertEqual(c.cmd("NOOP " + "a" * 600), "500 5.5.2 Error: line too long")
        c.send("MAIL FROM:<" + "b" * 200000)  # no newline for a long time: bounded buffer
        c.send("@example.test>\r\n")
        self.assertEqual(c.reply(), "500 5.5.2 Error: line too long")
        self.assertEqual(c.cmd("MAIL FROM:<l@example.test>"), "250 2.1.0 Ok")
        c.cmd("RCPT TO:<b@mail.example.test>")
        c.cmd("DATA")
        c.send(b"Subject: l\r\n\r\n" + b"z" * 1200 + b"\r\n.\r\n")
        self.assertTrue(c.reply().startswith("552 5.6.0 "))
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")

    def test_hard_error_limit(self):
        c = self.raw()
        for _ in range(19):
            self.assertEqual(c.cmd("BOGUS"), "500 5.5.2 Error: command not recognized")
        self.assertEqual(c.cmd("BOGUS"), "500 5.5.2 Error: command not recognized")
        self.assertEqual(c.reply(), "421 4.7.0 mail.example.test Error: too many errors")
        self.assertTrue(c.closed())
        self.inst.wait_for_log(r"too many errors after UNKNOWN|too many errors after CONNECT")

    def test_junk_command_limit(self):
        # NOOP, VRFY and RSET beyond smtpd_junk_command_limit (3) count as
        # errors: the fifth such error reaches smtpd_hard_error_limit (5).
        c = self.raw(port=self.junk_port)
        for verb in ("NOOP", "RSET", "NOOP", "RSET", "NOOP", "NOOP", "RSET"):
            self.assertTrue(c.cmd(verb).startswith("250 "), verb)
        self.assertEqual(c.cmd("NOOP"), "421 4.7.0 mail.example.test Error: too many errors")
        self.assertTrue(c.closed())
        self.inst.wait_for_log(r"too many errors after NOOP from localhost\[127\.0\.0\.1\]")
        # Real commands do not count: a normal session keeps its NOOPs.
        c = self.raw(port=self.junk_port)
        self.assertTrue(c.cmd("EHLO client.test").startswith("250-"))
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")

    def test_soft_error_limit_slows_replies(self):
        c = self.raw(port=self.sleep_port)
        self.assertEqual(c.cmd("BOGUS"), "500 5.5.2 Error: command not recognized")
        begin = time.monotonic()
        c.cmd("BOGUS")  # the second error reaches the soft limit: the next reply waits
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")
        self.assertGreaterEqual(time.monotonic() - begin, 0.9)

    def test_trickled_input(self):
        c = self.raw()
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        script = (b"EHLO trickle.test\r\nMAIL FROM:<t@example.test>\r\nRCPT TO:<b@mail.example.test>\r\n"
                  b"DATA\r\nSubject: trickle\r\n\r\none\r\n..two\r\n.\r\n")
        for i in range(len(script)):
            c.send(script[i:i + 1])
        replies = [c.reply() for _ in range(5)]
        self.assertTrue(replies[-1].startswith("250 2.0.0 Ok: queued as "), replies)
        q = read_queue_file(self.queue, queued_id(replies[-1]))
        self.assertEqual(body_of(q["content"]), b"one\r\n.two\r\n")

    def test_random_garbage_never_crashes(self):
        rng = random.Random(3)
        pieces = [b"\r\n", b"\n", b"\r", b".", b"\r\n.\r\n", b"DATA\r\n", b"BDAT 5\r\n", b"BDAT 7 LAST\r\n",
                  b"MAIL FROM:<a@b>\r\n", b"RCPT TO:<b@mail.example.test>\r\n", b"EHLO x\r\n", b"\x00",
                  b"\xff\xfe", b"RSET\r\n", b"A" * 700, "ü".encode()]

        def garbage(n):
            try:
                c = Raw(self.port, "127.0.0.5", timeout=5)
                for _ in range(200):
                    c.send(rng.choice(pieces) if rng.random() < 0.7 else bytes(rng.randrange(256) for _ in range(20)))
                c.close()
            except OSError:
                pass  # the server may hang up (521, too many errors): fine

        threads = [threading.Thread(target=garbage, args=(n,)) for n in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertIsNotNone(self.send_ok())
        self.assertNotRegex(self.inst.log(), r"smtpd pid \d+ (killed by signal (?!9\b)|exit status)")

    def test_recipient_limit(self):
        c = self.raw(port=self.timeout_port)
        c.cmd("EHLO many.test")
        c.cmd("MAIL FROM:<a@example.test>")
        self.assertEqual(c.cmd("RCPT TO:<r1@mail.example.test>"), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<r2@mail.example.test>"), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<r3@mail.example.test>"), "452 4.5.3 Error: too many recipients")

    def test_timeout(self):
        c = self.raw(port=self.timeout_port)
        c.cmd("EHLO slow.test")
        c.send("MAIL FROM:<a@ex")
        self.assertEqual(c.reply(), "421 4.4.2 mail.example.test Error: timeout exceeded")
        self.assertTrue(c.closed())
        self.inst.wait_for_log(r"timeout after EHLO from localhost\[127\.0\.0\.1\]")

    def test_queue_minfree_at_mail(self):
        c = self.raw(port=self.minfree_port)
        c.cmd("EHLO full.test")
        self.assertEqual(c.cmd("MAIL FROM:<a@example.test>"), "452 4.3.1 Insufficient system storage")
        self.assertEqual(c.cmd("QUIT"), "221 2.0.0 Bye")

    # -- relay rules ---------------------------------------------------------------
    def test_relay_rules(self):
        c = self.raw(source="127.0.0.2")
        c.cmd("EHLO client")
        c.cmd("MAIL FROM:<a@b>")
        self.assertEqual(c.cmd("RCPT TO:<x@remote.test>"), "554 5.7.1 <x@remote.test>: Relay access denied")
        self.assertEqual(c.cmd("RCPT TO:<y@MAIL.example.test>"), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<postmaster@localhost>"), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<z@[192.0.2.1]>"), "554 5.7.1 <z@[192.0.2.1]>: Relay access denied")
        c.cmd("QUIT")
        self.inst.wait_for_log(re.escape("NOQUEUE: reject: RCPT from unknown[127.0.0.2]: 554 5.7.1 <x@remote.test>: "
                                         "Relay access denied; from=<a@b> to=<x@remote.test> proto=ESMTP helo=<client>"))
        self.inst.wait_for_log(re.escape("connect from unknown[127.0.0.2]"))

    # -- smuggling -------------------------------------------------------------------
    SMUGGLING_VARIANTS = [b"\n.\n", b"\r.\r", b"\n.\r\n", b"\r\n.\n", b"\r.\r\n", b"\r\n.\r", b"\n.\r",
                          b"\r\n.\r\r\n", b"\n.\n\r\n", b"\r\n\x00.\r\n"]

    def smuggle(self, variant, port=None):
        c = self.raw(source="127.0.0.3", port=port)
        c.cmd("EHLO smuggler")
        c.cmd("MAIL FROM:<outer@example.test>")
        c.cmd("RCPT TO:<b@mail.example.test>")
        self.assertTrue(c.cmd("DATA").startswith("354"))
        c.send(b"Subject: outer\r\n\r\nfirst" + variant +
               b"MAIL FROM:<evil@example.test>\r\nRCPT TO:<b@mail.example.test>\r\nDATA\r\n"
               b"Subject: smuggled\r\n\r\nevil\r\n.\r\n")
        final = c.reply()
        self.assertEqual(c.cmd("QUIT"), "221 2.0.0 Bye")  # nothing else was answered in between
        c.close()
        return final

    def test_smuggling_variants_never_end_data(self):
        for variant in self.SMUGGLING_VARIANTS:
            with self.subTest(variant=variant):
                final = self.smuggle(variant)
                if b"\n" in variant.replace(b"\r\n", b""):
                    self.assertEqual(final, "550 5.5.2 mail.example.test Error: bare <LF> received")
                else:
                    self.assertTrue(final.startswith("250 2.0.0 Ok: queued as "), final)
                    q = read_queue_file(self.queue, queued_id(final))
                    self.assertEqual(q["sender"], "outer@example.test")
                    self.assertIn(b"MAIL FROM:<evil@example.test>", q["content"])
        for name in incoming_files(self.queue):
            self.assertNotEqual(read_queue_file(self.queue, name)["sender"], "evil@example.test")

    def test_smuggling_normalize_keeps_one_message(self):
        final = self.smuggle(b"\n.\n", port=self.normalize_port)
        self.assertTrue(final.startswith("250 2.0.0 Ok: queued as "), final)
        q = read_queue_file(self.queue, queued_id(final))
        self.assertEqual(q["sender"], "outer@example.test")
        self.assertIn(b"\r\nMAIL FROM:<evil@example.test>\r\n", q["content"])

    def test_bare_lf_in_command(self):
        c = self.raw(source="127.0.0.2")
        c.send("EHLO lf.test\n")
        self.assertEqual(c.reply(), "550 5.5.2 mail.example.test Error: bare <LF> received")
        self.assertTrue(c.cmd("EHLO lf.test").startswith("250-"))

    # -- 8BITMIME and SMTPUTF8 ---------------------------------------------------------
    def test_smtputf8_and_8bitmime(self):
        c = self.raw()
        c.cmd("EHLO utf8.test")
        self.assertEqual(c.cmd("MAIL FROM:<jö@example.test>"), "553 5.6.7 Must declare SMTPUTF8 to send unicode address")
        self.assertEqual(c.cmd("MAIL FROM:<jö@example.test> SMTPUTF8 BODY=8BITMIME"), "250 2.1.0 Ok")
        self.assertEqual(c.cmd("RCPT TO:<üser@mail.example.test>"), "250 2.1.5 Ok")
        c.cmd("DATA")
        body = "Subject: grüße\r\n\r\nÀ bientôt — 日本語\r\n".encode()
        c.send(body + b".\r\n")
        r = c.reply()
        self.assertTrue(r.startswith("250 2.0.0 Ok: queued as "), r)
        q = read_queue_file(self.queue, queued_id(r))
        self.assertEqual(q["sender"], "jö@example.test")
        self.assertEqual(q["rcpts"][0]["address"], "üser@mail.example.test")
        self.assertEqual(q["attrs"]["smtputf8"], "1")
        self.assertEqual(q["attrs"]["body"], "8BITMIME")
        self.assertTrue(q["content"].endswith("À bientôt — 日本語\r\n".encode()))

    # -- load ----------------------------------------------------------------------------
    def test_1000_messages_from_20_parallel_clients(self):
        sent = {}
        errors = []
        lock = threading.Lock()
        # A stalled client holds a session open the whole time: it must not slow the others.
        stalled = self.raw()
        stalled.send("MAIL FROM:<stall")

        def client(n):
            rng = random.Random(n)
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=60) as s:
                    s.ehlo(f"c{n}.test")
                    for i in range(50):
                        body = "".join(f"{n}-{i}-{rng.random()}\r\n" for _ in range(rng.randint(1, 200)))
                        msg = f"Subject: m {n} {i}\r\n\r\n{body}".encode()
                        s.mail(f"c{n}@example.test")
                        s.rcpt("b@mail.example.test")
                        code, text = s.data(msg)
                        if code != 250:
                            raise AssertionError(f"{code} {text}")
                        with lock:
                            sent[queued_id(text.decode())] = hashlib.sha256(body.encode()).hexdigest()
            except Exception as e:  # reported below
                errors.append(f"client {n}: {e!r}")

        def hostile(n):
            # Meanwhile: floods, smuggling and junk on other sessions.
            try:
                for _ in range(3):
                    h = Raw(self.port, "127.0.0.4")
                    h.reply()
                    h.send(b"NOOP " + b"A" * 300000 + b"\r\n")
                    if h.reply() != "500 5.5.2 Error: line too long":
                        raise AssertionError("flood")
                    h.send(b"EHLO x\n")
                    if "bare <LF>" not in h.reply():
                        raise AssertionError("bare LF")
                    h.send(b"MAIL FROM:<a@b>\r\nRCPT TO:<b@mail.example.test>\r\nDATA\r\n")
                    h.reply(), h.reply(), h.reply()
                    h.send(b"x\n.\nMAIL FROM:<evil@b>\r\n\r\n.\r\n")
                    if "bare <LF>" not in h.reply():
                        raise AssertionError("smuggling")
                    h.close()
            except Exception as e:
                errors.append(f"hostile {n}: {e!r}")

        start = time.monotonic()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
        threads += [threading.Thread(target=hostile, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        stalled.close()
        self.assertEqual(errors, [])
        self.assertEqual(len(sent), 1000)
        for qid, digest in sent.items():
            q = read_queue_file(self.queue, qid)
            self.assertEqual(hashlib.sha256(body_of(q["content"])).hexdigest(), digest, qid)
        print(f"1000 messages from 20 clients in {elapsed:.1f}s", file=sys.stderr)
        self.assertLess(elapsed, 60)

    # -- durability ----------------------------------------------------------------------
    def test_kill_after_250_keeps_the_message(self):
        c = self.raw()
        c.cmd("EHLO k.test")
        pids = smtpd_pids(self.inst)
        c.cmd("MAIL FROM:<k@example.test>")
        c.cmd("RCPT TO:<b@mail.example.test>")
        c.cmd("DATA")
        body = b"".join(b"durable line %d\r\n" % i for i in range(20000))
        c.send(b"Subject: k\r\n\r\n" + body + b".\r\n")
        r = c.reply()
        for pid in pids:  # at once, before anything else can happen
            os.kill(pid, signal.SIGKILL)
        qid = queued_id(r)
        self.assertIsNotNone(qid, r)
        self.assertEqual(incoming_files(self.queue)[qid], 0o700)
        self.assertEqual(body_of(read_queue_file(self.queue, qid)["content"]), body)
        self.inst.wait_for_log(r"killed by signal 9")

    def test_kill_mid_data_leaves_nothing(self):
        before = incoming_files(self.queue)
        c = self.raw()
        c.cmd("EHLO k.test")
        pids = smtpd_pids(self.inst)
        c.cmd("MAIL FROM:<k@example.test>")
        c.cmd("RCPT TO:<b@mail.example.test>")
        c.cmd("DATA")
        c.send(b"Subject: k\r\n\r\n" + b"partial line\r\n" * 100000)  # > 1 MB: spooled to disk
        time.sleep(0.5)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        self.assertTrue(wait_until(lambda: not any(process_exists(p) for p in pids), 5))
        self.assertEqual(incoming_files(self.queue), before)
        # and the service goes on
        self.assertIsNotNone(self.send_ok())

    def test_client_gone_mid_data_leaves_nothing(self):
        before = incoming_files(self.queue)
        c = self.raw()
        c.cmd("EHLO gone.test")
        c.cmd("MAIL FROM:<g@example.test>")
        c.cmd("RCPT TO:<b@mail.example.test>")
        c.cmd("DATA")
        c.send(b"Subject: gone\r\n\r\n" + b"0123456789\r\n" * 1000)
        c.close()
        self.inst.wait_for_log(r"lost connection after DATA \(\d+ bytes\) from localhost\[127\.0\.0\.1\]")
        self.assertEqual(incoming_files(self.queue), before)

    def test_client_gone_while_its_fsync_runs(self):
        # The queue file's fsync runs off the event loop; a client that sends
        # the final dot and leaves at once gets no reply, but what smtpd
        # sealed is completed (as Postfix's cleanup finishes on its own), the
        # session ends cleanly and the service goes on.
        before = incoming_files(self.queue)
        lost = re.compile(r"lost connection after (END-OF-MESSAGE|MAIL) from localhost\[127\.0\.0\.1\]")
        lost_before = len(lost.findall(self.inst.log()))
        c = self.raw()
        c.cmd("EHLO fsync.test")
        c.cmd("MAIL FROM:<f@example.test>")
        c.cmd("RCPT TO:<b@mail.example.test>")
        c.cmd("DATA")
        body = b"".join(b"gone before the reply %d\r\n" % i for i in range(3000))
        c.send(b"Subject: gone-at-dot\r\n\r\n" + body + b".\r\nMAIL FROM:<never@example.test>\r\n")
        c.close()
        self.assertTrue(wait_until(lambda: len(lost.findall(self.inst.log())) > lost_before, 20), self.inst.log())
        new = {k: v for k, v in incoming_files(self.queue).items() if k not in before}
        self.assertEqual(len(new), 1, new)
        qid, mode = next(iter(new.items()))
        self.assertEqual(mode, 0o700)
        self.assertEqual(body_of(read_queue_file(self.queue, qid)["content"]), body)
        self.assertIsNotNone(self.send_ok())
        self.assertNotRegex(self.inst.log(), r"smtpd pid \d+ (killed by signal (?!9\b)|exit status)")

    def test_bdat_after_a_refused_chunk(self):
        c = self.raw()
        c.cmd("EHLO chunk.test")
        c.cmd("MAIL FROM:<c@example.test>")
        c.cmd("RCPT TO:<b@mail.example.test>")
        big = b"y" * 2000001
        c.send(b"BDAT %d\r\n" % len(big) + big)
        self.assertEqual(c.reply(), "552 5.3.4 Chunk exceeds message size limit")
        c.send(b"BDAT 3 LAST\r\nabc")
        self.assertEqual(c.reply(), "551 5.0.0 Discarded 3 bytes after earlier error")
        self.assertEqual(c.cmd("MAIL FROM:<c@example.test>"), "250 2.1.0 Ok")

    def test_stale_incomplete_files_removed_at_start(self):
        incoming = os.path.join(self.queue, "incoming")
        stale = os.path.join(incoming, "4jXV000000z0000000")
        fresh = os.path.join(incoming, "4jXV000001z0000000")
        for path in (stale, fresh):
            with open(path, "wb") as f:
                f.write(b"PSTNQF\x01half")
            os.chmod(path, 0o600)
        old = time.time() - 7200
        os.utime(stale, (old, old))
        self.addCleanup(lambda: os.path.exists(fresh) and os.unlink(fresh))
        # Kill only now: a process master starts after this point scans
        # incoming/ with both files in it.
        for pid in smtpd_pids(self.inst):
            os.kill(pid, signal.SIGKILL)
        self.assertIsNotNone(self.send_ok())  # a new smtpd process starts
        self.assertFalse(os.path.exists(stale))
        self.assertTrue(os.path.exists(fresh))  # may belong to a live writer

    def test_stand_alone_mode_on_a_socketpair(self):
        ours, theirs = socket.socketpair()
        env = dict(os.environ, MAIL_CONFIG=self.inst.conf)
        proc = subprocess.Popen([os.path.join(os.environ.get("POSTERN_BUILD_DIR", ""), "bin", "smtpd"), "-S",
                                 "-c", self.inst.conf], stdin=theirs, stdout=theirs, env=env)
        theirs.close()
        try:
            f = ours.makefile("rwb")
            self.assertEqual(f.readline(), f"220 {HOST} ESMTP Postern\r\n".encode())
            f.write(b"HELO sa.test\r\nMAIL FROM:<s@example.test>\r\nRCPT TO:<b@mail.example.test>\r\nDATA\r\n")
            f.flush()
            self.assertEqual([f.readline() for _ in range(4)],
                             [f"250 {HOST}\r\n".encode(), b"250 2.1.0 Ok\r\n", b"250 2.1.5 Ok\r\n",
                              b"354 End data with <CR><LF>.<CR><LF>\r\n"])
            f.write(b"Subject: sa\r\n\r\nstand-alone\r\n.\r\nQUIT\r\n")
            f.flush()
            r = f.readline().decode()
            self.assertIn("queued as", r)
            self.assertEqual(f.readline(), b"221 2.0.0 Bye\r\n")
            q = read_queue_file(self.queue, queued_id(r))
            self.assertEqual(q["attrs"]["protocol"], "SMTP")
            self.assertEqual(body_of(q["content"]), b"stand-alone\r\n")
            self.assertEqual(proc.wait(timeout=10), 0)
        finally:
            ours.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def test_too_many_hops(self):
        c = self.raw()
        c.cmd("EHLO hops.test")
        c.cmd("MAIL FROM:<h@example.test>")
        c.cmd("RCPT TO:<b@mail.example.test>")
        c.cmd("DATA")
        c.send(b"".join(b"Received: from hop%d\r\n" % i for i in range(50)) + b"Subject: loop\r\n\r\nx\r\n.\r\n")
        self.assertEqual(c.reply(), "554 5.4.0 Error: too many hops")
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")


class DefaultConfigTest(unittest.TestCase):
    """No mynetworks, no smtpd_forbid_bare_newline in main.cf: the defaults."""

    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        # It sends to made-up users: local_recipient_maps is tested in LocalRecipientTest.
        cls.inst = make_instance("local_recipient_maps =\n", f"127.0.0.1:{cls.port} inet n - n - - smtpd\n")

    @classmethod
    def tearDownClass(cls):
        cls.inst.cleanup()

    def session(self, source):
        c = Raw(self.port, source)
        self.addCleanup(c.close)
        c.reply()
        c.cmd("EHLO d.test")
        return c

    def test_mynetworks_style_host(self):
        c = self.session("127.0.0.2")  # loopback, but not this host's address: not trusted
        c.cmd("MAIL FROM:<a@b>")
        self.assertEqual(c.cmd("RCPT TO:<x@remote.test>"), "554 5.7.1 <x@remote.test>: Relay access denied")
        self.assertEqual(c.cmd("RCPT TO:<x@localhost>"), "250 2.1.5 Ok")
        c = self.session("127.0.0.1")
        c.cmd("MAIL FROM:<a@b>")
        self.assertEqual(c.cmd("RCPT TO:<x@remote.test>"), "250 2.1.5 Ok")

    def test_bare_newline_rejected_except_for_mynetworks(self):
        c = self.session("127.0.0.2")
        c.send("NOOP\n")
        self.assertEqual(c.reply(), "550 5.5.2 mail.example.test Error: bare <LF> received")
        c = self.session("127.0.0.1")
        c.send("NOOP\n")
        self.assertEqual(c.reply(), "250 2.0.0 Ok")

    def test_vrfy_off(self):
        c = self.session("127.0.0.1")
        self.assertEqual(c.cmd("VRFY root"), "502 5.5.1 VRFY command is disabled")


class LocalRecipientTest(unittest.TestCase):
    """local_recipient_maps: unknown users in local domains are rejected at RCPT."""

    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.code450_port = free_port()
        cls.off_port = free_port()
        cls.tempfail_port = free_port()
        master_cf = (f"127.0.0.1:{cls.port} inet n - n - - smtpd\n"
                     f"127.0.0.1:{cls.code450_port} inet n - n - - smtpd"
                     f" -o unknown_local_recipient_reject_code=450\n"
                     f"127.0.0.1:{cls.off_port} inet n - n - - smtpd -o local_recipient_maps=\n"
                     f"127.0.0.1:{cls.tempfail_port} inet n - n - - smtpd"
                     f" -o local_recipient_maps=hash:/nonexistent/postern/aliases\n")

        def prepare(inst):
            aliases = os.path.join(inst.conf, "aliases")
            with open(aliases, "w") as f:
                f.write("# test aliases\naliasonly: root\n")
            # local_recipient_maps keeps its default: proxy:unix:passwd.byname $alias_maps
            inst.write_main_cf(base_config().replace("local_recipient_maps =\n", "")
                               + f"alias_maps = hash:{aliases}\nalias_database = hash:{aliases}\n"
                               "recipient_delimiter = +\n")
            r = inst.command("postalias", f"hash:{aliases}")
            if r.returncode != 0:
                raise AssertionError(f"postalias: {r.stderr}")
            os.chmod(aliases + ".db", 0o644)

        cls.inst = make_instance("", master_cf, prepare)

    @classmethod
    def tearDownClass(cls):
        cls.inst.cleanup()

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log()[-6000:])

    def session(self, port=None):
        c = Raw(port or self.port)
        self.addCleanup(c.close)
        self.assertTrue(c.reply().startswith("220 "))
        c.cmd("EHLO x")
        self.assertEqual(c.cmd("MAIL FROM:<a@b>"), "250 2.1.0 Ok")
        return c

    def test_defaults(self):
        r = self.inst.command("postconf", "local_recipient_maps")
        self.assertEqual(r.stdout.strip(), "local_recipient_maps = proxy:unix:passwd.byname $alias_maps")

    def test_unknown_local_user_rejected_and_logged(self):
        c = self.session()
        self.assertEqual(c.cmd("RCPT TO:<nosuch@mail.example.test>"),
                         "550 5.1.1 <nosuch@mail.example.test>: Recipient address rejected: "
                         "User unknown in local recipient table")
        self.inst.wait_for_log(
            r"postfix/smtpd\[\d+\]: NOQUEUE: reject: RCPT from localhost\[127\.0\.0\.1\]: 550 5\.1\.1 "
            r"<nosuch@mail\.example\.test>: Recipient address rejected: User unknown in local recipient table; "
            r"from=<a@b> to=<nosuch@mail\.example\.test> proto=ESMTP helo=<x>")
        self.assertEqual(c.cmd("RCPT TO:<nosuch@localhost>"),
                         "550 5.1.1 <nosuch@localhost>: Recipient address rejected: "
                         "User unknown in local recipient table")
        # Not a local domain: the relay rule answers, the user is not looked up.
        self.assertEqual(c.cmd("RCPT TO:<nosuch@remote.test>"), "250 2.1.5 Ok")

    def test_system_user_accepted(self):
        c = self.session()
        self.assertEqual(c.cmd("RCPT TO:<root@mail.example.test>"), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<ROOT@Mail.Example.TEST>"), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<root+tag@localhost>"), "250 2.1.5 Ok")

    def test_alias_only_name_accepted(self):
        c = self.session()
        self.assertEqual(c.cmd("RCPT TO:<aliasonly@mail.example.test>"), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<AliasOnly+ext@localhost>"), "250 2.1.5 Ok")

    def test_bare_postmaster_accepted(self):
        c = self.session()
        self.assertEqual(c.cmd("RCPT TO:<postmaster>"), "250 2.1.5 Ok")

    def test_empty_maps_accept_unknown_users(self):
        c = self.session(self.off_port)
        self.assertEqual(c.cmd("RCPT TO:<nosuch@mail.example.test>"), "250 2.1.5 Ok")

    def test_reject_code_450(self):
        c = self.session(self.code450_port)
        self.assertEqual(c.cmd("RCPT TO:<nosuch@mail.example.test>"),
                         "450 4.1.1 <nosuch@mail.example.test>: Recipient address rejected: "
                         "User unknown in local recipient table")
        self.assertEqual(c.cmd("RCPT TO:<root@mail.example.test>"), "250 2.1.5 Ok")

    def test_lookup_failure_is_temporary(self):
        c = self.session(self.tempfail_port)
        self.assertEqual(c.cmd("RCPT TO:<nosuch@mail.example.test>"),
                         "451 4.3.0 <nosuch@mail.example.test>: Temporary lookup failure")


@unittest.skipUnless(IS_ROOT, "needs root to mount a small tmpfs as the queue's incoming/ folder")
class FullDiskTest(unittest.TestCase):
    def setUp(self):
        self.port = free_port()
        self.inst = make_instance(base_config("message_size_limit = 0\n"),
                                  f"127.0.0.1:{self.port} inet n - n - - smtpd\n")
        self.incoming = os.path.join(self.inst.queue, "incoming")
        st = os.stat(self.incoming)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size=1m,mode=0700,uid={st.st_uid},gid={st.st_gid}",
                        "postern-test", self.incoming], check=True)
        self.mounted = True

    def tearDown(self):
        if self.mounted:
            subprocess.run(["umount", self.incoming])
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log()[-4000:])
        self.inst.cleanup()

    def send(self, size):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
            s.ehlo("full.test")
            s.mail("a@example.test")
            s.rcpt("b@mail.example.test")
            return s.data(b"Subject: f\r\n\r\n" + (b"f" * 78 + b"\r\n") * (size // 80))

    def resource_notices(self, count):
        """Waits for `count` postmaster notices (default notify_classes has
        "resource": each 452 session reports itself) and returns their names."""
        def notices():
            found = []
            for name in os.listdir(self.incoming):
                path = os.path.join(self.incoming, name)
                if name == "filler" or not os.stat(path).st_mode & stat.S_IXUSR:
                    continue  # not a queue file, or one still being written (no "complete" mark)
                q = read_queue_file(self.inst.queue, name)
                if q["sender"].startswith("double-bounce@"):
                    found.append((name, q))
            return found
        if not wait_until(lambda: len(notices()) == count, timeout=10):
            raise AssertionError(f"expected {count} resource notices: {notices()}\n{self.inst.log()}")
        for _, q in notices():
            self.assertTrue(q["end"])
            self.assertEqual([r["address"] for r in q["rcpts"]], ["postmaster@mail.example.test"])
            self.assertIn(b"Subject: Postern SMTP server: errors from localhost[127.0.0.1]\r\n", q["content"])
            self.assertIn(b"Error classes: resource\r\n", q["content"])
            self.assertIn(b"Out: 452 4.3.1 Insufficient system storage\r\n", q["content"])
        return sorted(name for name, _ in notices())

    def test_full_disk_gives_452_and_recovers(self):
        filler = os.path.join(self.incoming, "filler")
        with open(filler, "wb") as f:
            f.write(b"\0" * (1024 * 1024 - 64 * 1024))
        code, text = self.send(300 * 1024)
        self.assertEqual((code, text), (452, b"4.3.1 Insufficient system storage"))
        notices = self.resource_notices(1)
        # Nothing half-written: only the postmaster's notice of the failure.
        self.assertEqual(sorted(os.listdir(self.incoming)), sorted(["filler"] + notices))
        self.assertEqual(self.send(2000)[0], 250)  # small mail still fits: service continues
        os.unlink(filler)
        code, text = self.send(300 * 1024)
        self.assertEqual(code, 250, text)
        # Larger than the whole file system: the spool file (past 1 MB) fails mid-DATA.
        code, text = self.send(1536 * 1024)
        self.assertEqual((code, text), (452, b"4.3.1 Insufficient system storage"))
        notices = self.resource_notices(2)
        self.assertEqual(len(os.listdir(self.incoming)), 2 + len(notices))  # the two earlier messages only
        self.assertEqual(self.send(2000)[0], 250)


if __name__ == "__main__":
    unittest.main()
