// Trigger client: FIFO with and without a reader, UNIX socket, missing endpoint.
#include "lib/queue_tools/trigger.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "lib/base/unique_fd.hpp"
#include "temp_dir.hpp"

using namespace postern;

TEST_CASE("triggers reach a FIFO reader and fail fast without one", "[queue_tools][trigger]") {
  TempQueueDir q;
  std::string fifo = q.root + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0622) == 0);
  auto no_reader = queue_tools::send_trigger(fifo, "W");
  REQUIRE_FALSE(no_reader.ok());
  CHECK(no_reader.error().sys_errno == ENXIO);
  UniqueFd reader(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK));
  REQUIRE(reader);
  REQUIRE(queue_tools::send_trigger(fifo, "FADI").ok());
  char buf[16] = {};
  CHECK(::read(reader.get(), buf, sizeof buf) == 4);
  CHECK(std::string(buf) == "FADI");
  CHECK(queue_tools::send_trigger(q.root + "/missing", "W").error().sys_errno == ENOENT);
  CHECK_FALSE(queue_tools::send_trigger(q.root, "W").ok());  // a folder is no endpoint
}

TEST_CASE("triggers reach a UNIX-socket listener", "[queue_tools][trigger]") {
  TempQueueDir q;
  std::string path = q.root + "/sock";
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener.get(), 4) == 0);
  REQUIRE(queue_tools::send_trigger(path, "W").ok());
  UniqueFd client(::accept(listener.get(), nullptr, nullptr));
  REQUIRE(client);
  char buf[8] = {};
  CHECK(::read(client.get(), buf, sizeof buf) == 1);
  CHECK(buf[0] == 'W');
}
