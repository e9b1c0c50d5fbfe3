// Handing a plain client from the login to the mail process after login:
// the mail process gets the client socket itself, unless bytes the client
// pipelined are already buffered in the login process (then it relays).
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "lib/base/file_io.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/login/client_handoff.hpp"
#include "lib/login/client_io.hpp"

using postern::UniqueFd;
using postern::login::accept_client;
using postern::login::ClientIo;
using postern::login::Handoff;
using postern::login::offer_client;

namespace {

struct Pair {
  UniqueFd a, b;
  Pair() {
    int sp[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    a.reset(sp[0]);
    b.reset(sp[1]);
  }
};

std::string read_some(int fd) {
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

}  // namespace

TEST_CASE("a plain client with nothing pending is handed over whole", "[login]") {
  Pair client, mail;  // client.a: our side of the client; mail.a: login end, mail.b: mail end
  ClientIo io(client.a.get());
  REQUIRE(offer_client(io, mail.a.get()) == Handoff::handed_over);
  auto got = accept_client(mail.b.get());
  REQUIRE(got.ok());
  REQUIRE(got->valid());
  // The same socket: what the mail process writes reaches the client, and
  // what the client sends next reaches the mail process, with no relay.
  REQUIRE(postern::write_all(got->get(), "+OK Logged in.\r\n").ok());
  CHECK(read_some(client.b.get()) == "+OK Logged in.\r\n");
  REQUIRE(postern::write_all(client.b.get(), "STAT\r\n").ok());
  CHECK(read_some(got->get()) == "STAT\r\n");
  struct stat ours {}, theirs {};
  REQUIRE(::fstat(client.a.get(), &ours) == 0);
  REQUIRE(::fstat(got->get(), &theirs) == 0);
  CHECK(ours.st_ino == theirs.st_ino);
}

TEST_CASE("bytes pipelined behind the login keep the relay", "[login]") {
  Pair client, mail;
  ClientIo io(client.a.get());
  REQUIRE(postern::write_all(client.b.get(), "PASS secret\r\nSTAT\r\n").ok());
  std::string line;
  REQUIRE(io.read_line(line, 255) == ClientIo::ReadStatus::line);  // "STAT" stays buffered in io
  REQUIRE(offer_client(io, mail.a.get()) == Handoff::relay);
  auto got = accept_client(mail.b.get());
  REQUIRE(got.ok());
  CHECK_FALSE(got->valid());
  // Nothing but the one-byte message was consumed: the relayed bytes follow.
  REQUIRE(postern::write_all(mail.a.get(), "STAT\r\n").ok());
  CHECK(read_some(mail.b.get()) == "STAT\r\n");
}

TEST_CASE("a login process that goes away or says nonsense is an error", "[login]") {
  SECTION("gone") {
    Pair mail;
    mail.a.reset();
    auto got = accept_client(mail.b.get());
    CHECK_FALSE(got.ok());
  }
  SECTION("a hand-over without a descriptor") {
    Pair mail;
    REQUIRE(postern::write_all(mail.a.get(), "H").ok());
    CHECK_FALSE(accept_client(mail.b.get()).ok());
  }
  SECTION("an offer to a mail process that is gone fails") {
    Pair client, mail;
    mail.b.reset();
    ClientIo io(client.a.get());
    CHECK(offer_client(io, mail.a.get()) == Handoff::failed);
  }
}
