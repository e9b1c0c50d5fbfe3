// Unit tests for the restrictions that ask outside smtpd, through the
// evaluator: each asks its question (pending), then decides with the
// answer — check_policy_service (the request, the action as an access
// result, the default action), DNS lists (filters, TXT reason, the reply
// template, the allow list's open-relay guard), check_*_mx_access,
// permit_mx_backup, smtpd_restriction_classes and DEFER_IF_PERMIT.
#include <catch2/catch.hpp>

#include "smtpd/access_policy.hpp"

using namespace postern::smtpd;

namespace {

struct Fixture {
  LocalRecipientCheck local{"inline:{alice=x}", "+", 550};
  DnsFacts facts;

  static PolicySettings settings(const char* recipient) {
    PolicySettings s;
    s.class_names = {"strict"};
    s.classes["strict"] = RestrictionList::parse("reject_rbl_client bl.test", s.class_names);
    s.relay = RestrictionList::parse("permit_mynetworks, reject_unauth_destination");
    s.recipient = RestrictionList::parse(recipient, s.class_names);
    s.mynetworks = Networks::parse({"127.0.0.1/32"}, "mynetworks");
    s.mydestination = DomainList({"mail.example.test"}, "mydestination", false);
    s.default_rbl_reply =
        "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}";
    s.my_addresses = {"127.0.0.1"};
    s.myhostname = "mail.example.test";
    return s;
  }
  static CheckInput input(const char* rcpt = "alice@mail.example.test") {
    CheckInput in;
    in.client_address = "127.0.0.2";
    in.helo = "client.example.org";
    in.sender = "a@example.org";
    in.recipient = rcpt;
    in.instance = "1.2.3";
    return in;
  }
  // Runs the check, answering each question from `answers` (kind, name) until it decides.
  std::string run(AccessPolicy& p, const CheckInput& in,
                  const std::map<std::pair<DnsQuestion::Kind, std::string>, DnsFact>& answers,
                  std::vector<DnsQuestion>* asked = nullptr) {
    for (int i = 0; i < 20; ++i) {
      Verdict v = p.check(Stage::recipient, in, facts);
      if (v.kind != Verdict::Kind::pending)
        return v.kind == Verdict::Kind::pass ? "pass"
                                             : std::to_string(v.reply.code) + " " + v.reply.enhanced + " " + v.reply.text;
      if (asked) asked->push_back(*v.question);
      auto key = std::make_pair(v.question->kind,
                                v.question->kind == DnsQuestion::Kind::policy ? std::string() : v.question->name);
      auto it = answers.find(key);
      facts[*v.question] = it == answers.end() ? DnsFact{DnsAnswer::not_found} : it->second;
    }
    return "loop";
  }
};

using K = DnsQuestion::Kind;

}  // namespace

TEST_CASE("check_policy_service: request, action, default action") {
  Fixture fx;
  PolicySettings s = Fixture::settings("check_policy_service inet:127.0.0.1:9");
  AccessPolicy p(s, fx.local);
  std::vector<DnsQuestion> asked;
  CHECK(fx.run(p, Fixture::input(), {{{K::policy, ""}, DnsFact{DnsAnswer::found, {"REJECT no thanks"}}}}, &asked) ==
        "554 5.7.1 <alice@mail.example.test>: Recipient address rejected: no thanks");
  REQUIRE(asked.size() == 1);
  const std::string& q = asked[0].name;
  CHECK(q.starts_with("inet:127.0.0.1:9\nrequest=smtpd_access_policy\nprotocol_state=RCPT\n"));
  CHECK(q.find("\nrecipient=alice@mail.example.test\n") != std::string::npos);
  CHECK(q.find("\nclient_address=127.0.0.2\n") != std::string::npos);
  CHECK(q.find("\ninstance=1.2.3\n") != std::string::npos);
  CHECK(q.ends_with("\n\n"));

  Fixture dunno;
  CHECK(dunno.run(p, Fixture::input(), {{{K::policy, ""}, DnsFact{DnsAnswer::found, {"DUNNO"}}}}) == "pass");
  Fixture later;
  CHECK(later.run(p, Fixture::input(), {{{K::policy, ""}, DnsFact{DnsAnswer::found, {"DEFER_IF_PERMIT wait"}}}}) ==
        "450 4.7.1 <alice@mail.example.test>: Recipient address rejected: wait");
  Fixture down;
  CHECK(down.run(p, Fixture::input(), {{{K::policy, ""}, DnsFact{DnsAnswer::temp_fail}}}) ==
        "451 4.3.5 <alice@mail.example.test>: Recipient address rejected: Server configuration problem");
}

TEST_CASE("DEFER_IF_PERMIT loses to a later reject") {
  Fixture fx;
  AccessPolicy p(Fixture::settings("check_recipient_access inline:{alice@mail.example.test=DEFER_IF_PERMIT}, "
                                   "check_sender_access inline:{ {a@example.org=REJECT no} }"),
                 fx.local);
  CHECK(fx.run(p, Fixture::input(), {}) == "554 5.7.1 <a@example.org>: Sender address rejected: no");
}

