// The smtp/lmtp agent's source address parameters (smtp/smtp_params.cpp):
// smtp_bind_address(6), Postfix's inet_interfaces rule, and bad values.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "smtp/smtp_params.hpp"

using namespace postern;

namespace {
smtp::SmtpParams load(const std::string& main_cf, bool lmtp = false) {
  return smtp::load_params(config::Config::from_text(main_cf, "/nonexistent"), lmtp);
}
}  // namespace

TEST_CASE("smtp_bind_address and smtp_bind_address6 are used as given", "[smtp_agent]") {
  auto p = load("smtp_bind_address = 192.0.2.5\nsmtp_bind_address6 = 2001:db8::5\n");
  CHECK(p.bind_address == "192.0.2.5");
  CHECK(p.bind_address6 == "2001:db8::5");
  CHECK_FALSE(p.bind_enforce);
  CHECK(load("smtp_bind_address_enforce = yes\n").bind_enforce);
}

TEST_CASE("lmtp reads its own bind parameters", "[smtp_agent]") {
  auto p = load("smtp_bind_address = 192.0.2.5\nlmtp_bind_address = 192.0.2.6\n", true);
  CHECK(p.bind_address == "192.0.2.6");
}

TEST_CASE("one non-loopback inet_interfaces address is the default source", "[smtp_agent]") {
  CHECK(load("inet_interfaces = 192.0.2.7\n").bind_address == "192.0.2.7");
  CHECK(load("inet_interfaces = 192.0.2.7, 2001:db8::7\n").bind_address6 == "2001:db8::7");
  CHECK(load("inet_interfaces = 192.0.2.7, localhost\n").bind_address == "192.0.2.7");
  // Postfix's rule: not for loopback, not for "all", not for two addresses.
  CHECK(load("inet_interfaces = 127.0.0.2\n").bind_address.empty());
  CHECK(load("inet_interfaces = all\n").bind_address.empty());
  CHECK(load("").bind_address.empty());
  CHECK(load("inet_interfaces = 192.0.2.7, 192.0.2.8\n").bind_address.empty());
  CHECK(load("inet_interfaces = 192.0.2.7\n").bind_address6.empty());
  // The explicit parameter wins.
  CHECK(load("inet_interfaces = 192.0.2.7\nsmtp_bind_address = 192.0.2.9\n").bind_address == "192.0.2.9");
}

TEST_CASE("a bind address that is not a numerical address of its family is fatal", "[smtp_agent]") {
  CHECK_THROWS_WITH(load("smtp_bind_address = mail.example.com\n"),
                    Catch::Contains("bad smtp_bind_address parameter: mail.example.com"));
  CHECK_THROWS_WITH(load("smtp_bind_address = 2001:db8::1\n"), Catch::Contains("IPv4"));
  CHECK_THROWS_WITH(load("smtp_bind_address6 = 192.0.2.1\n"), Catch::Contains("bad smtp_bind_address6 parameter"));
}
