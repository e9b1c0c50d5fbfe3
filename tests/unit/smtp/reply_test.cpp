// Reply rendering tests.
#include <catch2/catch.hpp>

#include "lib/smtp/reply.hpp"

using namespace postern::smtp;

TEST_CASE("replies render on the wire", "[smtp][reply]") {
  CHECK(Reply{501, "5.1.7", "Bad sender address syntax"}.wire() == "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(Reply{501, "", "Syntax: HELO hostname"}.wire() == "501 Syntax: HELO hostname\r\n");
  CHECK(format_reply(250, "2.0.0", {"a", "b", "c"}) == "250-2.0.0 a\r\n250-2.0.0 b\r\n250 2.0.0 c\r\n");
  CHECK(format_reply(221, "2.0.0", {}) == "221 2.0.0\r\n");
  CHECK(Reply{550, "5.7.1", "evil\r\n250 ok"}.wire() == "550 5.7.1 evil  250 ok\r\n");
}

TEST_CASE("EHLO keyword list", "[smtp][reply]") {
  CHECK(ehlo_reply("mx.example", {"PIPELINING", "SIZE 10240000", "DSN"}) ==
        "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 DSN\r\n");
  CHECK(ehlo_reply("mx.example", {}) == "250 mx.example\r\n");
}

TEST_CASE("bare LF reply is Postfix's", "[smtp][reply]") {
  CHECK(bare_lf_reply(550, "mx.example").wire() == "550 5.5.2 mx.example Error: bare <LF> received\r\n");
  CHECK(bare_lf_reply(521, "mx.example").wire() == "521 5.5.2 mx.example Error: bare <LF> received\r\n");
}
