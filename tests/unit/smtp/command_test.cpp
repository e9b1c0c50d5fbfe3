// Table-driven tests for the SMTP command parser: every verb, ESMTP
// parameters, and the Postfix-worded replies for each error.
#include <catch2/catch.hpp>

#include "lib/smtp/command.hpp"

using namespace postern::smtp;

namespace {

struct ErrorRow {
  const char* name;
  const char* line;
  bool strict;
  const char* reply;  // expected wire reply without CRLF
};

std::string wire_of(const ParsedCommand& parsed) {
  if (std::holds_alternative<Command>(parsed)) return "OK";
  std::string w = std::get<Reply>(parsed).wire();
  return w.substr(0, w.size() - 2);
}

// By value: the ParsedCommand passed in is a temporary.
Command ok(const ParsedCommand& parsed) {
  if (!std::holds_alternative<Command>(parsed)) FAIL("rejected: " << wire_of(parsed));
  return std::get<Command>(parsed);
}

}  // namespace

TEST_CASE("every command form parses", "[smtp][command]") {
  CommandOptions opt;
  struct Row {
    const char* name;
    const char* line;
    Verb verb;
    const char* argument;
  } rows[] = {
      {"helo", "HELO client.example", Verb::helo, "client.example"},
      {"ehlo lower case", "ehlo client.example", Verb::ehlo, "client.example"},
      {"ehlo literal", "EHLO [192.0.2.1]", Verb::ehlo, "[192.0.2.1]"},
      {"lhlo", "LHLO x", Verb::lhlo, "x"},
      {"data", "DATA", Verb::data, ""},
      {"data trailing space", "DATA ", Verb::data, ""},
      {"rset", "RSET", Verb::rset, ""},
      {"noop", "NOOP", Verb::noop, ""},
      {"noop with text", "NOOP hello there", Verb::noop, "hello there"},
      {"quit", "QUIT", Verb::quit, ""},
      {"vrfy", "VRFY <postmaster>", Verb::vrfy, "<postmaster>"},
      {"help", "HELP", Verb::help, ""},
      {"help topic", "HELP MAIL", Verb::help, "MAIL"},
      {"starttls", "STARTTLS", Verb::starttls, ""},
      {"auth", "AUTH plain", Verb::auth, "PLAIN"},
      {"bdat", "BDAT 100", Verb::bdat, ""},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      const Command& cmd = ok(parse_command(row.line, opt));
      CHECK(cmd.verb == row.verb);
      CHECK(cmd.argument == row.argument);
    }
  }
}

TEST_CASE("AUTH initial response and BDAT LAST", "[smtp][command]") {
  CommandOptions opt;
  const Command& auth = ok(parse_command("AUTH PLAIN AGFsaWNlAHNlY3JldA==", opt));
  CHECK(auth.initial_response == "AGFsaWNlAHNlY3JldA==");
  const Command& bdat = ok(parse_command("BDAT 4096 LAST", opt));
  CHECK(bdat.bdat_size == 4096);
  CHECK(bdat.bdat_last);
  const Command& bdat0 = ok(parse_command("bdat 0 last", opt));
  CHECK(bdat0.bdat_size == 0);
  CHECK(bdat0.bdat_last);
}

