// Unit tests for smtpd's restrictions: list parsing (legacy names, unknown
// names, table arguments), access(5) results, and the evaluator's Postfix
// semantics (per-list PERMIT, delay_reject, warn_if_reject, the relay
// safety net, reply codes and texts), table-driven.
#include <catch2/catch.hpp>

#include "smtpd/access_action.hpp"
#include "smtpd/access_policy.hpp"

using namespace postern::smtpd;

TEST_CASE("restriction lists: legacy names, arguments, unknown names") {
  auto l = RestrictionList::parse("permit_mynetworks, reject_invalid_hostname reject_non_fqdn_hostname,"
                                  " check_client_access inline:{ 1.2.3.4=OK, x=y }, reject_unknown_hostname");
  REQUIRE_FALSE(l.broken());
  REQUIRE(l.items.size() == 5);
  CHECK(l.items[1].name == "reject_invalid_helo_hostname");
  CHECK(l.items[2].name == "reject_non_fqdn_helo_hostname");
  CHECK(l.items[3].name == "check_client_access");
  CHECK(l.items[3].arg == "inline:{ 1.2.3.4=OK, x=y }");
  CHECK(l.items[4].name == "reject_unknown_helo_hostname");
  CHECK_FALSE(l.has_relay_guard());
  CHECK(RestrictionList::parse("permit_mynetworks reject_unauth_destination").has_relay_guard());
  CHECK(RestrictionList::parse("reject").has_relay_guard());

  auto bad = RestrictionList::parse("permit_mynetworks, reject_bogus_thing");
  CHECK(bad.broken());
  CHECK(bad.error == "unknown smtpd restriction: \"reject_bogus_thing\"");
  CHECK(RestrictionList::parse("check_sender_access").broken());
  CHECK(RestrictionList::parse("check_sender_access /etc/postfix/x").broken());
  // Accepted for tutorial configurations, not implemented.
  CHECK_FALSE(RestrictionList::parse("check_policy_service unix:private/policy").broken());
}

TEST_CASE("access(5) results") {
  struct Row {
    const char* value;
    AccessAction::Kind kind;
    int code;
    const char* enhanced;
    const char* text;
  };
  using K = AccessAction::Kind;
  const Row rows[] = {
      {"OK", K::permit, 0, "", ""},
      {"permit", K::permit, 0, "", ""},
      {"1234", K::permit, 0, "", ""},
      {"DUNNO", K::dunno, 0, "", ""},
      {"REJECT", K::reject, 0, "", ""},
      {"REJECT go away", K::reject, 0, "", "go away"},
      {"defer try later", K::defer, 0, "", "try later"},
      {"550 5.7.2 not you", K::reply, 550, "5.7.2", "not you"},
      {"450 busy", K::reply, 450, "", "busy"},
      {"550 4.7.2 mismatched class", K::reply, 550, "", "4.7.2 mismatched class"},
      {"WARN odd", K::warn, 0, "", "odd"},
      {"HOLD", K::hold, 0, "", ""},
      {"hold  suspicious sender", K::hold, 0, "", "suspicious sender"},
      {"DISCARD", K::discard, 0, "", ""},
      {"REDIRECT boss@example.test", K::redirect, 0, "", "boss@example.test"},
      {"BCC archive@example.test", K::bcc, 0, "", "archive@example.test"},
      {"PREPEND X-Seen: yes, by table", K::prepend, 0, "", "X-Seen: yes, by table"},
      {"FILTER smtp:[127.0.0.1]:10025", K::filter, 0, "", "smtp:[127.0.0.1]:10025"},
      {"INFO just saying", K::info, 0, "", "just saying"},
      {"DEFER_IF_PERMIT later", K::defer_if_permit, 0, "", "later"},
      {"reject_unauth_destination", K::restrictions, 0, "", "reject_unauth_destination"},
  };
  for (const auto& r : rows) {
    INFO(r.value);
    AccessAction a = parse_access_action(r.value);
    CHECK(a.kind == r.kind);
    CHECK(a.code == r.code);
    CHECK(a.enhanced == r.enhanced);
    if (r.kind != K::permit && r.kind != K::dunno) CHECK(a.text == r.text);
  }
}

