// Unit tests for cleanup::Session: queue file contents, hop limit, header
// size limit, size limit, -t, storage errors. Uses a temp queue directory.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "lib/cleanup/cleanup.hpp"
#include "lib/queue/queue_reader.hpp"
#include "lib/queue/queue_scan.hpp"
#include "tests/unit/queue/temp_queue.hpp"

using namespace postern;
using namespace postern::cleanup;

namespace {

Params test_params(const TempQueue& q) {
  Params p;
  p.myhostname = "mx.example.org";
  p.myorigin = "example.org";
  p.layout = q.layout;
  return p;
}

Submission smtp_submission() {
  Submission s;
  s.source = Source::smtp;
  s.sender = "alice@example.net";
  s.recipients.push_back(queue::Recipient{"bob@example.org", "rfc822;bob@example.org", 2, false, 0});
  s.attributes.client_name = "localhost";
  s.attributes.client_address = "127.0.0.1";
  s.attributes.protocol = "ESMTP";
  s.attributes.helo_name = "client.test";
  return s;
}

std::string content_of(const std::string& path) {
  auto r = queue::QueueReader::open(path);
  REQUIRE(r.ok());
  auto c = r->read_content();
  REQUIRE(c.ok());
  return *c;
}

}  // namespace

TEST_CASE("a message is queued complete, with fix-ups and the envelope") {
  TempQueue q;
  auto params = test_params(q);
  queue::QueueIdGenerator ids;
  Session session(params, ids, smtp_submission());
  // One byte at a time: chunking must not matter.
  std::string msg = "Subject: hi\r\nX-Long: a\r\n b\r\n\r\nbody line\r\n.dot\nbare lf\r\n";
  for (char c : msg) session.write(std::string_view(&c, 1));
  auto out = session.finish();
  REQUIRE(out.ok());
  CHECK(out.text == "Ok: queued as " + out.queue_id);
  auto files = queue::scan_folder(q.layout, queue::kIncoming);
  REQUIRE(files.ok());
  REQUIRE(files->size() == 1);
  auto reader = queue::QueueReader::open(files->front().path);
  REQUIRE(reader.ok());
  CHECK(reader->complete());
  CHECK(reader->envelope().sender == "alice@example.net");
  REQUIRE(reader->envelope().recipients.size() == 1);
  CHECK(reader->envelope().recipients[0].orcpt == "rfc822;bob@example.org");
  CHECK(reader->envelope().recipients[0].notify == 2);
  CHECK(reader->envelope().attributes.helo_name == "client.test");
  std::string c = content_of(files->front().path);
  CHECK(c.rfind("Received: from client.test (localhost [127.0.0.1])", 0) == 0);
  CHECK(c.find("Subject: hi\r\nX-Long: a\r\n b\r\n") != std::string::npos);
  CHECK(c.find("\r\n\r\nbody line\r\n.dot\r\nbare lf\r\n") != std::string::npos);
  CHECK(c.substr(c.size() - 9) == "bare lf\r\n");
}

TEST_CASE("large messages spool to a file and come back intact") {
  TempQueue q;
  auto params = test_params(q);
  params.memory_spool_limit = 1000;
  queue::QueueIdGenerator ids;
  std::string body;
  for (int i = 0; i < 5000; ++i) body += "line " + std::to_string(i) + "\r\n";
  auto out = enqueue_message(params, ids, smtp_submission(), "Subject: big\r\n\r\n" + body);
  REQUIRE(out.ok());
  auto files = queue::scan_folder(q.layout, queue::kIncoming);
  REQUIRE(files->size() == 1);
  std::string c = content_of(files->front().path);
  CHECK(c.substr(c.size() - body.size()) == body);
}

TEST_CASE("hopcount_limit rejects with 554 5.4.0 and leaves no file") {
  TempQueue q;
  auto params = test_params(q);
  params.hopcount_limit = 3;
  queue::QueueIdGenerator ids;
  std::string two = "Received: a\r\nReceived: b\r\n\r\nx\r\n";
  CHECK(enqueue_message(params, ids, smtp_submission(), two).ok());
  auto out = enqueue_message(params, ids, smtp_submission(), "Received: 0\r\n" + two);
  CHECK(out.code == 554);
  CHECK(out.enhanced == "5.4.0");
  CHECK(out.text == "Error: too many hops");
  CHECK(queue::scan_folder(q.layout, queue::kIncoming)->size() == 1);
}

TEST_CASE("header_size_limit truncates one long header") {
  TempQueue q;
  auto params = test_params(q);
  params.header_size_limit = 100;
  queue::QueueIdGenerator ids;
  auto out = enqueue_message(params, ids, smtp_submission(),
                             "Subject: " + std::string(500, 'x') + "\r\nX-Next: y\r\n\r\nbody\r\n");
  REQUIRE(out.ok());
  std::string c = content_of(queue::scan_folder(q.layout, queue::kIncoming)->front().path);
  CHECK(c.find("Subject: " + std::string(91, 'x') + "\r\n") != std::string::npos);
  CHECK(c.find(std::string(92, 'x')) == std::string::npos);
  CHECK(c.find("X-Next: y\r\n") != std::string::npos);
}

