// smtpd/peer_name: the verified / reverse client name from DNS answers.
#include <catch2/catch.hpp>

#include "smtpd/peer_name.hpp"

using namespace postern;
using namespace postern::smtpd;

namespace {
dns::TextAnswer found(std::vector<std::string> records) { return {dns::DnsStatus::Found, "", std::move(records)}; }
dns::TextAnswer failed(dns::DnsStatus status) { return {status, "lookup failed", {}}; }
}  // namespace

TEST_CASE("reverse step: no PTR, temporary failure, bad names", "[smtpd][peer]") {
  PeerName peer;
  std::string warning;
  SECTION("no PTR record: unknown, permanent") {
    for (auto status : {dns::DnsStatus::NotFound, dns::DnsStatus::NoData}) {
      CHECK_FALSE(peer_reverse_step(failed(status), peer, warning));
      CHECK(peer.name == "unknown");
      CHECK(peer.reverse_name == "unknown");
      CHECK_FALSE(peer.tempfail);
      CHECK(warning.empty());
    }
  }
  SECTION("temporary failure: unknown, remembered as temporary") {
    CHECK_FALSE(peer_reverse_step(failed(dns::DnsStatus::TempFail), peer, warning));
    CHECK(peer.name == "unknown");
    CHECK(peer.reverse_name == "unknown");
    CHECK(peer.tempfail);
  }
  SECTION("a PTR that looks like an address is refused") {
    CHECK_FALSE(peer_reverse_step(found({"192.0.2.1"}), peer, warning));
    CHECK(peer.reverse_name == "unknown");
    CHECK(warning == "numeric hostname: 192.0.2.1");
  }
  SECTION("a malformed PTR name is refused") {
    CHECK_FALSE(peer_reverse_step(found({"bad..name.test"}), peer, warning));
    CHECK(warning == "malformed hostname: bad..name.test");
    CHECK_FALSE(peer_reverse_step(found({"[192.0.2.1]"}), peer, warning));
    CHECK(peer.reverse_name == "unknown");
  }
  SECTION("a good PTR: the first name is the one to confirm") {
    auto name = peer_reverse_step(found({"Mail.Example.test", "other.test"}), peer, warning);
    REQUIRE(name);
    CHECK(*name == "Mail.Example.test");
    CHECK(peer.reverse_name == "Mail.Example.test");
    CHECK(peer.name == "unknown");
    CHECK(warning.empty());
  }
}

TEST_CASE("confirm step: the name must resolve back to the client address", "[smtpd][peer]") {
  PeerName peer;
  std::string warning;
  SECTION("verified") {
    peer_confirm_step("mx.test", "192.0.2.7", found({"192.0.2.9", "192.0.2.7"}), peer, warning);
    CHECK(peer.name == "mx.test");
    CHECK(peer.reverse_name == "mx.test");
    CHECK_FALSE(peer.tempfail);
    CHECK(warning.empty());
  }
  SECTION("IPv6 addresses compare by value, not by text") {
    peer_confirm_step("v6.test", "2001:db8::7", found({"2001:0db8:0:0::7"}), peer, warning);
    CHECK(peer.name == "v6.test");
  }
  SECTION("the name lists other addresses only: forged, reverse name kept") {
    peer_confirm_step("forged.test", "192.0.2.7", found({"192.0.2.8"}), peer, warning);
    CHECK(peer.name == "unknown");
    CHECK(peer.reverse_name == "forged.test");
    CHECK_FALSE(peer.tempfail);
    CHECK(warning == "hostname forged.test does not resolve to address 192.0.2.7");
  }
  SECTION("the name does not exist") {
    peer_confirm_step("gone.test", "192.0.2.7", failed(dns::DnsStatus::NotFound), peer, warning);
    CHECK(peer.name == "unknown");
    CHECK(peer.reverse_name == "gone.test");
    CHECK_FALSE(peer.tempfail);
    CHECK(warning == "hostname gone.test does not resolve to address 192.0.2.7: Name or service not known");
  }
  SECTION("temporary failure of the forward lookup") {
    peer_confirm_step("slow.test", "192.0.2.7", failed(dns::DnsStatus::TempFail), peer, warning);
    CHECK(peer.name == "unknown");
    CHECK(peer.reverse_name == "slow.test");
    CHECK(peer.tempfail);
    CHECK(warning == "hostname slow.test does not resolve to address 192.0.2.7: Temporary failure in name resolution");
  }
}

TEST_CASE("same_address", "[smtpd][peer]") {
  CHECK(same_address("127.0.0.1", "127.0.0.1"));
  CHECK_FALSE(same_address("127.0.0.1", "127.0.0.2"));
  CHECK(same_address("::1", "0:0:0:0:0:0:0:1"));
  CHECK_FALSE(same_address("::ffff:127.0.0.1", "127.0.0.1"));
  CHECK_FALSE(same_address("name", "name"));
}
