// Unit tests for AuthExchange, smtpd's event-loop SASL client: the request
// line, the server's handshake skipped, CONT/OK/FAIL events, replies fed in
// one piece and one byte at a time.
#include "lib/auth/auth_exchange.hpp"

#include <catch2/catch.hpp>

using postern::auth::AuthExchange;
using postern::auth::ExchangeEvent;
using postern::auth::ExchangeParams;

namespace {

ExchangeParams params() {
  ExchangeParams p;
  p.mechanism = "PLAIN";
  p.service = "smtp";
  p.rip = "192.0.2.7";
  p.secured = true;
  p.initial_b64 = "AGFsaWNlAHB3";
  p.client_pid = 42;
  return p;
}

const char* kHandshake = "VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\nSPID\t7\nCUID\t1\nDONE\n";

}  // namespace

TEST_CASE("the request carries the handshake, the mechanism and the initial response") {
  AuthExchange ex(params());
  CHECK(ex.request() ==
        "VERSION\t1\t2\nCPID\t42\nAUTH\t1\tPLAIN\tservice=smtp\tnologin\trip=192.0.2.7\tsecured\tresp=AGFsaWNlAHB3\n");
}

TEST_CASE("handshake, challenge, then OK with the user name") {
  for (bool trickle : {false, true}) {
    INFO("trickle " << trickle);
    AuthExchange ex(params());
    std::string input = std::string(kHandshake) + "CONT\t1\tVXNlcm5hbWU6\nOK\t1\tuser=alice\n";
    std::vector<ExchangeEvent> events;
    if (trickle) {
      for (char c : input)
        for (auto& e : ex.feed(std::string_view(&c, 1))) events.push_back(e);
    } else {
      events = ex.feed(input);
    }
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == ExchangeEvent::Kind::challenge);
    CHECK(events[0].data == "VXNlcm5hbWU6");
    CHECK(events[1].kind == ExchangeEvent::Kind::ok);
    CHECK(events[1].user == "alice");
    CHECK(ex.handshake_done());
    CHECK(ex.mechanisms() == std::vector<std::string>{"PLAIN", "LOGIN"});
    CHECK(ex.continue_with("YWxpY2U=") == "CONT\t1\tYWxpY2U=\n");
  }
}

TEST_CASE("FAIL with a reason, temporary failures, other request ids and bad versions") {
  AuthExchange fail(params());
  auto events = fail.feed(std::string(kHandshake) + "FAIL\t2\tuser=x\nFAIL\t1\tuser=alice\treason=bad\001tpw\ttemp\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == ExchangeEvent::Kind::fail);
  CHECK(events[0].reason == "bad\tpw");
  CHECK(events[0].temp);
  CHECK(fail.feed("OK\t1\n").empty());  // finished: nothing more

  AuthExchange old(params());
  events = old.feed("VERSION\t2\t0\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == ExchangeEvent::Kind::error);

  AuthExchange flood(params());
  events = flood.feed(std::string(20000, 'x'));
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == ExchangeEvent::Kind::error);
}
