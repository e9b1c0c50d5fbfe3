// DATA decoder tests: un-dot-stuffing, the only accepted end of data, every
// SMTP smuggling variant, size and line-length tracking, and trickled input.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "lib/smtp/data_decoder.hpp"
#include "lib/smtp/line_breaks.hpp"

using namespace postern::smtp;

namespace {

struct Outcome {
  std::string content;
  bool done = false;
  size_t consumed = 0;
  bool bare_lf = false;
  bool bare_cr = false;
  bool size_exceeded = false;
  std::uint64_t size = 0;
  size_t longest = 0;
  std::uint64_t long_lines = 0;
  bool operator==(const Outcome&) const = default;
};

// Feeds `input` in pieces of `piece` bytes (0 = all at once), stopping at done.
Outcome run(std::string_view input, size_t piece, DataOptions opt = {}) {
  DataDecoder dec(opt);
  Outcome o;
  size_t pos = 0;
  while (pos < input.size() && !dec.done()) {
    size_t n = piece == 0 ? input.size() - pos : std::min(piece, input.size() - pos);
    auto step = dec.feed(input.substr(pos, n), o.content);
    REQUIRE(step.consumed <= n);
    pos += step.consumed;
    if (step.done) break;
    REQUIRE(step.consumed == n);  // not done: everything must be consumed
  }
  o.done = dec.done();
  o.consumed = pos;
  o.bare_lf = dec.bare_lf();
  o.bare_cr = dec.bare_cr();
  o.size_exceeded = dec.size_exceeded();
  o.size = dec.size();
  o.longest = dec.longest_line();
  o.long_lines = dec.long_lines();
  return o;
}

// Same result whole, one byte at a time, and in 2-, 3- and 7-byte pieces.
Outcome run_all_ways(std::string_view input, DataOptions opt = {}) {
  Outcome whole = run(input, 0, opt);
  for (size_t piece : {1, 2, 3, 7}) {
    INFO("piece size " << piece);
    Outcome trickled = run(input, piece, opt);
    CHECK(trickled == whole);
  }
  return whole;
}

}  // namespace

TEST_CASE("end of data and un-stuffing", "[smtp][data]") {
  struct Row {
    const char* name;
    std::string input;
    std::string content;
    size_t consumed;
  } rows[] = {
      {"empty message", ".\r\n", "", 3},
      {"one line", "Subject: x\r\n\r\nhi\r\n.\r\n", "Subject: x\r\n\r\nhi\r\n", 21},
      {"stuffed dot", "..\r\n.\r\n", ".\r\n", 7},
      {"stuffed dots text", "..hidden\r\n...\r\n.\r\n", ".hidden\r\n..\r\n", 18},
      {"dot in middle", "a.b\r\n.\r\n", "a.b\r\n", 8},
      {"pipelined after end", "x\r\n.\r\nQUIT\r\n", "x\r\n", 6},
      {"dot then text", ".x\r\n.\r\n", "x\r\n", 7},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      Outcome o = run_all_ways(row.input);
      CHECK(o.done);
      CHECK(o.content == row.content);
      CHECK(o.consumed == row.consumed);
      CHECK_FALSE(o.bare_lf);
      CHECK_FALSE(o.bare_cr);
    }
  }
}

TEST_CASE("smuggling variants never end DATA", "[smtp][data][smuggling]") {
  struct Row {
    const char* name;
    std::string input;
    bool bare_lf;
    bool bare_cr;
  } rows[] = {
      {"LF.LF", "a\n.\nMAIL FROM:<evil@x>\n", true, false},
      {"CRLF.LF", "a\r\n.\nMAIL FROM:<evil@x>\r\n", true, false},
      {"LF.CRLF", "a\n.\r\nMAIL FROM:<evil@x>\r\n", true, false},
      {"CR.CR", "a\r.\rMAIL FROM:<evil@x>\r", false, true},
      {"CRLF.CR", "a\r\n.\rMAIL FROM:<evil@x>", false, true},
      {"CR.CRLF", "a\r.\r\nMAIL FROM:<evil@x>\r\n", false, true},
      {"CR.LF", "a\r.\nMAIL FROM:<evil@x>\n", true, true},
      {"LF.CR", "a\n.\rMAIL FROM:<evil@x>", true, true},
      {"start .LF", ".\nMAIL FROM:<evil@x>\r\n", true, false},
      {"start .CR", ".\rMAIL FROM:<evil@x>\r\n", false, true},
      {"CRLF.CRCRLF", "a\r\n.\r\r\nMAIL\r\n", false, true},
      {"CRLF.NULCRLF", std::string("a\r\n.\0\r\nMAIL\r\n", 12), false, false},
      {"CRLF. CRLF", "a\r\n. \r\nMAIL\r\n", false, false},
      {"CRLF..CRLF (stuffed)", "a\r\n..\r\nMAIL\r\n", false, false},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      Outcome o = run_all_ways(row.input);
      CHECK_FALSE(o.done);
      CHECK(o.consumed == row.input.size());
      CHECK(o.bare_lf == row.bare_lf);
      CHECK(o.bare_cr == row.bare_cr);
      // The smuggled command stays inside the message content.
      CHECK(o.content.find("MAIL") != std::string::npos);
    }
  }
}

