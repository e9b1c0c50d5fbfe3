"""imapd from dovecot.conf: Python imaplib (and raw sockets where imaplib
hides the wire) against one instance: pre-login commands, LOGIN and
AUTHENTICATE with SASL-IR, STARTTLS and implicit TLS, LOGINDISABLED, every
mailbox and message command, UIDPLUS/MOVE/ESEARCH/SPECIAL-USE/NAMESPACE,
two sessions seeing each other's changes, IDLE woken by our own sendmail
-> pickup -> qmgr -> local delivery, the FETCH cache on 10,000 messages, limits and
hostile input. Needs root (users, privilege drops)."""
import base64
import imaplib
import os
import pwd
import re
import socket
import ssl
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, IS_ROOT, Instance, free_port, wait_until  # noqa: E402

MASTER_CF = """\
qmgr      fifo  n       -       n       300     1       qmgr
local     unix  -       n       n       -       -       local
pickup    fifo  n       -       n       60      1       pickup
"""

MULTIPART = (
    "From: Alice Example <alice@example.test>\r\n"
    "To: bob@example.test, \"Carol C.\" <carol@example.test>\r\n"
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= report\r\n"
    "Date: Mon, 7 Feb 2022 10:00:00 +0100\r\n"
    "Message-ID: <m1@example.test>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Hello w=C3=B6rld, the quarterly numbers\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream; name=\"a.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"a.bin\"\r\n"
    "\r\n"
    "AAECAw==\r\n"
    "--b1--\r\n"
)


def simple(subject, body="body text\r\n", sender="dave@example.test"):
    return (f"From: {sender}\r\nTo: alice@example.test\r\nSubject: {subject}\r\n"
            f"Date: Tue, 1 Mar 2022 09:00:00 +0000\r\n\r\n{body}")


def chown_tree(path, pw):
    for root, dirs, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for f in files:
            os.chown(os.path.join(root, f), pw.pw_uid, pw.pw_gid)


