// Writer and reader tests: durable enqueue, done marks, and no file left
// behind when a write fails.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "lib/queue/queue_reader.hpp"
#include "lib/queue/queue_scan.hpp"
#include "lib/queue/queue_writer.hpp"
#include "temp_queue.hpp"

using namespace postern::queue;
using postern::Error;
using postern::Result;

namespace {

Envelope envelope_for(std::vector<std::string> rcpts) {
  Envelope env;
  env.arrival_seconds = 1700000000;
  env.sender = "a@example.com";
  for (auto& r : rcpts) env.recipients.push_back({r, "", 0, false, 0});
  env.attributes.client_address = "127.0.0.1";
  return env;
}

size_t files_in(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) ++n;
  return n;
}

// Lowers RLIMIT_FSIZE so writes past `bytes` fail with EFBIG (SIGXFSZ
// ignored): a disk-full stand-in that needs no root and no mount.
struct FileSizeLimit {
  struct rlimit old {};
  void (*old_handler)(int);
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old);
    old_handler = ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = old;
    lim.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old);
    ::signal(SIGXFSZ, old_handler);
  }
};

}  // namespace

TEST_CASE("enqueue, reopen, read content", "[queue][writer]") {
  TempQueue q;
  QueueIdGenerator ids;
  std::string content = "Subject: test\r\n\r\n" + std::string(200000, 'x') + "\r\n";
  auto id = enqueue(q.layout, ids, envelope_for({"b@example.org", "c@example.org"}), content);
  REQUIRE(id.ok());
  std::string path = q.layout.file_path(kIncoming, *id);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);  // complete mark

  auto reader = QueueReader::open(path);
  REQUIRE(reader.ok());
  CHECK(reader->complete());
  CHECK(reader->envelope().sender == "a@example.com");
  CHECK(reader->file().content_size == content.size());
  auto got = reader->read_content();
  REQUIRE(got.ok());
  CHECK(*got == content);
  auto tail = reader->read_content(content.size() - 3, 100);
  REQUIRE(tail.ok());
  CHECK(*tail == "x\r\n");
}

TEST_CASE("streamed appends equal one big append", "[queue][writer]") {
  TempQueue q;
  QueueIdGenerator ids;
  auto w = QueueWriter::create(q.layout, ids, envelope_for({"b@x"}));
  REQUIRE(w.ok());
  std::string all;
  for (int i = 0; i < 5000; ++i) {
    std::string line = "line " + std::to_string(i) + "\r\n";
    REQUIRE(w->append(line).ok());
    all += line;
  }
  auto id = w->commit();
  REQUIRE(id.ok());
  auto r = QueueReader::open(q.layout.file_path(kIncoming, *id));
  REQUIRE(r.ok());
  CHECK(*r->read_content() == all);
}

TEST_CASE("done marks survive re-open", "[queue][reader]") {
  TempQueue q;
  QueueIdGenerator ids;
  auto id = enqueue(q.layout, ids, envelope_for({"one@x", "two@x", "three@x"}), "body\r\n");
  REQUIRE(id.ok());
  std::string path = q.layout.file_path(kIncoming, *id);
  {
    auto r = QueueReader::open(path);
    REQUIRE(r.ok());
    REQUIRE(mark_recipient_done(path, r->envelope().recipients[1]).ok());
    REQUIRE(mark_recipient_done(path, r->envelope().recipients[1]).ok());  // idempotent
  }
  auto r = QueueReader::open(path);
  REQUIRE(r.ok());
  CHECK_FALSE(r->envelope().recipients[0].done);
  CHECK(r->envelope().recipients[1].done);
  CHECK_FALSE(r->envelope().recipients[2].done);
  Recipient bogus = r->envelope().recipients[0];
  bogus.done_offset = 0;  // points at the magic, not a mark
  CHECK_FALSE(mark_recipient_done(path, bogus).ok());
}

TEST_CASE("an envelope larger than the reader's window parses whole", "[queue][reader]") {
  // The reader serves records from 16 KB windows: recipients straddle their edges.
  TempQueue q;
  QueueIdGenerator ids;
  std::vector<std::string> rcpts;
  for (int i = 0; i < 1500; ++i) rcpts.push_back("recipient-number-" + std::to_string(i) + "@example.org");
  auto id = enqueue(q.layout, ids, envelope_for(rcpts), "body\r\n");
  REQUIRE(id.ok());
  const std::string path = q.layout.file_path(kIncoming, *id);
  {
    auto r = QueueReader::open(path);
    REQUIRE(r.ok());
    REQUIRE(r->envelope().recipients.size() == rcpts.size());
    for (std::size_t i = 0; i < rcpts.size(); ++i) CHECK(r->envelope().recipients[i].address == rcpts[i]);
    REQUIRE(mark_recipient_done(path, r->envelope().recipients[1234]).ok());
    CHECK(*r->read_content() == "body\r\n");
  }
  auto r = QueueReader::open(path);
  REQUIRE(r.ok());
  CHECK(r->envelope().recipients[1234].done);
  CHECK_FALSE(r->envelope().recipients[1233].done);
  // A file cut short is still refused, wherever the window ends.
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  REQUIRE(::truncate(path.c_str(), st.st_size - 1) == 0);
  CHECK_FALSE(QueueReader::open(path).ok());
}

