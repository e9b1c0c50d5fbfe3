// The restrictions that read the client's host name: check_client_access
// keys (name, parent domains, address, networks), check_reverse_client_
// hostname_access (OK refused), reject_unknown_client_hostname (legacy
// reject_unknown_client) and reject_unknown_reverse_client_hostname with
// unknown_client_reject_code and 450 on temporary failures.
#include <catch2/catch.hpp>

#include "smtpd/access_policy.hpp"

using namespace postern::smtpd;

namespace {

struct Fixture {
  LocalRecipientCheck local{"inline:{alice=x}", "+", 550};
  DnsFacts facts;

  AccessPolicy policy(const char* client) {
    PolicySettings s;
    s.client = RestrictionList::parse(client);
    s.relay = RestrictionList::parse("reject_unauth_destination");
    s.mynetworks = Networks::parse({"127.0.0.1/32"}, "mynetworks");
    s.mydestination = DomainList({"mail.example.test"}, "mydestination", false);
    s.codes.unknown_client = 550;
    return AccessPolicy(s, local);
  }
  static CheckInput input(const char* name, const char* reverse, bool tempfail = false) {
    CheckInput in;
    in.client_name = name;
    in.reverse_name = reverse;
    in.client_name_tempfail = tempfail;
    in.client_address = "192.0.2.7";
    in.helo = "client.example.org";
    in.sender = "a@example.org";
    in.recipient = "alice@mail.example.test";
    return in;
  }
};

std::string wire(const Verdict& v) {
  return v.kind == Verdict::Kind::pass ? "pass"
                                       : std::to_string(v.reply.code) + " " + v.reply.enhanced + " " + v.reply.text;
}

}  // namespace

TEST_CASE("reject_unknown_client_hostname and its legacy name", "[smtpd][peer]") {
  Fixture fx;
  for (const char* name : {"reject_unknown_client_hostname", "reject_unknown_client"}) {
    INFO(name);
    AccessPolicy p = fx.policy(name);
    CHECK(wire(p.check(Stage::recipient, Fixture::input("mx.example.org", "mx.example.org"), fx.facts)) == "pass");
    CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "forged.example.org"), fx.facts)) ==
          "550 5.7.25 Client host rejected: cannot find your hostname, [192.0.2.7]");
    CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "unknown"), fx.facts)) ==
          "550 5.7.25 Client host rejected: cannot find your hostname, [192.0.2.7]");
    CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "unknown", true), fx.facts)) ==
          "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.7]");
  }
}

TEST_CASE("reject_unknown_reverse_client_hostname needs a PTR name only", "[smtpd][peer]") {
  Fixture fx;
  AccessPolicy p = fx.policy("reject_unknown_reverse_client_hostname");
  CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "forged.example.org"), fx.facts)) == "pass");
  CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "unknown"), fx.facts)) ==
        "550 5.7.25 Client host rejected: cannot find your reverse hostname, [192.0.2.7]");
  CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "unknown", true), fx.facts)) ==
        "450 4.7.25 Client host rejected: cannot find your reverse hostname, [192.0.2.7]");
}

TEST_CASE("check_client_access matches the verified name and its parent domains", "[smtpd][peer]") {
  Fixture fx;
  AccessPolicy p = fx.policy("check_client_access inline:{{example.org=REJECT no example}, 192.0.2=DUNNO}");
  CHECK(wire(p.check(Stage::recipient, Fixture::input("mx.example.org", "mx.example.org"), fx.facts)) ==
        "554 5.7.1 <mx.example.org[192.0.2.7]>: Client host rejected: no example");
  // An unverified name is not the client name: no match.
  CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "mx.example.org"), fx.facts)) == "pass");
}

TEST_CASE("check_reverse_client_hostname_access: the unverified name; OK is refused", "[smtpd][peer]") {
  Fixture fx;
  AccessPolicy p = fx.policy(
      "check_reverse_client_hostname_access inline:{{dyn.example.net=REJECT dynamic}, good.example.com=OK}");
  CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "host-1.dyn.example.net"), fx.facts)) ==
        "554 5.7.1 <host-1.dyn.example.net[192.0.2.7]>: Unverified Client host rejected: dynamic");
  CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "unknown"), fx.facts)) == "pass");
  CHECK(wire(p.check(Stage::recipient, Fixture::input("unknown", "good.example.com"), fx.facts)) ==
        "451 4.3.5 Server configuration error");
  CHECK(RestrictionList::parse("check_reverse_client_hostname_access").broken());  // needs a table
}
