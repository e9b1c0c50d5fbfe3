// Unit tests for the trigger skeleton's request reading: a UNIX-socket
// client that connects before it writes must not lose its request (qmgr
// then left mail in incoming/ until its next periodic run).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "lib/base/unique_fd.hpp"
#include "lib/service/trigger_server.hpp"

using namespace postern;

namespace {

struct Listener {
  std::string dir;
  std::string path;
  UniqueFd fd;
  Listener() {
    char tmpl[] = "/tmp/postern-trigger-test-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/qmgr";
    fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    struct sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
    REQUIRE(::bind(fd.get(), reinterpret_cast<struct sockaddr*>(&sun), sizeof sun) == 0);
    REQUIRE(::listen(fd.get(), 16) == 0);
  }
  ~Listener() {
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
  UniqueFd connect_client() const {
    UniqueFd c(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    struct sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
    REQUIRE(::connect(c.get(), reinterpret_cast<struct sockaddr*>(&sun), sizeof sun) == 0);
    return c;
  }
};

}  // namespace

TEST_CASE("a trigger sent right after connect is read", "[service][trigger]") {
  Listener l;
  UniqueFd c = l.connect_client();
  REQUIRE(::write(c.get(), "A", 1) == 1);
  CHECK(service::receive_trigger(l.fd.get(), "unix") == "A");
}

TEST_CASE("a trigger written after the accept is not lost", "[service][trigger]") {
  Listener l;
  UniqueFd c = l.connect_client();
  std::thread late([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    (void)::write(c.get(), "F", 1);
  });
  std::string got = service::receive_trigger(l.fd.get(), "unix");
  late.join();
  CHECK(got == "F");  // before: "" (EAGAIN), and the request was dropped
}

TEST_CASE("a client that connects and closes still wakes the daemon", "[service][trigger]") {
  Listener l;
  {
    UniqueFd c = l.connect_client();
  }
  CHECK(service::receive_trigger(l.fd.get(), "unix") == std::string(1, service::kWakeupRequest));
}

TEST_CASE("nothing to accept gives no request", "[service][trigger]") {
  Listener l;
  CHECK(service::receive_trigger(l.fd.get(), "unix").empty());
}

TEST_CASE("triggers that queued up are taken in together, in order", "[service][trigger]") {
  Listener l;
  UniqueFd a = l.connect_client();
  UniqueFd b = l.connect_client();
  UniqueFd c = l.connect_client();
  REQUIRE(::write(a.get(), "A", 1) == 1);
  REQUIRE(::write(b.get(), "A", 1) == 1);
  REQUIRE(::write(c.get(), "F", 1) == 1);
  CHECK(service::receive_triggers(l.fd.get(), "unix") == "AAF");
  CHECK(service::receive_triggers(l.fd.get(), "unix").empty());  // nobody left waiting
}
