// Unit tests for the SMTP session transcript: In/Out lines as Postfix
// writes them, multi-line replies, AUTH secrets hidden, bounds.
#include <catch2/catch.hpp>

#include "lib/smtp/transcript.hpp"

using postern::smtp::Transcript;

TEST_CASE("transcript: In and Out lines in order, replies split per line") {
  Transcript t;
  t.server_text("220 mail.example.test ESMTP Postern\r\n");
  t.client_line("EHLO client.example");
  t.server_text("250-mail.example.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
  t.client_line("FOO bar");
  t.server_text("502 5.5.2 Error: command not recognized\r\n");
  const std::vector<std::string> want = {
      "Out: 220 mail.example.test ESMTP Postern", "In:  EHLO client.example", "Out: 250-mail.example.test",
      "Out: 250-PIPELINING", "Out: 250 8BITMIME", "In:  FOO bar", "Out: 502 5.5.2 Error: command not recognized",
  };
  CHECK(t.lines() == want);
  CHECK(t.size() == want.size());
  t.clear();
  CHECK(t.empty());
  CHECK(t.lines().empty());
}

TEST_CASE("transcript: AUTH data never kept") {
  struct Row {
    const char* line;
    const char* kept;
  };
  const Row rows[] = {
      {"AUTH PLAIN AGFsaWNlAHNlY3JldC1wdw==", "In:  AUTH PLAIN (hidden)"},
      {"auth login YWxpY2U=", "In:  auth login (hidden)"},
      {"AUTH\tPLAIN\tAGFsaWNlAHNlY3JldC1wdw==", "In:  AUTH\tPLAIN (hidden)"},
      {"AUTH PLAIN", "In:  AUTH PLAIN"},
      {"AUTH LOGIN ", "In:  AUTH LOGIN "},
      {"AUTHX PLAIN abc", "In:  AUTHX PLAIN abc"},
  };
  for (const auto& r : rows) {
    INFO(r.line);
    Transcript t;
    t.client_line(r.line);
    REQUIRE(t.lines().size() == 1);
    CHECK(t.lines()[0] == r.kept);
  }
  Transcript t;
  t.client_secret();
  CHECK(t.lines() == std::vector<std::string>{"In:  (hidden)"});
}

TEST_CASE("transcript: control and 8-bit bytes, long lines") {
  Transcript t(10, 20);
  t.client_line(std::string("HELO a\x01\x1b\xc3\xa9z", 11));
  t.client_line(std::string(50, 'x'));
  CHECK(t.lines()[0] == "In:  HELO a????z");
  CHECK(t.lines()[1] == "In:  " + std::string(20, 'x') + "...");
}

TEST_CASE("transcript: bounded, keeps the start and the end") {
  Transcript t(6);
  for (int i = 0; i < 100; ++i) t.client_line("NOOP " + std::to_string(i));
  CHECK(t.size() == 100);
  const std::vector<std::string> want = {"In:  NOOP 0",  "In:  NOOP 1",  "In:  NOOP 2",
                                         "... 94 lines omitted ...",
                                         "In:  NOOP 97", "In:  NOOP 98", "In:  NOOP 99"};
  CHECK(t.lines() == want);
}
