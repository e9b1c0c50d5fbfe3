// lib/dns against a real DNS server: a dnsmasq this test starts on a free
// loopback port, serving records for names under .test. Both faces.
#include <catch2/catch.hpp>


#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "lib/dns/resolver.hpp"
#include "lib/net/event_loop.hpp"
#include "tests/unit/dnsmasq.hpp"

using namespace postern;
using namespace postern::dns;

namespace {

// The records every test here asks about.
test::Dnsmasq start_dnsmasq() {
  return test::Dnsmasq({"--mx-host=multi.test,mx-b.multi.test,20", "--mx-host=multi.test,mx-a.multi.test,10",
                        "--dns-rr=null.test,15,000000", "--host-record=mx-a.multi.test,192.0.2.1",
                        "--host-record=host.test,192.0.2.7,2001:db8::7", "--host-record=v4only.test,192.0.2.8",
                        "--txt-record=txt.test,v=spf1 -all", "--ptr-record=9.2.0.192.in-addr.arpa,ptr-name.test"},
                       "v4only.test");
}

}  // namespace

TEST_CASE("blocking resolver against dnsmasq", "[dns]") {
  auto dns = start_dnsmasq();
  REQUIRE(dns.running());  // scripts/packages/dns.txt installs dnsmasq
  BlockingResolver r(dns.config());

  SECTION("MX records with preferences") {
    auto mx = r.mx("multi.test");
    REQUIRE(mx.found());
    REQUIRE(mx.records.size() == 2);
    std::sort(mx.records.begin(), mx.records.end(),
              [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
    CHECK(mx.records[0].host == "mx-a.multi.test");
    CHECK(mx.records[0].preference == 10);
    CHECK(mx.records[1].host == "mx-b.multi.test");
    CHECK_FALSE(is_null_mx(mx));
  }
  SECTION("null MX") {
    auto mx = r.mx("null.test");
    REQUIRE(mx.found());
    CHECK(is_null_mx(mx));
  }
  SECTION("no MX but an address: no data, not 'not found'") {
    auto mx = r.mx("v4only.test");
    CHECK(mx.status == DnsStatus::NoData);
    CHECK_FALSE(mx.error.empty());
  }
  SECTION("a name that does not exist") {
    auto mx = r.mx("nosuch.test");
    CHECK(mx.status == DnsStatus::NotFound);
    CHECK(mx.error.find("nosuch.test") != std::string::npos);
  }
  SECTION("A and AAAA") {
    auto a = r.a("host.test");
    REQUIRE(a.found());
    CHECK(a.records == std::vector<std::string>{"192.0.2.7"});
    auto aaaa = r.aaaa("host.test");
    REQUIRE(aaaa.found());
    CHECK(aaaa.records == std::vector<std::string>{"2001:db8::7"});
    CHECK(r.aaaa("v4only.test").status == DnsStatus::NoData);
  }
  SECTION("TXT and PTR") {
    auto txt = r.txt("txt.test");
    REQUIRE(txt.found());
    CHECK(txt.records == std::vector<std::string>{"v=spf1 -all"});
    auto ptr = r.ptr("192.0.2.9");
    REQUIRE(ptr.found());
    CHECK(ptr.records.front() == "ptr-name.test");
    CHECK(r.ptr("not-an-address").status == DnsStatus::NotFound);
  }
}

TEST_CASE("a server that does not answer is a temporary failure", "[dns]") {
  ResolverConfig c;
  c.servers = {"127.0.0.1:" + std::to_string(test::free_udp_port())};  // nothing listens
  c.timeout_seconds = 0.2;
  c.tries = 1;
  BlockingResolver r(c);
  auto mx = r.mx("example.test");
  CHECK(mx.status == DnsStatus::TempFail);
}

TEST_CASE("event-loop resolver answers through callbacks", "[dns]") {
  auto dns = start_dnsmasq();
  REQUIRE(dns.running());
  postern::net::EventLoop loop;
  Resolver r(loop, dns.config());
  int answers = 0;
  MxAnswer mx;
  TextAnswer a, missing;
  bool inside_call = true;
  r.lookup_mx("multi.test", [&](MxAnswer got) {
    CHECK_FALSE(inside_call);  // never called from inside lookup_*()
    mx = std::move(got);
    ++answers;
  });
  r.lookup_a("host.test", [&](TextAnswer got) {
    a = std::move(got);
    ++answers;
  });
  r.lookup_a("nosuch.test", [&](TextAnswer got) {
    missing = std::move(got);
    ++answers;
  });
  inside_call = false;
  REQUIRE(loop.run());
  CHECK(answers == 3);
  CHECK(mx.found());
  CHECK(mx.records.size() == 2);
  REQUIRE(a.found());
  CHECK(a.records.front() == "192.0.2.7");
  CHECK(missing.status == DnsStatus::NotFound);
}

TEST_CASE("destroying the resolver drops pending callbacks", "[dns]") {
  postern::net::EventLoop loop;
  ResolverConfig c;
  c.servers = {"127.0.0.1:" + std::to_string(test::free_udp_port())};
  c.timeout_seconds = 5;
  bool called = false;
  {
    Resolver r(loop, c);
    r.lookup_mx("example.test", [&](MxAnswer) { called = true; });
  }
  loop.run();
  CHECK_FALSE(called);
}

TEST_CASE("host names and addresses: DNS when the hosts file does not list them", "[dns]") {
  auto dns = start_dnsmasq();
  REQUIRE(dns.running());
  postern::net::EventLoop loop;
  Resolver r(loop, dns.config());
  TextAnswer names, v4, v6, none;
  bool inside_call = true;
  r.lookup_host_names("192.0.2.9", [&](TextAnswer got) {
    CHECK_FALSE(inside_call);
    names = std::move(got);
  });
  r.lookup_host_addresses("host.test", false, [&](TextAnswer got) { v4 = std::move(got); });
  r.lookup_host_addresses("host.test", true, [&](TextAnswer got) { v6 = std::move(got); });
  r.lookup_host_names("192.0.2.10", [&](TextAnswer got) { none = std::move(got); });
  inside_call = false;
  REQUIRE(loop.run());
  REQUIRE(names.found());
  CHECK(names.records.front() == "ptr-name.test");
  CHECK(v4.records == std::vector<std::string>{"192.0.2.7"});
  CHECK(v6.records == std::vector<std::string>{"2001:db8::7"});
  CHECK_FALSE(none.found());  // dnsmasq does not serve 2.0.192.in-addr.arpa: refused or not found
}

TEST_CASE("host names from the hosts file need no DNS server", "[dns]") {
  // Most systems name 127.0.0.1 in /etc/hosts; the answer must then come
  // without a query (the only server here refuses everything).
  std::ifstream hosts("/etc/hosts");
  bool listed = false;
  for (std::string line; std::getline(hosts, line);)
    if (line.starts_with("127.0.0.1") && line.find_first_not_of(" \t", 9) != std::string::npos) listed = true;
  postern::net::EventLoop loop;
  ResolverConfig c;
  c.servers = {"127.0.0.1:" + std::to_string(test::free_udp_port())};
  c.timeout_seconds = 0.2;
  c.tries = 1;
  Resolver r(loop, c);
  TextAnswer names, addresses;
  r.lookup_host_names("127.0.0.1", [&](TextAnswer got) { names = std::move(got); });
  loop.run();
  CHECK(names.found() == listed);
  if (!listed) return;
  r.lookup_host_addresses(names.records.front(), false, [&](TextAnswer got) { addresses = std::move(got); });
  loop.run();
  REQUIRE(addresses.found());
  CHECK(std::find(addresses.records.begin(), addresses.records.end(), "127.0.0.1") != addresses.records.end());
}
