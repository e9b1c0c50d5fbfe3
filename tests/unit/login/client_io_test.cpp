// The blocking client connection of pop3d/imapd sessions over a socketpair:
// bounded lines, exact reads for literals, chunks and byte counts.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "lib/base/file_io.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/login/client_io.hpp"
#include "tests/unit/login/socket_pair.hpp"

using postern::UniqueFd;
using postern::login::ClientIo;

TEST_CASE("lines, literals and what was pipelined behind them", "[login]") {
  Pair p;
  ClientIo io(p.ours.get());
  REQUIRE(postern::write_all(p.theirs.get(), "a1 APPEND INBOX {5}\r\nhello a2 NOOP\r\n").ok());
  std::string line;
  REQUIRE(io.read_line(line, 100) == ClientIo::ReadStatus::line);
  CHECK(line == "a1 APPEND INBOX {5}");
  std::string literal;
  REQUIRE(io.read_exact(literal, 5));
  CHECK(literal == "hello");
  std::string rest;
  REQUIRE(io.read_chunk(rest));
  CHECK(rest == " a2 NOOP\r\n");
  CHECK(io.bytes_in() == 36);
  REQUIRE(io.write("* OK\r\n"));
  CHECK(io.bytes_out() == 6);
}

TEST_CASE("an over-long line is dropped whole and the next one is read", "[login]") {
  Pair p;
  ClientIo io(p.ours.get());
  REQUIRE(postern::write_all(p.theirs.get(), std::string(10000, 'x') + "\r\nNOOP\r\n").ok());
  std::string line;
  CHECK(io.read_line(line, 255) == ClientIo::ReadStatus::too_long);
  REQUIRE(io.read_line(line, 255) == ClientIo::ReadStatus::line);
  CHECK(line == "NOOP");
  p.theirs.reset();
  CHECK(io.read_line(line, 255) == ClientIo::ReadStatus::closed);
  std::string more;
  CHECK_FALSE(io.read_exact(more, 1));
}

TEST_CASE("wait_input sees buffered bytes and the other descriptor", "[login]") {
  Pair p, other;
  ClientIo io(p.ours.get());
  CHECK(io.wait_input(other.ours.get(), 10) == 0);
  REQUIRE(postern::write_all(other.theirs.get(), "x").ok());
  CHECK(io.wait_input(other.ours.get(), 1000) == 2);
  REQUIRE(postern::write_all(p.theirs.get(), "A\r\nB\r\n").ok());
  std::string line;
  REQUIRE(io.read_line(line, 10) == ClientIo::ReadStatus::line);
  CHECK(io.wait_input(other.ours.get(), 0) == 1);  // "B" is buffered, poll() cannot see it
}