TEST_CASE("sendmail path: From added, Bcc removed, -t, qualification") {
  TempQueue q;
  auto params = test_params(q);
  queue::QueueIdGenerator ids;
  Submission s;
  s.source = Source::sendmail;
  s.sender = "alice";
  s.uid = 1000;
  s.user_name = "alice";
  s.full_name = "Alice Liddell";
  s.extract_recipients = true;
  s.attributes.protocol = "local";
  auto out = enqueue_message(
      params, ids, s, "From alice Mon Jan 1\nTo: bob, carol@x.test\nBcc: dave@x.test\nSubject: s\n\nhello\n");
  REQUIRE(out.ok());
  auto path = queue::scan_folder(q.layout, queue::kIncoming)->front().path;
  auto reader = queue::QueueReader::open(path);
  REQUIRE(reader.ok());
  CHECK(reader->envelope().sender == "alice@example.org");
  std::vector<std::string> rcpts;
  for (const auto& r : reader->envelope().recipients) rcpts.push_back(r.address);
  CHECK(rcpts == std::vector<std::string>{"bob@example.org", "carol@x.test", "dave@x.test"});
  std::string c = content_of(path);
  CHECK(c.rfind("Received: by mx.example.org (Postfix, from userid 1000)\r\n\tid ", 0) == 0);
  CHECK(c.find("From: Alice Liddell <alice@example.org>\r\n") != std::string::npos);
  CHECK(c.find("Bcc:") == std::string::npos);
  CHECK(c.find("From alice") == std::string::npos);
  CHECK(c.find("\r\n\r\nhello\r\n") != std::string::npos);
}

TEST_CASE("no recipients, size limit") {
  TempQueue q;
  auto params = test_params(q);
  params.message_size_limit = 100;
  queue::QueueIdGenerator ids;
  Submission s = smtp_submission();
  s.recipients.clear();
  CHECK(enqueue_message(params, ids, s, "Subject: x\r\n\r\n").code == 554);
  auto big = enqueue_message(params, ids, smtp_submission(), std::string(200, 'a') + "\r\n");
  CHECK(big.code == 552);
  CHECK(big.enhanced == "5.3.4");
  CHECK(queue::scan_folder(q.layout, queue::kIncoming)->empty());
}

TEST_CASE("a missing queue folder gives 452 4.3.1 and nothing half-written") {
  TempQueue q;
  auto params = test_params(q);
  params.layout.queue_directory = q.root + "/nonexistent";
  queue::QueueIdGenerator ids;
  auto out = enqueue_message(params, ids, smtp_submission(), "Subject: x\r\n\r\nbody\r\n");
  CHECK(out.code == 452);
  CHECK(out.enhanced == "4.3.1");
  CHECK(out.text == "Insufficient system storage");
  CHECK(out.temporary());
}

TEST_CASE("a dropped session leaves nothing") {
  TempQueue q;
  auto params = test_params(q);
  params.memory_spool_limit = 10;
  queue::QueueIdGenerator ids;
  {
    Session s(params, ids, smtp_submission());
    s.write("Subject: x\r\n\r\n" + std::string(1000, 'b') + "\r\n");
  }
  std::size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(q.layout.folder_path(queue::kIncoming)))
    ++n;
  CHECK(n == 0);
}

