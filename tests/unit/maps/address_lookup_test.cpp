// The shared search order for addresses, domains and client addresses.
#include <catch2/catch.hpp>

#include "lib/maps/address_lookup.hpp"

using namespace postern::maps;
using Keys = std::vector<std::string>;

TEST_CASE("address search order", "[maps][address]") {
  struct Row {
    const char* name;
    const char* address;
    const char* delimiter;
    bool localpart_forms;
    Keys expect;
  };
  const Row rows[] = {
      {"extension", "user+ext@example.com", "+", true,
       {"user+ext@example.com", "user@example.com", "user+ext", "user", "@example.com"}},
      {"no extension", "user@example.com", "+", true, {"user@example.com", "user", "@example.com"}},
      {"delimiter off", "user+ext@example.com", "", true, {"user+ext@example.com", "user+ext", "@example.com"}},
      {"remote domain", "user+ext@example.com", "+", false, {"user+ext@example.com", "user@example.com", "@example.com"}},
      {"several delimiters", "user-ext@d", "+-", true, {"user-ext@d", "user@d", "user-ext", "user", "@d"}},
      {"owner- not split", "owner-list@d", "-", true, {"owner-list@d", "owner-list", "@d"}},
      {"-request not split", "list-request@d", "-", true, {"list-request@d", "list-request", "@d"}},
      {"leading delimiter not split", "+x@d", "+", true, {"+x@d", "+x", "@d"}},
      {"bare localpart", "user+ext", "+", true, {"user+ext", "user"}},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    AddressLookupOptions o;
    o.recipient_delimiter = r.delimiter;
    o.localpart_forms = r.localpart_forms;
    CHECK(address_search_keys(r.address, o) == r.expect);
  }
}

TEST_CASE("parent domain search", "[maps][address]") {
  CHECK(domain_search_keys("a.b.example.com", true) == Keys{"a.b.example.com", "b.example.com", "example.com", "com"});
  CHECK(domain_search_keys("a.example.com.", false) == Keys{"a.example.com", ".example.com", ".com"});
  CHECK(domain_search_keys("", true).empty());
}

TEST_CASE("client address forms", "[maps][address]") {
  CHECK(client_address_keys("1.2.3.4") == Keys{"1.2.3.4", "1.2.3", "1.2", "1"});
  CHECK(client_address_keys("[10.0.0.1]") == Keys{"10.0.0.1", "10.0.0", "10.0", "10"});
  CHECK(client_address_keys("2001:db8:0:1::5") == Keys{"2001:db8:0:1::5", "2001:db8:0:1", "2001:db8:0", "2001:db8", "2001"});
  CHECK(client_address_keys("ipv6:::1") == Keys{"::1"});
}

TEST_CASE("lookup_first stops at the first answer and reports the key", "[maps][address]") {
  auto list = TableList::open("inline:{user@example.com=exact, @example.com=catchall}");
  REQUIRE(list);
  AddressLookupOptions o;
  o.recipient_delimiter = "+";
  auto r = lookup_first(*list, address_search_keys("User+Tag@Example.com", o));
  CHECK(r.result.value == "exact");
  CHECK(r.key == "User@Example.com");
  auto c = lookup_first(*list, address_search_keys("other@example.com", o));
  CHECK(c.result.value == "catchall");
  CHECK(c.key == "@example.com");
  auto fail = TableList::open("fail:x");
  CHECK(lookup_first(*fail, {"a", "b"}).result.is_temp_fail());
}
