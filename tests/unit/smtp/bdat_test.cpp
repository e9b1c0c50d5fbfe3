// BDAT accounting, dot-stuffing encoder and xtext tests.
#include <catch2/catch.hpp>

#include "lib/smtp/bdat.hpp"
#include "lib/smtp/data_decoder.hpp"
#include "lib/smtp/dot_stuff.hpp"
#include "lib/smtp/xtext.hpp"

using namespace postern::smtp;

TEST_CASE("BDAT chunks are counted across reads", "[smtp][bdat]") {
  BdatReceiver rx(100);
  std::string out;
  REQUIRE(rx.begin_chunk(10, false));
  std::string_view input = "0123456789BDAT 5 LAST\r\n";
  for (size_t i = 0; i < 4; ++i) CHECK(rx.feed(input.substr(i, 1), out) == 1);
  CHECK(rx.remaining() == 6);
  CHECK(rx.feed(input.substr(4), out) == 6);
  CHECK(rx.chunk_complete());
  CHECK_FALSE(rx.message_complete());
  REQUIRE(rx.begin_chunk(5, true));
  CHECK(rx.feed("ab\r\ncEXTRA", out) == 5);
  CHECK(rx.message_complete());
  CHECK(out == "0123456789ab\r\nc");
  CHECK(rx.size() == 15);
  CHECK_FALSE(rx.bare_lf());
}

TEST_CASE("BDAT size limit and bare newlines", "[smtp][bdat]") {
  BdatReceiver rx(10);
  std::string out;
  CHECK(rx.begin_chunk(7, false));
  CHECK(rx.feed("a\nb\rc\r", out) == 6);
  CHECK(rx.feed("\n", out) == 1);  // <CR> then <LF> across reads is one line ending
  CHECK_FALSE(rx.begin_chunk(8, true));  // 15 > 10
  CHECK(rx.feed("12345678", out) == 8);  // still read, discarded
  CHECK(rx.size_exceeded());
  CHECK(rx.bare_lf());
  CHECK(rx.bare_cr());
  CHECK(out == "a\nb\rc\r\n");
  CHECK_FALSE(BdatReceiver(10).begin_chunk(UINT64_MAX, true));
}

TEST_CASE("dot-stuffing encoder", "[smtp][dotstuff]") {
  struct Row {
    const char* name;
    std::string in;
    std::string wire;
  } rows[] = {
      {"empty", "", ".\r\n"},
      {"plain", "a\r\nb\r\n", "a\r\nb\r\n.\r\n"},
      {"no final newline", "a", "a\r\n.\r\n"},
      {"leading dots", ".a\r\n..\r\n.\r\n", "..a\r\n...\r\n..\r\n.\r\n"},
      {"bare lf normalized", "a\n.\nb", "a\r\n..\r\nb\r\n.\r\n"},
      {"bare cr normalized", "a\r.\r\n", "a\r\n..\r\n.\r\n"},
      {"trailing cr", "a\r", "a\r\n.\r\n"},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      CHECK(dot_stuff(row.in) == row.wire);
      DotStuffer s;
      std::string out;
      for (char c : row.in) s.feed(std::string_view(&c, 1), out);
      s.finish(out);
      CHECK(out == row.wire);
    }
  }
}

TEST_CASE("dot-stuffed output decodes back", "[smtp][dotstuff]") {
  std::string content = "Subject: t\r\n\r\n.\r\n..x\r\nend\r\n";
  DataDecoder dec;
  std::string out;
  auto step = dec.feed(dot_stuff(content), out);
  CHECK(step.done);
  CHECK(out == content);
}

TEST_CASE("xtext", "[smtp][xtext]") {
  CHECK(xtext_decode("abc") == std::optional<std::string>("abc"));
  CHECK(xtext_decode("a+2Bb+3D") == std::optional<std::string>("a+b="));
  CHECK(xtext_decode("") == std::optional<std::string>(""));
  CHECK_FALSE(xtext_decode("a+2b"));  // lower-case hex is not xtext
  CHECK_FALSE(xtext_decode("a+2"));
  CHECK_FALSE(xtext_decode("a+"));
  CHECK_FALSE(xtext_decode("a=b"));
  CHECK_FALSE(xtext_decode("a b"));
  CHECK(xtext_encode("a+b= c\xff") == "a+2Bb+3D+20c+FF");
  CHECK(xtext_decode(xtext_encode("any\x01thing+=")) == std::optional<std::string>("any\x01thing+="));
}