TEST_CASE("MAIL FROM paths and parameters", "[smtp][command]") {
  CommandOptions opt;
  opt.message_size_limit = 10240000;
  SECTION("plain") {
    const Command& c = ok(parse_command("MAIL FROM:<alice@example.com>", opt));
    CHECK(c.path.address == "alice@example.com");
    CHECK(c.path.domain == "example.com");
    CHECK_FALSE(c.path.null);
  }
  SECTION("null sender") {
    const Command& c = ok(parse_command("MAIL FROM:<>", opt));
    CHECK(c.path.null);
    CHECK(c.path.address.empty());
  }
  SECTION("all parameters") {
    const Command& c = ok(parse_command(
        "MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME RET=HDRS ENVID=QQ+2B314 AUTH=a+2Bb@c", opt));
    CHECK(c.mail.size == 1000u);
    CHECK(c.mail.body == Body::eight_bit_mime);
    CHECK(c.mail.ret == Ret::hdrs);
    CHECK(c.mail.envid == std::optional<std::string>("QQ+314"));
    CHECK(c.mail.auth == std::optional<std::string>("a+b@c"));
  }
  SECTION("body values and case") {
    CHECK(ok(parse_command("MAIL FROM:<a@b> body=7bit", opt)).mail.body == Body::seven_bit);
    CHECK(ok(parse_command("MAIL FROM:<a@b> BODY=BINARYMIME", opt)).mail.body == Body::binary_mime);
  }
  SECTION("smtputf8 address") {
    const Command& c = ok(parse_command("MAIL FROM:<J\xC3\xB6rg@b\xC3\xBC" "cher.example> SMTPUTF8", opt));
    CHECK(c.mail.smtputf8);
    CHECK(c.path.utf8);
  }
  SECTION("source route stripped") {
    const Command& c = ok(parse_command("MAIL FROM:<@relay1.example,@relay2.example:u@d.example>", opt));
    CHECK(c.path.address == "u@d.example");
  }
  SECTION("quoted local part") {
    const Command& c = ok(parse_command("MAIL FROM:<\"john smith\\\"x\"@example.com>", opt));
    CHECK(c.path.local_part == "\"john smith\\\"x\"");
  }
  SECTION("address literals") {
    CHECK(ok(parse_command("MAIL FROM:<u@[192.0.2.1]>", opt)).path.domain == "[192.0.2.1]");
    CHECK(ok(parse_command("MAIL FROM:<u@[IPv6:2001:db8::1]>", opt)).path.domain == "[IPv6:2001:db8::1]");
  }
  SECTION("lenient forms Postfix accepts") {
    CHECK(ok(parse_command("MAIL FROM: <a@b.example>", opt)).path.address == "a@b.example");
    CHECK(ok(parse_command("MAIL FROM:a@b.example", opt)).path.address == "a@b.example");
    CHECK(ok(parse_command("mail from:<user>", opt)).path.domain.empty());
    CHECK(ok(parse_command("MAIL FROM:<a..b@c.example>", opt)).path.address == "a..b@c.example");
    CHECK(ok(parse_command("MAIL FROM:<a@b.example>   ", opt)).path.address == "a@b.example");
  }
}

TEST_CASE("RCPT TO paths and parameters", "[smtp][command]") {
  CommandOptions opt;
  SECTION("notify and orcpt") {
    const Command& c = ok(parse_command("RCPT TO:<b@c.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@c.example", opt));
    CHECK(c.rcpt.notify == (notify_success | notify_failure));
    CHECK(c.rcpt.orcpt_type == std::optional<std::string>("rfc822"));
    CHECK(c.rcpt.orcpt == std::optional<std::string>("b+x@c.example"));
  }
  SECTION("notify never") {
    CHECK(ok(parse_command("RCPT TO:<b@c> NOTIFY=never", opt)).rcpt.notify == notify_never);
  }
  SECTION("postmaster without domain, even strict") {
    CommandOptions strict;
    strict.strict_rfc821_envelopes = true;
    CHECK(ok(parse_command("RCPT TO:<Postmaster>", strict)).path.local_part == "Postmaster");
  }
  SECTION("utf8 recipient in an SMTPUTF8 transaction") {
    opt.smtputf8_transaction = true;
    CHECK(ok(parse_command("RCPT TO:<\xE7\x94\xA8\xE6\x88\xB7@example.com>", opt)).path.utf8);
  }
}

