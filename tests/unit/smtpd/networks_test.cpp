// Unit tests for smtpd's network and domain lists (mynetworks,
// mydestination, relay_domains), table-driven.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "smtpd/domain_list.hpp"
#include "smtpd/networks.hpp"

using postern::smtpd::Networks;
using postern::smtpd::DomainList;

TEST_CASE("Networks matches CIDR, host and IPv6 entries") {
  Networks n = Networks::parse({"127.0.0.1/32", "192.0.2.0/24", "10.1.2.3", "[::1]/128", "[2001:db8::]/32",
                                "hash:/etc/postfix/network_table", "not-an-address"},
                               "mynetworks");
  struct Row {
    const char* address;
    bool inside;
  };
  const Row rows[] = {
      {"127.0.0.1", true},    {"127.0.0.2", false},      {"192.0.2.255", true},  {"192.0.3.0", false},
      {"10.1.2.3", true},     {"10.1.2.4", false},       {"::1", true},          {"::2", false},
      {"2001:db8:1::5", true}, {"2001:db9::1", false},   {"::ffff:192.0.2.7", true}, {"garbage", false},
      {"", false},
  };
  for (const auto& r : rows) {
    INFO(r.address);
    CHECK(n.contains(r.address) == r.inside);
  }
}

TEST_CASE("an empty mynetworks trusts nobody; /0 trusts everyone of that family") {
  CHECK_FALSE(Networks::parse({}, "mynetworks").contains("127.0.0.1"));
  Networks all4 = Networks::parse({"0.0.0.0/0"}, "mynetworks");
  CHECK(all4.contains("203.0.113.9"));
  CHECK_FALSE(all4.contains("::1"));
}

TEST_CASE("DomainList: names, subdomains for relay_domains, dotted entries") {
  DomainList mydest({"mail.example.test", "localhost"}, "mydestination", false);
  DomainList relay({"relay.test", ".dot.test"}, "relay_domains", true);
  struct Row {
    const DomainList* list;
    const char* domain;
    bool inside;
  };
  const Row rows[] = {
      {&mydest, "MAIL.Example.TEST.", true}, {&mydest, "x.mail.example.test", false},
      {&mydest, "example.test", false},      {&mydest, "", false},
      {&relay, "relay.test", true},          {&relay, "a.b.relay.test", true},
      {&relay, "notrelay.test", false},      {&relay, "x.dot.test", true},
      {&relay, "dot.test", false},
  };
  for (const auto& r : rows) {
    INFO(r.domain);
    CHECK(r.list->contains(r.domain) == r.inside);
  }
}

TEST_CASE("Networks: /file lists, inline tables with octet keys, exclusions") {
  char path[] = "/tmp/networks_test.XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::string file = path;
  std::ofstream(file) << "# trusted\n192.0.2.0/24 10.0.0.1\n!198.51.100.7\n198.51.100.0/24\n";
  Networks n = Networks::parse({"!192.0.2.9", file, "inline:{203.0.113=ok, 2001:db8::5=ok}"}, "mynetworks");
  CHECK(n.contains("192.0.2.1"));
  CHECK_FALSE(n.contains("192.0.2.9"));
  CHECK(n.contains("10.0.0.1"));
  CHECK_FALSE(n.contains("198.51.100.7"));
  CHECK(n.contains("198.51.100.8"));
  CHECK(n.contains("203.0.113.44"));
  CHECK_FALSE(n.contains("203.0.114.1"));
  CHECK(n.contains("2001:db8::5"));
  ::unlink(path);
}
