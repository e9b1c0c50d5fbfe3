// mailq table, JSON lines, defer logs and ID lookup.
#include "lib/queue_tools/queue_listing.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "lib/base/file_io.hpp"
#include "lib/queue/queue_scan.hpp"
#include "lib/queue/queue_writer.hpp"
#include "lib/queue_tools/defer_log.hpp"
#include "lib/queue_tools/queue_search.hpp"
#include "temp_dir.hpp"

using namespace postern;
using namespace postern::queue_tools;

namespace {

ListedMessage message(std::string folder, std::string id, std::uint64_t size, std::string sender,
                      std::vector<ListedRecipient> rcpts) {
  ListedMessage m;
  m.queue_name = std::move(folder);
  m.queue_id = std::move(id);
  m.arrival_time = 1795350257;  // Sun Nov 22 12:24:17 2026 UTC
  m.message_size = size;
  m.sender = std::move(sender);
  m.recipients = std::move(rcpts);
  return m;
}

struct UtcZone {
  UtcZone() { ::setenv("TZ", "UTC", 1), ::tzset(); }
};

}  // namespace

TEST_CASE("an empty queue says so", "[queue_tools][mailq]") {
  CHECK(format_mailq({}) == "Mail queue is empty\n");
  CHECK(format_json({}).empty());
}

TEST_CASE("the mailq table has Postfix's columns, markers and trailer", "[queue_tools][mailq]") {
  UtcZone utc;
  std::vector<ListedMessage> msgs = {
      message("active", "4jXVLr0Np8z00Ky000", 1234, "sender@example.com", {{"rcpt@example.org", ""}}),
      message("hold", "4jXVLr0Np8z00Ky001", 2048, "", {{"a@example.org", ""}}),
      message("deferred", "4jXVLr0Np8z00Ky002", 10, "s@x",
              {{"b@example.org", "connect to x: Connection refused"},
               {"c@example.org", "connect to x: Connection refused"}}),
  };
  std::string expected =
      "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
      "4jXVLr0Np8z00Ky000*    1234 Sun Nov 22 12:24:17  sender@example.com\n"
      "                                          rcpt@example.org\n"
      "\n"
      "4jXVLr0Np8z00Ky001!    2048 Sun Nov 22 12:24:17  MAILER-DAEMON\n"
      "                                          a@example.org\n"
      "\n"
      "4jXVLr0Np8z00Ky002       10 Sun Nov 22 12:24:17  s@x\n"
      "                                            (connect to x: Connection refused)\n"
      "                                          b@example.org\n"
      "                                          c@example.org\n"
      "\n"
      "-- 3 Kbytes in 3 Requests.\n";
  CHECK(format_mailq(msgs) == expected);
}

TEST_CASE("control characters in addresses are shown as '?'", "[queue_tools][mailq]") {
  auto out = format_mailq({message("incoming", "4jXVLr0Np8z00Ky000", 1, "a\nb@x", {{"c\rd@y", ""}})});
  CHECK(out.find("a?b@x") != std::string::npos);
  CHECK(out.find("c?d@y") != std::string::npos);
  CHECK(out.find("-- 0 Kbytes in 1 Request.\n") != std::string::npos);
}

TEST_CASE("JSON lines carry Postfix's field names", "[queue_tools][json]") {
  auto m = message("deferred", "4jXVLr0Np8z00Ky002", 10, "s\"q@x", {{"b@x", "why"}, {"c@x", ""}});
  m.forced_expire = true;
  CHECK(format_json({m}) ==
        "{\"queue_name\": \"deferred\", \"queue_id\": \"4jXVLr0Np8z00Ky002\", \"arrival_time\": 1795350257, "
        "\"message_size\": 10, \"forced_expire\": true, \"sender\": \"s\\\"q@x\", \"recipients\": "
        "[{\"address\": \"b@x\", \"delay_reason\": \"why\"}, {\"address\": \"c@x\"}]}\n");
  CHECK(json_string("a\\b\x01\t\xc3\xa9") == "\"a\\\\b\\u0001\\t\xc3\xa9\"");
}

TEST_CASE("defer logs give a reason per recipient", "[queue_tools][defer]") {
  auto r = parse_defer_log(
      "recipient=a@x\noffset=12\nstatus=4.4.1\nreason=timed out\n\nrecipient=b@x\nreason=refused\n");
  REQUIRE(r.size() == 2);
  CHECK(r["a@x"] == "timed out");
  CHECK(r["b@x"] == "refused");
  CHECK(parse_defer_log("").empty());
  CHECK(parse_defer_log("garbage without equals\n\n").empty());
}

TEST_CASE("collect_listing reads every folder in mailq order and skips done recipients",
          "[queue_tools][listing]") {
  TempQueueDir q;
  queue::QueueIdGenerator ids;
  queue::Envelope env;
  env.arrival_seconds = 1795350257;
  env.sender = "s@x";
  env.recipients.push_back({"done@x", "", 0, true, 0});
  env.recipients.push_back({"todo@x", "", 0, false, 0});
  // Writers create in flat folders; a move makes the hashed subfolder.
  auto deferred = queue::enqueue(q.layout, ids, env, "Subject: a\r\n\r\nbody\r\n");
  REQUIRE(deferred.ok());
  REQUIRE(queue::move_queue_file(q.layout, *deferred, queue::kIncoming, queue::kDeferred).ok());
  auto held = queue::enqueue(q.layout, ids, env, "x\r\n", queue::kHold);
  REQUIRE(held.ok());
  std::filesystem::create_directories(q.layout.dir_path(queue::kDefer, *deferred));
  REQUIRE(write_file_atomic(q.layout.file_path(queue::kDefer, *deferred), "recipient=todo@x\nreason=busy\n\n")
              .ok());
  auto listing = collect_listing(q.layout);
  REQUIRE(listing.ok());
  REQUIRE(listing->size() == 2);
  CHECK((*listing)[0].queue_name == "hold");
  CHECK((*listing)[1].queue_name == "deferred");
  CHECK((*listing)[1].message_size == 20);
  REQUIRE((*listing)[1].recipients.size() == 1);
  CHECK((*listing)[1].recipients[0].address == "todo@x");
  CHECK((*listing)[1].recipients[0].delay_reason == "busy");

  auto found = find_message(q.layout, *deferred, all_message_folders());
  REQUIRE(found);
  CHECK(found->folder == "deferred");
  CHECK(found->path == q.layout.file_path(queue::kDeferred, *deferred));
  CHECK_FALSE(find_message(q.layout, "../../etc/passwd", all_message_folders()));
  CHECK_FALSE(find_message(q.layout, "4jXVLr0Np8z00Ky009", all_message_folders()));
}
