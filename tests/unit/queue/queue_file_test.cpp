// Queue file format tests: round trip, strictness on damaged files.
#include <catch2/catch.hpp>

#include "lib/queue/queue_file.hpp"

using namespace postern::queue;

namespace {

Envelope sample_envelope() {
  Envelope env;
  env.arrival_seconds = 1700000000;
  env.arrival_microseconds = 42;
  env.sender = "alice@example.com";
  env.recipients.push_back({"bob@example.org", "rfc822;Bob@example.org", 6, false, 0});
  env.recipients.push_back({"carol@example.net", "", 0, true, 0});
  env.attributes.client_name = "mail.example.com";
  env.attributes.client_address = "192.0.2.7";
  env.attributes.protocol = "ESMTPSA";
  env.attributes.helo_name = "mail.example.com";
  env.attributes.sasl_username = "alice";
  env.attributes.envid = "QQ314159";
  env.attributes.ret = "HDRS";
  env.attributes.body = "8BITMIME";
  env.attributes.smtputf8 = true;
  env.attributes.extra = {{"log_ident", "x"}};
  return env;
}

std::string sample_file(std::string_view content) {
  std::string f = encode_envelope(sample_envelope(), content.size());
  f.append(content);
  f += 'E';
  f.append(4, '\0');
  return f;
}

}  // namespace

TEST_CASE("queue file round trip", "[queue][file]") {
  std::string content = "Subject: hi\r\n\r\nbody\r\n";
  std::string f = sample_file(content);
  auto parsed = parse_queue_file(f);
  REQUIRE(parsed.ok());
  const Envelope& env = parsed->envelope;
  Envelope want = sample_envelope();
  CHECK(env.arrival_seconds == want.arrival_seconds);
  CHECK(env.arrival_microseconds == want.arrival_microseconds);
  CHECK(env.sender == want.sender);
  REQUIRE(env.recipients.size() == 2);
  CHECK(env.recipients[0].address == "bob@example.org");
  CHECK(env.recipients[0].orcpt == "rfc822;Bob@example.org");
  CHECK(env.recipients[0].notify == 6);
  CHECK_FALSE(env.recipients[0].done);
  CHECK(env.recipients[1].done);
  CHECK(f[env.recipients[0].done_offset] == kPending);
  CHECK(f[env.recipients[1].done_offset] == kDone);
  CHECK(env.attributes.client_address == "192.0.2.7");
  CHECK(env.attributes.sasl_username == "alice");
  CHECK(env.attributes.envid == "QQ314159");
  CHECK(env.attributes.ret == "HDRS");
  CHECK(env.attributes.body == "8BITMIME");
  CHECK(env.attributes.smtputf8);
  CHECK(env.attributes.extra == want.attributes.extra);
  CHECK(f.substr(parsed->content_offset, parsed->content_size) == content);
}

TEST_CASE("null sender and empty content", "[queue][file]") {
  Envelope env = sample_envelope();
  env.sender.clear();
  std::string f = encode_envelope(env, 0) + "E" + std::string(4, '\0');
  auto parsed = parse_queue_file(f);
  REQUIRE(parsed.ok());
  CHECK(parsed->envelope.sender.empty());
  CHECK(parsed->content_size == 0);
}

TEST_CASE("every truncation of a queue file is an error", "[queue][file]") {
  std::string f = sample_file("Subject: x\r\n\r\nbody\r\n");
  for (size_t len = 0; len < f.size(); ++len) {
    INFO("truncated to " << len);
    auto parsed = parse_queue_file(std::string_view(f).substr(0, len));
    CHECK_FALSE(parsed.ok());
  }
}

TEST_CASE("damaged queue files give errors", "[queue][file]") {
  std::string good = sample_file("hello\r\n");
  REQUIRE(parse_queue_file(good).ok());
  auto damaged = [&](size_t at, char c) {
    std::string f = good;
    f[at] = c;
    return f;
  };
  std::string envelope = encode_envelope(sample_envelope(), 7);
  struct Row {
    const char* name;
    std::string file;
  } rows[] = {
      {"bad magic", damaged(0, 'X')},
      {"future version", damaged(6, 2)},
      {"unknown record type", damaged(7, 'Q')},
      {"huge length", damaged(8, '\x7f')},
      {"trailing junk", good + "x"},
      {"end record with length", good.substr(0, good.size() - 1) + "\x01"},
      {"missing end", good.substr(0, good.size() - 5)},
      {"bad done byte", damaged(sample_file("").find("bob@") - 6, 'X')},
      {"content length too long", damaged(envelope.size() - 1, 9)},
      {"no recipients", [] {
         Envelope e = sample_envelope();
         e.recipients.clear();
         return encode_envelope(e, 0) + "E" + std::string(4, '\0');
       }()},
      {"two content records", [] {
         std::string e = encode_envelope(sample_envelope(), 0);
         return e + e.substr(e.size() - 5) + "E" + std::string(4, '\0');
       }()},
      {"empty file", ""},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      auto parsed = parse_queue_file(row.file);
      REQUIRE_FALSE(parsed.ok());
      CHECK(parsed.error().message.rfind("corrupt queue file: ", 0) == 0);
    }
  }
}
