// The agent side of qmgr's connections (lib/ipc/delivery_server.cpp): the
// hello announces how many requests the connection takes, requests are
// answered in order, and a request queued behind another is not delivered
// once qmgr has gone away.
#include "lib/ipc/delivery_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <vector>

#include "../login/socket_pair.hpp"
#include "lib/ipc/attr.hpp"

using namespace postern;
using namespace postern::ipc;

namespace {

DeliveryRequest request_for(const std::string& id) {
  DeliveryRequest r;
  r.queue_id = id;
  r.queue_path = "/q/active/" + id;
  r.recipient = r.orig_rcpt = "bob@example.com";
  return r;
}

std::shared_future<void> open_gate() {
  std::promise<void> p;
  p.set_value();
  return p.get_future().share();
}

// Runs serve_delivery on `ours`; the callback waits for `gate`, notes each
// queue id and answers "done" with the id as reason.
std::future<long long> serve(Pair& pair, std::vector<std::string>& delivered, long long max_requests,
                             std::shared_future<void> gate = open_gate()) {
  return std::async(std::launch::async, [&pair, &delivered, max_requests, gate] {
    return serve_delivery(pair.ours.get(), [&delivered, gate](const DeliveryRequest& r) {
      gate.wait();
      delivered.push_back(r.queue_id);
      DeliveryReply reply;
      reply.dsn = "2.0.0";
      reply.reason = r.queue_id;
      return reply;
    }, max_requests);
  });
}

}  // namespace

TEST_CASE("one connection carries several requests, answered in order", "[ipc][delivery]") {
  Pair pair;
  std::vector<std::string> delivered;
  auto served = serve(pair, delivered, 5);
  // Both requests go out before the hello is read, as qmgr does.
  REQUIRE(write_attrs(pair.theirs.get(), encode_request(request_for("A1"))));
  REQUIRE(write_attrs(pair.theirs.get(), encode_request(request_for("B2"))));
  AttrReader reader(pair.theirs.get(), 10);
  auto hello = reader.read();
  REQUIRE(hello);
  CHECK(hello->get("protocol") == std::string("delivery"));
  CHECK(hello_requests(*hello) == 5);
  auto first = reader.read();
  auto second = reader.read();
  REQUIRE((first && second));
  CHECK(decode_reply(*first)->reason == "A1");
  CHECK(decode_reply(*second)->reason == "B2");
  pair.theirs.reset();  // qmgr is done with the connection
  CHECK(served.get() == 2);
  CHECK(delivered == std::vector<std::string>{"A1", "B2"});
}

TEST_CASE("the connection ends after the requests the hello allowed", "[ipc][delivery]") {
  Pair pair;
  std::vector<std::string> delivered;
  auto served = serve(pair, delivered, 1);
  REQUIRE(write_attrs(pair.theirs.get(), encode_request(request_for("A1"))));
  REQUIRE(write_attrs(pair.theirs.get(), encode_request(request_for("B2"))));  // beyond the budget
  CHECK(served.get() == 1);
  AttrReader reader(pair.theirs.get(), 10);
  auto hello = reader.read();
  REQUIRE(hello);
  CHECK(hello_requests(*hello) == 1);
  REQUIRE(reader.read());
  CHECK_FALSE(reader.read());  // closed without reading B2
  CHECK(delivered == std::vector<std::string>{"A1"});
}

TEST_CASE("a hello without a request count allows one request", "[ipc][delivery]") {
  AttrList old;
  old.add("protocol", "delivery");
  old.add("version", 1);
  CHECK(hello_requests(old) == 1);
  old.add("requests", "-3");
  CHECK(hello_requests(old) == 1);
}

TEST_CASE("a queued request is not delivered once qmgr has gone away", "[ipc][delivery]") {
  Pair pair;
  std::vector<std::string> delivered;
  std::promise<void> qmgr_gone;
  auto served = serve(pair, delivered, 5, qmgr_gone.get_future().share());
  AttrReader reader(pair.theirs.get(), 10);
  REQUIRE(reader.read());  // the hello
  REQUIRE(write_attrs(pair.theirs.get(), encode_request(request_for("A1"))));
  REQUIRE(write_attrs(pair.theirs.get(), encode_request(request_for("B2"))));
  // qmgr's end goes away with both requests sent (its reading side stays
  // open here only so that the test can see what came back).
  REQUIRE(::shutdown(pair.theirs.get(), SHUT_WR) == 0);
  qmgr_gone.set_value();  // A1's delivery ends only now
  CHECK(served.get() == 1);
  auto reply = reader.read();
  REQUIRE(reply);
  CHECK(decode_reply(*reply)->reason == "A1");
  CHECK_FALSE(reader.read());
  // The first was (or may have been) under way when qmgr died; the one
  // queued behind it is left for qmgr's next run instead of a duplicate.
  CHECK(delivered == std::vector<std::string>{"A1"});
}
