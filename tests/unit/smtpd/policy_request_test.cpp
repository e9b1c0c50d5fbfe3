// Unit tests for the policy delegation protocol: request encoding, the
// answer reader (split input, missing action, size limit) and service
// addresses.
#include <catch2/catch.hpp>

#include <string>

#include "smtpd/policy_request.hpp"

using namespace postern::smtpd;

TEST_CASE("policy request: name=value lines and an empty line") {
  CHECK(encode_policy_request({{"request", "smtpd_access_policy"}, {"sender", ""}, {"helo_name", "a\r\nb=c"}}) ==
        "request=smtpd_access_policy\nsender=\nhelo_name=a??b=c\n\n");
}

TEST_CASE("policy answer: action, other attributes ignored, any split") {
  const std::string answer = "foo=bar\naction=REJECT not today\n\n";
  for (std::size_t chunk : {1u, 3u, 100u}) {
    INFO("chunk " << chunk);
    PolicyReplyReader r;
    PolicyReplyReader::State st = PolicyReplyReader::State::more;
    for (std::size_t i = 0; i < answer.size() && st == PolicyReplyReader::State::more; i += chunk)
      st = r.feed(answer.substr(i, chunk));
    CHECK(st == PolicyReplyReader::State::done);
    CHECK(r.action() == "REJECT not today");
  }
  PolicyReplyReader crlf;
  CHECK(crlf.feed("action=DUNNO\r\n\r\n") == PolicyReplyReader::State::done);
  CHECK(crlf.action() == "DUNNO");
}

TEST_CASE("policy answer: errors") {
  PolicyReplyReader none;
  CHECK(none.feed("foo=bar\n\n") == PolicyReplyReader::State::error);
  CHECK(none.error() == "policy server answer without action");
  PolicyReplyReader big;
  CHECK(big.feed("action=" + std::string(PolicyReplyReader::kMaxReply + 1, 'x')) ==
        PolicyReplyReader::State::error);
}

TEST_CASE("policy service addresses") {
  auto unix_rel = parse_policy_endpoint("unix:private/policy", "/var/spool/postfix");
  REQUIRE(unix_rel);
  CHECK(unix_rel->unix_socket);
  CHECK(unix_rel->path == "/var/spool/postfix/private/policy");
  auto unix_abs = parse_policy_endpoint("unix:/run/policy.sock", "/q");
  REQUIRE(unix_abs);
  CHECK(unix_abs->path == "/run/policy.sock");
  auto inet = parse_policy_endpoint("inet:127.0.0.1:10023", "/q");
  REQUIRE(inet);
  CHECK_FALSE(inet->unix_socket);
  CHECK(inet->host == "127.0.0.1");
  CHECK(inet->port == "10023");
  auto v6 = parse_policy_endpoint("inet:[::1]:9998", "/q");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(parse_policy_endpoint("localhost:smtp", "/q"));
  CHECK_FALSE(parse_policy_endpoint("inet:127.0.0.1", "/q"));
  CHECK_FALSE(parse_policy_endpoint("inet:host:12x", "/q"));
  CHECK_FALSE(parse_policy_endpoint("unix:", "/q"));
}
