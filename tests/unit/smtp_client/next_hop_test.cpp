// Next-hop syntax of the smtp/lmtp transports (lib/smtp_client/next_hop).
#include <catch2/catch.hpp>

#include "lib/smtp_client/next_hop.hpp"

using postern::smtp::parse_next_hop;

TEST_CASE("next hop forms", "[smtp_client]") {
  struct Row {
    const char* text;
    const char* host;
    int port;
    bool mx;
    const char* unix_path;
  };
  const Row rows[] = {
      {"example.com", "example.com", 25, true, ""},
      {"example.com:587", "example.com", 587, true, ""},
      {"[mail.example.com]", "mail.example.com", 25, false, ""},
      {"[192.0.2.1]:2525", "192.0.2.1", 2525, false, ""},
      {"[2001:db8::1]:26", "2001:db8::1", 26, false, ""},
      {"inet:lmtp.example:24", "lmtp.example", 24, false, ""},
      {"inet:[127.0.0.1]:2424", "127.0.0.1", 2424, false, ""},
      {"unix:/run/dovecot/lmtp", "", 25, false, "/run/dovecot/lmtp"},
  };
  for (const auto& row : rows) {
    SECTION(row.text) {
      auto hop = parse_next_hop(row.text, 25);
      REQUIRE(hop);
      CHECK(hop->host == row.host);
      CHECK(hop->port == row.port);
      CHECK(hop->mx_lookup == row.mx);
      CHECK(hop->unix_path == row.unix_path);
    }
  }
  CHECK(parse_next_hop("lmtp.example", 24)->port == 24);
}

TEST_CASE("malformed next hops are refused", "[smtp_client]") {
  for (const char* bad : {"", "[]", "[host", "[host]x", "[host]:", "host:0", "host:99999", "host:abc", "unix:"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_next_hop(bad, 25));
  }
}
