// CommandReader: framing, literals (sync and LITERAL+), limits, malformed
// input and resynchronization, fed whole and trickled.
#include <catch2/catch.hpp>

#include "lib/imap/command_reader.hpp"
#include "tests/unit/imap/reader_helpers.hpp"

using namespace postern::imap;
using namespace postern::imap::test;

namespace {

std::string show(const Arg& a) {
  switch (a.kind) {
    case Arg::Kind::atom:
      return a.text;
    case Arg::Kind::string:
      return (a.literal ? "L\"" : "\"") + a.text + "\"";
    case Arg::Kind::list: {
      std::string s = "(";
      for (size_t i = 0; i < a.items.size(); ++i) s += (i ? " " : "") + show(a.items[i]);
      return s + ")";
    }
  }
  return "?";
}

std::string show(const Outcome& o) {
  if (auto* c = std::get_if<Command>(&o)) {
    std::string s = "CMD " + c->tag + " " + (c->uid ? "UID " : "") + c->name;
    for (const auto& a : c->args) s += " " + show(a);
    return s;
  }
  if (auto* l = std::get_if<LiteralWanted>(&o)) return "+" + std::to_string(l->size);
  if (auto* e = std::get_if<ReadError>(&o)) return "ERR " + e->tag + (e->close ? " close " : " ") + e->text;
  if (auto* r = std::get_if<RawLine>(&o)) return "RAW " + r->text;
  return "none";
}

std::vector<std::string> shows(const std::vector<Outcome>& outs) {
  std::vector<std::string> v;
  for (const auto& o : outs) v.push_back(show(o));
  return v;
}

}  // namespace

TEST_CASE("simple commands", "[imap][reader]") {
  auto c = one_command("a1 NOOP\r\n");
  CHECK(c.tag == "a1");
  CHECK(c.name == "NOOP");
  CHECK_FALSE(c.uid);
  CHECK(c.args.empty());

  c = one_command("x.y select INBOX\r\n");
  CHECK(c.name == "SELECT");
  REQUIRE(c.args.size() == 1);
  CHECK(c.args[0].is_atom());
  CHECK(c.args[0].text == "INBOX");

  c = one_command("A003 uid fetch 1:* (FLAGS)\r\n");
  CHECK(c.uid);
  CHECK(c.name == "FETCH");
  CHECK(show(Outcome(c)) == "CMD A003 UID FETCH 1:* (FLAGS)");

  CHECK(show(Outcome(one_command("a LOGIN \"us\\\"er\" \"pa\\\\ss\"\r\n"))) == "CMD a LOGIN \"us\"er\" \"pa\\ss\"");
  CHECK(show(Outcome(one_command("a NOOP\n"))) == "CMD a NOOP");  // bare LF tolerated
  CHECK(show(Outcome(one_command("a  STATUS  x  (MESSAGES)  \r\n"))) == "CMD a STATUS x (MESSAGES)");
  CHECK(show(Outcome(one_command("a X \"\" ()\r\n"))) == "CMD a X \"\" ()");
  CHECK(show(Outcome(one_command("a X \"\xc3\xa9t\xc3\xa9\"\r\n"))) == "CMD a X \"\xc3\xa9t\xc3\xa9\"");
}

TEST_CASE("sections stay whole, mailbox atoms with brackets do not start one", "[imap][reader]") {
  auto c = one_command("a FETCH 1 (BODY.PEEK[HEADER.FIELDS (DATE \"X-A b\")]<0.100> FLAGS BODY[])\r\n");
  REQUIRE(c.args.size() == 2);
  REQUIRE(c.args[1].items.size() == 3);
  CHECK(c.args[1].items[0].text == "BODY.PEEK[HEADER.FIELDS (DATE \"X-A b\")]<0.100>");
  CHECK(c.args[1].items[2].text == "BODY[]");
  c = one_command("a SELECT [Gmail]/Sent\r\n");
  CHECK(c.args[0].text == "[Gmail]/Sent");
  c = one_command("a FETCH 1 binary.size[1]\r\n");
  CHECK(c.args[1].text == "binary.size[1]");
  CHECK(one_error("a FETCH 1 BODY[HEADER\r\n").text == "Missing ']' in section");
  CHECK(one_error("a FETCH 1 BODY[1[2]]\r\n").text == "Nested '[' in section");
}