TEST_CASE("hostname syntax") {
  CHECK(valid_hostname("mail.example.com"));
  CHECK(valid_hostname("localhost"));
  CHECK(valid_hostname("[192.0.2.1]"));
  CHECK(valid_hostname("[IPv6:2001:db8::1]"));
  CHECK_FALSE(valid_hostname("bad..name"));
  CHECK_FALSE(valid_hostname("-x.example"));
  CHECK_FALSE(valid_hostname("a b"));
  CHECK_FALSE(valid_hostname("192.0.2.1"));
  CHECK(fqdn_hostname("mail.example.com"));
  CHECK(fqdn_hostname("[192.0.2.1]"));
  CHECK_FALSE(fqdn_hostname("localhost"));
}

namespace {

struct Fixture {
  LocalRecipientCheck local{"inline:{alice=x}", "+", 550};
  DnsFacts facts;

  PolicySettings settings(const char* relay, const char* recipient = "") {
    PolicySettings s;
    s.relay = RestrictionList::parse(relay);
    s.recipient = RestrictionList::parse(recipient);
    s.mynetworks = Networks::parse({"127.0.0.1/32"}, "mynetworks");
    s.mydestination = DomainList({"mail.example.test", "localhost"}, "mydestination", false);
    s.relay_domains = DomainList({"relayed.test"}, "relay_domains", true);
    return s;
  }
  static CheckInput input(const char* client, const char* rcpt) {
    CheckInput in;
    in.client_address = client;
    in.helo = "client.example.org";
    in.sender = "a@example.org";
    in.recipient = rcpt;
    return in;
  }
};

std::string wire(const Verdict& v) {
  return v.kind == Verdict::Kind::pass ? "pass"
                                       : std::to_string(v.reply.code) + " " + v.reply.enhanced + " " + v.reply.text;
}

}  // namespace

TEST_CASE("Postfix 3 default relay restrictions") {
  Fixture fx;
  AccessPolicy p(fx.settings("permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination"), fx.local);
  struct Row {
    const char* client;
    const char* rcpt;
    const char* sasl;
    const char* result;
  };
  const Row rows[] = {
      {"127.0.0.1", "x@remote.test", "", "pass"},
      {"127.0.0.2", "x@remote.test", "", "450 4.7.1 <x@remote.test>: Relay access denied"},
      {"127.0.0.2", "x@remote.test", "alice", "pass"},
      {"127.0.0.2", "alice@mail.example.test", "", "pass"},
      {"127.0.0.2", "x@a.relayed.test", "", "pass"},
      {"127.0.0.2", "x%remote.test@mail.example.test", "", "450 4.7.1 <x%remote.test@mail.example.test>: Relay access denied"},
      {"127.0.0.2", "nosuch@mail.example.test", "",
       "550 5.1.1 <nosuch@mail.example.test>: Recipient address rejected: User unknown in local recipient table"},
  };
  for (const auto& r : rows) {
    INFO(r.client << " " << r.rcpt << " " << r.sasl);
    CheckInput in = Fixture::input(r.client, r.rcpt);
    in.sasl_username = r.sasl;
    CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == r.result);
  }
}

TEST_CASE("no relay guard anywhere: 451 4.3.5, never an open relay") {
  Fixture fx;
  AccessPolicy p(fx.settings("permit_mynetworks", "permit"), fx.local);
  CHECK(wire(p.check(Stage::recipient, Fixture::input("127.0.0.2", "x@remote.test"), fx.facts)) ==
        "451 4.3.5 Server configuration error");
  AccessPolicy broken(fx.settings("permit_mynetworks, reject_unknown_thing, reject_unauth_destination"), fx.local);
  CHECK(wire(broken.check(Stage::recipient, Fixture::input("127.0.0.1", "x@remote.test"), fx.facts)) ==
        "451 4.3.5 Server configuration error");
}

