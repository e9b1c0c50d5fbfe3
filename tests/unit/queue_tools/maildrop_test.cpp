// Maildrop stream checks: every hostile input is refused with a reason.
#include "lib/queue_tools/maildrop.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "lib/base/file_io.hpp"
#include "lib/queue/queue_reader.hpp"
#include "lib/queue/queue_scan.hpp"
#include "temp_dir.hpp"

using namespace postern;
using namespace postern::queue_tools;

namespace {

queue::Envelope good() {
  queue::Envelope env;
  env.arrival_seconds = 1795350257;
  env.sender = "alice";
  env.recipients.push_back({"bob@example.org", "", 0, false, 0});
  env.attributes.protocol = "local";
  env.attributes.extra.emplace_back(std::string(kAttrFullName), "Alice Example");
  return env;
}

Status check(const queue::Envelope& env, std::string_view content = "x\r\n", std::uint64_t limit = 0) {
  auto parsed = queue::parse_queue_file(encode_maildrop(env, content));
  if (!parsed) return parsed.error();
  return check_maildrop(*parsed, limit);
}

}  // namespace

TEST_CASE("a well-formed maildrop stream passes and round-trips", "[queue_tools][maildrop]") {
  auto bytes = encode_maildrop(good(), "Subject: x\r\n\r\nbody\r\n");
  auto parsed = queue::parse_queue_file(bytes);
  REQUIRE(parsed.ok());
  CHECK(check_maildrop(*parsed, 0).ok());
  CHECK(parsed->envelope.sender == "alice");
  CHECK(bytes.substr(parsed->content_offset, parsed->content_size) == "Subject: x\r\n\r\nbody\r\n");
}

TEST_CASE("hostile maildrop streams are refused", "[queue_tools][maildrop]") {
  struct Row {
    const char* name;
    std::function<void(queue::Envelope&)> spoil;
    const char* reason;
  };
  std::vector<Row> rows = {
      {"control character in sender", [](auto& e) { e.sender = "a\nb"; },
       "sender address has control characters"},
      {"huge sender", [](auto& e) { e.sender = std::string(5000, 'a'); }, "sender address too long"},
      {"empty recipient", [](auto& e) { e.recipients[0].address.clear(); }, "empty recipient address"},
      {"recipient already done", [](auto& e) { e.recipients[0].done = true; }, "recipient marked done"},
      {"forged client", [](auto& e) { e.attributes.client_address = "192.0.2.1"; }, "client attributes"},
      {"forged SASL user", [](auto& e) { e.attributes.sasl_username = "admin"; }, "client attributes"},
      {"odd protocol", [](auto& e) { e.attributes.protocol = "ESMTPSA"; }, "bad protocol attribute"},
      {"unknown attribute", [](auto& e) { e.attributes.extra.emplace_back("rewrite", "x"); },
       "unknown attribute rewrite"},
      {"bad uid", [](auto& e) { e.attributes.extra.emplace_back(std::string(kAttrUid), "root"); },
       "bad uid attribute"},
      {"bad notify", [](auto& e) { e.recipients[0].notify = 200; }, "bad NOTIFY flags"},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      auto env = good();
      row.spoil(env);
      auto s = check(env);
      REQUIRE_FALSE(s.ok());
      CHECK(s.error().message.find(row.reason) != std::string::npos);
    }
  }
  SECTION("over the size limit") {
    auto s = check(good(), std::string(100, 'x'), 50);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "message file too big");
  }
  SECTION("no recipients is a corrupt file already") {
    auto env = good();
    env.recipients.clear();
    CHECK_FALSE(queue::parse_queue_file(encode_maildrop(env, "x")).ok());
  }
  SECTION("truncated stream") {
    auto bytes = encode_maildrop(good(), "x\r\n");
    CHECK_FALSE(queue::parse_queue_file(std::string_view(bytes).substr(0, bytes.size() - 3)).ok());
  }
}

TEST_CASE("write_maildrop leaves a complete file pickup can read", "[queue_tools][maildrop]") {
  TempQueueDir q;
  queue::QueueIdGenerator ids;
  auto id = write_maildrop(q.layout, ids, encode_maildrop(good(), "x\r\n"));
  REQUIRE(id.ok());
  struct stat st {};
  std::string path = q.layout.file_path(queue::kMaildrop, *id);
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0744);
  auto scanned = queue::scan_folder(q.layout, queue::kMaildrop);
  REQUIRE(scanned.ok());
  REQUIRE(scanned->size() == 1);
  auto reader = queue::QueueReader::open(path);
  REQUIRE(reader.ok());
  CHECK(reader->envelope().recipients[0].address == "bob@example.org");
}