TEST_CASE("synchronizing literals ask for a continuation", "[imap][reader]") {
  CommandReader reader;
  auto outs = run(reader, "a LOGIN {4}\r\n");
  REQUIRE(shows(outs) == std::vector<std::string>{"+4"});
  CHECK(reader.partial().name == "LOGIN");
  outs = run(reader, "us\r\n");  // literal bytes may hold CRLF
  CHECK(outs.empty());
  outs = run(reader, " {4}\r\n");
  REQUIRE(shows(outs) == std::vector<std::string>{"+4"});
  outs = run(reader, "p{1}\r\n");
  REQUIRE(shows(outs) == std::vector<std::string>{"CMD a LOGIN L\"us\r\n\" L\"p{1}\""});
}

TEST_CASE("APPEND can be refused before its literal", "[imap][reader]") {
  CommandReader reader;
  auto outs = run(reader, "a APPEND Missing (\\Seen) {310}\r\n");
  REQUIRE(shows(outs) == std::vector<std::string>{"+310"});
  const Command& p = reader.partial();
  CHECK(p.tag == "a");
  CHECK(p.name == "APPEND");
  REQUIRE(p.args.size() == 2);
  CHECK(p.args[0].text == "Missing");
  reader.reject_literal();
  outs = run(reader, "b NOOP\r\n");
  CHECK(shows(outs) == std::vector<std::string>{"CMD b NOOP"});
}

TEST_CASE("non-synchronizing literals (LITERAL+)", "[imap][reader]") {
  CHECK(shows(run("a LOGIN {4+}\r\nuser {4+}\r\npass\r\n")) ==
        std::vector<std::string>{"CMD a LOGIN L\"user\" L\"pass\""});
  CHECK(shows(run("a X {0}\r\n {0+}\r\n\r\n")) == std::vector<std::string>{"+0", "CMD a X L\"\" L\"\""});
  CHECK(shows(run("a X (b {3+}\r\nabc d)\r\n")) == std::vector<std::string>{"CMD a X (b L\"abc\" d)"});
  CHECK(shows(run("a X {3+}\r\nabc)\r\n")) == std::vector<std::string>{"ERR a Unexpected ')'"});
}

TEST_CASE("every split of the input gives the same outcomes", "[imap][reader]") {
  const char* wires[] = {
      "a1 LOGIN {5}\r\nalice {6+}\r\nsecret\r\na2 SELECT INBOX\r\n",
      "t APPEND INBOX (\\Seen $x) \" 7-Jul-1996 02:44:25 -0700\" {12}\r\nHi\r\n\r\nbody\r\n\r\n",
      "t FETCH 1:3 (BODY.PEEK[1.HEADER.FIELDS (A B)]<5.10> UID)\r\nu NOOP\n",
      "x X (((a)))\r\ny X ((b)\r\nz NOOP\r\n",
      "q X {3+}\r\na\nb \"\\q\" {4+}\r\n1234\r\nr NOOP\r\n",
      "\r\n\r\na NOOP\r\n",
  };
  for (const char* wire : wires) {
    INFO(wire);
    auto whole = shows(run(wire));
    CHECK_FALSE(whole.empty());
    for (size_t chunk : {1, 2, 3, 5, 7, 64}) {
      INFO("chunk " << chunk);
      CHECK(shows(run(wire, chunk)) == whole);
    }
  }
}

TEST_CASE("pipelined commands are returned one at a time", "[imap][reader]") {
  CommandReader reader;
  std::string_view wire = "a NOOP\r\nb STARTTLS\r\n\x16\x03\x01";
  auto step = reader.feed(wire);
  CHECK(step.consumed == 8);
  CHECK(show(step.outcome) == "CMD a NOOP");
  wire.remove_prefix(step.consumed);
  step = reader.feed(wire);
  CHECK(show(step.outcome) == "CMD b STARTTLS");
  CHECK(wire.substr(step.consumed) == "\x16\x03\x01");  // TLS bytes left to the caller
}

TEST_CASE("raw lines for AUTHENTICATE and IDLE", "[imap][reader]") {
  CommandReader reader;
  reader.expect_line();
  CHECK(shows(run(reader, "dXNlcg== {5}\r\n")) == std::vector<std::string>{"RAW dXNlcg== {5}"});
  CHECK(shows(run(reader, "DONE\r\n")) == std::vector<std::string>{"ERR DONE Missing command name"});
}