TEST_CASE("each list ends at its own PERMIT; delay_reject runs client/helo/sender at RCPT") {
  Fixture fx;
  auto s = fx.settings("reject_unauth_destination");
  s.client = RestrictionList::parse("permit_mynetworks, reject");
  s.sender = RestrictionList::parse("reject_non_fqdn_sender");
  AccessPolicy p(s, fx.local);
  CheckInput in = Fixture::input("127.0.0.1", "x@remote.test");
  // permit_mynetworks ends the client list only: the relay list still applies.
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == "554 5.7.1 <x@remote.test>: Relay access denied");
  in = Fixture::input("127.0.0.2", "alice@mail.example.test");
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) ==
        "554 5.7.1 <unknown[127.0.0.2]>: Client host rejected: Access denied");
  CHECK(wire(p.check(Stage::client, in, fx.facts)) == "pass");  // delayed to RCPT
  in = Fixture::input("127.0.0.1", "alice@mail.example.test");
  in.sender = "a@localhost";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) ==
        "504 5.5.2 <a@localhost>: Sender address rejected: need fully-qualified address");

  s.delay_reject = false;
  AccessPolicy now(s, fx.local);
  in = Fixture::input("127.0.0.2", "alice@mail.example.test");
  CHECK(wire(now.check(Stage::client, in, fx.facts)) ==
        "554 5.7.1 <unknown[127.0.0.2]>: Client host rejected: Access denied");
  CHECK(wire(now.check(Stage::recipient, in, fx.facts)) == "pass");
}

TEST_CASE("helo, sender and recipient syntax restrictions with their codes") {
  Fixture fx;
  AccessPolicy p(fx.settings("reject_unauth_destination",
                             "reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname, "
                             "reject_non_fqdn_recipient"),
                 fx.local);
  CheckInput in = Fixture::input("127.0.0.2", "alice@mail.example.test");
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == "pass");
  in.helo = "bad..helo";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == "501 5.5.2 <bad..helo>: Helo command rejected: Invalid name");
  in.helo = "shortname";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) ==
        "504 5.5.2 <shortname>: Helo command rejected: need fully-qualified hostname");
  in.helo = "[192.0.2.1]";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == "pass");
  in.recipient = "alice";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) ==
        "504 5.5.2 <alice>: Recipient address rejected: need fully-qualified address");
}

