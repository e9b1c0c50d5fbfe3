// Unit tests for smtpd's local_recipient_maps decision: the lookup keys,
// the 5.1.1 / 4.1.1 rejection and a temporary failure that is never a 550.
#include "smtpd/recipient_check.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

using postern::smtpd::check_local_recipient;
using postern::smtpd::LocalRecipientCheck;
using postern::smtpd::open_local_recipient_tables;

TEST_CASE("known local recipients pass, with or without extension and domain") {
  auto tables = open_local_recipient_tables("proxy:inline:{alice=x, bob@mail.example.test=x}");
  REQUIRE(tables.tables().size() == 1);
  for (const char* a :
       {"alice@mail.example.test", "ALICE@Mail.Example.Test", "alice+tag@mail.example.test", "alice",
        "bob@mail.example.test", "bob+x@mail.example.test", "postmaster", "PostMaster"}) {
    INFO(a);
    CHECK_FALSE(check_local_recipient(tables, a, "+", 550));
  }
  // Without a delimiter the extension is part of the user name.
  CHECK(check_local_recipient(tables, "alice+tag@mail.example.test", "", 550));
  // bob is known only in his own domain.
  CHECK(check_local_recipient(tables, "bob@localhost", "+", 550));
}

TEST_CASE("unknown local recipients are rejected with the configured code") {
  auto tables = open_local_recipient_tables("inline:{alice=x}");
  auto r = check_local_recipient(tables, "nosuch@example.test", "+", 550);
  REQUIRE(r);
  CHECK(r->code == 550);
  CHECK(r->enhanced == "5.1.1");
  CHECK(r->text ==
        "<nosuch@example.test>: Recipient address rejected: User unknown in local recipient table");
  r = check_local_recipient(tables, "nosuch@example.test", "+", 450);
  REQUIRE(r);
  CHECK(r->code == 450);
  CHECK(r->enhanced == "4.1.1");
  // postmaster@domain is up to the tables, like any user.
  CHECK(check_local_recipient(tables, "postmaster@example.test", "+", 550));
}

TEST_CASE("@domain matches every user of that domain") {
  auto tables = open_local_recipient_tables("inline:{@example.test=x}");
  CHECK_FALSE(check_local_recipient(tables, "anyone@example.test", "+", 550));
  CHECK(check_local_recipient(tables, "anyone@other.test", "+", 550));
}

TEST_CASE("a table that cannot answer is a temporary failure, never a 550") {
  for (const char* list : {"fail:x", "hash:/nonexistent/postern/aliases", "nosuchtype:x"}) {
    INFO(list);
    auto tables = open_local_recipient_tables(list);
    auto r = check_local_recipient(tables, "nosuch@example.test", "+", 550);
    REQUIRE(r);
    CHECK(r->code == 451);
    CHECK(r->enhanced == "4.3.0");
    CHECK(r->text == "<nosuch@example.test>: Temporary lookup failure");
  }
  // A table that cannot answer does not hide a recipient that another
  // table knows, before or after it in the list.
  for (const char* list : {"inline:{alice@example.test=x} hash:/nonexistent/postern/aliases",
                           "hash:/nonexistent/postern/aliases inline:{alice@example.test=x}"}) {
    INFO(list);
    auto tables = open_local_recipient_tables(list);
    CHECK_FALSE(check_local_recipient(tables, "alice@example.test", "", 550));
    auto r = check_local_recipient(tables, "bob@example.test", "", 550);
    REQUIRE(r);
    CHECK(r->code == 451);
  }
}

namespace {
// Remembers the keys it was asked; finds only "alice", or fails every lookup.
class RecordingTable : public postern::maps::Table {
 public:
  explicit RecordingTable(std::vector<std::string>& asked, bool failing = false) : asked_(asked), failing_(failing) {
    spec_ = "recording:x";
  }
  postern::maps::LookupResult lookup(std::string_view key) override {
    asked_.emplace_back(key);
    if (failing_) return postern::maps::LookupResult::temp_fail("server down");
    return key == "alice" ? postern::maps::LookupResult::found("x") : postern::maps::LookupResult::not_found();
  }

 private:
  std::vector<std::string>& asked_;
  bool failing_;
};
}  // namespace

TEST_CASE("the bare user name is asked first: a passwd miss for user@domain is costly") {
  std::vector<std::string> asked;
  postern::maps::TableList tables;
  tables.add(std::make_unique<RecordingTable>(asked));
  CHECK_FALSE(check_local_recipient(tables, "alice+tag@example.test", "+", 550));
  CHECK(asked == std::vector<std::string>{"alice+tag", "alice"});
  // An unknown user still gets every key, the address forms after the names.
  asked.clear();
  CHECK(check_local_recipient(tables, "bob+tag@example.test", "+", 550));
  CHECK(asked == std::vector<std::string>{"bob+tag", "bob", "bob+tag@example.test", "bob@example.test", "@example.test"});
}

TEST_CASE("a table that fails is asked once, not once per key") {
  std::vector<std::string> failing_asked;
  std::vector<std::string> asked;
  postern::maps::TableList tables;
  tables.add(std::make_unique<RecordingTable>(failing_asked, true));
  tables.add(std::make_unique<RecordingTable>(asked));
  auto r = check_local_recipient(tables, "bob+tag@example.test", "+", 550);
  REQUIRE(r);
  CHECK(r->code == 451);
  CHECK(failing_asked == std::vector<std::string>{"bob+tag"});
  CHECK(asked.size() == 5);
  // The working table still admits a recipient it knows.
  CHECK_FALSE(check_local_recipient(tables, "alice@example.test", "+", 550));
}

TEST_CASE("nis: finds nothing; proxy: is transparent") {
  auto tables = open_local_recipient_tables("proxy:nis:mail.aliases, proxy:inline:{root=x}");
  CHECK_FALSE(check_local_recipient(tables, "root@example.test", "", 550));
  auto r = check_local_recipient(tables, "nosuch@example.test", "", 550);
  REQUIRE(r);
  CHECK(r->code == 550);
}

TEST_CASE("an empty local_recipient_maps turns the check off") {
  LocalRecipientCheck off("", "", 550);
  CHECK_FALSE(off.enabled());
  CHECK_FALSE(off.check("nosuch@example.test"));
  LocalRecipientCheck blank(" , ", "", 550);
  CHECK_FALSE(blank.enabled());
  LocalRecipientCheck on("inline:{alice=x}", "", 550);
  CHECK(on.enabled());
  CHECK(on.check("nosuch@example.test"));
  CHECK_FALSE(on.check("alice@example.test"));
}
