// host_name(): the kernel's name, as uname reports it.
#include <catch2/catch.hpp>

#include <sys/utsname.h>

#include "lib/base/host_name.hpp"

TEST_CASE("host_name is the kernel's node name", "[base]") {
  struct utsname u{};
  REQUIRE(::uname(&u) == 0);
  CHECK(postern::host_name() == u.nodename);
}
