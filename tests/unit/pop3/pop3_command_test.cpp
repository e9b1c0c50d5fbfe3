// POP3 command grammar, numbers, responses, dot-stuffing and TOP.
#include <catch2/catch.hpp>

#include "lib/pop3/pop3_command.hpp"

using namespace postern::pop3;

TEST_CASE("commands", "[pop3]") {
  auto c = parse_command("retr 12");
  REQUIRE(c);
  CHECK(c->keyword == "RETR");
  CHECK(c->args == std::vector<std::string>{"12"});
  auto p = parse_command("PASS with spaces  inside");
  REQUIRE(p);
  CHECK(p->rest == "with spaces  inside");
  CHECK(parse_command("CAPA")->args.empty());
  struct Row {
    const char* name;
    std::string line;
  };
  const Row bad[] = {{"empty", ""}, {"too short", "AB"}, {"too long", "ABCDE x"}, {"digits", "RE1R"},
                     {"control", std::string("USER a\0b", 8)}, {"leading space", " USER a"}, {"del", "USER \x7f"}};
  for (const auto& row : bad) {
    INFO(row.name);
    CHECK_FALSE(parse_command(row.line));
  }
}

TEST_CASE("message numbers", "[pop3]") {
  CHECK(parse_number("1") == size_t(1));
  CHECK(parse_number("0") == size_t(0));
  CHECK_FALSE(parse_number("-1"));
  CHECK_FALSE(parse_number("+1"));
  CHECK_FALSE(parse_number("1x"));
  CHECK_FALSE(parse_number(""));
  CHECK_FALSE(parse_number("99999999999999999999"));
}

TEST_CASE("responses", "[pop3]") {
  CHECK(ok("") == "+OK\r\n");
  CHECK(ok("2 320") == "+OK 2 320\r\n");
  CHECK(err("Mailbox is locked.", "IN-USE") == "-ERR [IN-USE] Mailbox is locked.\r\n");
  CHECK(err("Unknown command.") == "-ERR Unknown command.\r\n");
}

TEST_CASE("dot-stuffing and TOP", "[pop3]") {
  CHECK(dot_stuff("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n.\r\n");
  CHECK(dot_stuff("no final newline") == "no final newline\r\n.\r\n");
  CHECK(dot_stuff("") == ".\r\n");
  std::string m = "H: 1\r\nH2: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
  CHECK(top_of(m, 0) == "H: 1\r\nH2: 2\r\n\r\n");
  CHECK(top_of(m, 2) == "H: 1\r\nH2: 2\r\n\r\nl1\r\nl2\r\n");
  CHECK(top_of(m, 99) == m);
  CHECK(top_of("only headers\r\n", 3) == "only headers\r\n");
}

TEST_CASE("dot-stuffing appends to a response and matches a byte-by-byte reading", "[pop3]") {
  std::string out = "+OK 9 octets\r\n";
  append_dot_stuffed(out, ".\r\n..\r\nx.\r\n");
  CHECK(out == "+OK 9 octets\r\n..\r\n...\r\nx.\r\n.\r\n");
  // Every mix of '.', CR, LF and a letter up to 6 bytes: a dot at the start
  // of the message or after LF is doubled, nothing else changes.
  const char alphabet[] = {'.', '\r', '\n', 'a'};
  for (int len = 0; len <= 6; ++len) {
    int combos = 1;
    for (int k = 0; k < len; ++k) combos *= 4;
    for (int c = 0; c < combos; ++c) {
      std::string m;
      for (int k = 0, v = c; k < len; ++k, v /= 4) m.push_back(alphabet[v % 4]);
      std::string want;
      bool line_start = true;
      for (char ch : m) {
        if (line_start && ch == '.') want.push_back('.');
        want.push_back(ch);
        line_start = ch == '\n';
      }
      if (!m.empty() && !line_start) want += "\r\n";
      want += ".\r\n";
      INFO("message bytes: " << m.size() << " combination " << c);
      CHECK(dot_stuff(m) == want);
    }
  }
}