TEST_CASE("finish_async: sealed before sync, 250 only after sync, rejections need none") {
  TempQueue q;
  auto params = test_params(q);
  queue::QueueIdGenerator ids;
  Session session(params, ids, smtp_submission());
  session.write("Subject: async\r\n\r\nbody\r\n");
  PendingCommit pending = session.finish_async();
  REQUIRE(pending.needs_sync());
  auto files = queue::scan_folder(q.layout, queue::kIncoming);
  REQUIRE(files->size() == 1);
  struct stat st {};
  REQUIRE(::stat(files->front().path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);  // complete, waiting for its fsync
  pending.sync();
  CHECK_FALSE(pending.needs_sync());
  Outcome out = pending.outcome();
  REQUIRE(out.ok());
  CHECK(files->front().path == q.layout.file_path(queue::kIncoming, out.queue_id));
  CHECK(content_of(files->front().path).find("Subject: async\r\n") != std::string::npos);

  // Without sync() there is no 250, and the dropped commit leaves no file.
  {
    Session other(params, ids, smtp_submission());
    other.write("Subject: never synced\r\n\r\n");
    PendingCommit unsynced = other.finish_async();
    REQUIRE(unsynced.needs_sync());
    Outcome bad = unsynced.outcome();
    CHECK(bad.code == 452);
    CHECK(bad.enhanced == "4.3.1");
  }
  CHECK(queue::scan_folder(q.layout, queue::kIncoming)->size() == 1);

  // A rejection is final at once.
  Submission none = smtp_submission();
  none.recipients.clear();
  Session rejected(params, ids, none);
  rejected.write("Subject: x\r\n\r\n");
  PendingCommit r = rejected.finish_async();
  CHECK_FALSE(r.needs_sync());
  CHECK(r.outcome().code == 554);
}

TEST_CASE("access actions: HOLD, DISCARD, REDIRECT, BCC, PREPEND, FILTER, content_filter") {
  TempQueue q;
  auto params = test_params(q);
  queue::QueueIdGenerator ids;
  const std::string msg = "Subject: acts\r\n\r\nbody\r\n";
  auto only_file = [&](std::string_view folder) {
    auto files = queue::scan_folder(q.layout, folder);
    REQUIRE(files.ok());
    REQUIRE(files->size() == 1);
    auto r = queue::QueueReader::open(files->front().path);
    REQUIRE(r.ok());
    std::filesystem::remove(files->front().path);
    return std::move(*r);
  };
  auto filter_of = [](const queue::Envelope& env) {
    for (const auto& [name, value] : env.attributes.extra)
      if (name == queue::kFilterAttribute) return value;
    return std::string();
  };

  SECTION("HOLD writes into hold/, nothing in incoming/") {
    Session s(params, ids, smtp_submission());
    MessageActions a;
    a.hold = "<x@y>: Sender address triggers HOLD action";
    s.add_actions(a);
    s.write(msg);
    REQUIRE(s.finish().ok());
    CHECK(queue::scan_folder(q.layout, queue::kIncoming)->empty());
    only_file(queue::kHold);
  }
  SECTION("DISCARD answers with a queue ID and stores nothing") {
    Session s(params, ids, smtp_submission());
    MessageActions a;
    a.discard = "<x@y>: Sender address triggers DISCARD action";
    a.hold = "also held";  // DISCARD wins: nothing kept anywhere
    s.add_actions(a);
    s.write(msg);
    auto out = s.finish();
    REQUIRE(out.ok());
    CHECK(queue::valid_queue_id(out.queue_id));
    CHECK(queue::scan_folder(q.layout, queue::kIncoming)->empty());
    CHECK(queue::scan_folder(q.layout, queue::kHold)->empty());
  }
  SECTION("REDIRECT replaces every recipient, BCC adds one, PREPEND goes on top") {
    auto sub = smtp_submission();
    sub.recipients.push_back(queue::Recipient{"carol@example.org", "", 0, false, 0});
    Session s(params, ids, sub);
    MessageActions a;
    a.redirect = "boss@example.org";
    a.bcc = "archive";
    a.prepend = {"X-First: 1", "X-Second: 2"};
    s.add_actions(a);
    s.write(msg);
    REQUIRE(s.finish().ok());
    auto r = only_file(queue::kIncoming);
    const auto& rcpts = r.envelope().recipients;
    REQUIRE(rcpts.size() == 2);
    CHECK(rcpts[0].address == "boss@example.org");
    CHECK(rcpts[0].orcpt == "rfc822;bob@example.org");
    CHECK(rcpts[1].address == "archive@example.org");  // qualified with myorigin
    auto c = r.read_content();
    REQUIRE(c.ok());
    CHECK(c->rfind("X-First: 1\r\nX-Second: 2\r\nReceived: from client.test", 0) == 0);
    CHECK(filter_of(r.envelope()).empty());
  }
  SECTION("content_filter is recorded; FILTER overrides it") {
    params.content_filter = "scan:[127.0.0.1]:10025";
    {
      Session s(params, ids, smtp_submission());
      s.write(msg);
      REQUIRE(s.finish().ok());
      CHECK(filter_of(only_file(queue::kIncoming).envelope()) == "scan:[127.0.0.1]:10025");
    }
    Session s(params, ids, smtp_submission());
    MessageActions a;
    a.filter = "other:[127.0.0.1]:10026";
    s.add_actions(a);
    s.write(msg);
    REQUIRE(s.finish().ok());
    CHECK(filter_of(only_file(queue::kIncoming).envelope()) == "other:[127.0.0.1]:10026");
  }
}

TEST_CASE("MessageActions::merge: HOLD/DISCARD stick, last REDIRECT/BCC/FILTER wins, PREPEND once") {
  MessageActions a;
  MessageActions b;
  b.hold = "first";
  b.prepend = {"X-A: 1"};
  b.bcc = "one@x";
  a.merge(b);
  MessageActions c;
  c.hold = "second";
  c.prepend = {"X-A: 1", "X-B: 2"};
  c.bcc = "two@x";
  c.filter = "f:x";
  a.merge(c);
  CHECK(*a.hold == "first");
  CHECK(a.prepend == std::vector<std::string>{"X-A: 1", "X-B: 2"});
  CHECK(a.bcc == "two@x");
  CHECK(a.filter == "f:x");
  CHECK_FALSE(a.discard);
  CHECK_FALSE(a.empty());
  CHECK(MessageActions{}.empty());
}