class Raw:
    """A line-level IMAP client for what imaplib hides or refuses to send."""

    def __init__(self, port, timeout=10, tls_ctx=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls_ctx:
            self.sock = tls_ctx.wrap_socket(self.sock)
        self.buf = b""
        self.greeting = self.line()

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError(self.buf)
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def cmd(self, tag, text):
        """Sends one command; returns (untagged lines, tagged line)."""
        self.send(f"{tag} {text}\r\n")
        return self.until(tag)

    def until(self, tag):
        untagged = []
        while True:
            line = self.line()
            if line.startswith(tag + " "):
                return untagged, line
            untagged.append(line)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def tls_context(cert):
    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False
    return ctx


class ImapBase(unittest.TestCase):
    extra_conf = ""
    main_cf_extra = ""
    with_delivery = False

    @classmethod
    def setUpClass(cls):
        if not IS_ROOT:
            raise unittest.SkipTest("needs root (users, privilege drops)")
        cls.port, cls.sport = free_port(), free_port()
        master_cf = MASTER_CF if cls.with_delivery else ""
        cls.inst = Instance(main_cf_extra=cls.main_cf_extra, master_cf=master_cf)
        cls.sysuser = "pi" + uuid.uuid4().hex[:8]
        cls.home = os.path.join(cls.inst.root, "home", cls.sysuser)
        os.makedirs(os.path.dirname(cls.home), exist_ok=True)
        subprocess.run(["useradd", "-M", "-d", cls.home, "-s", "/usr/sbin/nologin", cls.sysuser], check=True)
        os.makedirs(cls.home)
        cls.pw = pwd.getpwnam(cls.sysuser)
        os.chown(cls.home, cls.pw.pw_uid, cls.pw.pw_gid)
        cls.cert = os.path.join(cls.inst.conf, "cert.pem")
        cls.key = os.path.join(cls.inst.conf, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=mail.example.test",
                        "-addext", "subjectAltName=DNS:mail.example.test,DNS:localhost,IP:127.0.0.1",
                        "-keyout", cls.key, "-out", cls.cert],
                       capture_output=True, check=True)
        cls.vroot = os.path.join(cls.inst.root, "vmail")
        users = os.path.join(cls.inst.conf, "users")
        uid, gid = cls.pw.pw_uid, cls.pw.pw_gid
        with open(users, "w") as f:
            for name in ("alice", "bob", "carol", "dave"):
                f.write(f"{name}:{{PLAIN}}{name}-pw:{uid}:{gid}::{cls.vroot}/{name}::\n")
            # The system user too, so local delivery (to ~/Maildir/) and IMAP share a mailbox.
            f.write(f"{cls.sysuser}:{{PLAIN}}sys-pw:{uid}:{gid}::{cls.home}::\n")
        for name in ("alice", "bob", "carol", "dave"):
            os.makedirs(os.path.join(cls.vroot, name))
        chown_tree(cls.vroot, cls.pw)
        with open(os.path.join(cls.inst.conf, "dovecot.conf"), "w") as f:
            f.write("protocols = imap\n"
                    "listen = 127.0.0.1\n"
                    "mail_location = maildir:~/Maildir\n"
                    "ssl = yes\n"
                    f"ssl_cert = <{cls.cert}\n"
                    f"ssl_key = <{cls.key}\n"
                    "disable_plaintext_auth = yes\n"
                    "auth_mechanisms = plain login\n"
                    "auth_failure_delay = 0\n"
                    "mail_max_userip_connections = 4\n"
                    f"passdb {{\n  driver = passwd-file\n  args = {users}\n}}\n"
                    f"userdb {{\n  driver = passwd-file\n  args = {users}\n}}\n"
                    "service imap-login {\n"
                    f"  inet_listener imap {{\n    port = {cls.port}\n  }}\n"
                    f"  inet_listener imaps {{\n    port = {cls.sport}\n    ssl = yes\n  }}\n"
                    "}\n" + cls.extra_conf)
        if cls.with_delivery:
            aliases = os.path.join(cls.inst.conf, "aliases")
            with open(aliases, "w") as f:
                f.write("postmaster: root\n")
            cls.inst.write_main_cf(f"home_mailbox = Maildir/\nalias_maps = hash:{aliases}\n"
                                   f"alias_database = hash:{aliases}\nsmtpd_error_sleep_time = 0\n")
            r = cls.inst.command("newaliases")
            assert r.returncode == 0, r.stderr
            r = cls.inst.postfix("set-permissions")  # sendmail's postdrop group
            assert r.returncode == 0, r.stderr
        cls.inst.start()
        ok = wait_until(lambda: cls._can_connect(cls.port) and cls._can_connect(cls.sport), timeout=15)
        if not ok:
            print(cls.inst.log())
            cls.tearDownClass()
            raise AssertionError("imapd did not start")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "inst", None):
            log = cls.inst.log()
            if os.environ.get("IMAP_TEST_LOG"):
                print(log)
            cls.inst.cleanup()
            cls.inst = None
            subprocess.run(["userdel", cls.sysuser], capture_output=True)

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True) and self.inst:
            print(self.inst.log()[-20000:])

    @staticmethod
    def _can_connect(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def imap(self, user="alice"):
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        m.login(user, f"{user}-pw" if user != self.sysuser else "sys-pw")
        return m

    def assert_no_crash(self):
        bad = re.findall(r".*(?:killed by signal|fatal: |panic: |AddressSanitizer|runtime error).*", self.inst.log())
        self.assertEqual(bad, [])


class ImapTest(ImapBase):
    with_delivery = True

    # -- not authenticated ---------------------------------------------
    def test_greeting_and_pre_login_commands(self):
        c = Raw(self.port)
        self.assertRegex(c.greeting, r"^\* OK \[CAPABILITY IMAP4rev1 .*STARTTLS.*AUTH=PLAIN.*\] ")
        self.assertIn("SASL-IR", c.greeting)
        self.assertNotIn("LOGINDISABLED", c.greeting)  # loopback counts as secure, as in Dovecot
        untagged, done = c.cmd("a1", "CAPABILITY")
        self.assertTrue(untagged[0].startswith("* CAPABILITY IMAP4rev1"))
        self.assertTrue(done.startswith("a1 OK"))
        self.assertTrue(c.cmd("a2", "NOOP")[1].startswith("a2 OK"))
        untagged, done = c.cmd("a3", 'ID ("name" "test")')
        self.assertIn('* ID ("name" "Postern")', untagged)
        self.assertTrue(c.cmd("a4", "SELECT INBOX")[1].startswith("a4 BAD"))
        self.assertTrue(c.cmd("a5", "XYZZY")[1].startswith("a5 BAD"))
        self.assertTrue(c.cmd("a6", "LOGIN alice")[1].startswith("a6 BAD"))
        untagged, done = c.cmd("a7", "LOGOUT")
        self.assertTrue(untagged[0].startswith("* BYE"))
        self.assertTrue(done.startswith("a7 OK"))
        c.close()

    def test_login_authenticate_and_log_lines(self):
        m = self.imap()
        typ, caps = m.capability()
        caps = caps[0].decode().split()
        for cap in ("UIDPLUS", "MOVE", "NAMESPACE", "UNSELECT", "CHILDREN", "SPECIAL-USE", "ESEARCH",
                    "IDLE", "LITERAL+", "ENABLE", "ID", "SASL-IR"):
            self.assertIn(cap, caps)
        m.logout()
        with self.assertRaises(imaplib.IMAP4.error) as cm:
            self.imap_with("alice", "wrong")
        self.assertIn("AUTHENTICATIONFAILED", str(cm.exception))
        # AUTHENTICATE PLAIN with SASL-IR (RFC 4959): one round trip.
        c = Raw(self.port)
        ir = base64.b64encode(b"\0bob\0bob-pw").decode()
        _, done = c.cmd("b1", f"AUTHENTICATE PLAIN {ir}")
        self.assertRegex(done, r"^b1 OK \[CAPABILITY IMAP4rev1 .*UIDPLUS.*\] Logged in")
        self.assertTrue(c.cmd("b2", "LOGOUT")[1].startswith("b2 OK"))
        c.close()
        # Without SASL-IR: the continuation; "*" cancels.
        c = Raw(self.port)
        c.send("c1 AUTHENTICATE PLAIN\r\n")
        self.assertEqual(c.line(), "+ ")
        c.send("*\r\n")
        self.assertTrue(c.until("c1")[1].startswith("c1 BAD"))
        c.send("c2 AUTHENTICATE LOGIN\r\n")
        self.assertEqual(c.line(), "+ " + base64.b64encode(b"Username:").decode())
        c.send(base64.b64encode(b"carol").decode() + "\r\n")
        c.line()
        c.send(base64.b64encode(b"carol-pw").decode() + "\r\n")
        self.assertTrue(c.until("c2")[1].startswith("c2 OK"))
        c.cmd("c3", "LOGOUT")
        c.close()
        # imaplib's own AUTHENTICATE
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        m.authenticate("PLAIN", lambda _: b"\0dave\0dave-pw")
        m.logout()
        self.inst.wait_for_log(r"dovecot\[\d+\]: imap-login: Login: user=<alice>, method=PLAIN, "
                               r"rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=\d+, secured, session=<")
        self.inst.wait_for_log(r"imap\(alice\)<\d+><[^>]*>: Logged out in=\d+ out=\d+")
        self.inst.wait_for_log(r"imap-login: Disconnected \(auth failed, 1 attempts in \d+ secs\): user=<alice>, "
                               r"method=PLAIN, rip=127\.0\.0\.1")
        self.assertNotIn("alice-pw", self.inst.log())

    def imap_with(self, user, password):
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        try:
            m.login(user, password)
        finally:
            try:
                m.shutdown()
            except OSError:
                pass

    def test_starttls_and_implicit_tls(self):
        ctx = tls_context(self.cert)
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        m.starttls(ctx)
        self.assertNotIn("STARTTLS", m.capabilities)
        m.login("alice", "alice-pw")
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.logout()
        m = imaplib.IMAP4_SSL("127.0.0.1", self.sport, ssl_context=ctx, timeout=20)
        m.login("bob", "bob-pw")
        self.assertEqual(m.list()[0], "OK")
        m.logout()
        self.inst.wait_for_log(r"imap-login: Login: user=<bob>, method=PLAIN, rip=127\.0\.0\.1, "
                               r"lip=127\.0\.0\.1, mpid=\d+, TLS")
        # Commands pipelined before the handshake are thrown away.
        c = Raw(self.port)
        c.send("t1 STARTTLS\r\nt2 LOGIN alice alice-pw\r\n")
        self.assertTrue(c.line().startswith("t1 OK"))
        s = ctx.wrap_socket(c.sock)
        s.sendall(b"t3 NOOP\r\n")
        self.assertTrue(s.recv(1000).startswith(b"t3 OK"))  # t2 never ran
        s.close()

    # -- mailboxes -----------------------------------------------------
    def test_mailbox_commands(self):
        m = self.imap("carol")
        typ, lines = m.list()
        listing = b"\n".join(lines).decode()
        for folder, use in (("Sent", "\\Sent"), ("Drafts", "\\Drafts"), ("Trash", "\\Trash"), ("Junk", "\\Junk")):
            self.assertRegex(listing, rf"\([^)]*\{use}[^)]*\) \"/\" \"?{folder}\"?")
        self.assertRegex(listing, r'\([^)]*\) "/" "?INBOX"?')
        self.assertEqual(m.create("Work/2024")[0], "OK")
        typ, data = m.create("Work/2024")
        self.assertEqual(typ, "NO")
        self.assertIn(b"ALREADYEXISTS", data[0])
        self.assertEqual(m.create('"Entw&APw-rfe"')[0], "OK")  # "Entwürfe" in modified UTF-7
        with self.assertRaises(imaplib.IMAP4.error) as cm:  # imaplib raises on BAD
            m.create('"bad&name"')                              # broken mUTF-7
        self.assertIn("BAD", str(cm.exception))
        listing = b"\n".join(m.list('""', "*")[1]).decode()
        self.assertRegex(listing, r'\\HasChildren[^)]*\) "/" "?Work"?')
        self.assertRegex(listing, r'\\HasNoChildren[^)]*\) "/" "?Work/2024"?')
        self.assertIn("Entw&APw-rfe", listing)
        top = b"\n".join(m.list('""', "%")[1]).decode()
        self.assertNotIn("Work/2024", top)
        self.assertIn("Work", top)
        self.assertEqual(m.rename("Work", "Projects")[0], "OK")
        listing = b"\n".join(m.list('""', "*")[1]).decode()
        self.assertIn("Projects/2024", listing)
        self.assertNotIn("Work", listing)
        self.assertEqual(m.rename("Nope", "Other")[0], "NO")
        # SUBSCRIBE / LSUB / UNSUBSCRIBE
        self.assertEqual(m.subscribe("Projects/2024")[0], "OK")
        self.assertIn(b"Projects/2024", b"\n".join(m.lsub('""', "*")[1]))
        self.assertNotRegex(b"\n".join(m.lsub('""', "*")[1]), rb'"/" "?Projects"?$')
        # "%" hides Projects/2024; its unsubscribed parent is shown \Noselect (RFC 3501 6.3.9).
        top = m.lsub('""', "%")[1]
        self.assertIn(rb'(\Noselect) "/" Projects', top)
        self.assertNotIn(b"Projects/2024", b"\n".join(top))
        self.assertEqual(m.unsubscribe("Projects/2024")[0], "OK")
        self.assertNotIn(b"Projects/2024", b"\n".join(x or b"" for x in m.lsub('""', "*")[1]))
        # STATUS, APPEND into a folder, NAMESPACE
        typ, data = m.append("Projects/2024", None, None, simple("in a folder").encode())
        self.assertEqual(typ, "OK")
        typ, data = m.status("Projects/2024", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT)")
        self.assertRegex(data[0].decode(), r"MESSAGES 1 .*UIDNEXT 2 .*UNSEEN 1")
        typ, data = m.append("NoSuchFolder", None, None, simple("x").encode())
        self.assertEqual(typ, "NO")
        self.assertIn(b"TRYCREATE", data[0])
        # RENAME INBOX moves its messages and leaves INBOX empty (RFC 3501 6.3.5).
        m.append("INBOX", None, None, simple("old inbox").encode())
        self.assertEqual(m.rename("INBOX", "Old")[0], "OK")
        self.assertIn(b"MESSAGES 0", m.status("INBOX", "(MESSAGES)")[1][0])
        self.assertIn(b"MESSAGES 1", m.status("Old", "(MESSAGES)")[1][0])
        typ, data = m.namespace()
        self.assertEqual(data[0], b'(("" "/")) NIL NIL')
        self.assertEqual(m.delete("Projects/2024")[0], "OK")
        self.assertEqual(m.delete("INBOX")[0], "NO")
        self.assertEqual(m.select("Projects/2024")[0], "NO")
        typ, data = m.xatom("ENABLE", "CONDSTORE")
        self.assertEqual(typ, "OK")
        m.logout()

    # -- messages ------------------------------------------------------
    def test_append_fetch_search_store(self):
        m = self.imap("dave")
        typ, data = m.append("INBOX", r"(\Flagged $Work)", imaplib.Time2Internaldate(1650000000),
                             MULTIPART.encode())
        self.assertEqual(typ, "OK")
        appenduid = re.search(rb"APPENDUID (\d+) (\d+)", data[0])
        self.assertIsNotNone(appenduid, data)
        for i in range(3):
            m.append("INBOX", None, None, simple(f"plain {i}", f"line {i}\r\n").encode())
        typ, data = m.select("INBOX")
        self.assertEqual(data[0], b"4")
        self.assertEqual(m.untagged_responses.get("UIDVALIDITY", [b""])[0], appenduid.group(1))
        typ, data = m.fetch("1", "(FLAGS UID INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)")
        text = data[0].decode() if isinstance(data[0], bytes) else data[0][0].decode()
        self.assertIn("$Work", text)
        self.assertIn("\\Flagged", text)
        self.assertIn(f"UID {appenduid.group(2).decode()}", text)
        self.assertIn(f"RFC822.SIZE {len(MULTIPART)}", text)
        self.assertRegex(text, r'INTERNALDATE "1[45]-Apr-2022 \d\d:\d\d:\d\d [+-]\d{4}"')
        self.assertIn('"<m1@example.test>"', text)
        self.assertIn('(("Alice Example" NIL "alice" "example.test"))', text)
        self.assertIn('"MIXED"', text.upper())
        self.assertIn('"APPLICATION" "OCTET-STREAM"', text.upper())
        # BODY[section] and partials; PEEK does not set \Seen, BODY[] does.
        typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[1]<0.5> BODY.PEEK[2.MIME])")
        blob = b"".join(x[1] for x in data if isinstance(x, tuple))
        self.assertIn(b"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= report\r\n\r\n", blob)
        self.assertIn(b"Hello", blob)
        self.assertIn(b"Content-Disposition: attachment", blob)
        self.assertNotIn(b"\\Seen", m.fetch("1", "(FLAGS)")[1][0])
        typ, data = m.fetch("2", "(BODY[TEXT])")
        self.assertEqual(data[0][1], b"line 0\r\n")
        self.assertIn(b"\\Seen", b" ".join(x if isinstance(x, bytes) else x[0] for x in data))
        typ, data = m.fetch("3", "(RFC822.HEADER)")
        self.assertIn(b"Subject: plain 1", data[0][1])
        typ, data = m.fetch("1", "(BODY.PEEK[9])")  # no such part: empty, not an error
        self.assertEqual(typ, "OK")
        # SEARCH
        def search(*criteria, uid=False):
            typ, data = (m.uid("SEARCH", *criteria) if uid else m.search(None, *criteria))
            self.assertEqual(typ, "OK", criteria)
            return data[0].split()
        self.assertEqual(search("ALL"), [b"1", b"2", b"3", b"4"])
        self.assertEqual(search("SEEN"), [b"2"])
        self.assertEqual(search("UNSEEN"), [b"1", b"3", b"4"])
        self.assertEqual(search("FLAGGED"), [b"1"])
        self.assertEqual(search("KEYWORD", "$Work"), [b"1"])
        self.assertEqual(search("SUBJECT", "plain"), [b"2", b"3", b"4"])
        self.assertEqual(search("FROM", "dave@"), [b"2", b"3", b"4"])
        self.assertEqual(search("HEADER", "Message-ID", "m1@"), [b"1"])
        self.assertEqual(search("BODY", '"line 2"'), [b"4"])
        self.assertEqual(search("TEXT", "quarterly"), [b"1"])
        # 8-bit search strings go as literals (imaplib's .literal), with CHARSET UTF-8.
        m.literal = "wörld".encode()
        self.assertEqual(m.search("UTF-8", "BODY")[1][0].split(), [b"1"])  # quoted-printable decoded
        m.literal = "grüße".encode()
        self.assertEqual(m.search("UTF-8", "SUBJECT")[1][0].split(), [b"1"])  # RFC 2047 decoded
        m.literal = "GRÜßE".encode()
        self.assertEqual(m.search("UTF-8", "SUBJECT")[1][0].split(), [b"1"])  # case-insensitive
        self.assertEqual(search("OR", "FLAGGED", "SEEN"), [b"1", b"2"])
        self.assertEqual(search("NOT", "SUBJECT", "plain"), [b"1"])
        self.assertEqual(search("LARGER", str(len(MULTIPART) - 1)), [b"1"])
        self.assertEqual(search("SENTBEFORE", "1-Mar-2022"), [b"1"])
        self.assertEqual(search("SENTON", "1-Mar-2022"), [b"2", b"3", b"4"])
        self.assertEqual(search("BEFORE", "1-Jan-2023"), [b"1"])
        self.assertEqual(search("2:3"), [b"2", b"3"])
        first_uid = int(appenduid.group(2))
        self.assertEqual(search("UID", f"{first_uid + 1}:*", uid=True),
                         [str(first_uid + i).encode() for i in (1, 2, 3)])
        typ, data = m._simple_command("SEARCH", "RETURN", "(MIN MAX COUNT ALL)", "UNSEEN")
        self.assertEqual(typ, "OK")
        esearch = m.untagged_responses.pop("ESEARCH")[0].decode()
        self.assertRegex(esearch, r'\(TAG "[^"]+"\) MIN 1 MAX 4 COUNT 3 ALL 1,3:4')
        self.assertEqual(m.search("CHARSET", "KOI8-X", "ALL")[0], "NO")  # BADCHARSET
        # STORE
        typ, data = m.store("3", "+FLAGS", r"(\Answered $Label1)")
        self.assertIn(b"\\Answered", data[0])
        self.assertIn(b"$Label1", data[0])
        typ, data = m.store("3", "-FLAGS.SILENT", r"(\Answered)")
        self.assertEqual(data, [None])
        self.assertNotIn(b"\\Answered", m.fetch("3", "(FLAGS)")[1][0])
        typ, data = m.uid("STORE", str(first_uid + 3), "FLAGS", r"(\Draft)")
        # FLAGS replaced: only \Draft, plus the session flag \Recent when this session is the first to see it.
        self.assertRegex(data[0], rb"UID %d FLAGS \(\\Draft( \\Recent)?\)" % (first_uid + 3))
        with self.assertRaises(imaplib.IMAP4.error):  # BAD: there is no message 9
            m.store("9", "+FLAGS", r"(\Seen)")
        self.assertEqual(m.check()[0], "OK")
        # EXAMINE is read-only
        typ, _ = m.select("INBOX", readonly=True)
        self.assertEqual(typ, "OK")
        self.assertEqual(m.store("1", "+FLAGS", r"(\Seen)")[0], "NO")
        typ, data = m.fetch("1", "(BODY[])")  # no implicit \Seen either
        self.assertNotIn(b"\\Seen", m.fetch("1", "(FLAGS)")[1][0])
        m.logout()

    def test_literal_plus_append_and_privileges(self):
        c = Raw(self.port)
        c.cmd("p0", "LOGIN dave dave-pw")
        body = simple("non-synchronizing").encode()
        # LITERAL+ (RFC 7888): no "+" continuation is waited for.
        c.send(b"p1 APPEND INBOX (\\Seen) {%d+}\r\n" % len(body) + body + b" \r\n")
        untagged, done = c.until("p1")
        self.assertRegex(done, r"^p1 OK \[APPENDUID \d+ \d+\]")
        self.assertFalse(any(l.startswith("+") for l in untagged))

        def uids_of_imapd():
            found = []
            for pid in os.listdir("/proc"):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if not f.read().split(b"\0")[0].endswith(b"imapd"):
                            continue
                    with open(f"/proc/{pid}/status") as f:
                        uid_line = next(l for l in f if l.startswith("Uid:"))
                    found.append(tuple(int(x) for x in uid_line.split()[1:4]))
                except (OSError, StopIteration):
                    pass
            return found

        postfix_uid = pwd.getpwnam("postfix").pw_uid
        # The mail process: the user in every slot. The logged-in plaintext
        # client was handed to it; its login process has ended.
        wait_until(lambda: (postfix_uid,) * 3 not in uids_of_imapd(), 5)
        uids = uids_of_imapd()
        self.assertIn((self.pw.pw_uid,) * 3, uids)
        self.assertNotIn((postfix_uid,) * 3, uids)
        # A client not logged in yet: its login process is mail_owner in
        # every slot (no way back to root).
        pre = Raw(self.port)
        pre.cmd("q0", "NOOP")
        self.assertIn((postfix_uid,) * 3, uids_of_imapd())
        pre.cmd("q1", "LOGOUT")
        pre.close()
        c.cmd("p2", "LOGOUT")
        c.close()

    def test_copy_move_expunge_close(self):
        m = self.imap("bob")
        m.create("Archive")
        for i in range(5):
            m.append("INBOX", None, None, simple(f"cm {i}").encode())
        m.select("INBOX")
        typ, data = m.copy("1:2", "Archive")
        self.assertEqual(typ, "OK")
        self.assertRegex(data[0], rb"COPYUID \d+ \d+:\d+ 1:2")
        self.assertEqual(m.copy("1", "Missing")[1][0][:11], b"[TRYCREATE]")
        # MOVE: COPYUID first (untagged OK), then EXPUNGE for the source.
        typ, data = m._simple_command("MOVE", "3", "Archive")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.pop("EXPUNGE"), [b"3"])
        self.assertIn(b"COPYUID", b" ".join(m.untagged_responses.pop("OK", [])))
        typ, data = m.status("Archive", "(MESSAGES)")
        self.assertIn(b"MESSAGES 3", data[0])
        # The UID forms take UIDs.
        last_uid = m.uid("SEARCH", "ALL")[1][0].split()[-1].decode()
        typ, data = m._simple_command("UID", "COPY", last_uid, "Archive")  # m.uid() hides the tagged text
        self.assertRegex(data[0], rb"COPYUID \d+ %s \d+" % last_uid.encode())
        typ, data = m._simple_command("UID", "MOVE", last_uid, "Archive")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.pop("EXPUNGE"), [b"4"])
        m.untagged_responses.pop("OK", None)
        m.append("INBOX", None, None, simple("cm again").encode())
        m.noop()
        m.untagged_responses.clear()
        self.assertIn(b"MESSAGES 5", m.status("Archive", "(MESSAGES)")[1][0])
        # UID EXPUNGE removes only the UIDs named, even if others are \Deleted.
        uids = m.uid("SEARCH", "ALL")[1][0].split()
        self.assertEqual(len(uids), 4)
        m.store("1:4", "+FLAGS.SILENT", r"(\Deleted)")
        typ, data = m.uid("EXPUNGE", uids[0].decode())
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.pop("EXPUNGE"), [b"1"])
        self.assertEqual(m.uid("SEARCH", "ALL")[1][0].split(), uids[1:])
        m.store("1:3", "-FLAGS.SILENT", r"(\Deleted)")
        m.store("1", "+FLAGS.SILENT", r"(\Deleted)")
        typ, data = m.expunge()
        self.assertEqual(data, [b"1"])
        # UNSELECT keeps \Deleted messages, CLOSE expunges them silently.
        m.store("1", "+FLAGS.SILENT", r"(\Deleted)")
        self.assertEqual(m._simple_command("UNSELECT")[0], "OK")
        self.assertEqual(m.status("INBOX", "(MESSAGES)")[1][0].split()[-1], b"2)")
        m.select("INBOX")
        m.close()
        self.assertIn(b"MESSAGES 1", m.status("INBOX", "(MESSAGES)")[1][0])
        tag = m._new_tag()  # imaplib itself refuses FETCH now: send it by hand
        m.send(tag + b" FETCH 1 (FLAGS)\r\n")
        self.assertTrue(m.readline().startswith(tag + b" BAD"))  # nothing selected any more
        m.logout()

    def test_two_sessions_see_each_others_changes(self):
        a, b = self.imap("alice"), self.imap("alice")
        a.create("Shared")
        b.append("Shared", None, None, simple("first").encode())
        a.select("Shared")
        b.select("Shared")
        b.append("Shared", None, None, simple("second").encode())
        typ, _ = a.noop()
        self.assertEqual(a.untagged_responses.pop("EXISTS", [])[-1:], [b"2"])
        b.store("1", "+FLAGS", r"(\Flagged)")
        a.noop()
        fetched = b" ".join(a.untagged_responses.pop("FETCH", []))
        self.assertIn(b"\\Flagged", fetched)
        b.store("1", "+FLAGS.SILENT", r"(\Deleted)")
        b.expunge()
        a.noop()
        self.assertEqual(a.untagged_responses.pop("EXPUNGE", []), [b"1"])
        typ, data = a.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn(b"second", data[0][1])
        a.logout()
        b.logout()

    def test_idle_sees_local_delivery(self):
        m = self.imap(self.sysuser)
        m.select("INBOX")
        tag = m._new_tag().decode()
        m.send(f"{tag} IDLE\r\n".encode())
        self.assertTrue(m.readline().startswith(b"+"))
        boxes = [os.path.join(self.home, "Maildir", sub) for sub in ("new", "cur")]
        # Our own chain: sendmail -> postdrop -> pickup -> cleanup -> qmgr -> local (Maildir).
        r = self.inst.command("sendmail", "-f", "root", f"{self.sysuser}@mail.example.test",
                              input=simple("idle wake-up").replace("\r\n", "\n"))
        self.assertEqual(r.returncode, 0, r.stderr)
        # The session may move the file from new/ to cur/ at once: look in both.
        appeared = wait_until(lambda: any(os.path.isdir(b) and os.listdir(b) for b in boxes) and time.monotonic(),
                              timeout=30, interval=0.005)
        self.assertTrue(appeared, "local did not deliver")
        m.sock.settimeout(5)
        line = m.readline()
        seen_at = time.monotonic()
        self.assertRegex(line, rb"^\* 1 EXISTS")
        self.assertLess(seen_at - appeared, 1.0)
        m.send(b"DONE\r\n")
        while not (line := m.readline()).startswith(tag.encode()):
            pass
        self.assertIn(b"OK", line)
        typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn(b"idle wake-up", data[0][1])
        m.logout()

    # -- scale: the FETCH cache -----------------------------------------
    def test_ten_thousand_messages_fetch_from_cache(self):
        maildir = os.path.join(self.vroot, "alice", "Maildir", ".Big")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        names = []
        for i in range(10000):
            text = f"From: s{i}@example.test\r\nSubject: m{i}\r\nMessage-ID: <{i}@x>\r\n\r\nbody\r\n"
            name = f"{1600000000 + i}.M{i}P7.test,S={len(text)}:2,S"
            with open(os.path.join(maildir, "cur", name), "w", newline="") as f:
                f.write(text)
            names.append(name)
        chown_tree(os.path.join(self.vroot, "alice", "Maildir"), self.pw)
        m = self.imap("alice")
        self.assertEqual(m.select("Big")[1][0], b"10000")
        start = time.monotonic()
        typ, data = m.fetch("1:*", "(FLAGS UID ENVELOPE)")
        first = time.monotonic() - start
        self.assertEqual(len(data), 10000)
        self.assertIn(b'"m9999"', data[-1])
        m.logout()
        # The messages cannot be read any more: the answer must come from the cache.
        for name in names:
            os.chmod(os.path.join(maildir, "cur", name), 0)
        m = self.imap("alice")
        m.select("Big")
        start = time.monotonic()
        typ, data = m.fetch("1:*", "(FLAGS UID ENVELOPE)")
        second = time.monotonic() - start
        self.assertEqual(typ, "OK")
        self.assertEqual(len(data), 10000)
        self.assertIn(b'"m1234"', data[1234])
        self.assertIn(b"\\Seen", data[0])
        m.logout()
        print(f"FETCH 1:* (FLAGS UID ENVELOPE) on 10,000: {first:.2f}s parsing, {second:.2f}s from the cache")

    # -- limits and hostile input ---------------------------------------
    def test_hostile_input_and_limits(self):
        c = Raw(self.port)
        c.cmd("h0", "LOGIN alice alice-pw")
        # An over-long line (imap_max_line_length = 64k).
        c.send("h1 NOOP " + "x" * 70000 + "\r\n")
        line = c.line()
        self.assertRegex(line, r"^(h1|\*) (BAD|BYE)")
        if line.startswith("h1"):
            self.assertTrue(c.cmd("h2", "NOOP")[1].startswith("h2 OK"))
        c.close()
        c = Raw(self.port)
        c.cmd("h0", "LOGIN alice alice-pw")
        c.send("h3 APPEND INBOX {99999999999}\r\n")
        self.assertRegex(c.line(), r"^(h3|\*) (BAD|NO|BYE)")
        c.close()
        c = Raw(self.port)
        c.cmd("h0", "LOGIN alice alice-pw")
        c.cmd("h4", "SELECT INBOX")
        for bad in ("FETCH 1 (BODY[", "FETCH 1 (BODY[HEADER.FIELDS ()])", "FETCH 1:x FLAGS", "FETCH * (FOO)",
                    "FETCH 1 BODY[" + ".".join(["1"] * 300) + "]", "SEARCH " + "(" * 200 + "ALL" + ")" * 200,
                    "STORE 1 +FLAGS (\\Recent)", "UID XYZZY 1", "CREATE \"a\x01b\""):
            untagged, done = c.cmd("h5", bad)
            self.assertRegex(done, r"^h5 (BAD|NO)", bad)
        self.assertTrue(c.cmd("h6", "NOOP")[1].startswith("h6 OK"))
        # Enough bad commands end the session.
        # One write: the server may hang up before reading them all, and a
        # send after its BYE would fail with EPIPE in the test, not the server.
        try:
            c.send("".join(f"z{i} BOGUS\r\n" for i in range(25)))
        except OSError:
            pass
        lines = []
        try:
            while True:
                lines.append(c.line())
        except (EOFError, OSError):
            pass
        self.assertTrue(any(l.startswith("* BYE") for l in lines))
        c.close()
        # Before login: a huge literal is refused.
        c = Raw(self.port)
        c.send("p1 LOGIN {100000}\r\n")
        self.assertRegex(c.line(), r"^(p1|\*) (BAD|BYE)")
        c.close()
        # Nobody else noticed.
        m = self.imap("alice")
        self.assertEqual(m.noop()[0], "OK")
        m.logout()
        self.assert_no_crash()

    def test_max_userip_connections(self):
        sessions = [self.imap("bob") for _ in range(4)]
        with self.assertRaises(imaplib.IMAP4.error) as cm:
            self.imap("bob")
        self.assertIn("mail_max_userip_connections", str(cm.exception))
        self.imap("alice").logout()  # per user: alice is not counted with bob
        sessions.pop().logout()
        self.assertTrue(wait_until(lambda: self._try_login("bob"), timeout=5))
        for s in sessions:
            s.logout()
        self.inst.wait_for_log(r"imap-login: Maximum number of connections from user\+IP exceeded "
                               r"\(mail_max_userip_connections=4\): user=<bob>")

    def _try_login(self, user):
        try:
            self.imap(user).logout()
            return True
        except imaplib.IMAP4.error:
            return False


