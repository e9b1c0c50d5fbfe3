// UniqueFd closes exactly once and transfers ownership on move.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include "lib/base/unique_fd.hpp"

using namespace postern;

namespace {
bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }
}  // namespace

TEST_CASE("UniqueFd owns and closes its descriptor", "[unique_fd]") {
  int raw = ::open("/dev/null", O_RDONLY);
  REQUIRE(raw >= 0);
  {
    UniqueFd fd(raw);
    CHECK(fd.valid());
    UniqueFd moved(std::move(fd));
    CHECK_FALSE(fd.valid());
    CHECK(moved.get() == raw);
    CHECK(is_open(raw));
  }
  CHECK_FALSE(is_open(raw));
}

TEST_CASE("release gives up ownership; flags helpers work", "[unique_fd]") {
  UniqueFd fd(::open("/dev/null", O_RDONLY));
  REQUIRE(set_cloexec(fd.get(), true));
  CHECK((::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
  REQUIRE(set_nonblocking(fd.get(), true));
  CHECK((::fcntl(fd.get(), F_GETFL) & O_NONBLOCK) != 0);
  int raw = fd.release();
  CHECK_FALSE(fd.valid());
  CHECK(is_open(raw));
  ::close(raw);
}
