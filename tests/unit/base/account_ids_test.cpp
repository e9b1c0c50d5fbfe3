#include "lib/base/account_ids.hpp"

#include <catch2/catch.hpp>

using namespace postern;

TEST_CASE("account ids: numbers are taken as they are") {
  CHECK(uid_from_text("0") == uid_t(0));
  CHECK(uid_from_text("5000") == uid_t(5000));
  CHECK(gid_from_text("5000") == gid_t(5000));
}

TEST_CASE("account ids: names are looked up") {
  // root is uid 0 and group root gid 0 on every Debian system.
  CHECK(uid_from_text("root") == uid_t(0));
  CHECK(gid_from_text("root") == gid_t(0));
}

TEST_CASE("account ids: unknown names and negative numbers give nothing") {
  CHECK_FALSE(uid_from_text("no-such-user-postern"));
  CHECK_FALSE(gid_from_text("no-such-group-postern"));
  CHECK_FALSE(uid_from_text("-1"));
  CHECK_FALSE(uid_from_text(""));
}
