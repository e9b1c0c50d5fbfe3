// Which delivery starts next and where (qmgr/scheduler.cpp): the
// per-destination and per-transport limits, reuse of agent connections, the
// hello's request budget, and local requests queued behind one another.
#include "qmgr/scheduler.hpp"

#include <catch2/catch.hpp>

using postern::qmgr::QmgrParams;
using postern::qmgr::QueueManager;
using postern::qmgr::Scheduler;

namespace {

QmgrParams params() {
  QmgrParams p;
  p.local_transport = "local";
  p.local_process_limit = 100;
  p.local_destination_concurrency = 2;
  p.initial_destination_concurrency = 2;
  p.default_destination_concurrency = 3;
  return p;
}

void add_local(Scheduler& s, std::size_t message, const std::string& user) {
  s.add({message, 0, "local", ""}, "local!" + user);
}

// Takes the next start and, when it asks for a new connection, opens one.
Scheduler::ConnectionId start_on(Scheduler& s, Scheduler::Start start) {
  Scheduler::ConnectionId id = start.connection ? *start.connection : s.opened(start.group.front().transport);
  s.sent(id, start.destination);
  return id;
}

}  // namespace

TEST_CASE("one local recipient gets at most its concurrency limit of agents", "[qmgr]") {
  QmgrParams p = params();
  Scheduler s(p);
  for (std::size_t m = 0; m < 10; ++m) add_local(s, m, "alice");
  auto first = s.next();
  REQUIRE(first);
  CHECK_FALSE(first->connection);  // nothing open yet
  auto a = start_on(s, *first);
  auto second = s.next();
  REQUIRE(second);
  CHECK_FALSE(second->connection);
  auto b = start_on(s, *second);
  CHECK(a != b);
  // Before the hellos, each connection may carry only its first request.
  CHECK_FALSE(s.next());
  s.hello(a, 100);
  s.hello(b, 100);
  // Then one more request for alice waits behind each delivery in progress:
  // two deliveries at once, as the limit says, and no third connection.
  auto third = s.next();
  REQUIRE(third);
  REQUIRE(third->connection);
  start_on(s, *third);
  auto fourth = s.next();
  REQUIRE(fourth);
  REQUIRE(fourth->connection);
  CHECK(*fourth->connection != *third->connection);
  start_on(s, *fourth);
  CHECK_FALSE(s.next());
  CHECK(s.in_flight(a) == 2);
  CHECK(s.in_flight(b) == 2);
  s.answered(a, false);
  auto fifth = s.next();
  REQUIRE(fifth);
  CHECK(fifth->connection == a);
  CHECK(fifth->group.front().message == 4);  // in order of arrival
}

TEST_CASE("an idle connection is reused before another is opened", "[qmgr]") {
  QmgrParams p = params();
  Scheduler s(p);
  add_local(s, 0, "alice");
  auto a = start_on(s, *s.next());
  s.hello(a, 100);
  s.answered(a, false);
  add_local(s, 1, "bob");
  auto next = s.next();
  REQUIRE(next);
  CHECK(next->connection == a);  // another recipient, same agent
  CHECK(next->destination == "local!bob");
}

TEST_CASE("a connection takes no more requests than its hello allowed", "[qmgr]") {
  QmgrParams p = params();
  p.local_process_limit = 1;
  Scheduler s(p);
  for (std::size_t m = 0; m < 3; ++m) add_local(s, m, "alice");
  auto a = start_on(s, *s.next());
  s.hello(a, 2);
  start_on(s, *s.next());  // queued behind the first
  CHECK_FALSE(s.next());   // the budget is spent and the process limit is 1
  s.answered(a, false);
  CHECK(s.spent().empty());  // one request still in flight
  CHECK_FALSE(s.next());
  s.answered(a, false);
  REQUIRE(s.spent() == std::vector<Scheduler::ConnectionId>{a});
  s.closed(a);
  auto next = s.next();
  REQUIRE(next);
  CHECK_FALSE(next->connection);  // a new agent
}

TEST_CASE("remote destinations: slow start, no queued requests, the transport's process limit", "[qmgr]") {
  QmgrParams p = params();
  p.process_limits["smtp"] = 3;
  Scheduler s(p);
  for (std::size_t m = 0; m < 6; ++m) s.add({m, 0, "smtp", "example.com"}, "smtp!example.com");
  auto a = start_on(s, *s.next());
  auto b = start_on(s, *s.next());
  s.hello(a, 100);
  s.hello(b, 100);
  CHECK_FALSE(s.next());  // initial_destination_concurrency = 2; remote requests never wait behind others
  s.answered(a, true);    // one went through: the window grows to 3
  auto c = s.next();
  REQUIRE(c);
  CHECK(c->connection == a);
  start_on(s, *c);
  auto d = s.next();
  REQUIRE(d);
  CHECK_FALSE(d->connection);
  start_on(s, *d);
  CHECK_FALSE(s.next());  // the destination limit (3) and the process limit (3)
  s.add({9, 0, "smtp", "other.org"}, "smtp!other.org");
  CHECK_FALSE(s.next());  // another destination, but no process left for smtp
  s.answered(b, false);   // deferred: no growth, and b is idle again
  auto e = s.next();
  REQUIRE(e);
  CHECK(e->destination == "smtp!example.com");  // first come, first served...
  CHECK(e->connection == b);
}

TEST_CASE("destinations take turns, and a group put back goes first", "[qmgr]") {
  QmgrParams p = params();
  p.local_destination_concurrency = 10;
  Scheduler s(p);
  add_local(s, 0, "alice");
  add_local(s, 1, "alice");
  add_local(s, 2, "bob");
  auto first = s.next();
  auto second = s.next();
  REQUIRE((first && second));
  CHECK(first->destination == "local!alice");
  CHECK(second->destination == "local!bob");
  s.put_back(std::move(second->group), second->destination);
  CHECK(s.queued() == 2);
  auto third = s.next();
  REQUIRE(third);
  CHECK(third->destination == "local!bob");
  CHECK(third->group.front().message == 2);
  CHECK(s.next(true) == std::nullopt);  // only open connections, and none is
}
