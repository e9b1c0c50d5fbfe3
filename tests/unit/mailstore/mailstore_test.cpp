// mbox and Maildir readers: message boundaries, sizes in CRLF octets,
// stable and unique UIDLs, deletion, the session lock, mail_location.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/mailstore/mailstore.hpp"
#include "lib/mailstore/uidl.hpp"

using namespace postern::mailstore;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/mailstore_test.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories(std::filesystem::path(path + "/" + name).parent_path());
    std::ofstream(path + "/" + name) << text;
  }
  std::string read(const std::string& name) const {
    std::ifstream in(path + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

const char* kMbox =
    "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody one\n\n"
    "From a@b Mon Jan  1 00:00:01 2024\nSubject: two\nX-UIDL: keep-me\n\nbody two\nFrom inside body\n\n"
    "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody one\n\n";

std::unique_ptr<MailboxReader> open(const MailLocation& loc) {
  OpenError why;
  auto r = open_mailbox(loc, why);
  REQUIRE(r.ok());
  return std::move(*r);
}

}  // namespace

TEST_CASE("mbox: boundaries, sizes, UIDLs, expunge", "[mailstore]") {
  TempDir dir;
  dir.write("inbox", kMbox);
  MailLocation loc{MailLocation::Format::mbox, dir.path + "/inbox"};
  std::vector<std::string> uidls;
  {
    auto box = open(loc);
    REQUIRE(box->messages().size() == 3);
    auto m1 = box->read(0);
    REQUIRE(m1.ok());
    CHECK(*m1 == "Subject: one\r\n\r\nbody one\r\n");
    CHECK(box->messages()[0].size == m1->size());
    CHECK(*box->read(1) == "Subject: two\r\nX-UIDL: keep-me\r\n\r\nbody two\r\nFrom inside body\r\n");
    CHECK(box->messages()[1].uidl == "keep-me");
    // Identical messages still get distinct UIDLs.
    CHECK(box->messages()[0].uidl != box->messages()[2].uidl);
    for (const auto& m : box->messages()) uidls.push_back(m.uidl);
    OpenError why;
    auto second = open_mailbox(loc, why);
    CHECK_FALSE(second.ok());
    CHECK(why == OpenError::in_use);
    REQUIRE(box->expunge({false, true, false}).ok());
  }
  CHECK(dir.read("inbox").find("Subject: two") == std::string::npos);
  auto box = open(loc);
  REQUIRE(box->messages().size() == 2);
  CHECK(box->messages()[0].uidl == uidls[0]);
  CHECK(*box->read(1) == "Subject: one\r\n\r\nbody one\r\n");
}

TEST_CASE("mbox: UIDLs Dovecot wrote (X-IMAPbase, X-UID) are kept", "[mailstore]") {
  TempDir dir;
  dir.write("inbox",
            "From a@b Mon Jan  1 00:00:00 2024\nX-IMAPbase: 1700000000 3\nX-UID: 1\nSubject: one\n\nbody\n\n"
            "From a@b Mon Jan  1 00:00:01 2024\nX-UID: 2\nSubject: two\n\nbody\n\n"
            "From a@b Mon Jan  1 00:00:02 2024\nSubject: new\n\nbody\n\n");
  auto box = open({MailLocation::Format::mbox, dir.path + "/inbox"});
  REQUIRE(box->messages().size() == 3);
  CHECK(box->messages()[0].uidl == "000000016553F100");
  CHECK(box->messages()[1].uidl == "000000026553F100");
  CHECK(box->messages()[2].uidl.size() == 32);  // digest
  // pop3_uidl_format's %u and %v.
  CHECK(box->messages()[1].uid == 2);
  CHECK(box->messages()[1].uidvalidity == 1700000000);
  CHECK(box->messages()[2].uid == 0);
  CHECK(box->messages()[2].uidvalidity == 0);
}

TEST_CASE("mbox: an unquoted \"From here on\" body line does not start a message", "[mailstore]") {
  TempDir dir;
  dir.write("inbox",
            "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nFrom here on, a new era.\n\nFrom now on too.\n\n"
            "From c@d Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody two\n\n");
  auto box = open({MailLocation::Format::mbox, dir.path + "/inbox"});
  REQUIRE(box->messages().size() == 2);
  CHECK(box->read(0)->find("From now on too.") != std::string::npos);
}

TEST_CASE("mbox: missing is empty, junk is an error", "[mailstore]") {
  TempDir dir;
  CHECK(open({MailLocation::Format::mbox, dir.path + "/none"})->messages().empty());
  dir.write("junk", "not an mbox\n");
  OpenError why;
  CHECK_FALSE(open_mailbox({MailLocation::Format::mbox, dir.path + "/junk"}, why).ok());
}

TEST_CASE("maildir: order, sizes, UIDLs, expunge", "[mailstore]") {
  TempDir dir;
  dir.write("Maildir/new/1700000002.M2P1.host", "Subject: b\n\nB\n");
  dir.write("Maildir/cur/1700000001.M1P1.host:2,S", "Subject: a\n\nA\n");
  dir.write("Maildir/cur/1700000003.M3P1.host,S=9,W=42:2,", "whatever\n");
  dir.write("Maildir/tmp/1700000004.M4P1.host", "ignored\n");
  MailLocation loc{MailLocation::Format::maildir, dir.path + "/Maildir"};
  {
    auto box = open(loc);
    REQUIRE(box->messages().size() == 3);
    CHECK(box->messages()[0].uidl == "1700000001.M1P1.host");
    CHECK(box->messages()[1].uidl == "1700000002.M2P1.host");
    CHECK(*box->read(0) == "Subject: a\r\n\r\nA\r\n");
    CHECK(box->messages()[0].size == 17);
    CHECK(box->messages()[2].size == 42);  // from ,W=
    REQUIRE(box->expunge({true, false, false}).ok());
  }
  auto box = open(loc);
  REQUIRE(box->messages().size() == 2);
  CHECK(box->messages()[0].uidl == "1700000002.M2P1.host");
}

TEST_CASE("maildir: UIDLs from an existing dovecot-uidlist", "[mailstore]") {
  TempDir dir;
  dir.write("Maildir/cur/1700000001.M1P1.host:2,S", "Subject: a\n\nA\n");
  dir.write("Maildir/cur/1700000002.M2P1.host:2,", "Subject: b\n\nB\n");
  dir.write("Maildir/new/1700000003.M3P1.host", "Subject: c\n\nC\n");
  dir.write("Maildir/dovecot-uidlist",
            "3 V1700000000 N3 G0123456789abcdef\n1 :1700000001.M1P1.host\n2 W17 :1700000002.M2P1.host\n");
  auto box = open({MailLocation::Format::maildir, dir.path + "/Maildir"});
  REQUIRE(box->messages().size() == 3);
  CHECK(box->messages()[0].uidl == "000000016553F100");
  CHECK(box->messages()[1].uidl == "000000026553F100");
  CHECK(box->messages()[2].uidl == "1700000003.M3P1.host");  // not in the list yet
  CHECK(box->messages()[1].uid == 2);
  CHECK(box->messages()[1].uidvalidity == 1700000000);
  CHECK(box->messages()[2].uid == 0);
  CHECK_FALSE(parse_dovecot_uidlist("garbage\n"));
  auto v1 = parse_dovecot_uidlist("1 1234 5\n4 1700000009.M9P1.host\n");
  REQUIRE(v1);
  CHECK(v1->uidvalidity == 1234);
  CHECK(v1->uid_by_name.at("1700000009.M9P1.host") == 4);
}

TEST_CASE("mail_location", "[mailstore]") {
  auto a = resolve_mail_location("mbox:~/mail:INBOX=/var/mail/%u", "joe", "/home/joe", "/var/spool/mail");
  REQUIRE(a.ok());
  CHECK(a->format == MailLocation::Format::mbox);
  CHECK(a->path == "/var/mail/joe");
  auto b = resolve_mail_location("maildir:~/Maildir", "joe", "/home/joe", "/var/mail");
  REQUIRE(b.ok());
  CHECK(b->format == MailLocation::Format::maildir);
  CHECK(b->path == "/home/joe/Maildir");
  auto c = resolve_mail_location("", "nobody-here", "/nonexistent", "/var/mail");
  CHECK(c->path == "/var/mail/nobody-here");
  CHECK_FALSE(resolve_mail_location("mdbox:~/mdbox", "joe", "/home/joe", "/var/mail").ok());
}

TEST_CASE("sizes and UIDL helpers", "[mailstore]") {
  CHECK(network_size("a\nb\r\n") == 6);
  CHECK(to_network("a\nb\r\n") == "a\r\nb\r\n");
  struct Row {
    const char* name;
    std::string in, want;
  };
  for (const auto& row : std::vector<Row>{
           {"empty", "", ""},
           {"LF only", "\n", "\r\n"},
           {"leading LF then CRLF", "\nx\r\n", "\r\nx\r\n"},
           {"CR alone stays", "a\rb\n", "a\rb\r\n"},
           {"CRLF untouched", "a\r\nb\r\n", "a\r\nb\r\n"},
           {"mixed, no final newline", "a\r\nb\nc", "a\r\nb\r\nc"},
           {"blank lines", "\n\n\r\n\n", "\r\n\r\n\r\n\r\n"},
       }) {
    INFO(row.name);
    CHECK(to_network(row.in) == row.want);
    CHECK(to_network_owned(row.in) == row.want);
    CHECK(network_size(row.in) == row.want.size());
  }
  CHECK(sanitize_uidl("ok.uid") == "ok.uid");
  CHECK(sanitize_uidl("sp ace") == "sp%20ace");
  CHECK(sanitize_uidl(std::string(100, 'x')).size() == 32);
}
