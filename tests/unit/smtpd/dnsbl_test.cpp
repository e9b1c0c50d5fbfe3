// Unit tests for the DNS list helpers: sites and result filters, query
// names, reply templates (default_rbl_reply) and their parsing.
#include <catch2/catch.hpp>

#include "smtpd/dnsbl.hpp"

using namespace postern::smtpd;

TEST_CASE("DNS list sites and result filters") {
  auto plain = parse_dnsbl_site("Zen.Example.ORG.");
  CHECK(plain.domain == "zen.example.org");
  CHECK(plain.filter.empty());
  auto filtered = parse_dnsbl_site("bl.test=127.0.0.[2;4..6]");
  CHECK(filtered.domain == "bl.test");
  CHECK(filtered.filter == "127.0.0.[2;4..6]");
  struct Row {
    const char* filter;
    const char* address;
    bool match;
  };
  const Row rows[] = {
      {"", "127.0.0.9", true},
      {"127.0.0.2", "127.0.0.2", true},
      {"127.0.0.2", "127.0.0.3", false},
      {"127.0.0.[2;4..6]", "127.0.0.2", true},
      {"127.0.0.[2;4..6]", "127.0.0.3", false},
      {"127.0.0.[2;4..6]", "127.0.0.5", true},
      {"127.0.0.[2;4..6]", "127.0.0.7", false},
      {"127.[0..255].0.1", "127.9.0.1", true},
      {"127.0.0", "127.0.0.2", false},
      {"127.0.0.[9..2]", "127.0.0.5", false},
      {"127.0.0.300", "127.0.0.44", false},
  };
  for (const auto& r : rows) {
    INFO(r.filter << " " << r.address);
    CHECK(dnsbl_filter_matches(r.filter, r.address) == r.match);
  }
  CHECK(valid_dnsbl_filter("127.0.0.[2;4..6]"));
  CHECK_FALSE(valid_dnsbl_filter("127.0.0"));
  CHECK_FALSE(valid_dnsbl_filter("127.0.0.[2"));
  CHECK_FALSE(valid_dnsbl_filter("127.0.0.x"));
}

TEST_CASE("DNS list query names") {
  CHECK(dnsbl_address_query("192.0.2.1", "bl.test") == "1.2.0.192.bl.test");
  CHECK(dnsbl_address_query("2001:db8::1", "bl.test") ==
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test");
  CHECK_FALSE(dnsbl_address_query("nonsense", "bl.test"));
  CHECK(dnsbl_domain_query("Spam.Example.", "rhs.test") == "spam.example.rhs.test");
  CHECK_FALSE(dnsbl_domain_query("", "rhs.test"));
  CHECK_FALSE(dnsbl_domain_query("[192.0.2.1]", "rhs.test"));
}

TEST_CASE("rbl reply templates") {
  const char* def = "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; "
                    "$rbl_reason}";
  std::map<std::string, std::string> vars = {{"rbl_code", "554"},
                                             {"rbl_class", "Client host"},
                                             {"rbl_what", "127.0.0.2"},
                                             {"rbl_domain", "bl.test"},
                                             {"rbl_reason", "listed for testing"}};
  CHECK(expand_reply_template(def, vars) ==
        "554 Service unavailable; Client host [127.0.0.2] blocked using bl.test; listed for testing");
  vars["rbl_reason"] = "";
  CHECK(expand_reply_template(def, vars) == "554 Service unavailable; Client host [127.0.0.2] blocked using bl.test");
  CHECK(expand_reply_template("${rbl_reason:no reason} $$5 ${rbl_domain} $unknown.", vars) == "no reason $5 bl.test .");
  CHECK(expand_reply_template("x ${rbl_domain", vars) == "x ${rbl_domain");

  auto r = parse_template_reply("554 Service unavailable; blocked");
  REQUIRE(r);
  CHECK(r->code == 554);
  CHECK(r->enhanced == "5.7.1");
  CHECK(r->text == "Service unavailable; blocked");
  auto e = parse_template_reply("450 4.7.0 try later");
  REQUIRE(e);
  CHECK(e->enhanced == "4.7.0");
  CHECK(e->text == "try later");
  auto d = parse_template_reply("421 go");
  REQUIRE(d);
  CHECK(d->enhanced == "4.7.1");
  CHECK_FALSE(parse_template_reply("Service unavailable"));
  CHECK_FALSE(parse_template_reply("250 ok"));
}
