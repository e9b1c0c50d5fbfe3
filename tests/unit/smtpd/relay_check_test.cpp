// Unit tests for smtpd's interim relay rule: mynetworks matching and
// $mydestination, table-driven. Never an open relay.
#include <catch2/catch.hpp>

#include "smtpd/relay_check.hpp"

using postern::smtpd::Networks;
using postern::smtpd::RelayCheck;

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

TEST_CASE("RelayCheck: local domains from anyone, others only from mynetworks") {
  RelayCheck relay({"mail.example.test", "localhost"}, Networks::parse({"127.0.0.1/32"}, "mynetworks"));
  struct Row {
    const char* client;
    const char* domain;
    bool permitted;
  };
  const Row rows[] = {
      {"203.0.113.9", "mail.example.test", true},  {"203.0.113.9", "MAIL.Example.TEST.", true},
      {"203.0.113.9", "localhost", true},          {"203.0.113.9", "", true},  // unqualified: local
      {"203.0.113.9", "remote.test", false},       {"203.0.113.9", "[192.0.2.1]", false},
      {"203.0.113.9", "example.test", false},      {"203.0.113.9", "x.mail.example.test", false},
      {"127.0.0.1", "remote.test", true},          {"127.0.0.2", "remote.test", false},
  };
  for (const auto& r : rows) {
    INFO(r.client << " -> " << r.domain);
    CHECK(relay.permitted(r.client, r.domain) == r.permitted);
  }
}
