// qmgr recipient routing as trivial-rewrite does it (qmgr/resolve.cpp):
// local vs relay vs default transport, relayhost forms, transport_maps.
#include <catch2/catch.hpp>

#include "qmgr/resolve.hpp"

using namespace postern::qmgr;

namespace {
QmgrParams base_params() {
  QmgrParams p;
  p.myhostname = "mail.example.com";
  p.mydestination = {"example.com", "localhost"};
  p.inet_addresses = {"192.0.2.10"};
  p.local_transport = "local";
  p.local_transport_spec = "local:mail.example.com";
  p.default_transport = "smtp";
  p.relay_transport = "relay";
  p.double_bounce_sender = "double-bounce";
  p.recipient_delimiter = "+";
  return p;
}
}  // namespace

TEST_CASE("routing: local, default and relay domains", "[qmgr]") {
  QmgrParams p = base_params();
  p.relay_domains = {"relayed.example"};
  Router router(p);
  auto local = router.resolve("alice@example.com");
  CHECK(local.route == Route::local);
  CHECK(local.transport == "local");
  CHECK(router.resolve("bob@[192.0.2.10]").route == Route::local);
  CHECK(router.resolve("double-bounce@example.com").route == Route::discard);

  auto remote = router.resolve("carol@Other.Example");
  CHECK(remote.route == Route::remote);
  CHECK(remote.transport == "smtp");
  CHECK(remote.nexthop == "other.example");

  auto relayed = router.resolve("dave@sub.relayed.example");
  CHECK(relayed.transport == "relay");
  CHECK(relayed.nexthop == "sub.relayed.example");
}

TEST_CASE("routing: relayhost forms replace the recipient domain", "[qmgr]") {
  for (const char* relayhost : {"[smtp.isp.example]:587", "smtp.isp.example", "[192.0.2.1]"}) {
    CAPTURE(relayhost);
    QmgrParams p = base_params();
    p.relayhost = relayhost;
    Router router(p);
    auto r = router.resolve("carol@other.example");
    CHECK(r.transport == "smtp");
    CHECK(r.nexthop == relayhost);
    // Local mail stays local.
    CHECK(router.resolve("alice@example.com").route == Route::local);
  }
  // A next hop in default_transport wins over relayhost.
  QmgrParams p = base_params();
  p.relayhost = "[ignored.example]";
  p.default_transport = "smtp:[gateway.example]:2525";
  Router router(p);
  CHECK(router.resolve("x@other.example").nexthop == "[gateway.example]:2525");
}

TEST_CASE("routing: transport_maps keys and values", "[qmgr]") {
  QmgrParams p = base_params();
  p.relayhost = "[relay.example]";
  p.transport_maps =
      "inline:{ special@other.example=smtp:[special.example]:2525, other.example=relay:, "
      ".sub.example=lmtp:unix:/run/lmtp, {bad.example=error:5.1.2 no mail here}, "
      "gone.example=discard:, example.com=smtp:[inbound.example] }";
  Router router(p);
  struct Row {
    const char* address;
    Route route;
    const char* transport;
    const char* nexthop;
  };
  const Row rows[] = {
      {"special@other.example", Route::remote, "smtp", "[special.example]:2525"},
      {"special+tag@other.example", Route::remote, "smtp", "[special.example]:2525"},
      // An empty next hop in the map keeps the one resolved before (relayhost).
      {"someone@other.example", Route::remote, "relay", "[relay.example]"},
      {"x@a.sub.example", Route::remote, "lmtp", "unix:/run/lmtp"},
      {"x@sub.example", Route::remote, "smtp", "[relay.example]"},  // ".sub.example" matches subdomains only
      {"x@bad.example", Route::bounce, "error", "5.1.2 no mail here"},
      {"x@gone.example", Route::discard, "discard", ""},
      // transport_maps apply to local domains too.
      {"x@example.com", Route::remote, "smtp", "[inbound.example]"},
  };
  for (const auto& row : rows) {
    SECTION(row.address) {
      auto r = router.resolve(row.address);
      CHECK(r.route == row.route);
      CHECK(r.transport == row.transport);
      CHECK(r.nexthop == row.nexthop);
    }
  }
  auto bounced = router.resolve("x@bad.example");
  CHECK(bounced.dsn == "5.1.2");
  CHECK(bounced.reason == "no mail here");
}

TEST_CASE("routing: the * entry catches the rest", "[qmgr]") {
  QmgrParams p = base_params();
  p.transport_maps = "inline:{ *=smtp:[smarthost.example]:25 }";
  Router router(p);
  CHECK(router.resolve("x@anywhere.example").nexthop == "[smarthost.example]:25");
}

TEST_CASE("routing: a table that cannot be opened defers remote mail", "[qmgr]") {
  QmgrParams p = base_params();
  p.transport_maps = "hash:/nonexistent/transport";
  Router router(p);
  CHECK(router.resolve("x@other.example").route == Route::defer);
  CHECK(router.resolve("alice@example.com").route == Route::local);
}

TEST_CASE("transport specs", "[qmgr]") {
  CHECK(parse_transport_spec("smtp:[h]:25").transport == "smtp");
  CHECK(parse_transport_spec("smtp:[h]:25").nexthop == "[h]:25");
  CHECK(parse_transport_spec("smtp").nexthop.empty());
  CHECK(parse_transport_spec(":[h]").transport.empty());
}

TEST_CASE("routing: a content filter takes every recipient", "[qmgr]") {
  QmgrParams p = base_params();
  auto r = resolve_filter(p, "smtp:[127.0.0.1]:10025");
  CHECK(r.route == Route::remote);
  CHECK(r.transport == "smtp");
  CHECK(r.nexthop == "[127.0.0.1]:10025");
  r = resolve_filter(p, "scan:");
  CHECK(r.route == Route::remote);
  CHECK(r.transport == "scan");
  CHECK(r.nexthop == p.myhostname);  // Postfix's default next hop for a filter
  r = resolve_filter(p, "local:");
  CHECK(r.route == Route::local);
  r = resolve_filter(p, "nocolon");
  CHECK(r.route == Route::defer);
  CHECK(r.dsn == "4.3.5");
}
