// Grouping recipients into delivery requests (qmgr/job_groups.cpp): same
// message, transport and next hop together up to the recipient limit; local
// recipients alone.
#include "qmgr/job_groups.hpp"
#include "qmgr/qmgr_params.hpp"

#include <catch2/catch.hpp>

using postern::qmgr::QueueManager;
using postern::qmgr::take_group;

namespace {
std::vector<std::size_t> recipients(const std::vector<QueueManager::Job>& group) {
  std::vector<std::size_t> out;
  for (const auto& j : group) out.push_back(j.recipient);
  return out;
}
}  // namespace

TEST_CASE("jobs of one message to one next hop share a request", "[qmgr]") {
  std::deque<QueueManager::Job> jobs{
      {0, 0, "smtp", "example.com"}, {0, 1, "local", ""},        {0, 2, "smtp", "EXAMPLE.com"},
      {1, 0, "smtp", "example.com"}, {0, 3, "smtp", "other.org"}, {0, 4, "relay", "example.com"},
      {0, 5, "smtp", "example.com"}};
  auto group = take_group(jobs, 0, 50);
  // Recipients 0, 2 and 5: the next hop compares without case; another
  // message, another next hop or another transport stays behind.
  CHECK(recipients(group) == std::vector<std::size_t>{0, 2, 5});
  REQUIRE(jobs.size() == 4);
  CHECK(jobs[0].transport == "local");
  CHECK(jobs[1].message == 1);
  CHECK(jobs[2].nexthop == "other.org");
  CHECK(jobs[3].transport == "relay");
}

TEST_CASE("the recipient limit splits a large group", "[qmgr]") {
  std::deque<QueueManager::Job> jobs;
  for (std::size_t i = 0; i < 7; ++i) jobs.push_back({0, i, "smtp", "example.com"});
  CHECK(recipients(take_group(jobs, 0, 3)) == std::vector<std::size_t>{0, 1, 2});
  CHECK(recipients(take_group(jobs, 0, 3)) == std::vector<std::size_t>{3, 4, 5});
  CHECK(recipients(take_group(jobs, 0, 0)) == std::vector<std::size_t>{6});  // a limit below 1 means 1
  CHECK(jobs.empty());
}

TEST_CASE("local recipients are never grouped", "[qmgr]") {
  std::deque<QueueManager::Job> jobs{{0, 0, "local", ""}, {0, 1, "local", ""}, {0, 2, "local", ""}};
  CHECK(recipients(take_group(jobs, 1, 50)) == std::vector<std::size_t>{1});
  CHECK(jobs.size() == 2);
  CHECK(jobs[0].recipient == 0);
  CHECK(jobs[1].recipient == 2);
}

TEST_CASE("only smtp and lmtp services take several recipients per request", "[qmgr]") {
  postern::qmgr::QmgrParams p;
  p.local_transport = "local";
  p.multi_recipient_transports = {"smtp", "relay", "lmtp", "local"};
  p.recipient_limits["smtp"] = 10;
  p.default_recipient_limit = 50;
  CHECK(recipient_limit(p, "smtp") == 10);
  CHECK(recipient_limit(p, "relay") == 50);    // default_destination_recipient_limit
  CHECK(recipient_limit(p, "local") == 1);     // local_transport: always one
  CHECK(recipient_limit(p, "custom") == 1);    // not run by smtp/lmtp in master.cf
  p.recipient_limits["lmtp"] = 100000;
  CHECK(recipient_limit(p, "lmtp") == 100);    // bounded by the request size
}