TEST_CASE("an abandoned writer leaves no file", "[queue][writer]") {
  TempQueue q;
  QueueIdGenerator ids;
  {
    auto w = QueueWriter::create(q.layout, ids, envelope_for({"b@x"}));
    REQUIRE(w.ok());
    REQUIRE(w->append("partial").ok());
    CHECK(files_in(q.layout.folder_path(kIncoming)) == 1);
  }
  CHECK(files_in(q.layout.folder_path(kIncoming)) == 0);
}

TEST_CASE("seal then sync: complete after seal, the ID after sync, moved to another thread", "[queue][writer]") {
  TempQueue q;
  QueueIdGenerator ids;
  auto w = QueueWriter::create(q.layout, ids, envelope_for({"b@x"}));
  REQUIRE(w.ok());
  REQUIRE(w->append("Subject: s\r\n\r\nbody\r\n").ok());
  REQUIRE(w->seal().ok());
  const std::string path = w->path();
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);               // every byte written, then the mark
  CHECK_FALSE(w->append("more").ok());              // sealed: no more content
  QueueWriter moved = std::move(*w);                // as smtpd hands it to a worker
  Result<std::string> id = Error{"not run"};
  std::thread([&] { id = moved.sync(); }).join();
  REQUIRE(id.ok());
  CHECK(path == q.layout.file_path(kIncoming, *id));
  auto r = QueueReader::open(path);
  REQUIRE(r.ok());
  CHECK(r->complete());
  CHECK(*r->read_content() == "Subject: s\r\n\r\nbody\r\n");
}

TEST_CASE("a writer dropped between seal and sync leaves no file", "[queue][writer]") {
  TempQueue q;
  QueueIdGenerator ids;
  {
    auto w = QueueWriter::create(q.layout, ids, envelope_for({"b@x"}));
    REQUIRE(w.ok());
    REQUIRE(w->append("x\r\n").ok());
    REQUIRE(w->seal().ok());
    CHECK_FALSE(w->seal().ok());  // once only
    CHECK(files_in(q.layout.folder_path(kIncoming)) == 1);
  }
  // Nobody was told "queued": the sealed but unsynced file goes.
  CHECK(files_in(q.layout.folder_path(kIncoming)) == 0);
}

TEST_CASE("sync before seal is refused", "[queue][writer]") {
  TempQueue q;
  QueueIdGenerator ids;
  auto w = QueueWriter::create(q.layout, ids, envelope_for({"b@x"}));
  REQUIRE(w.ok());
  CHECK_FALSE(w->sync().ok());
}

TEST_CASE("a write error removes the partial file (EFBIG via RLIMIT_FSIZE)", "[queue][writer][enospc]") {
  TempQueue q;
  QueueIdGenerator ids;
  Result<std::string> id = Error{};
  {
    FileSizeLimit limit(64 * 1024);
    id = enqueue(q.layout, ids, envelope_for({"b@x"}), std::string(1 << 20, 'x'));
  }
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().sys_errno == EFBIG);
  CHECK(files_in(q.layout.folder_path(kIncoming)) == 0);
  // Later calls on a failed writer fail too; a small message still works.
  CHECK(enqueue(q.layout, ids, envelope_for({"b@x"}), "small\r\n").ok());
}

TEST_CASE("a full file system (tmpfs, when root) removes the partial file", "[queue][writer][enospc]") {
  if (::geteuid() != 0) {
    WARN("not root: the RLIMIT_FSIZE test above covers write failures");
    return;
  }
  TempQueue q;
  std::string mnt = q.root + "/small";
  std::filesystem::create_directory(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") != 0) {
    WARN("cannot mount tmpfs here (container?): " << std::strerror(errno));
    return;
  }
  struct Unmount {
    std::string dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
  } unmount{mnt};
  QueueLayout layout;
  layout.queue_directory = mnt + "/queue";
  REQUIRE(ensure_queue_folders(layout).ok());
  QueueIdGenerator ids;
  auto id = enqueue(layout, ids, envelope_for({"b@x"}), std::string(1 << 20, 'x'));
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().sys_errno == ENOSPC);
  CHECK(files_in(layout.folder_path(kIncoming)) == 0);
}

TEST_CASE("moves keep the file and its mark", "[queue][move]") {
  TempQueue q;
  QueueIdGenerator ids;
  auto id = enqueue(q.layout, ids, envelope_for({"b@x"}), "m\r\n");
  REQUIRE(id.ok());
  REQUIRE(move_queue_file(q.layout, *id, kIncoming, kActive).ok());
  REQUIRE(move_queue_file(q.layout, *id, kActive, kDeferred).ok());
  std::string deferred = q.layout.file_path(kDeferred, *id);
  CHECK(deferred.find("/deferred/" + std::string(1, (*id)[9]) + "/") != std::string::npos);
  REQUIRE(QueueReader::open(deferred).ok());
  REQUIRE(move_queue_file(q.layout, *id, kDeferred, kHold).ok());
  auto held = scan_folder(q.layout, kHold);
  REQUIRE(held.ok());
  REQUIRE(held->size() == 1);
  CHECK((*held)[0].id == *id);
  CHECK_FALSE(move_queue_file(q.layout, *id, kDeferred, kActive).ok());
  CHECK_FALSE(move_queue_file(q.layout, "../../etc/passwd", kHold, kActive).ok());
}