class LoginDisabledTest(ImapBase):
    extra_conf = "protocol imap {\n  ssl = required\n}\n"

    def test_logindisabled_until_starttls(self):
        c = Raw(self.port)
        self.assertIn("LOGINDISABLED", c.greeting)
        self.assertNotIn("AUTH=PLAIN", c.greeting)
        _, done = c.cmd("l1", "LOGIN alice alice-pw")
        self.assertRegex(done, r"^l1 NO \[PRIVACYREQUIRED\]")
        ir = base64.b64encode(b"\0alice\0alice-pw").decode()
        self.assertTrue(c.cmd("l2", f"AUTHENTICATE PLAIN {ir}")[1].startswith("l2 NO"))
        c.close()
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        m.starttls(tls_context(self.cert))
        self.assertNotIn("LOGINDISABLED", m.capabilities)
        self.assertIn("AUTH=PLAIN", m.capabilities)
        m.login("alice", "alice-pw")
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.logout()


class MboxTest(ImapBase):
    """The tutorials' mail_location: INBOX is a spool file, folders are mbox
    files under ~/mail. UIDs and flags survive a new session."""
    extra_conf = "mail_location = mbox:~/mail:INBOX=~/inbox\n"

    def test_mbox_inbox_and_folders(self):
        inbox = os.path.join(self.home, "inbox")
        with open(inbox, "w") as f:
            for n in (1, 2):
                f.write(f"From dave@example.test Tue Mar  1 09:00:00 2022\n"
                        f"From: dave@example.test\nSubject: spool {n}\n\nHello from the spool\nline {n}\n\n")
        os.chown(inbox, self.pw.pw_uid, self.pw.pw_gid)
        m = self.imap(self.sysuser)
        typ, data = m.select("INBOX")
        self.assertEqual((typ, data), ("OK", [b"2"]))
        typ, data = m.fetch("1:2", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertEqual(typ, "OK")
        subjects = [part[1].strip() for part in data if isinstance(part, tuple)]
        self.assertEqual(subjects, [b"Subject: spool 1", b"Subject: spool 2"])
        uids = [int(re.search(rb"UID (\d+)", part[0]).group(1)) for part in data if isinstance(part, tuple)]
        typ, data = m.fetch("2", "(BODY.PEEK[TEXT])")
        self.assertEqual(data[0][1], b"Hello from the spool\r\nline 2\r\n")  # LF in the spool, CRLF in IMAP
        self.assertEqual(m.store("1", "+FLAGS", "(\\Flagged)")[0], "OK")
        self.assertEqual(m.create("Archive")[0], "OK")
        self.assertEqual(m.copy("2", "Archive")[0], "OK")
        self.assertEqual(m.append("INBOX", None, None, simple("appended").encode())[0], "OK")
        m.logout()
        self.assertTrue(os.path.isfile(os.path.join(self.home, "mail", "Archive")))
        with open(inbox) as f:
            self.assertIn("Subject: appended", f.read())

        m = self.imap(self.sysuser)
        self.assertEqual(m.select("INBOX")[1], [b"3"])
        typ, data = m.fetch("1:2", "(UID FLAGS)")
        self.assertEqual([int(x) for x in re.findall(rb"UID (\d+)", b" ".join(data))], uids)
        self.assertIn(b"\\Flagged", data[0])
        self.assertEqual(m.select("Archive")[1], [b"1"])
        typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertEqual(data[0][1].strip(), b"Subject: spool 2")
        m.select("INBOX")
        m.store("1", "+FLAGS", "(\\Deleted)")
        self.assertEqual(m.expunge()[1], [b"1"])
        m.logout()
        with open(inbox) as f:
            text = f.read()
        self.assertNotIn("Subject: spool 1", text)
        self.assertIn("Subject: spool 2", text)
        self.assert_no_crash()


class ManyLoginsTest(ImapBase):
    """Sessions outlive their daemon processes' max_use: with max_use = 5, a
    dozen concurrent sessions need new imapd and auth processes, and the
    auth process can only be replaced if finished logins let go of it."""
    main_cf_extra = "max_use = 5\n"
    extra_conf = "mail_max_userip_connections = 100\n"

    def test_more_concurrent_sessions_than_max_use(self):
        sessions = []
        try:
            for n in range(12):
                m = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
                m.login("bob", "bob-pw")
                self.assertEqual(m.select("INBOX")[0], "OK", f"session {n}")
                sessions.append(m)
            for m in sessions:
                self.assertEqual(m.noop()[0], "OK")
        finally:
            for m in sessions:
                try:
                    m.logout()
                except (imaplib.IMAP4.error, OSError):
                    pass
        self.assert_no_crash()


if __name__ == "__main__":
    unittest.main()
