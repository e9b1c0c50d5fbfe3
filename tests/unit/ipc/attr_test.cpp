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
  std::string wire = encode(encode_request({"QID", "/q/active/QID", "", "bob@example.com", "bob@example.com", "[mx.example.com]:25", 42, 1.5, 2.5, 3.5}));
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
