// ENVELOPE (RFC 3501 7.4.2) and RFC 5322 address lists.
#include "lib/mime/envelope.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/mime/test_messages.hpp"

using namespace postern::mime;
using postern::mime::testing::crlf;

namespace {

std::string env(const std::string& lf_text) {
  std::string raw = crlf(lf_text);
  return envelope(raw, parse_message(raw));
}

// The address list of a To: field as it appears in an envelope.
std::string to_list(const std::string& value) {
  std::string e = env("To: " + value + "\n\n");
  // (NIL NIL NIL NIL NIL <to> NIL NIL NIL NIL)
  const std::string prefix = "(NIL NIL NIL NIL NIL ";
  const std::string suffix = " NIL NIL NIL NIL)";
  REQUIRE(e.substr(0, prefix.size()) == prefix);
  REQUIRE(e.substr(e.size() - suffix.size()) == suffix);
  return e.substr(prefix.size(), e.size() - prefix.size() - suffix.size());
}

}  // namespace

TEST_CASE("a full envelope; Sender and Reply-To default to From", "[mime]") {
  CHECK(env("Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\n"
            "Subject: IMAP4rev1 WG mtg summary and minutes\n"
            "From: Terry Gray <gray@cac.washington.edu>\n"
            "To: imap@cac.washington.edu\n"
            "Cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\n"
            "Message-Id: <B27397-0100000@cac.washington.edu>\n"
            "\nbody\n") ==
        "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
        "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
        "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
        "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
        "((NIL NIL \"imap\" \"cac.washington.edu\")) "
        "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
        "\"<B27397-0100000@cac.washington.edu>\")");
}

TEST_CASE("absent fields are NIL; folded values are unfolded; encoded words kept", "[mime]") {
  CHECK(
      env("Subject: =?utf-8?q?caf=C3=A9?=\n  and more\nIn-Reply-To: <a@b>\nSender: \nReply-To: r@x\n\n") ==
      "(NIL \"=?utf-8?q?caf=C3=A9?=  and more\" NIL NIL ((NIL NIL \"r\" \"x\")) NIL NIL NIL \"<a@b>\" NIL)");
  CHECK(env("Subject:\n\n") == "(NIL \"\" NIL NIL NIL NIL NIL NIL NIL NIL)");
  CHECK(env("\nbody") == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST_CASE("only the first of repeated fields counts", "[mime]") {
  CHECK(env("Subject: one\nSubject: two\n\n") == "(NIL \"one\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST_CASE("address list forms", "[mime]") {
  struct Row {
    const char* name;
    const char* value;
    const char* expected;
  };
  const Row rows[] = {
      {"plain", "a@b.c", "((NIL NIL \"a\" \"b.c\"))"},
      {"angle only", "<a@b.c>", "((NIL NIL \"a\" \"b.c\"))"},
      {"quoted name", "\"Doe, John\" <jd@x>", "((\"Doe, John\" NIL \"jd\" \"x\"))"},
      {"quoted name with escapes", "\"A \\\"B\\\" C\" <a@x>", "((\"A \\\"B\\\" C\" NIL \"a\" \"x\"))"},
      {"comment as name", "jd@x (John Doe)", "((\"John Doe\" NIL \"jd\" \"x\"))"},
      {"comments ignored elsewhere", "John (the man) Doe <jd@x>", "((\"John Doe\" NIL \"jd\" \"x\"))"},
      {"obs-phrase with dots", "John Q. Public <jqp@x>", "((\"John Q. Public\" NIL \"jqp\" \"x\"))"},
      {"encoded word name kept", "=?utf-8?b?w6k=?= <e@x>", "((\"=?utf-8?b?w6k=?=\" NIL \"e\" \"x\"))"},
      {"quoted local part", "\"john doe\"@x", "((NIL NIL \"\\\"john doe\\\"\" \"x\"))"},
      {"quoted dot-atom local part unquoted", "\"jd\"@x", "((NIL NIL \"jd\" \"x\"))"},
      {"route", "<@r1.org,@r2.org:jd@x>", "((NIL \"@r1.org,@r2.org\" \"jd\" \"x\"))"},
      {"domain literal", "jd@[192.0.2.1]", "((NIL NIL \"jd\" \"[192.0.2.1]\"))"},
      {"group", "team: a@x, B <b@y>;, c@z",
       "((NIL NIL \"team\" NIL)(NIL NIL \"a\" \"x\")(\"B\" NIL \"b\" \"y\")(NIL NIL NIL NIL)(NIL NIL \"c\" "
       "\"z\"))"},
      {"empty group", "undisclosed-recipients:;",
       "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))"},
      {"unterminated group", "g: a@x", "((NIL NIL \"g\" NIL)(NIL NIL \"a\" \"x\")(NIL NIL NIL NIL))"},
      {"missing domain", "root", "((NIL NIL \"root\" \".MISSING-HOST-NAME.\"))"},
      {"missing domain in angle", "Root <root>", "((\"Root\" NIL \"root\" \".MISSING-HOST-NAME.\"))"},
      {"empty elements", ", a@x,, ,", "((NIL NIL \"a\" \"x\"))"},
      {"junk skipped", "> a@x", "((NIL NIL \"a\" \"x\"))"},
      {"8-bit name is a literal", "Jos\xc3\xa9 <j@x>", "(({5}\r\nJos\xc3\xa9 NIL \"j\" \"x\"))"},
      {"unclosed angle", "A <a@x", "((\"A\" NIL \"a\" \"x\"))"},
      {"empty", "", "NIL"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(to_list(row.value) == row.expected);
  }
}

TEST_CASE("the envelope of an embedded message uses its own header", "[mime]") {
  std::string raw =
      crlf("Subject: outer\nContent-Type: message/rfc822\n\nSubject: inner\nFrom: i@x\n\nbody\n");
  Part p = parse_message(raw);
  REQUIRE(p.children.size() == 1);
  CHECK(envelope(raw, p.children[0]) ==
        "(NIL \"inner\" ((NIL NIL \"i\" \"x\")) ((NIL NIL \"i\" \"x\")) ((NIL NIL \"i\" \"x\")) NIL NIL NIL "
        "NIL NIL)");
}

TEST_CASE("hostile address lists stay bounded", "[mime]") {
  std::string many(200000, ',');
  CHECK(to_list(many) == "NIL");
  std::string nested(5000, '(');
  CHECK(to_list(nested + "a@b") == "NIL");
}
