// Unit tests for the postmaster transcript notices: which classes send one,
// to whom (Postfix's choice between bounce_ and error_notice_recipient), and
// the notice's form.
#include <catch2/catch.hpp>

#include "lib/bounce/transcript_notice.hpp"

using namespace postern::bounce;

TEST_CASE("transcript notices: classes and recipients") {
  NotifyPolicy p;  // Postfix's default: resource, software
  p.myorigin = "example.test";
  p.error_recipient = "postmaster";
  p.bounce_recipient = "bounce-admin";
  struct Row {
    const char* name;
    const char* classes;
    unsigned errors;
    bool sent;
    const char* to;
  };
  const Row rows[] = {
      {"default, relay denied", "resource, software", kNotifyPolicy, false, ""},
      {"default, garbage command", "resource, software", kNotifyProtocol, false, ""},
      {"default, queue storage", "resource, software", kNotifyResource, true, "postmaster@example.test"},
      {"default, configuration error", "resource, software", kNotifySoftware, true, "postmaster@example.test"},
      {"policy asked", "policy, protocol", kNotifyPolicy, true, "postmaster@example.test"},
      {"protocol asked", "policy, protocol", kNotifyProtocol | kNotifyData, true, "postmaster@example.test"},
      {"data asked", "data", kNotifyData, true, "postmaster@example.test"},
      {"rejected mail goes to bounce_notice_recipient", "bounce", kNotifyBounce, true,
       "bounce-admin@example.test"},
      {"bounce not asked", "policy", kNotifyBounce, false, ""},
      {"delay is never a session class", "delay, 2bounce", kNotifyDelay | kNotify2Bounce, false, ""},
      {"no errors", "policy, protocol, resource, software, data, bounce", 0, false, ""},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    std::vector<std::string> names;
    std::string list = r.classes;
    for (std::size_t pos = 0; pos < list.size();) {
      auto end = list.find(", ", pos);
      names.push_back(list.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
      pos = end == std::string::npos ? list.size() : end + 2;
    }
    p.classes = parse_notify_classes(names, nullptr);
    CHECK(wants_transcript(p, r.errors) == r.sent);
    if (r.sent) CHECK(transcript_recipient(p, r.errors) == r.to);
  }
}

TEST_CASE("transcript notices: the message") {
  TranscriptNotice n;
  n.mail_name = "Postern";
  n.peer = "unknown[192.0.2.7]";
  n.reporting_mta = "mail.example.test";
  n.to = "postmaster@example.test";
  n.now = 1700000000;
  n.error_mask = kNotifyPolicy | kNotifyProtocol;
  n.transcript = {"Out: 220 mail.example.test ESMTP Postern", "In:  RCPT TO:<x@remote.test>",
                  "Out: 554 5.7.1 <x@remote.test>: Relay access denied"};
  std::string m = build_transcript_notice(n);
  auto header_end = m.find("\r\n\r\n");
  REQUIRE(header_end != std::string::npos);
  std::string header = m.substr(0, header_end + 2);
  std::string body = m.substr(header_end + 4);
  CHECK(header.find("From: MAILER-DAEMON@mail.example.test (Mail Delivery System)\r\n") == 0);
  CHECK(header.find("\r\nTo: postmaster@example.test (Postmaster)\r\n") != std::string::npos);
  CHECK(header.find("\r\nSubject: Postern SMTP server: errors from unknown[192.0.2.7]\r\n") != std::string::npos);
  CHECK(header.find("\r\nDate: ") != std::string::npos);
  CHECK(header.find("\r\nAuto-Submitted: auto-generated\r\n") != std::string::npos);
  CHECK(body ==
        "Error classes: policy, protocol\r\n\r\n"
        "Transcript of session follows.\r\n\r\n"
        "Out: 220 mail.example.test ESMTP Postern\r\n"
        "In:  RCPT TO:<x@remote.test>\r\n"
        "Out: 554 5.7.1 <x@remote.test>: Relay access denied\r\n"
        "\r\nFor other details, see the local mail logfile\r\n");
  CHECK(class_names(kNotifyResource | kNotifySoftware | kNotifyData | kNotifyBounce) ==
        "bounce, data, resource, software");
}