TEST_CASE("a real terminator after smuggling attempts still ends DATA", "[smtp][data][smuggling]") {
  std::string input = "a\n.\nRCPT TO:<x@y>\n\r\n.\r\n";
  Outcome o = run_all_ways(input);
  CHECK(o.done);
  CHECK(o.bare_lf);
  CHECK(o.consumed == input.size());
  // normalize: bare <LF> became <CR><LF>; the dot-line lost its first dot.
  CHECK(o.content == "a\r\n\r\nRCPT TO:<x@y>\r\n\r\n");
}

TEST_CASE("bare LF kept when not normalizing", "[smtp][data]") {
  DataOptions opt;
  opt.normalize_bare_lf = false;
  Outcome o = run_all_ways("a\nb\r\n.\r\n", opt);
  CHECK(o.done);
  CHECK(o.content == "a\nb\r\n");
}

TEST_CASE("bare CR is kept as data and reported", "[smtp][data]") {
  Outcome o = run_all_ways("a\rb\r\n.\r\n");
  CHECK(o.done);
  CHECK(o.bare_cr);
  CHECK(o.content == "a\rb\r\n");
}

TEST_CASE("line breaks are found in one pass, however many bare CRs", "[smtp][data]") {
  // "x<CR>" over and over, no <LF>: looking for the next <LF> again from each
  // <CR> would look at the rest of the input once per <CR> (cheap CPU for a
  // hostile client: hours for a few MB).
  std::string input;
  for (int i = 0; i < 100000; ++i) input += "x\r";
  input += "\r\n";
  LineBreaks breaks(input);
  std::vector<std::size_t> found;
  for (std::size_t at = breaks.next(0); at < input.size(); at = breaks.next(at + 1)) found.push_back(at);
  REQUIRE(found.size() == 100000 + 2);
  CHECK(found[0] == 1);
  CHECK(found[99999] == 199999);
  CHECK(found.back() == input.size() - 1);
  CHECK(breaks.scanned() <= 2 * input.size());

  // And the decoder gives back what went in.
  input += ".\r\n";
  DataDecoder d;
  std::string out;
  auto step = d.feed(input, out);
  CHECK(step.done);
  CHECK(step.consumed == input.size());
  CHECK(d.bare_cr());
  CHECK(out == input.substr(0, input.size() - 3));
}

TEST_CASE("message size limit is tracked while reading to the end", "[smtp][data][size]") {
  DataOptions opt;
  opt.message_size_limit = 10;
  SECTION("under the limit") {
    Outcome o = run_all_ways("12345678\r\n.\r\n", opt);
    CHECK(o.done);
    CHECK_FALSE(o.size_exceeded);
    CHECK(o.size == 10);
  }
  SECTION("over the limit: output stops, the end is still found") {
    std::string body(5000, 'x');
    std::string input = body + "\r\n" + body + "\r\n.\r\nQUIT\r\n";
    Outcome o = run_all_ways(input, opt);
    CHECK(o.done);
    CHECK(o.size_exceeded);
    CHECK(o.size == 10004);
    CHECK(o.content == std::string(10, 'x'));  // the first limit bytes, however fed
    CHECK(o.consumed == input.size() - 6);
  }
}

TEST_CASE("over-long text lines are counted, not buffered", "[smtp][data][lines]") {
  DataOptions opt;
  opt.max_line_length = 998;
  std::string ok_line(998, 'a');
  std::string long_line(2000, 'b');
  Outcome o = run_all_ways(ok_line + "\r\n" + long_line + "\r\n" + long_line + "\r\n.\r\n", opt);
  CHECK(o.done);
  CHECK(o.longest == 2000);
  CHECK(o.long_lines == 2);
}

TEST_CASE("random content round-trips in random pieces", "[smtp][data][trickle]") {
  std::mt19937 rng(12345);
  const char alphabet[] = {'a', '.', '\r', '\n', 'x', '.'};
  for (int round = 0; round < 200; ++round) {
    std::string input;
    size_t len = rng() % 200;
    for (size_t i = 0; i < len; ++i) input += alphabet[rng() % sizeof alphabet];
    input += "\r\n.\r\n";
    Outcome whole = run(input, 0);
    CHECK(whole.done);
    size_t piece = 1 + rng() % 13;
    CHECK(run(input, piece) == whole);
  }
}

TEST_CASE("reset starts a new message", "[smtp][data]") {
  DataDecoder dec;
  std::string out;
  CHECK(dec.feed("a\n.\r\n\r\n.\r\n", out).done);
  CHECK(dec.bare_lf());
  dec.reset();
  out.clear();
  CHECK_FALSE(dec.bare_lf());
  CHECK(dec.feed(".\r\n", out).done);
  CHECK(out.empty());
}
