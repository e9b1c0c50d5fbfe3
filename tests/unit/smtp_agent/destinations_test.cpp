// The smtp agent's server list (smtp/destinations.cpp) against a dnsmasq this
// test starts on a free loopback port: inet_protocols and
// smtp_address_preference order the addresses among equal MX preferences.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "smtp/destinations.hpp"
#include "tests/unit/dnsmasq.hpp"

using namespace postern;
using namespace postern::smtp;

namespace {

// pref.test: two MX hosts at preference 10 and a backup at 20, each with an
// IPv4 and an IPv6 address.
test::Dnsmasq start_dnsmasq() {
  return test::Dnsmasq({"--mx-host=pref.test,mx1.pref.test,10", "--mx-host=pref.test,mx2.pref.test,10",
                        "--mx-host=pref.test,backup.pref.test,20", "--host-record=mx1.pref.test,192.0.2.1,2001:db8::1",
                        "--host-record=mx2.pref.test,192.0.2.2,2001:db8::2",
                        "--host-record=backup.pref.test,192.0.2.3,2001:db8::3"},
                       "mx1.pref.test");
}

std::vector<std::string> addresses(const DestinationPlan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.candidates) out.push_back(c.address);
  return out;
}

bool v6(const std::string& a) { return a.find(':') != std::string::npos; }

}  // namespace

TEST_CASE("address preference and inet_protocols order the servers", "[smtp_agent]") {
  auto dns = start_dnsmasq();
  REQUIRE(dns.running());  // scripts/packages/dns.txt installs dnsmasq
  dns::BlockingResolver resolver(dns.config());
  std::mt19937 random(7);
  auto hop = parse_next_hop("pref.test", 25);
  REQUIRE(hop);

  SECTION("ipv6 first among equal preferences, the backup MX last") {
    auto plan = plan_destinations(*hop, resolver, random, {true, true, "ipv6"});
    REQUIRE(plan.status == DestinationPlan::Status::ok);
    auto a = addresses(plan);
    REQUIRE(a.size() == 6);
    CHECK((v6(a[0]) && v6(a[1]) && !v6(a[2]) && !v6(a[3])));
    CHECK(a[4] == "2001:db8::3");
    CHECK(a[5] == "192.0.2.3");
  }
  SECTION("ipv4 first") {
    auto a = addresses(plan_destinations(*hop, resolver, random, {true, true, "ipv4"}));
    REQUIRE(a.size() == 6);
    CHECK((!v6(a[0]) && !v6(a[1]) && v6(a[2]) && v6(a[3])));
    CHECK(a[4] == "192.0.2.3");
    CHECK(a[5] == "2001:db8::3");
  }
  SECTION("any: both families of the first preference before the backup") {
    auto a = addresses(plan_destinations(*hop, resolver, random, {true, true, "any"}));
    REQUIRE(a.size() == 6);
    std::vector<std::string> first(a.begin(), a.begin() + 4);
    std::sort(first.begin(), first.end());
    CHECK(first == std::vector<std::string>{"192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"});
  }
  SECTION("inet_protocols = ipv4 looks up no AAAA") {
    auto a = addresses(plan_destinations(*hop, resolver, random, {true, false, "ipv6"}));
    REQUIRE(a.size() == 3);
    for (const auto& address : a) CHECK(!v6(address));
    CHECK(a[2] == "192.0.2.3");
  }
}
