// header_checks and mime_header_checks (lib/cleanup/content_checks.cpp):
// each action on its own, then through a whole cleanup::Session so the
// queue file shows the result (cleanup's own Received included).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "lib/cleanup/cleanup.hpp"
#include "lib/cleanup/content_checks.hpp"
#include "lib/queue/queue_reader.hpp"
#include "lib/queue/queue_scan.hpp"
#include "tests/unit/queue/temp_queue.hpp"

using namespace postern;
using namespace postern::cleanup;

namespace {

// A regexp (or pcre) table with `rules`, in a file removed with the test folder.
maps::TableList regexp_table(const std::string& folder, const std::string& name, const std::string& rules,
                             const std::string& type = "regexp") {
  const std::string path = folder + "/" + name;
  std::ofstream(path) << rules;
  auto opened = maps::TableList::open(type + ":" + path);
  REQUIRE(opened.ok());
  return std::move(*opened);
}

std::vector<Header> headers_of(std::initializer_list<const char*> texts) {
  std::vector<Header> out;
  for (const char* t : texts) out.push_back(Header{t});
  return out;
}

std::vector<std::string> texts(const std::vector<Header>& headers) {
  std::vector<std::string> out;
  for (const auto& h : headers) out.push_back(h.text);
  return out;
}

CheckOrigin origin() {
  return CheckOrigin{"client.test[192.0.2.1]", "alice@example.net", "bob@example.org", "ESMTP", "helo.test"};
}

struct Folder {
  Folder() {
    char tmpl[] = "/tmp/postern-checks-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~Folder() { std::filesystem::remove_all(path); }
  std::string path;
};

// The content of the one queue file in incoming/.
std::string only_queued_content(const TempQueue& q) {
  auto files = queue::scan_folder(q.layout, queue::kIncoming);
  REQUIRE(files.ok());
  REQUIRE(files->size() == 1);
  auto reader = queue::QueueReader::open(files->front().path);
  REQUIRE(reader.ok());
  auto content = reader->read_content();
  REQUIRE(content.ok());
  return *content;
}

}  // namespace

TEST_CASE("header_checks: IGNORE, REPLACE and PREPEND edit the headers", "[cleanup]") {
  Folder dir;
  ContentChecks checks(regexp_table(dir.path, "h", "/^X-Mailer:/ IGNORE\n"
                                                   "/^Subject: old/ REPLACE Subject: new\n"
                                                   "/^To:/ PREPEND X-Seen: yes\n"),
                       maps::TableList());
  auto headers = headers_of({"X-Mailer: spammy 1.0", "Subject: old words", "To: bob@example.org", "X-Other: kept"});
  CheckVerdict verdict;
  checks.check_headers(headers, origin(), verdict);
  CHECK_FALSE(verdict.refused());
  CHECK(verdict.actions.empty());
  CHECK(verdict.logs.empty());
  CHECK(texts(headers) ==
        std::vector<std::string>{"Subject: new", "X-Seen: yes", "To: bob@example.org", "X-Other: kept"});
}

TEST_CASE("header_checks: REJECT refuses with Postfix's reply and log line", "[cleanup]") {
  Folder dir;
  ContentChecks checks(regexp_table(dir.path, "h", "/^Subject: .*viagra/ REJECT\n"
                                                   "/^Subject: .*casino/ REJECT 5.7.0 No gambling here\n"
                                                   "/^X-Later:/ WARN never reached\n"),
                       maps::TableList());
  {
    auto headers = headers_of({"Subject: cheap viagra", "X-Later: x"});
    CheckVerdict verdict;
    checks.check_headers(headers, origin(), verdict);
    CHECK(verdict.code == 550);
    CHECK(verdict.enhanced == "5.7.1");
    CHECK(verdict.text == "message content rejected");
    // Checking stops at the rejection.
    REQUIRE(verdict.logs.size() == 1);
    CHECK(verdict.logs[0] ==
          "reject: header Subject: cheap viagra from client.test[192.0.2.1]; from=<alice@example.net> "
          "to=<bob@example.org> proto=ESMTP helo=<helo.test>: 5.7.1 message content rejected");
  }
  {
    auto headers = headers_of({"Subject: online casino"});
    CheckVerdict verdict;
    checks.check_headers(headers, origin(), verdict);
    CHECK(verdict.code == 550);
    CHECK(verdict.enhanced == "5.7.0");
    CHECK(verdict.text == "No gambling here");
  }
}

TEST_CASE("header_checks: message actions and log-only actions", "[cleanup]") {
  Folder dir;
  ContentChecks checks(regexp_table(dir.path, "h", "/^X-Hold:/ HOLD held for review\n"
                                                   "/^X-Redirect:/ REDIRECT abuse@example.org\n"
                                                   "/^X-Bcc:/ BCC archive@example.org\n"
                                                   "/^X-Filter:/ FILTER scan:[127.0.0.1]:10025\n"
                                                   "/^X-Warn:/ WARN suspicious\n"
                                                   "/^X-Info:/ INFO noted\n"
                                                   "/^X-Nothing:/ DUNNO\n"
                                                   "/^X-Bogus:/ FROBNICATE\n"),
                       maps::TableList());
  auto headers = headers_of({"X-Hold: 1", "X-Redirect: 1", "X-Bcc: 1", "X-Filter: 1", "X-Warn: 1", "X-Info: 1",
                             "X-Nothing: 1", "X-Bogus: 1"});
  CheckVerdict verdict;
  checks.check_headers(headers, origin(), verdict);
  CHECK_FALSE(verdict.refused());
  // cleanup logs "ID: hold: <this>" when it queues the message.
  CHECK(verdict.actions.hold ==
        std::optional<std::string>("header X-Hold: 1 from client.test[192.0.2.1]; from=<alice@example.net> "
                                   "to=<bob@example.org> proto=ESMTP helo=<helo.test>: held for review"));
  CHECK(verdict.actions.redirect == "abuse@example.org");
  CHECK(verdict.actions.bcc == "archive@example.org");
  CHECK(verdict.actions.filter == "scan:[127.0.0.1]:10025");
  CHECK(headers.size() == 8);  // none of these edits the header
  REQUIRE(verdict.logs.size() == 5);
  CHECK(verdict.logs[0].rfind("redirect: header X-Redirect: 1 from client.test[192.0.2.1];", 0) == 0);
  CHECK(verdict.logs[0].ends_with(": abuse@example.org"));
  CHECK(verdict.logs[3].rfind("warning: header X-Warn: 1 from ", 0) == 0);
  CHECK(verdict.logs[3].ends_with("helo=<helo.test>: suspicious"));
  CHECK(verdict.logs[4].rfind("info: header X-Info: 1 from ", 0) == 0);
}

TEST_CASE("header_checks: DISCARD stops the checks", "[cleanup]") {
  Folder dir;
  ContentChecks checks(regexp_table(dir.path, "h", "/^X-Junk:/ DISCARD junk\n/^X-After:/ HOLD\n"),
                       maps::TableList());
  auto headers = headers_of({"X-Junk: yes", "X-After: yes"});
  CheckVerdict verdict;
  checks.check_headers(headers, origin(), verdict);
  REQUIRE(verdict.actions.discard);
  CHECK(verdict.actions.discard->ends_with("helo=<helo.test>: junk"));
  CHECK_FALSE(verdict.actions.hold);
}

TEST_CASE("header_checks: a folded header is matched whole, lines joined by newline", "[cleanup]") {
  Folder dir;
  ContentChecks checks(regexp_table(dir.path, "h", "/^Subject: first\\n\\tsecond$/ REJECT folded\n", "pcre"),
                       maps::TableList());
  auto headers = headers_of({"Subject: first\r\n\tsecond"});
  CheckVerdict verdict;
  checks.check_headers(headers, origin(), verdict);
  CHECK(verdict.code == 550);
  // POSIX regexp: "." also matches the newline.
  ContentChecks posix(regexp_table(dir.path, "r", "/^Subject: first. second$/ REJECT folded\n"), maps::TableList());
  auto again = headers_of({"Subject: first\r\n second"});
  CheckVerdict posix_verdict;
  posix.check_headers(again, origin(), posix_verdict);
  CHECK(posix_verdict.code == 550);
  // The log line shows it unfolded, on one line.
  REQUIRE(verdict.logs.size() == 1);
  CHECK(verdict.logs[0].rfind("reject: header Subject: first\tsecond from ", 0) == 0);
}

TEST_CASE("mime_header_checks take the MIME headers, header_checks the rest", "[cleanup]") {
  Folder dir;
  ContentChecks checks(regexp_table(dir.path, "h", "/^Content-Type:/ REJECT seen by header_checks\n"
                                                   "/^Subject:/ WARN subject\n"),
                       regexp_table(dir.path, "m", "/^Content-Type: .*name=.*\\.exe/ REJECT no programs\n"
                                                   "/^Subject:/ REJECT seen by mime_header_checks\n"));
  auto headers = headers_of({"Subject: hello", "MIME-Version: 1.0",
                             "Content-Type: application/octet-stream; name=\"x.exe\""});
  CheckVerdict verdict;
  checks.check_headers(headers, origin(), verdict);
  CHECK(verdict.code == 550);
  CHECK(verdict.text == "no programs");
  REQUIRE(verdict.logs.size() == 2);
  CHECK(verdict.logs[0].rfind("warning: header Subject: hello", 0) == 0);
}

TEST_CASE("header_checks in a session: cleanup's Received is checked too", "[cleanup]") {
  TempQueue q;
  Folder dir;
  Params params;
  params.myhostname = "mx.example.org";
  params.myorigin = "example.org";
  params.layout = q.layout;
  // The tutorial rule that hides the submitting client's address.
  params.checks = std::make_shared<ContentChecks>(
      regexp_table(dir.path, "h", "/^Received: .*with ESMTPSA/ IGNORE\n/^X-Drop:/ IGNORE\n"
                                  "/^Subject: spam/ REJECT\n"),
      maps::TableList());
  queue::QueueIdGenerator ids;
  Submission sub;
  sub.source = Source::smtp;
  sub.sender = "alice@example.org";
  sub.recipients.push_back(queue::Recipient{"bob@example.net", "", 0, false, 0});
  sub.attributes.client_name = "laptop.example.org";
  sub.attributes.client_address = "192.0.2.9";
  sub.attributes.protocol = "ESMTPSA";
  sub.attributes.helo_name = "laptop";

  auto out = enqueue_message(params, ids, sub, "Subject: hi\r\nX-Drop: secret\r\n\r\nbody\r\n");
  REQUIRE(out.ok());
  const std::string content = only_queued_content(q);
  CHECK(content.find("Received:") == std::string::npos);
  CHECK(content.find("192.0.2.9") == std::string::npos);
  CHECK(content.find("X-Drop") == std::string::npos);
  CHECK(content.rfind("Subject: hi\r\n", 0) == 0);

  // Plain ESMTP keeps its Received, with the real queue ID in it.
  sub.attributes.protocol = "ESMTP";
  auto kept = enqueue_message(params, ids, sub, "Subject: hi\r\n\r\nbody\r\n");
  REQUIRE(kept.ok());
  auto all = queue::scan_folder(q.layout, queue::kIncoming);
  REQUIRE(all.ok());
  bool found = false;
  for (const auto& f : *all) {
    if (f.id != kept.queue_id) continue;
    auto r = queue::QueueReader::open(f.path);
    REQUIRE(r.ok());
    auto c = r->read_content();
    REQUIRE(c.ok());
    CHECK(c->rfind("Received: from laptop (laptop.example.org [192.0.2.9])", 0) == 0);
    CHECK(c->find("with ESMTP id " + kept.queue_id) != std::string::npos);
    found = true;
  }
  CHECK(found);

  // REJECT: nothing is queued, and the reply is Postfix's.
  auto refused = enqueue_message(params, ids, sub, "Subject: spam spam\r\n\r\nbody\r\n");
  CHECK(refused.code == 550);
  CHECK(refused.enhanced == "5.7.1");
  CHECK(refused.content_rejected);
  auto after = queue::scan_folder(q.layout, queue::kIncoming);
  REQUIRE(after.ok());
  CHECK(after->size() == 2);
}

TEST_CASE("header_checks that cannot be opened refuse mail instead of skipping the checks", "[cleanup]") {
  TempQueue q;
  Params params;
  params.myhostname = "mx.example.org";
  params.layout = q.layout;
  params.checks_error = "header_checks: regexp:/nonexistent: No such file or directory";
  queue::QueueIdGenerator ids;
  Submission sub;
  sub.sender = "alice@example.org";
  sub.recipients.push_back(queue::Recipient{"bob@example.net", "", 0, false, 0});
  auto out = enqueue_message(params, ids, sub, "Subject: hi\r\n\r\nbody\r\n");
  CHECK(out.code == 451);
  CHECK(out.enhanced == "4.3.5");
  auto files = queue::scan_folder(q.layout, queue::kIncoming);
  REQUIRE(files.ok());
  CHECK(files->empty());
}

namespace {

// A session with body_checks only; returns the queued content, or the
// refusal in `out`.
std::string queue_with_body_checks(const std::string& rules, const std::string& message, Outcome& out,
                                   std::uint64_t size_limit = 51200, std::size_t chunk = 0) {
  TempQueue q;
  Folder dir;
  Params params;
  params.myhostname = "mx.example.org";
  params.layout = q.layout;
  params.checks = std::make_shared<ContentChecks>(maps::TableList(), maps::TableList(),
                                                  regexp_table(dir.path, "b", rules), size_limit);
  queue::QueueIdGenerator ids;
  Submission sub;
  sub.sender = "alice@example.org";
  sub.recipients.push_back(queue::Recipient{"bob@example.net", "", 0, false, 0});
  Session session(params, ids, std::move(sub));
  if (chunk == 0) {
    session.write(message);
  } else {
    for (std::size_t i = 0; i < message.size(); i += chunk) session.write(std::string_view(message).substr(i, chunk));
  }
  out = session.finish();
  if (!out.ok()) return "";
  const std::string content = only_queued_content(q);
  return content.substr(content.find("\r\n\r\n") + 4);  // the body
}

}  // namespace

TEST_CASE("body_checks: each body line, whatever the chunking", "[cleanup]") {
  const std::string rules = "/^drop me/ IGNORE\n/^old line$/ REPLACE new line\n/^tagged/ PREPEND before tagged\n";
  const std::string message = "Subject: x\r\n\r\nfirst\r\ndrop me please\r\nold line\r\ntagged\nlast";
  for (std::size_t chunk : {0, 1, 3, 7}) {
    Outcome out;
    std::string body = queue_with_body_checks(rules, message, out, 51200, chunk);
    REQUIRE(out.ok());
    CHECK(body == "first\r\nnew line\r\nbefore tagged\r\ntagged\r\nlast\r\n");
  }
}

TEST_CASE("body_checks: REJECT refuses the message; headers are not body", "[cleanup]") {
  Outcome out;
  queue_with_body_checks("/click here/ REJECT 5.7.1 Body spam\n", "Subject: click here\r\n\r\nhello\r\n", out);
  CHECK(out.ok());  // the Subject header is not a body line
  queue_with_body_checks("/click here/ REJECT 5.7.1 Body spam\n", "Subject: x\r\n\r\nplease click here\r\n", out);
  CHECK(out.code == 550);
  CHECK(out.text == "Body spam");
  CHECK(out.content_rejected);
}

TEST_CASE("body_checks: only body_checks_size_limit bytes are inspected", "[cleanup]") {
  Outcome out;
  std::string filler(100, 'a');
  // The bad line starts after 101 inspected bytes: past a limit of 50.
  std::string message = "Subject: x\r\n\r\n" + filler + "\r\nbad line\r\n";
  queue_with_body_checks("/^bad line/ REJECT\n", message, out, 50);
  CHECK(out.ok());
  queue_with_body_checks("/^bad line/ REJECT\n", message, out, 51200);
  CHECK(out.code == 550);
}

TEST_CASE("body_checks: a very long line is checked in pieces and stored whole", "[cleanup]") {
  Outcome out;
  std::string longline(5000, 'x');
  std::string body = queue_with_body_checks("/^y/ REJECT\n", "Subject: x\r\n\r\n" + longline + "\r\nend\r\n", out);
  REQUIRE(out.ok());
  CHECK(body == longline + "\r\nend\r\n");
  // A pattern found only in the second piece still matches that piece.
  std::string tail(2048, 'x');
  queue_with_body_checks("/^SECRET/ REJECT\n", "Subject: x\r\n\r\n" + tail + "SECRET\r\n", out);
  CHECK(out.code == 550);
}
