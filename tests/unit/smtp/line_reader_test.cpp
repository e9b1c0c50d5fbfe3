// Command line reader tests: limits, line endings, trickled input.
#include <catch2/catch.hpp>

#include <vector>

#include "lib/smtp/line_reader.hpp"

using namespace postern::smtp;

namespace {

std::vector<Line> read_all(std::string_view input, size_t piece, size_t max = 512) {
  LineReader reader(max);
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t n = piece == 0 ? input.size() - pos : std::min(piece, input.size() - pos);
    std::string_view chunk = input.substr(pos, n);
    while (!chunk.empty()) {
      auto step = reader.feed(chunk);
      chunk.remove_prefix(step.consumed);
      if (step.line) lines.push_back(*step.line);
    }
    pos += n;
    REQUIRE(reader.pending() <= max);
  }
  return lines;
}

}  // namespace

TEST_CASE("lines split at LF with flags", "[smtp][line]") {
  for (size_t piece : {0, 1, 2, 5}) {
    INFO("piece " << piece);
    auto lines = read_all("EHLO a\r\nMAIL FROM:<a@b>\nNO\rOP\r\n\r\n", piece);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].text == "EHLO a");
    CHECK_FALSE(lines[0].bare_lf);
    CHECK(lines[1].text == "MAIL FROM:<a@b>");
    CHECK(lines[1].bare_lf);
    CHECK(lines[2].text == "NO\rOP");
    CHECK(lines[2].bare_cr);
    CHECK_FALSE(lines[2].bare_lf);
    CHECK(lines[3].text.empty());
  }
}

TEST_CASE("line length limit", "[smtp][line]") {
  std::string ok(510, 'a');  // 510 + CRLF = 512
  std::string too_long(511, 'b');
  std::string huge(100000, 'c');
  for (size_t piece : {0, 1, 4096}) {
    INFO("piece " << piece);
    auto lines = read_all(ok + "\r\n" + too_long + "\r\n" + huge + "\r\nQUIT\r\n", piece);
    REQUIRE(lines.size() == 4);
    CHECK_FALSE(lines[0].too_long);
    CHECK(lines[0].text == ok);
    CHECK(lines[1].too_long);
    CHECK(lines[2].too_long);
    CHECK(lines[2].text.size() == 510);
    CHECK(lines[3].text == "QUIT");
    CHECK_FALSE(lines[3].too_long);
  }
}

TEST_CASE("feed stops after the first line so DATA can take over", "[smtp][line]") {
  LineReader reader;
  std::string_view input = "DATA\r\nSubject: x\r\n";
  auto step = reader.feed(input);
  REQUIRE(step.line);
  CHECK(step.line->text == "DATA");
  CHECK(input.substr(step.consumed) == "Subject: x\r\n");
}
