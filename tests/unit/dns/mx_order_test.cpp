// MX ordering and the null MX test (lib/dns/mx_order, dns_answer).
#include <catch2/catch.hpp>

#include <set>

#include "lib/dns/mx_order.hpp"
#include "lib/dns/resolver.hpp"

using namespace postern::dns;

TEST_CASE("MX order: preference first, equal preferences shuffled", "[dns]") {
  std::vector<MxRecord> records = {{20, "c"}, {10, "a1"}, {30, "d"}, {10, "a2"}, {10, "a3"}};
  std::set<std::string> firsts;
  for (unsigned seed = 0; seed < 64; ++seed) {
    std::mt19937 random(seed);
    auto ordered = order_mx(records, random);
    REQUIRE(ordered.size() == 5);
    for (std::size_t i = 1; i < ordered.size(); ++i) CHECK(ordered[i - 1].preference <= ordered[i].preference);
    CHECK(ordered[3].host == "c");
    CHECK(ordered[4].host == "d");
    firsts.insert(ordered[0].host);
  }
  // Every equal-preference exchanger gets to be first sometimes.
  CHECK(firsts == std::set<std::string>{"a1", "a2", "a3"});
}

TEST_CASE("null MX", "[dns]") {
  MxAnswer null_mx{DnsStatus::Found, "", {{0, ""}}};
  CHECK(is_null_mx(null_mx));
  MxAnswer normal{DnsStatus::Found, "", {{10, "mx.example"}}};
  CHECK_FALSE(is_null_mx(normal));
  MxAnswer mixed{DnsStatus::Found, "", {{10, "mx.example"}, {0, ""}}};
  CHECK(is_null_mx(mixed));
  CHECK_FALSE(is_null_mx(MxAnswer{DnsStatus::NoData, "x", {}}));
}

TEST_CASE("dns_resolver_addresses syntax", "[dns]") {
  auto ok = parse_resolver_addresses("127.0.0.1:5353, [::1]:53 192.0.2.53 ::1");
  REQUIRE(ok);
  CHECK(*ok == std::vector<std::string>{"127.0.0.1:5353", "[::1]:53", "192.0.2.53", "::1"});
  CHECK(parse_resolver_addresses("")->empty());
  for (const char* bad : {"dns.example", "127.0.0.1:0", "127.0.0.1:x", "[::1", "[::1]:", "300.1.1.1"}) {
    CAPTURE(bad);
    auto r = parse_resolver_addresses(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find(bad) != std::string::npos);
  }
}
