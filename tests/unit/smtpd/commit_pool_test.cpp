// Unit tests for smtpd's commit pool: every commit is answered on the
// event loop with its queue ID once the file is complete on disk, and a
// pool that goes away still makes what it was handed durable.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "lib/cleanup/cleanup.hpp"
#include "lib/net/event_loop.hpp"
#include "lib/net/watcher.hpp"
#include "lib/queue/queue_reader.hpp"
#include "lib/queue/queue_scan.hpp"
#include "smtpd/commit_pool.hpp"
#include "tests/unit/queue/temp_queue.hpp"

using namespace postern;

namespace {

cleanup::Params test_params(const TempQueue& q) {
  cleanup::Params p;
  p.myhostname = "mx.example.org";
  p.myorigin = "example.org";
  p.layout = q.layout;
  return p;
}

cleanup::PendingCommit sealed_message(const cleanup::Params& params, queue::QueueIdGenerator& ids, int n) {
  cleanup::Submission s;
  s.source = cleanup::Source::smtp;
  s.sender = "alice@example.net";
  s.recipients.push_back(queue::Recipient{"bob@example.org", "", 0, false, 0});
  s.attributes.client_name = "localhost";
  s.attributes.client_address = "127.0.0.1";
  cleanup::Session session(params, ids, std::move(s));
  session.write("Subject: n" + std::to_string(n) + "\r\n\r\nbody\r\n");
  return session.finish_async();
}

bool complete_on_disk(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 0777) != 0700) return false;
  auto r = queue::QueueReader::open(path);
  return r.ok() && r->complete();
}

}  // namespace

TEST_CASE("commit pool: each commit answered on the loop with its queue ID") {
  TempQueue q;
  auto params = test_params(q);
  queue::QueueIdGenerator ids;
  net::EventLoop loop;
  constexpr int kMessages = 20;
  std::vector<cleanup::Outcome> outcomes;
  auto guard = net::Watcher::timer(loop, [&loop] { loop.stop(); });  // never hang the suite
  guard.arm(20);
  {
    smtpd::CommitPool pool(loop, 4);
    for (int i = 0; i < kMessages; ++i) {
      auto commit = sealed_message(params, ids, i);
      REQUIRE(commit.needs_sync());
      pool.submit(std::move(commit), [&](cleanup::Outcome out) {
        // The file is durable and complete before its 250 exists.
        CHECK(complete_on_disk(q.layout.file_path(queue::kIncoming, out.queue_id)));
        outcomes.push_back(std::move(out));
        if (outcomes.size() == kMessages) loop.stop();
      });
    }
    CHECK(pool.in_flight() == kMessages);
    CHECK(outcomes.empty());  // nothing answered outside the loop
    loop.run();
    CHECK(pool.in_flight() == 0);
  }
  REQUIRE(outcomes.size() == kMessages);
  std::set<std::string> ids_seen;
  for (const auto& out : outcomes) {
    CHECK(out.code == 250);
    CHECK(out.text == "Ok: queued as " + out.queue_id);
    ids_seen.insert(out.queue_id);
  }
  CHECK(ids_seen.size() == kMessages);
  CHECK(queue::scan_folder(q.layout, queue::kIncoming)->size() == kMessages);
}

TEST_CASE("commit pool: commits handed over before the pool goes are still made durable") {
  TempQueue q;
  auto params = test_params(q);
  queue::QueueIdGenerator ids;
  net::EventLoop loop;
  int answered = 0;
  {
    smtpd::CommitPool pool(loop, 2);
    for (int i = 0; i < 6; ++i) pool.submit(sealed_message(params, ids, i), [&](cleanup::Outcome) { ++answered; });
  }  // no loop ran: nobody was answered, but the files were synced, not dropped
  CHECK(answered == 0);
  auto files = queue::scan_folder(q.layout, queue::kIncoming);
  REQUIRE(files->size() == 6);
  for (const auto& f : *files) CHECK(complete_on_disk(f.path));
}