TEST_CASE("malformed commands", "[imap][reader]") {
  struct Row {
    const char* name;
    std::string wire;
    std::string error;  // "ERR tag text"
  };
  const Row rows[] = {
      {"unbalanced (", "a X (a (b)\r\n", "ERR a Missing ')': 1 list(s) not closed"},
      {"unbalanced )", "a X a)\r\n", "ERR a Unexpected ')'"},
      {"no command", "a\r\n", "ERR a Missing command name"},
      {"quoted tag", "\"a\" NOOP\r\n", "ERR * Invalid tag"},
      {"plus tag", "+ NOOP\r\n", "ERR * Invalid tag"},
      {"star tag", "* NOOP\r\n", "ERR * Invalid tag"},
      {"list name", "a (NOOP)\r\n", "ERR a Invalid command name"},
      {"bad name", "a NO%P\r\n", "ERR a Invalid command name"},
      {"lone UID", "a UID\r\n", "ERR a UID must be followed by a command (COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE)"},
      {"bad escape", "a X \"a\\b\"\r\n", "ERR a Invalid escape in quoted string (only \\\\ and \\\" are allowed)"},
      {"unterminated", "a X \"abc\r\n", "ERR a Unterminated quoted string"},
      {"cr in quoted", std::string("a X \"a\rb\"\r\n"), "ERR a Control character in quoted string"},
      {"nul in quoted", std::string("a X \"a\0b\"\r\n", 11), "ERR a Control character in quoted string"},
      {"control", std::string("a X a\x01\r\n"), "ERR a Control character in command"},
      {"8-bit atom", "a SELECT \xc3\xa9t\xc3\xa9\r\n", "ERR a 8-bit character outside a quoted string or literal"},
      {"literal mid-line", "a X {3} b\r\n", "ERR a Invalid literal: a literal {n} must end the line"},
      {"literal junk", "a X {3a}\r\n", "ERR a Invalid literal: a literal {n} must end the line"},
      {"literal overflow", "a X {99999999999999999999999}\r\n", "ERR a Invalid literal size"},
      {"quote in atom", "a X ab\"c\"\r\n", "ERR a Invalid character '\"' in atom"},
      {"no space after quoted", "a X \"a\"b\r\n", "ERR a Missing space after a quoted string"},
      {"no space after list", "a X (a)(b)\r\n", "ERR a Missing space after ')'"},
      {"no space after literal", "a X {1+}\r\nab\r\n", "ERR a Missing space after a literal"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto outs = shows(run(row.wire));
    REQUIRE(outs.size() == 1);
    CHECK(outs[0] == row.error);
    // The reader is usable again right after.
    CommandReader reader;
    auto after = shows(run(reader, row.wire + "z NOOP\r\n"));
    CHECK(after.back() == "CMD z NOOP");
  }
}

TEST_CASE("nesting depth is capped", "[imap][reader]") {
  ReaderLimits limits;
  limits.max_depth = 8;
  std::string ok = "a X " + std::string(8, '(') + std::string(8, ')') + "\r\n";
  CHECK(shows(run(ok, 0, limits)).at(0).rfind("CMD a X ((((((((", 0) == 0);
  std::string deep = "a X " + std::string(9, '(') + std::string(9, ')') + "\r\n";
  CHECK(shows(run(deep, 0, limits)) == std::vector<std::string>{"ERR a Too deeply nested parentheses (limit 8)"});
  // The default cap holds against a line of 60,000 "(".
  CHECK(one_error("a X " + std::string(60000, '(') + "\r\n").text == "Too deeply nested parentheses (limit 32)");
}

TEST_CASE("line, literal and command limits", "[imap][reader]") {
  ReaderLimits limits;
  limits.max_line = 100;
  limits.max_literal = 10;
  limits.max_command = 200;
  limits.max_other_command = 200;

  SECTION("a long line is answered with its tag and the stream resynchronizes") {
    std::string wire = "a X " + std::string(300, 'x') + "\r\nb NOOP\r\n";
    CHECK(shows(run(wire, 0, limits)) ==
          std::vector<std::string>{"ERR a Line too long (limit 100 octets)", "CMD b NOOP"});
    CHECK(shows(run(wire, 1, limits)) ==
          std::vector<std::string>{"ERR a Line too long (limit 100 octets)", "CMD b NOOP"});
  }
  SECTION("a long line ending in {n+}: its literal is skipped, not run as commands") {
    std::string wire = "a X " + std::string(300, 'x') + " {9+}\r\nc DELETE\r\n\r\nb NOOP\r\n";
    CHECK(shows(run(wire, 0, limits)) ==
          std::vector<std::string>{"ERR a Line too long (limit 100 octets)", "CMD b NOOP"});
  }
  SECTION("an error before a {n+} literal skips it; before {n} it is answered at once") {
    CHECK(shows(run("a X \"\\q\" {10+}\r\nc DELETE\r\n {1+}\r\nx\r\nb NOOP\r\n", 0, limits)) ==
          std::vector<std::string>{"ERR a Invalid escape in quoted string (only \\\\ and \\\" are allowed)",
                                   "CMD b NOOP"});
    CHECK(shows(run("a X \"\\q\" {9}\r\nb NOOP\r\n", 0, limits)) ==
          std::vector<std::string>{"ERR a Invalid escape in quoted string (only \\\\ and \\\" are allowed)",
                                   "CMD b NOOP"});
  }
  SECTION("an oversize {n} is refused without closing; an oversize {n+} closes") {
    CHECK(shows(run("a APPEND INBOX {11}\r\nb NOOP\r\n", 0, limits)) ==
          std::vector<std::string>{"ERR a Literal too large (11 octets, limit 10)", "CMD b NOOP"});
    CHECK(shows(run("a APPEND INBOX {11+}\r\n", 0, limits)) ==
          std::vector<std::string>{"ERR a close Literal too large (11 octets, limit 10)"});
    CHECK(shows(run("a APPEND INBOX {10}\r\n0123456789\r\n", 0, limits)) ==
          std::vector<std::string>{"+10", "CMD a APPEND INBOX L\"0123456789\""});
  }
  SECTION("the whole command is bounded across literals") {
    std::string wire = "a X";
    for (int i = 0; i < 30; ++i) wire += " {9+}\r\n123456789";
    wire += "\r\nb NOOP\r\n";
    auto outs = shows(run(wire, 0, limits));
    REQUIRE(outs.size() == 2);
    CHECK(outs[0].rfind("ERR a ", 0) == 0);
    CHECK(outs[0].find("too") != std::string::npos);
    CHECK(outs[1] == "CMD b NOOP");
  }
  SECTION("a raw line that is too long is flagged") {
    CommandReader reader(limits);
    reader.expect_line();
    auto outs = run(reader, std::string(500, 'A') + "\r\n");
    REQUIRE(outs.size() == 1);
    auto* raw = std::get_if<RawLine>(&outs[0]);
    REQUIRE(raw);
    CHECK(raw->too_long);
  }
}

TEST_CASE("only APPEND may carry a large literal", "[imap][reader]") {
  ReaderLimits limits;
  limits.max_literal = 1000;
  limits.max_command = 2000;
  limits.max_other_command = 100;
  CHECK(shows(run("a APPEND x {1000}\r\n", 0, limits)) == std::vector<std::string>{"+1000"});
  CHECK(shows(run("a LOGIN {101}\r\n", 0, limits)) ==
        std::vector<std::string>{"ERR a Literal too large (101 octets, limit 100)"});
  CHECK(shows(run("a UID APPEND {101}\r\n", 0, limits)) ==
        std::vector<std::string>{"ERR a Literal too large (101 octets, limit 100)"});
  // A refused {n+} within the larger limit is skipped, not run as commands.
  CHECK(shows(run("a LOGIN {50+}\r\n" + std::string(50, 'x') + " {60+}\r\n" + std::string(60, 'y') +
                      "\r\nb NOOP\r\n",
                  0, limits)) == std::vector<std::string>{"ERR a Command too long (limit 100 octets)", "CMD b NOOP"});
  CommandReader reader(limits);
  CHECK(shows(run(reader, "a LOGIN {101}\r\n")).size() == 1);
  limits.max_other_command = 1000;
  reader.set_limits(limits);
  CHECK(shows(run(reader, "a LOGIN {101}\r\n")) == std::vector<std::string>{"+101"});
}

TEST_CASE("literals hold any octet, exactly as many as announced", "[imap][reader]") {
  std::string body("\0\r\n\xff)\"{5}\r\n", 11);
  auto c = one_command("a APPEND INBOX {" + std::to_string(body.size()) + "+}\r\n" + body + "\r\n");
  REQUIRE(c.args.size() == 2);
  CHECK(c.args[1].literal);
  CHECK(c.args[1].text == body);
}
