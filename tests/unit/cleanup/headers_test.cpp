// Unit tests for cleanup's header fix-ups (pure functions, table-driven).
#include "lib/cleanup/headers.hpp"

#include <catch2/catch.hpp>

using namespace postern::cleanup;

namespace {

HeaderContext smtp_context() {
  HeaderContext cx;
  cx.source = Source::smtp;
  cx.queue_id = "QID";
  cx.myhostname = "mx.example.org";
  cx.helo_name = "client.test";
  cx.client_name = "localhost";
  cx.client_address = "127.0.0.1";
  cx.protocol = "ESMTP";
  cx.single_recipient = "bob@example.org";
  cx.now = 1700000000;
  return cx;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("is_header_line") {
  struct Row {
    const char* line;
    bool header;
  };
  const Row rows[] = {
      {"Subject: x", true},    {"X-A:", true},         {"Subject : x", true},  {"no colon", false},
      {": empty name", false}, {" Subject: x", false}, {"Bad Name: x", false}, {"", false}};
  for (const auto& r : rows) {
    INFO(r.line);
    CHECK(is_header_line(r.line) == r.header);
  }
}

TEST_CASE("Received for the SMTP path names helo, client and the single recipient") {
  std::string mid;
  std::string out = fix_headers({}, smtp_context(), &mid);
  CHECK(out.rfind("Received: from client.test (localhost [127.0.0.1])\r\n\tby mx.example.org (Postfix) with "
                  "ESMTP id QID\r\n\tfor <bob@example.org>; ",
                  0) == 0);
  CHECK(contains(out, "Message-Id: <"));
  CHECK(contains(out, ".QID@mx.example.org>\r\n"));
  CHECK(contains(out, "\r\nDate: "));
  CHECK(out.size() >= 4);
  CHECK(out.substr(out.size() - 4) == "\r\n\r\n");
  CHECK(mid.find(".QID@mx.example.org>") != std::string::npos);
}

TEST_CASE("Received without helo and with several recipients") {
  auto cx = smtp_context();
  cx.helo_name.clear();
  cx.single_recipient.clear();
  std::string out = fix_headers({}, cx, nullptr);
  CHECK(out.rfind("Received: from localhost [127.0.0.1]\r\n\tby mx.example.org (Postfix) with ESMTP id QID; ",
                  0) == 0);
}

TEST_CASE("header fix-ups per source") {
  struct Row {
    const char* name;
    Source source;
    std::vector<std::string> headers;
    std::vector<std::string> present;
    std::vector<std::string> absent;
  };
  const Row rows[] = {
      {"existing Message-Id and Date are kept",
       Source::smtp,
       {"Message-ID: <a@b>", "Date: Mon, 1 Jan 2024 00:00:00 +0000"},
       {"Message-ID: <a@b>\r\n", "Date: Mon, 1 Jan 2024"},
       {"Message-Id: <", "\r\nDate: Sun"}},
      {"smtp keeps Bcc and adds no From", Source::smtp, {"Bcc: x@y"}, {"Bcc: x@y\r\n"}, {"From:"}},
      {"sendmail drops Bcc and Resent-Bcc",
       Source::sendmail,
       {"Bcc: x@y", "Resent-Bcc: z@y", "To: t@y"},
       {"To: t@y\r\n"},
       {"Bcc:"}},
      {"sendmail adds From",
       Source::sendmail,
       {"Subject: s"},
       {"From: \"A. User\" <alice@example.org>\r\n"},
       {}},
      {"sendmail keeps an existing From",
       Source::sendmail,
       {"From: me@x"},
       {"From: me@x\r\n"},
       {"alice@example.org"}},
      {"Return-Path and Content-Length are dropped",
       Source::smtp,
       {"Return-Path: <x@y>", "Content-Length: 5"},
       {},
       {"Return-Path", "Content-Length"}},
      {"folded header kept as folded", Source::smtp, {"Subject: a\r\n b"}, {"Subject: a\r\n b\r\n"}, {}},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    std::vector<Header> hs;
    for (const auto& h : r.headers) hs.push_back(Header{h});
    auto cx = smtp_context();
    cx.source = r.source;
    cx.sender = "alice@example.org";
    cx.full_name = "A. User";
    cx.uid = 1000;
    std::string out = fix_headers(hs, cx, nullptr);
    for (const auto& p : r.present) CHECK(contains(out, p));
    for (const auto& a : r.absent) CHECK_FALSE(contains(out, a));
  }
}

TEST_CASE("sendmail Received names the uid") {
  auto cx = smtp_context();
  cx.source = Source::sendmail;
  cx.uid = 1000;
  cx.single_recipient.clear();
  std::string out = fix_headers({}, cx, nullptr);
  CHECK(out.rfind("Received: by mx.example.org (Postfix, from userid 1000)\r\n\tid QID; ", 0) == 0);
}

TEST_CASE("hop count counts Received headers") {
  std::vector<Header> hs = {Header{"Received: a"}, Header{"received: b"}, Header{"X-Received: c"},
                            Header{"Subject: x"}};
  CHECK(count_hops(hs) == 2);
}

TEST_CASE("parse_address_list") {
  struct Row {
    const char* value;
    std::vector<std::string> want;
  };
  const Row rows[] = {
      {"a@x", {"a@x"}},
      {"A <a@x>, b@y (Bee)", {"a@x", "b@y"}},
      {"\"Last, First\" <f@x>", {"f@x"}},
      {"friends: c@z, d@z;", {"c@z", "d@z"}},
      {"(comment only)", {}},
      {"undisclosed-recipients:;", {}},
  };
  for (const auto& r : rows) {
    INFO(r.value);
    CHECK(parse_address_list(r.value) == r.want);
  }
}

TEST_CASE("extract_recipients prefers Resent- headers") {
  std::vector<Header> plain = {Header{"To: a@x"}, Header{"Cc: b@x, c@x"}, Header{"Bcc: d@x"},
                               Header{"From: f@x"}};
  CHECK(extract_recipients(plain) == std::vector<std::string>{"a@x", "b@x", "c@x", "d@x"});
  std::vector<Header> resent = {Header{"To: a@x"}, Header{"Resent-To: r@x"}};
  CHECK(extract_recipients(resent) == std::vector<std::string>{"r@x"});
}

TEST_CASE("mail_date looks like an RFC 5322 date") {
  std::string d = mail_date(1700000000);
  CHECK(d.size() > 25);
  CHECK(d[3] == ',');
}

TEST_CASE("Received names an IPv6 client as an address literal") {
  auto cx = smtp_context();
  cx.client_address = "::1";
  std::string out = fix_headers({}, cx, nullptr);
  CHECK(out.rfind("Received: from client.test (localhost [IPv6:::1])\r\n", 0) == 0);
}
