// Password schemes, base64, %variables and network matching.
#include <catch2/catch.hpp>

#include "lib/auth/net_match.hpp"
#include "lib/auth/password_scheme.hpp"
#include "lib/auth/sasl_codec.hpp"
#include "lib/auth/vars.hpp"

using namespace postern::auth;

TEST_CASE("hash then verify, every hashing scheme", "[auth]") {
  for (const char* scheme : {"SHA512-CRYPT", "SHA256-CRYPT", "MD5-CRYPT", "BLF-CRYPT", "YESCRYPT", "PLAIN",
                             "CRAM-MD5", "SSHA", "SHA256", "SSHA512", "PLAIN-MD5"}) {
    INFO(scheme);
    auto h = hash_password(scheme, "s3cret pass");
    REQUIRE(h.ok());
    CHECK(h->starts_with(std::string("{") + scheme + "}"));
    auto stored = split_stored(*h, "CRYPT");
    CHECK(stored.scheme == scheme);
    CHECK(verify_password(stored, "s3cret pass") == Verify::match);
    CHECK(verify_password(stored, "s3cret pasS") == Verify::mismatch);
  }
  CHECK_FALSE(hash_password("NOPE", "x").ok());
}

TEST_CASE("stored passwords without a scheme use the default", "[auth]") {
  auto h = hash_password("SHA512-CRYPT", "pw");
  REQUIRE(h.ok());
  std::string bare = h->substr(std::string("{SHA512-CRYPT}").size());
  CHECK(bare.starts_with("$6$"));
  CHECK(verify_password(split_stored(bare, "CRYPT"), "pw") == Verify::match);
  CHECK(verify_password(split_stored("plain", "PLAIN"), "plain") == Verify::match);
  CHECK(verify_password(split_stored("{NOSUCH}x", ""), "x") == Verify::unsupported);
}

TEST_CASE("CRAM-MD5 context gives RFC 2195's answer", "[auth]") {
  std::string ctx = cram_md5_context("tanstaaftanstaaf");
  CHECK(ctx.size() == 64);
  auto r = cram_md5_response_from_context(ctx, "<1896.697170952@postoffice.reston.mci.net>");
  REQUIRE(r);
  CHECK(*r == "b913a602c7eda7a495b4e6e7334d3890");
  CHECK_FALSE(cram_md5_response_from_context("zz", "x"));
}

TEST_CASE("base64 is strict", "[auth]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode(std::string("\0u\0p", 4)) == "AHUAcA==");
  CHECK(base64_decode("AHUAcA==") == std::string("\0u\0p", 4));
  CHECK(base64_decode("Zm9vYmFy") == std::string("foobar"));
  CHECK_FALSE(base64_decode("Zm9vYmF"));
  CHECK_FALSE(base64_decode("Zm9v YmFy"));
  CHECK_FALSE(base64_decode("Zg==Zg=="));
  CHECK_FALSE(base64_decode("Z==="));
  CHECK_FALSE(base64_decode("****"));
}

TEST_CASE("variables", "[auth]") {
  Vars v{"Joe@Example.com", "/home/joe", "pop3", "1.2.3.4", "5.6.7.8"};
  CHECK(expand_vars("/var/mail/%u", v) == "/var/mail/Joe@Example.com");
  CHECK(expand_vars("%Lu %n %d %h %s %r %l %%", v) == "joe@example.com Joe Example.com /home/joe pop3 1.2.3.4 5.6.7.8 %");
  CHECK(expand_vars("%{user} %Ld %q", v) == "Joe@Example.com example.com %q");
}

TEST_CASE("networks", "[auth]") {
  CHECK(ip_in_networks("192.168.1.77", "192.168.1.0/24"));
  CHECK_FALSE(ip_in_networks("192.168.2.77", "192.168.1.0/24"));
  CHECK(ip_in_networks("10.0.0.1", "192.168.1.0/24, 10.0.0.1"));
  CHECK(ip_in_networks("::ffff:192.168.1.5", "192.168.1.0/24"));
  CHECK(ip_in_networks("2001:db8::1", "2001:db8::/32"));
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("::1"));
  CHECK_FALSE(is_loopback("192.0.2.1"));
  CHECK_FALSE(ip_in_networks("junk", "0.0.0.0/0"));
}