TEST_CASE("access tables: keys, results, nested restrictions, warn_if_reject") {
  Fixture fx;
  AccessPolicy p(fx.settings("reject_unauth_destination",
                             "check_client_access inline:{127.0.0.3=REJECT, {127.0.9=550 5.7.9 net blocked}}, "
                             "check_sender_access inline:{{spam.test=REJECT no spam}, {boss@=550 5.7.0 no boss}, vip@spam.test=OK, <>=DUNNO}, "
                             "check_recipient_access inline:{{held@mail.example.test=DEFER later}, "
                             "strict@mail.example.test=reject_non_fqdn_sender}, "
                             "warn_if_reject check_helo_access inline:{bad.helo.test=REJECT}"),
                 fx.local);
  struct Row {
    const char* client;
    const char* sender;
    const char* rcpt;
    const char* helo;
    const char* result;
  };
  const Row rows[] = {
      {"127.0.0.2", "a@example.org", "alice@mail.example.test", "h.example", "pass"},
      {"127.0.0.3", "a@example.org", "alice@mail.example.test", "h.example",
       "554 5.7.1 <unknown[127.0.0.3]>: Client host rejected: Access denied"},
      {"127.0.9.1", "a@example.org", "alice@mail.example.test", "h.example",
       "550 5.7.9 <unknown[127.0.9.1]>: Client host rejected: net blocked"},
      {"127.0.0.2", "x@sub.spam.test", "alice@mail.example.test", "h.example",
       "554 5.7.1 <x@sub.spam.test>: Sender address rejected: no spam"},
      {"127.0.0.2", "vip@spam.test", "alice@mail.example.test", "h.example", "pass"},
      {"127.0.0.2", "boss@other.test", "alice@mail.example.test", "h.example",
       "550 5.7.0 <boss@other.test>: Sender address rejected: no boss"},
      {"127.0.0.2", "", "alice@mail.example.test", "h.example", "pass"},
      {"127.0.0.2", "a@example.org", "held@mail.example.test", "h.example",
       "450 4.7.1 <held@mail.example.test>: Recipient address rejected: later"},
      {"127.0.0.2", "a@localhost", "strict@mail.example.test", "h.example",
       "504 5.5.2 <a@localhost>: Sender address rejected: need fully-qualified address"},
      {"127.0.0.2", "a@example.org", "alice@mail.example.test", "bad.helo.test", "pass"},
  };
  for (const auto& r : rows) {
    INFO(r.client << " " << r.sender << " " << r.rcpt << " " << r.helo);
    CheckInput in = Fixture::input(r.client, r.rcpt);
    in.sender = r.sender;
    in.helo = r.helo;
    Verdict v = p.check(Stage::recipient, in, fx.facts);
    CHECK(wire(v) == r.result);
    if (std::string(r.helo) == "bad.helo.test") {
      REQUIRE(v.notes.size() == 1);
      CHECK(v.notes[0].first == "reject_warning");
      CHECK(v.notes[0].second == "554 5.7.1 <bad.helo.test>: Helo command rejected: Access denied");
    }
  }
}

TEST_CASE("sender login maps") {
  Fixture fx;
  auto s = fx.settings("reject_unauth_destination", "reject_sender_login_mismatch");
  s.sender_login_maps = "inline:{alice@example.org=alice, {@shared.test=alice bob}}";
  AccessPolicy p(s, fx.local);
  CheckInput in = Fixture::input("127.0.0.2", "alice@mail.example.test");
  in.sender = "alice@example.org";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) ==
        "553 5.7.1 <alice@example.org>: Sender address rejected: not logged in");
  in.sasl_username = "alice";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == "pass");
  in.sasl_username = "bob";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) ==
        "553 5.7.1 <alice@example.org>: Sender address rejected: not owned by user bob");
  in.sender = "x@shared.test";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == "pass");
  in.sender = "nobody@else.test";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) ==
        "553 5.7.1 <nobody@else.test>: Sender address rejected: not owned by user bob");
  in.sasl_username = "";
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == "pass");
}

TEST_CASE("DNS-based restrictions ask, then use the answer") {
  Fixture fx;
  AccessPolicy p(fx.settings("reject_unauth_destination", "reject_unknown_sender_domain"), fx.local);
  CheckInput in = Fixture::input("127.0.0.2", "alice@mail.example.test");
  in.sender = "a@nowhere.test";
  Verdict v = p.check(Stage::recipient, in, fx.facts);
  REQUIRE(v.kind == Verdict::Kind::pending);
  CHECK(v.question->name == "nowhere.test");
  fx.facts[*v.question] = DnsAnswer::not_found;
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) ==
        "450 4.1.8 <a@nowhere.test>: Sender address rejected: Domain not found");
  fx.facts[*v.question] = DnsAnswer::found;
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == "pass");
  fx.facts[*v.question] = DnsAnswer::unavailable;
  CHECK(wire(p.check(Stage::recipient, in, fx.facts)) == "pass");
}

