// The login -> mail process hand-over: a plaintext client's socket moves
// with the bytes nobody has read yet; a broken hand-over is an error, never
// a session on the wrong descriptor.
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "lib/base/file_io.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/login/client_io.hpp"
#include "tests/unit/login/socket_pair.hpp"
#include "lib/login/handover.hpp"

using postern::UniqueFd;
using postern::login::ClientIo;

namespace {

ino_t inode(int fd) {
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("a plaintext client's socket moves with the preamble and the unread bytes", "[login]") {
  Pair client, mail;
  ClientIo login_io(client.ours.get());
  REQUIRE(postern::write_all(client.theirs.get(), "a1 LOGIN u p\r\na2 SELECT INBOX\r\n").ok());
  std::string line;
  REQUIRE(login_io.read_line(line, 100) == ClientIo::ReadStatus::line);  // a2 stays buffered
  postern::login::hand_over_client(login_io, mail.ours.get(), "a1\r\n", 5);
  auto got = postern::login::receive_client(std::move(mail.theirs));
  REQUIRE(got.ok());
  CHECK_FALSE(got->relayed);
  CHECK(got->pending == "a1\r\na2 SELECT INBOX\r\n");
  CHECK(inode(got->fd.get()) == inode(client.ours.get()));
  // The mail process now talks to the client directly.
  ClientIo mail_io(got->fd.get(), std::move(got->pending));
  REQUIRE(mail_io.read_line(line, 100) == ClientIo::ReadStatus::line);
  CHECK(line == "a1");
  REQUIRE(mail_io.read_line(line, 100) == ClientIo::ReadStatus::line);
  CHECK(line == "a2 SELECT INBOX");
  REQUIRE(postern::write_all(client.theirs.get(), "a3 NOOP\r\n").ok());
  REQUIRE(mail_io.read_line(line, 100) == ClientIo::ReadStatus::line);
  CHECK(line == "a3 NOOP");
  REQUIRE(mail_io.write("a3 OK\r\n"));
  char buf[16] = {};
  CHECK(::read(client.theirs.get(), buf, sizeof buf) == 7);
  CHECK(std::string(buf) == "a3 OK\r\n");
}

TEST_CASE("a hand-over cut short or malformed is refused", "[login]") {
  {
    Pair mail;
    mail.ours.reset();  // the login process died before handing over
    auto got = postern::login::receive_client(std::move(mail.theirs));
    CHECK_FALSE(got.ok());
  }
  {
    Pair mail;
    REQUIRE(postern::write_all(mail.ours.get(), std::string("X\0\0\0\0", 5)).ok());
    CHECK_FALSE(postern::login::receive_client(std::move(mail.theirs)).ok());
  }
  {
    Pair mail;  // 'C' without a descriptor
    REQUIRE(postern::write_all(mail.ours.get(), std::string("C\0\0\0\0", 5)).ok());
    CHECK_FALSE(postern::login::receive_client(std::move(mail.theirs)).ok());
  }
  {
    Pair mail;  // a relay whose preamble never arrives in full
    REQUIRE(postern::write_all(mail.ours.get(), std::string("R\0\0\0\x09" "abc", 8)).ok());
    mail.ours.reset();
    CHECK_FALSE(postern::login::receive_client(std::move(mail.theirs)).ok());
  }
  {
    Pair mail;  // a well-formed relay keeps the socket for the stream that follows
    REQUIRE(postern::write_all(mail.ours.get(), std::string("R\0\0\0\x03" "t\r\nrest", 12)).ok());
    auto got = postern::login::receive_client(std::move(mail.theirs));
    REQUIRE(got.ok());
    CHECK(got->relayed);
    CHECK(got->pending == "t\r\n");
    char buf[8] = {};
    CHECK(::read(got->fd.get(), buf, sizeof buf) == 4);
  }
}
