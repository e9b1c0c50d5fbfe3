#!/usr/bin/env python3
"""Lookup tables: Postern's postmap/postalias against Debian's Postfix.

Both programs build and query the same sources; answers must match, and each
must read the other's .db files. Postfix runs from a temporary config
directory (-c) holding a minimal main.cf; nothing under /etc/postfix is used.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ.get("POSTERN_BUILD_DIR", "build")
BIN = os.path.join(BUILD, "bin")
PF_POSTMAP = "/usr/sbin/postmap"
PF_POSTALIAS = "/usr/sbin/postalias"

POSTMAP_SOURCE = """\
# virtual-style table
Alice@Example.com     alice
bob@example.com       bob, carol
@example.org          catchall
"q k"                 quoted key
Multi                 first part
  continued part
10.0.0.1              OK
example.net           relay:[mx.example.net]:587
key:                  colon key
"""

ALIAS_SOURCE = """\
# aliases(5)
postmaster: root
Root:  admin,   "x y"@z , |"/usr/bin/cmd arg"
list:  a,
       b (comment, with comma),
       <c@d>
"quoted name": someone
inc: :include:/etc/postern/list
file: /var/mail/archive
"""

QUERY_KEYS = ["alice@example.com", "ALICE@EXAMPLE.COM", "bob@example.com", "@example.org",
              '"q k"', "q k", "multi", "10.0.0.1", "example.net", "key:", "nope", "postmaster",
              "root", "list", "quoted name", "inc", "file", "@", "Alice@Example.com"]

REGEXP_SOURCE = r"""
/^postmaster@/             OK
/^(.*)-outgoing@(.*)$/     550 Use ${1}@$2 instead
if !/^owner-/
/^(.+)-list@/              list $1
endif
/^CaseSensitive$/i         exact case
!/@/                       local
/^a/!/^ab/                 a not ab
/^x(y)?z$/                 got [$1]
"""

CIDR_SOURCE = """
192.168.1.1        OK
192.168.0.0/16     REJECT
2001:db8::1        OK6
2001:db8::/32      REJECT6
if 10.0.0.0/8
!10.1.0.0/16       not ten-one
endif
0.0.0.0/0          default
"""

PATTERN_KEYS = ["postmaster@x", "team-outgoing@example.com", "staff-list@x", "owner-staff-list@x",
                "CaseSensitive", "casesensitive", "justlocal", "ac@x", "abc@x", "xz", "xyz",
                "192.168.1.1", "[192.168.1.1]", "192.168.7.9", "2001:db8::1", "2001:0db8::0001",
                "2001:db8:ff::1", "10.2.3.4", "10.1.3.4", "8.8.8.8", "not-an-ip"]


def run(argv, stdin=None):
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120)


class MapsTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(PF_POSTMAP):
            self.skipTest("Debian's postfix package is not installed: /usr/sbin/postmap is missing "
                          "(scripts/setup.sh installs it from scripts/packages/peers.txt)")
        self.tmp = tempfile.mkdtemp(prefix="maps_e2e.")
        self.cf = os.path.join(self.tmp, "cf")
        os.mkdir(self.cf)
        with open(os.path.join(self.cf, "main.cf"), "w") as f:
            f.write("compatibility_level = 3.6\nmyhostname = mx.example.com\n"
                    "alias_database = hash:%s/aliases\n" % self.tmp)
        self.pf_types = set(run(["/usr/sbin/postconf", "-c", self.cf, "-m"]).stdout.split())

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def ours(self, prog, *args, stdin=None):
        return run([os.path.join(BIN, prog), "-c", self.cf, *args], stdin)

    def postfix(self, prog, *args, stdin=None):
        return run(["/usr/sbin/" + prog, "-c", self.cf, *args], stdin)

    def query_all(self, runner, prog, spec, keys):
        """One -q per key: (exit status, stdout) each, plus the batch -q - output."""
        single = [(k, *(lambda r: (r.returncode, r.stdout))(runner(prog, "-q", k, spec))) for k in keys]
        batch = runner(prog, "-q", "-", spec, stdin="\n".join(keys) + "\n")
        return single, (batch.returncode, batch.stdout)

    def assert_same_answers(self, prog, spec, keys):
        ours = self.query_all(self.ours, prog, spec, keys)
        theirs = self.query_all(self.postfix, prog, spec, keys)
        self.assertEqual(ours[0], theirs[0], "single -q answers differ for " + spec)
        self.assertEqual(ours[1], theirs[1], "-q - answers differ for " + spec)

    def dump(self, runner, prog, spec):
        r = runner(prog, "-s", spec)
        self.assertEqual(r.returncode, 0, r.stderr)
        return sorted(l for l in r.stdout.splitlines() if not l.startswith("YP_LAST_MODIFIED"))

    def build_both(self, prog, source, type_):
        """Builds the same source with each program; returns (ours_spec, postfix_spec)."""
        mine = self.write("ours_" + type_, source)
        theirs = self.write("pf_" + type_, source)
        r = self.ours(prog, type_ + ":" + mine)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.postfix(prog, type_ + ":" + theirs)
        self.assertEqual(r.returncode, 0, r.stderr)
        return type_ + ":" + mine, type_ + ":" + theirs

    def test_postmap_hash_and_btree_built_and_read_both_ways(self):
        for type_ in ("hash", "btree"):
            with self.subTest(type=type_):
                mine, theirs = self.build_both("postmap", POSTMAP_SOURCE, type_)
                # Same answers from either program on either file.
                self.assert_same_answers("postmap", mine, QUERY_KEYS)
                self.assert_same_answers("postmap", theirs, QUERY_KEYS)
                self.assertEqual(self.dump(self.ours, "postmap", theirs), self.dump(self.postfix, "postmap", theirs))
                self.assertEqual(self.dump(self.postfix, "postmap", mine), self.dump(self.postfix, "postmap", theirs))
                self.assertEqual(self.ours("postmap", "-q", "alice@example.com", theirs).stdout, "alice\n")
                self.assertEqual(self.postfix("postmap", "-q", "bob@example.com", mine).stdout, "bob, carol\n")

    def test_postmap_without_folding_and_without_nul(self):
        src = "Mixed Case\nmixed lower\n"
        for flags in ("-f", "-n", "-fn"):
            with self.subTest(flags=flags):
                mine = self.write("ours_f", src)
                theirs = self.write("pf_f", src)
                self.assertEqual(self.ours("postmap", flags, "hash:" + mine).returncode, 0)
                self.assertEqual(self.postfix("postmap", flags, "hash:" + theirs).returncode, 0)
                for q in ("-q", "-fq"):
                    for key in ("Mixed", "mixed", "MIXED"):
                        a = self.ours("postmap", q, key, "hash:" + theirs)
                        b = self.postfix("postmap", q, key, "hash:" + theirs)
                        c = self.postfix("postmap", q, key, "hash:" + mine)
                        self.assertEqual((a.returncode, a.stdout), (b.returncode, b.stdout), (q, key))
                        self.assertEqual((c.returncode, c.stdout), (b.returncode, b.stdout), (q, key))

    def test_postalias_built_and_read_both_ways(self):
        mine, theirs = self.build_both("postalias", ALIAS_SOURCE, "hash")
        self.assert_same_answers("postalias", mine, QUERY_KEYS)
        self.assert_same_answers("postalias", theirs, QUERY_KEYS)
        self.assertEqual(self.dump(self.ours, "postalias", theirs), self.dump(self.postfix, "postalias", theirs))
        self.assertEqual(self.dump(self.postfix, "postalias", mine), self.dump(self.postfix, "postalias", theirs))

    def test_newaliases_rebuilds_alias_database(self):
        self.write("aliases", ALIAS_SOURCE)
        r = self.ours("newaliases")
        self.assertEqual(r.returncode, 0, r.stderr)
        spec = "hash:" + os.path.join(self.tmp, "aliases")
        self.assertEqual(self.postfix("postalias", "-q", "postmaster", spec).stdout, "root\n")

    def test_delete_and_incremental_updates(self):
        mine, theirs = self.build_both("postmap", POSTMAP_SOURCE, "hash")
        for spec, runner in ((mine, self.ours), (theirs, self.postfix)):
            self.assertEqual(runner("postmap", "-d", "Bob@Example.com", spec).returncode, 0)
            self.assertEqual(runner("postmap", "-d", "bob@example.com", spec).returncode, 1)
            r = runner("postmap", "-i", spec, stdin="new@example.com added\nalice@example.com dup\n")
            self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.dump(self.postfix, "postmap", mine), self.dump(self.postfix, "postmap", theirs))

    def test_pattern_and_memory_tables_answer_alike(self):
        specs = ["regexp:" + self.write("r", REGEXP_SOURCE),
                 "cidr:" + self.write("c", CIDR_SOURCE),
                 "texthash:" + self.write("t", POSTMAP_SOURCE),
                 "inline:{alice@example.com=alice, {k = v w}, Upper=x}",
                 "static:{fixed value}",
                 "unix:passwd.byname",
                 "unix:group.byname"]
        if "pcre" in self.pf_types:
            specs.append("pcre:" + self.write("p", REGEXP_SOURCE + "/^(\\d+)\\.(?:x|y)$/  n=$1\n"))
        keys = PATTERN_KEYS + QUERY_KEYS + ["k", "upper", "root", "nobody", "daemon", "42.y"]
        for spec in specs:
            with self.subTest(spec=spec):
                self.assert_same_answers("postmap", spec, keys)

    def test_fail_table_is_an_error_not_a_miss(self):
        a = self.ours("postmap", "-q", "x", "fail:test")
        b = self.postfix("postmap", "-q", "x", "fail:test")
        self.assertEqual(a.returncode, b.returncode)
        self.assertNotEqual(a.returncode, 0)
        self.assertIn("fail:test", a.stderr)

    def test_syntax_error_keeps_old_table_and_names_the_line(self):
        src = self.write("v", "a@example.com alice\n")
        self.assertEqual(self.ours("postmap", "hash:" + src).returncode, 0)
        with open(src + ".db", "rb") as f:
            before = f.read()
        self.write("v", "a@example.com bob\nbroken\n")
        r = self.ours("postmap", "hash:" + src)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("postmap: warning: %s, line 2: expected format: key whitespace value" % src, r.stderr)
        with open(src + ".db", "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(self.postfix("postmap", "-q", "a@example.com", "hash:" + src).stdout, "alice\n")
        self.assertEqual([p for p in os.listdir(self.tmp) if ".tmp." in p], [])


if __name__ == "__main__":
    unittest.main()
