// Unit tests for lib/ipc: attribute escaping, strict parsing, bounded reads,
// and the delivery request/reply round trip over a socketpair.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "lib/base/file_io.hpp"
#include "lib/ipc/attr.hpp"
#include "lib/ipc/delivery_proto.hpp"

using namespace postern;
using namespace postern::ipc;

TEST_CASE("attribute values are escaped and restored", "[ipc]") {
  for (std::string v : {std::string(""), std::string("plain"), std::string("a=b"), std::string("new\nline%\r\x7f"),
                        std::string("nul\0byte", 8)}) {
    INFO(v);
    auto e = escape_value(v);
    CHECK(e.find('\n') == std::string::npos);
    auto back = unescape_value(e);
    REQUIRE(back);
    CHECK(*back == v);
  }
  CHECK(!unescape_value("%4"));
  CHECK(!unescape_value("%zz"));
}

TEST_CASE("attribute lists parse strictly", "[ipc]") {
  struct Row {
    const char* name;
    std::string wire;
    bool ok;
  };
  for (const auto& row : std::vector<Row>{{"good", "a=1\nb=x%0Ay\n\n", true},
                                          {"empty list", "\n", true},
                                          {"no terminator", "a=1\n", false},
                                          {"no equals", "a\n\n", false},
                                          {"bad name", "A=1\n\n", false},
                                          {"bad escape", "a=%G1\n\n", false},
                                          {"trailing data", "a=1\n\nb=2\n", false}}) {
    INFO(row.name);
    CHECK(AttrReader::parse(row.wire).ok() == row.ok);
  }
  auto good = AttrReader::parse("a=1\nb=x%0Ay\na=2\n\n");
  REQUIRE(good);
  CHECK(good->get("b") == std::string("x\ny"));
  CHECK(good->all("a") == std::vector<std::string>{"1", "2"});
  CHECK(!require_int(*good, "b"));
  CHECK(!require(*good, "c"));
}

TEST_CASE("reader handles trickled input and refuses long lines", "[ipc]") {
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  std::string wire = encode(encode_request({"QID", "/q/active/QID", "", "bob@example.com", "bob@example.com", "[mx.example.com]:25", 42, 1.5, 2.5, 3.5, {}}));
  for (char c : wire) REQUIRE(::write(sv[0], &c, 1) == 1);
  AttrReader reader(sv[1], 5);
  auto got = reader.read();
  REQUIRE(got);
  auto request = decode_request(*got);
  REQUIRE(request);
  CHECK(request->queue_id == "QID");
  CHECK(request->sender.empty());
  CHECK(request->nexthop == "[mx.example.com]:25");
  CHECK(request->recipient_offset == 42);
  CHECK(request->active_time == Approx(2.5));

  std::string longline = "a=" + std::string(kMaxAttrLine + 10, 'x') + "\n\n";
  REQUIRE(write_all(sv[0], longline));
  CHECK(!reader.read());
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST_CASE("delivery replies round trip", "[ipc]") {
  DeliveryReply r;
  r.deferred = false;
  r.dsn = "2.0.0";
  r.reason = "delivered to mailbox";
  r.failed.push_back({"x@example.com", "5.1.1", "unknown user: \"x\""});
  auto parsed = AttrReader::parse(encode(encode_reply(r)));
  REQUIRE(parsed);
  auto back = decode_reply(*parsed);
  REQUIRE(back);
  CHECK(!back->deferred);
  REQUIRE(back->failed.size() == 1);
  CHECK(back->failed[0].reason == "unknown user: \"x\"");
  AttrList missing;
  missing.add("status", "done");
  CHECK(!decode_reply(missing));
}

TEST_CASE("multi-recipient requests and per-recipient results round trip", "[ipc]") {
  DeliveryRequest r{"QID", "/q/active/QID", "a@example.org", "one@example.com", "One@example.com", "example.com",
                    10, 1.0, 2.0, 3.0, {}};
  r.more_recipients.push_back({"two@example.com", "two@example.com", 20});
  r.more_recipients.push_back({"three@example.com", "3@example.com", 30});
  auto parsed = AttrReader::parse(encode(encode_request(r)));
  REQUIRE(parsed);
  auto back = decode_request(*parsed);
  REQUIRE(back);
  auto all = back->all_recipients();
  REQUIRE(all.size() == 3);
  CHECK(all[0].address == "one@example.com");
  CHECK(all[0].orig_rcpt == "One@example.com");
  CHECK(all[0].offset == 10);
  CHECK(all[2].orig_rcpt == "3@example.com");
  CHECK(all[2].offset == 30);

  // A recipient without its offset is a protocol error, not a default.
  AttrList broken = encode_request(r);
  AttrList cut;
  bool dropped = false;
  for (const auto& [name, value] : broken.items()) {
    if (name == "offset" && value == "20" && !dropped) {
      dropped = true;
      continue;
    }
    cut.add(name, value);
  }
  CHECK(!decode_request(cut));

  DeliveryReply reply;
  reply.results.push_back({10, RecipientResult::Status::sent, "2.0.0", "250 ok"});
  reply.results.push_back({20, RecipientResult::Status::bounced, "5.1.1", "550 no such user"});
  reply.results.push_back({30, RecipientResult::Status::deferred, "4.2.1", "450 later"});
  auto reply_wire = AttrReader::parse(encode(encode_reply(reply)));
  REQUIRE(reply_wire);
  auto reply_back = decode_reply(*reply_wire);
  REQUIRE(reply_back);
  REQUIRE(reply_back->results.size() == 3);
  CHECK(reply_back->results[1].status == RecipientResult::Status::bounced);
  CHECK(reply_back->results[1].reason == "550 no such user");
  CHECK(reply_back->results[2].status == RecipientResult::Status::deferred);
  CHECK(reply_back->results[2].offset == 30);
  AttrList bad_status = encode_reply(reply);
  bad_status.add("result_offset", 40LL);
  bad_status.add("result_status", "maybe");
  bad_status.add("result_dsn", "");
  bad_status.add("result_reason", "");
  CHECK(!decode_reply(bad_status));
}