TEST_CASE("reject_rbl_client: filter, TXT reason, reply template, class") {
  const std::map<std::pair<K, std::string>, DnsFact> listed = {
      {{K::addresses, "2.0.0.127.bl.test"}, DnsFact{DnsAnswer::found, {"127.0.0.2"}}},
      {{K::txt, "2.0.0.127.bl.test"}, DnsFact{DnsAnswer::found, {"listed for testing"}}}};
  Fixture fx;
  AccessPolicy p(Fixture::settings("reject_rbl_client bl.test"), fx.local);
  CHECK(fx.run(p, Fixture::input(), listed) ==
        "554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using bl.test; listed for testing");
  Fixture filtered;
  AccessPolicy pf(Fixture::settings("reject_rbl_client bl.test=127.0.0.[3..9]"), filtered.local);
  CHECK(filtered.run(pf, Fixture::input(), listed) == "pass");
  Fixture clean;
  CHECK(clean.run(p, Fixture::input(), {}) == "pass");
  Fixture cls;
  AccessPolicy pc(Fixture::settings("strict"), cls.local);
  CHECK(cls.run(pc, Fixture::input(), listed).starts_with("554 5.7.1 Service unavailable; Client host"));
}

TEST_CASE("permit_dnswl_client never overrides reject_unauth_destination") {
  const std::map<std::pair<K, std::string>, DnsFact> listed = {
      {{K::addresses, "2.0.0.127.wl.test"}, DnsFact{DnsAnswer::found, {"127.0.0.2"}}}};
  Fixture fx;
  AccessPolicy p(Fixture::settings("permit_dnswl_client wl.test, reject_unauth_destination"), fx.local);
  CHECK(fx.run(p, Fixture::input("x@remote.test"), listed) ==
        "554 5.7.1 <x@remote.test>: Relay access denied");
}

TEST_CASE("check_sender_mx_access looks up MX host names and addresses") {
  const std::map<std::pair<K, std::string>, DnsFact> dns = {
      {{K::mx_hosts, "example.org"}, DnsFact{DnsAnswer::found, {"10 mx.bad.test"}}},
      {{K::host_addresses, "mx.bad.test"}, DnsFact{DnsAnswer::found, {"192.0.2.7"}}}};
  Fixture byname;
  AccessPolicy p1(Fixture::settings("check_sender_mx_access inline:{ {bad.test=REJECT bad mx} }"), byname.local);
  CHECK(byname.run(p1, Fixture::input(), dns) == "554 5.7.1 <a@example.org>: Sender address rejected: bad mx");
  Fixture byaddr;
  AccessPolicy p2(Fixture::settings("check_sender_mx_access inline:{ {192.0.2=REJECT bad net} }"), byaddr.local);
  CHECK(byaddr.run(p2, Fixture::input(), dns) == "554 5.7.1 <a@example.org>: Sender address rejected: bad net");
  Fixture ok;
  AccessPolicy p3(Fixture::settings("check_sender_mx_access inline:{bad.test=OK}, reject"), ok.local);
  CHECK(ok.run(p3, Fixture::input(), dns).starts_with("554 5.7.1"));  // OK is not allowed: DUNNO
}

TEST_CASE("permit_mx_backup: only as a backup MX") {
  const std::map<std::pair<K, std::string>, DnsFact> dns = {
      {{K::mx_hosts, "backup.test"}, DnsFact{DnsAnswer::found, {"10 mx1.backup.test", "20 mx2.backup.test"}}},
      {{K::host_addresses, "mx1.backup.test"}, DnsFact{DnsAnswer::found, {"192.0.2.9"}}},
      {{K::host_addresses, "mx2.backup.test"}, DnsFact{DnsAnswer::found, {"127.0.0.1"}}},
      {{K::mx_hosts, "primary.test"}, DnsFact{DnsAnswer::found, {"10 mail.example.test"}}}};
  PolicySettings s = Fixture::settings("permit");
  s.relay = RestrictionList::parse("permit_mx_backup, reject_unauth_destination");
  Fixture backup;
  AccessPolicy p(s, backup.local);
  CHECK(backup.run(p, Fixture::input("x@backup.test"), dns) == "pass");
  Fixture primary;
  CHECK(primary.run(p, Fixture::input("x@primary.test"), dns) == "554 5.7.1 <x@primary.test>: Relay access denied");
  Fixture nomx;
  CHECK(nomx.run(p, Fixture::input("x@elsewhere.test"), dns) == "554 5.7.1 <x@elsewhere.test>: Relay access denied");
  s.mx_backup_networks = Networks::parse({"10.0.0.0/8"}, "permit_mx_backup_networks");
  Fixture outside;
  AccessPolicy pn(s, outside.local);
  CHECK(outside.run(pn, Fixture::input("x@backup.test"), dns) == "554 5.7.1 <x@backup.test>: Relay access denied");
  s.mx_backup_networks = Networks::parse({"192.0.2.0/24"}, "permit_mx_backup_networks");
  Fixture inside;
  AccessPolicy pi(s, inside.local);
  CHECK(inside.run(pi, Fixture::input("x@backup.test"), dns) == "pass");
}
