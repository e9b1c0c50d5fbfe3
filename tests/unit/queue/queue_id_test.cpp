// Queue ID format tests.
#include <catch2/catch.hpp>

#include <set>

#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_layout.hpp"

using namespace postern::queue;

TEST_CASE("queue IDs are unique, valid, sortable by time", "[queue][id]") {
  QueueIdGenerator gen(4194303);  // the largest pid Linux allows
  std::set<std::string> ids;
  std::string previous;
  for (int i = 0; i < 2000; ++i) {
    std::string id = gen.next(1700000000 + i / 10, (i % 10) * 100000);
    CHECK(id.size() == kQueueIdLength);
    CHECK(valid_queue_id(id));
    CHECK(id.find_first_of("/. aeiouAEIOU") == std::string::npos);
    CHECK(id > previous);
    previous = id;
    ids.insert(id);
  }
  CHECK(ids.size() == 2000);
  // Same microsecond, two processes: different IDs.
  QueueIdGenerator a(100), b(101);
  CHECK(a.next(5, 5) != b.next(5, 5));
}

TEST_CASE("queue ID time decodes", "[queue][id]") {
  QueueIdGenerator gen(42);
  std::string id = gen.next(1712345678, 999999);
  std::int64_t s = 0;
  std::uint32_t us = 0;
  REQUIRE(queue_id_time(id, &s, &us));
  CHECK(s == 1712345678);
  CHECK(us == 999999);
  CHECK_FALSE(valid_queue_id("short"));
  CHECK_FALSE(valid_queue_id("0000000000a0000000"));  // vowel
  CHECK_FALSE(valid_queue_id("0000000000x0000000"));  // no separator
  CHECK(valid_queue_id(QueueIdGenerator(1).next()));
}

TEST_CASE("hashed paths", "[queue][layout]") {
  QueueLayout layout;
  layout.queue_directory = "/q";
  std::string id = QueueIdGenerator(7).next(1700000000, 123456);
  CHECK(layout.file_path("incoming", id) == "/q/incoming/" + id);
  CHECK(layout.file_path("deferred", id) == "/q/deferred/" + std::string(1, id[9]) + "/" + id);
  layout.hash_queue_depth = 2;
  CHECK(layout.file_path("defer", id) ==
        "/q/defer/" + std::string(1, id[9]) + "/" + std::string(1, id[8]) + "/" + id);
  layout.hash_queue_names.push_back("bounce");
  CHECK(layout.hashed("bounce"));
  CHECK_FALSE(layout.hashed("active"));
}