TEST_CASE("each error maps to Postfix's reply", "[smtp][command]") {
  ErrorRow rows[] = {
      {"unknown verb", "FOO bar", false, "500 5.5.2 Error: command not recognized"},
      {"empty line", "", false, "500 5.5.2 Error: command not recognized"},
      {"control byte", "NOOP \x01", false, "500 5.5.2 Error: bad syntax"},
      {"bad utf-8", "NOOP \xC3\x28", false, "500 5.5.2 Error: bad UTF-8 syntax"},
      {"helo without name", "HELO", false, "501 Syntax: HELO hostname"},
      {"ehlo without name", "EHLO   ", false, "501 Syntax: EHLO hostname"},
      {"mail without from", "MAIL", false, "501 5.5.4 Syntax: MAIL FROM:<address>"},
      {"mail to instead of from", "MAIL TO:<a@b>", false, "501 5.5.4 Syntax: MAIL FROM:<address>"},
      {"mail from nothing", "MAIL FROM:", false, "501 5.5.4 Syntax: MAIL FROM:<address>"},
      {"mail unclosed", "MAIL FROM:<a@b", false, "501 5.1.7 Bad sender address syntax"},
      {"mail bad domain", "MAIL FROM:<a@-b.example>", false, "501 5.1.7 Bad sender address syntax"},
      {"mail empty domain", "MAIL FROM:<a@>", false, "501 5.1.7 Bad sender address syntax"},
      {"mail space in local", "MAIL FROM:<a b@c>", false, "501 5.1.7 Bad sender address syntax"},
      {"mail bad ipv4 literal", "MAIL FROM:<a@[300.1.1.1]>", false, "501 5.1.7 Bad sender address syntax"},
      {"mail bad ipv6 literal", "MAIL FROM:<a@[IPv6:zz::1]>", false, "501 5.1.7 Bad sender address syntax"},
      {"mail unbalanced quote", "MAIL FROM:<\"a@b>", false, "501 5.1.7 Bad sender address syntax"},
      {"mail bad route", "MAIL FROM:<@:a@b>", false, "501 5.1.7 Bad sender address syntax"},
      {"strict space after colon", "MAIL FROM: <a@b.example>", true, "501 5.1.7 Bad sender address syntax"},
      {"strict no brackets", "MAIL FROM:a@b.example", true, "501 5.1.7 Bad sender address syntax"},
      {"strict unqualified", "MAIL FROM:<user>", true, "501 5.1.7 Bad sender address syntax"},
      {"strict empty atom", "MAIL FROM:<a..b@c.example>", true, "501 5.1.7 Bad sender address syntax"},
      {"strict long local part", "MAIL FROM:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.example>", true,
       "501 5.1.7 Bad sender address syntax"},
      {"unknown option", "MAIL FROM:<a@b> FOO=1", false, "555 5.5.4 Unsupported option: FOO=1"},
      {"bad body", "MAIL FROM:<a@b> BODY=9BIT", false, "555 5.5.4 Unsupported option: BODY=9BIT"},
      {"smtputf8 with value", "MAIL FROM:<a@b> SMTPUTF8=yes", false, "555 5.5.4 Unsupported option: SMTPUTF8=yes"},
      {"bad size", "MAIL FROM:<a@b> SIZE=12k", false, "501 5.5.4 Bad message size syntax"},
      {"negative size", "MAIL FROM:<a@b> SIZE=-1", false, "501 5.5.4 Bad message size syntax"},
      {"size without value", "MAIL FROM:<a@b> SIZE", false, "501 5.5.4 Bad message size syntax"},
      {"size over limit", "MAIL FROM:<a@b> SIZE=20000000", false, "552 5.3.4 Message size exceeds fixed limit"},
      {"bad ret", "MAIL FROM:<a@b> RET=ALL", false, "501 5.5.4 Bad RET parameter syntax"},
      {"bad envid xtext", "MAIL FROM:<a@b> ENVID=a+zz", false, "501 5.5.4 Bad ENVID parameter syntax"},
      {"envid truncated hex", "MAIL FROM:<a@b> ENVID=a+4", false, "501 5.5.4 Bad ENVID parameter syntax"},
      {"duplicate size", "MAIL FROM:<a@b> SIZE=1 SIZE=2", false, "501 5.5.4 Error: duplicate SIZE parameter"},
      {"duplicate auth", "MAIL FROM:<a@b> AUTH=<> AUTH=<>", false, "503 5.5.4 Error: multiple AUTH= options"},
      {"utf8 without smtputf8", "MAIL FROM:<J\xC3\xB6rg@example.com>", false,
       "553 5.6.7 Must declare SMTPUTF8 to send unicode address"},
      {"rcpt without to", "RCPT <a@b>", false, "501 5.5.4 Syntax: RCPT TO:<address>"},
      {"rcpt null", "RCPT TO:<>", false, "501 5.1.3 Bad recipient address syntax"},
      {"rcpt bad", "RCPT TO:<a@b@>", false, "501 5.1.3 Bad recipient address syntax"},
      {"rcpt strict unqualified", "RCPT TO:<user>", true, "501 5.1.3 Bad recipient address syntax"},
      {"rcpt bad notify", "RCPT TO:<a@b> NOTIFY=SOMETIMES", false, "501 5.5.4 Error: Bad NOTIFY parameter syntax"},
      {"rcpt notify never plus", "RCPT TO:<a@b> NOTIFY=NEVER,DELAY", false, "501 5.5.4 Error: Bad NOTIFY parameter syntax"},
      {"rcpt notify empty item", "RCPT TO:<a@b> NOTIFY=SUCCESS,,DELAY", false, "501 5.5.4 Error: Bad NOTIFY parameter syntax"},
      {"rcpt orcpt no type", "RCPT TO:<a@b> ORCPT=a@b", false, "501 5.5.4 Error: Bad ORCPT parameter syntax"},
      {"rcpt orcpt bad xtext", "RCPT TO:<a@b> ORCPT=rfc822;a+g0", false, "501 5.5.4 Error: Bad ORCPT parameter syntax"},
      {"rcpt unknown option", "RCPT TO:<a@b> SIZE=1", false, "555 5.5.4 Unsupported option: SIZE=1"},
      {"rcpt utf8 outside smtputf8", "RCPT TO:<\xC3\xB6@example.com>", false,
       "553 5.6.7 Must declare SMTPUTF8 to send unicode address"},
      {"data with argument", "DATA now", false, "501 5.5.4 Syntax: DATA"},
      {"rset with argument", "RSET x", false, "501 5.5.4 Syntax: RSET"},
      {"starttls with argument", "STARTTLS x", false, "501 5.5.4 Syntax: STARTTLS"},
      {"vrfy without argument", "VRFY", false, "501 5.5.4 Syntax: VRFY address"},
      {"auth without mechanism", "AUTH", false, "501 5.5.4 Syntax: AUTH mechanism"},
      {"auth three words", "AUTH PLAIN a b", false, "501 5.5.4 Syntax: AUTH mechanism"},
      {"bdat without size", "BDAT", false, "521 5.5.4 Syntax: BDAT count [LAST]"},
      {"bdat junk size", "BDAT 12x", false, "521 5.5.4 Syntax: BDAT count [LAST]"},
      {"bdat overflow", "BDAT 99999999999999999999999", false, "521 5.5.4 Syntax: BDAT count [LAST]"},
      {"bdat bad last", "BDAT 10 FIRST", false, "521 5.5.4 Syntax: BDAT count [LAST]"},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      CommandOptions opt;
      opt.strict_rfc821_envelopes = row.strict;
      opt.message_size_limit = 10240000;
      CHECK(wire_of(parse_command(row.line, opt)) == row.reply);
    }
  }
}

TEST_CASE("nul byte inside a command line is rejected", "[smtp][command]") {
  std::string line("MAIL FROM:<a@b>\0x", 17);
  CHECK(wire_of(parse_command(line, CommandOptions{})) == "500 5.5.2 Error: bad syntax");
}

TEST_CASE("SMTPUTF8 and DSN can be disabled", "[smtp][command]") {
  CommandOptions opt;
  opt.smtputf8_enable = false;
  opt.dsn_enable = false;
  CHECK(wire_of(parse_command("MAIL FROM:<a@b> SMTPUTF8", opt)) == "555 5.5.4 Unsupported option: SMTPUTF8");
  CHECK(wire_of(parse_command("MAIL FROM:<a@b> RET=FULL", opt)) == "501 5.7.1 DSN support is disabled");
  CHECK(wire_of(parse_command("RCPT TO:<a@b> NOTIFY=NEVER", opt)) == "501 5.7.1 DSN support is disabled");
}
