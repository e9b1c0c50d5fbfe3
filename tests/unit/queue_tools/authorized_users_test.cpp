// Postfix user access lists (authorized_submit_users and friends).
#include "lib/queue_tools/authorized_users.hpp"

#include <catch2/catch.hpp>

using postern::queue_tools::user_in_list;

TEST_CASE("user lists follow Postfix's first-match rule", "[queue_tools][acl]") {
  struct Row {
    const char* list;
    const char* user;
    bool allowed;
  };
  for (const auto& row : std::vector<Row>{
           {"static:anyone", "bob", true},
           {"alice, bob", "bob", true},
           {"alice bob", "carol", false},
           {"", "bob", false},
           {"!bob, static:anyone", "bob", false},
           {"!bob, static:anyone", "carol", true},
           {"inline:{alice=yes}", "alice", true},
           {"inline:{alice=yes}", "bob", false},
           {"!inline:{alice=yes}, static:all", "alice", false},
       }) {
    INFO(row.list << " / " << row.user);
    auto r = user_in_list(row.list, row.user);
    REQUIRE(r.ok());
    CHECK(*r == row.allowed);
  }
  CHECK_FALSE(user_in_list("nosuchtype:/x", "bob").ok());
}
