// Client-side reply assembly and EHLO parsing (lib/smtp_client/client_reply).
#include <catch2/catch.hpp>

#include "lib/smtp_client/client_reply.hpp"

using namespace postern::smtp;

namespace {
// Feeds lines until a reply completes; returns the step of the last line.
ReplyAssembler::Step feed_all(ReplyAssembler& a, std::initializer_list<const char*> lines) {
  ReplyAssembler::Step step = ReplyAssembler::Step::more;
  for (const char* l : lines) step = a.feed(l);
  return step;
}
}  // namespace

TEST_CASE("reply assembler: single and multi-line replies", "[smtp_client]") {
  ReplyAssembler a;
  REQUIRE(a.feed("250 2.1.0 Ok") == ReplyAssembler::Step::done);
  ServerReply r = a.take();
  CHECK(r.code == 250);
  CHECK(r.enhanced() == "2.1.0");
  CHECK(r.flat() == "250 2.1.0 Ok");

  REQUIRE(a.feed("250-mx.example") == ReplyAssembler::Step::more);
  REQUIRE(a.feed("250-PIPELINING") == ReplyAssembler::Step::more);
  REQUIRE(a.feed("250 SIZE 1000") == ReplyAssembler::Step::done);
  r = a.take();
  CHECK(r.lines.size() == 3);
  CHECK(r.enhanced().empty());

  // A bare code ends a reply too.
  REQUIRE(a.feed("354") == ReplyAssembler::Step::done);
  CHECK(a.take().code == 354);
}

TEST_CASE("reply assembler: malformed input is an error, not a guess", "[smtp_client]") {
  struct Row {
    const char* name;
    std::initializer_list<const char*> lines;
  };
  const Row rows[] = {
      {"not digits", {"hello"}},
      {"short", {"25"}},
      {"bad separator", {"250+x"}},
      {"code out of range", {"999 no"}},
      {"code changes mid-reply", {"250-a", "251 b"}},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      ReplyAssembler a;
      CHECK(feed_all(a, row.lines) == ReplyAssembler::Step::error);
      CHECK_FALSE(a.error().empty());
    }
  }
  SECTION("too many lines") {
    ReplyAssembler a(3);
    CHECK(feed_all(a, {"250-a", "250-b", "250-c", "250 d"}) == ReplyAssembler::Step::error);
  }
}

TEST_CASE("reply: enhanced code only when it is one", "[smtp_client]") {
  CHECK(ServerReply{550, {"5.1.1 <u@d>: Recipient address rejected"}}.enhanced() == "5.1.1");
  CHECK(ServerReply{550, {"5.1.10 null MX"}}.enhanced() == "5.1.10");
  CHECK(ServerReply{550, {"Mailbox unavailable"}}.enhanced().empty());
  CHECK(ServerReply{550, {"5.1 short"}}.enhanced().empty());
  CHECK(ServerReply{550, {"3.1.1 wrong class"}}.enhanced().empty());
  CHECK(default_enhanced(451) == "4.0.0");
  CHECK(default_enhanced(554) == "5.0.0");
}

TEST_CASE("EHLO keywords", "[smtp_client]") {
  ServerReply r{250, {"mx.example greets you", "PIPELINING", "SIZE 10240000", "8BITMIME", "dsn",
                      "STARTTLS", "AUTH PLAIN login", "AUTH=LOGIN", "SMTPUTF8"}};
  EhloFeatures f = parse_ehlo(r);
  CHECK(f.pipelining);
  CHECK(f.eightbitmime);
  CHECK(f.dsn);
  CHECK(f.starttls);
  CHECK(f.smtputf8);
  REQUIRE(f.size);
  CHECK(*f.size == 10240000);
  CHECK(f.auth == std::vector<std::string>{"PLAIN", "LOGIN"});

  EhloFeatures bare = parse_ehlo(ServerReply{250, {"mx.example", "SIZE"}});
  CHECK_FALSE(bare.pipelining);
  REQUIRE(bare.size);
  CHECK(*bare.size == 0);  // SIZE without a number: no limit announced
  // The greeting line is not a keyword.
  CHECK_FALSE(parse_ehlo(ServerReply{250, {"PIPELINING"}}).pipelining);
}