TEST_CASE("access tables: message actions travel with the verdict") {
  Fixture fx;
  AccessPolicy p(fx.settings("permit_mynetworks, reject_unauth_destination",
                             "check_sender_access inline:{"
                             "{hold@x.test=HOLD}, {held@x.test=HOLD kept for review}, {gone@x.test=DISCARD},"
                             "{tag@x.test=PREPEND X-Tag: yes}, {copy@x.test=BCC archive@example.org},"
                             "{scan@x.test=FILTER scan:[127.0.0.1]:10025}, {note@x.test=INFO noted},"
                             "{badfilter@x.test=FILTER scan}, {badredirect@x.test=REDIRECT nobody},"
                             "{badprepend@x.test=PREPEND no colon}},"
                             "check_recipient_access inline:{{redir@mail.example.test=REDIRECT boss@example.org}},"
                             "reject"),
                 fx.local);
  auto run = [&](const char* sender, const char* rcpt = "alice@mail.example.test") {
    CheckInput in = Fixture::input("127.0.0.1", rcpt);
    in.sender = sender;
    return p.check(Stage::recipient, in, fx.facts);
  };
  Verdict v = run("hold@x.test");
  CHECK(wire(v) == "554 5.7.1 <alice@mail.example.test>: Recipient address rejected: Access denied");  // HOLD goes on
  REQUIRE(v.actions.hold);
  CHECK(*v.actions.hold == "<hold@x.test>: Sender address triggers HOLD action");
  REQUIRE(v.notes.size() == 1);
  CHECK(v.notes[0] == std::pair<std::string, std::string>{"hold", *v.actions.hold});
  CHECK(*run("held@x.test").actions.hold == "<held@x.test>: Sender address kept for review");

  v = run("gone@x.test");
  CHECK(wire(v) == "pass");  // DISCARD ends the list like OK
  REQUIRE(v.actions.discard);
  CHECK(*v.actions.discard == "<gone@x.test>: Sender address triggers DISCARD action");

  CHECK(run("tag@x.test").actions.prepend == std::vector<std::string>{"X-Tag: yes"});
  CHECK(run("copy@x.test").actions.bcc == "archive@example.org");
  CHECK(run("scan@x.test").actions.filter == "scan:[127.0.0.1]:10025");
  v = run("note@x.test");
  REQUIRE(v.notes.size() == 1);
  CHECK(v.notes[0].first == "info");
  CHECK(v.notes[0].second == "<note@x.test>: Sender address noted");
  CHECK(v.actions.empty());
  v = run("a@example.org", "redir@mail.example.test");
  CHECK(v.actions.redirect == "boss@example.org");
  CHECK(v.notes[0].second == "<redir@mail.example.test>: Recipient address triggers REDIRECT boss@example.org");

  for (const char* bad : {"badfilter@x.test", "badredirect@x.test", "badprepend@x.test"}) {
    INFO(bad);
    CHECK(wire(run(bad)) == "451 4.3.5 Server configuration error");
  }
}

TEST_CASE("rejections carry their notify_classes class") {
  Fixture fx;
  struct Row {
    const char* name;
    const char* relay;
    const char* rcpt;
    unsigned error_class;
  };
  const Row rows[] = {
      {"relay denied is policy", "permit_mynetworks, reject_unauth_destination", "x@remote.test", kErrorPolicy},
      {"unknown local user is bounce", "permit_mynetworks, reject_unauth_destination", "nosuch@mail.example.test",
       kErrorBounce},
      {"unusable table is software", "check_recipient_access hash:/nonexistent/access, reject_unauth_destination",
       "alice@mail.example.test", kErrorSoftware},
      {"no relay guard is software", "permit_mynetworks", "alice@mail.example.test", kErrorSoftware},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    AccessPolicy p(fx.settings(r.relay), fx.local);
    Verdict v = p.check(Stage::recipient, Fixture::input("127.0.0.2", r.rcpt), fx.facts);
    REQUIRE(v.kind == Verdict::Kind::reject);
    CHECK(v.error_class == r.error_class);
  }
}
