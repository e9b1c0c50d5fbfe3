// Scanner, stale-file cleanup and folder repair tests.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/queue/queue_reader.hpp"
#include "lib/queue/queue_scan.hpp"
#include "lib/queue/queue_writer.hpp"
#include "temp_queue.hpp"

using namespace postern::queue;

namespace {
Envelope one_rcpt() {
  Envelope env;
  env.sender = "a@x";
  env.recipients.push_back({"b@x", "", 0, false, 0});
  return env;
}
}  // namespace

TEST_CASE("the scanner lists complete files only, in arrival order", "[queue][scan]") {
  TempQueue q;
  QueueIdGenerator ids;
  std::vector<std::string> done;
  for (int i = 0; i < 5; ++i) {
    auto id = enqueue(q.layout, ids, one_rcpt(), "x\r\n", kDeferred);
    REQUIRE(id.ok());
    done.push_back(*id);
  }
  // An incomplete file (writer still open) and junk are never listed.
  auto open_writer = QueueWriter::create(q.layout, ids, one_rcpt(), kDeferred);
  REQUIRE(open_writer.ok());
  ::close(::open((q.layout.folder_path(kDeferred) + "/not-a-queue-id").c_str(), O_CREAT | O_WRONLY, 0700));
  auto listed = scan_folder(q.layout, kDeferred);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 5);
  for (size_t i = 0; i < 5; ++i) CHECK((*listed)[i].id == done[i]);
  REQUIRE(open_writer->commit().ok());
  CHECK(scan_folder(q.layout, kDeferred)->size() == 6);
}

TEST_CASE("stale incomplete files are removed, fresh ones and complete ones kept", "[queue][scan]") {
  TempQueue q;
  QueueIdGenerator ids;
  auto complete = enqueue(q.layout, ids, one_rcpt(), "x\r\n");
  REQUIRE(complete.ok());
  auto w = QueueWriter::create(q.layout, ids, one_rcpt());
  REQUIRE(w.ok());
  std::int64_t now = ::time(nullptr);
  CHECK(*remove_stale_incomplete(q.layout, kIncoming, 3600, now) == 0);
  CHECK(*remove_stale_incomplete(q.layout, kIncoming, 3600, now + 7200) == 1);
  CHECK(scan_folder(q.layout, kIncoming)->size() == 1);
}

TEST_CASE("folder repair creates and fixes", "[queue][layout]") {
  TempQueue q;
  std::string active = q.layout.folder_path(kActive);
  ::chmod(active.c_str(), 0777);
  ::rmdir(q.layout.folder_path(kTrace).c_str());
  auto repairs = ensure_queue_folders(q.layout);
  REQUIRE(repairs.ok());
  CHECK(repairs->size() == 2);
  struct stat st {};
  REQUIRE(::stat(active.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  REQUIRE(::stat(q.layout.folder_path(kMaildrop).c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 01730);
  CHECK(ensure_queue_folders(q.layout)->empty());
  CHECK(free_bytes(q.layout.queue_directory).ok());
  CHECK(check_free_space(q.layout.queue_directory, 0, 1).ok());
  CHECK_FALSE(check_free_space(q.layout.queue_directory, UINT64_MAX / 2, 0).ok());
}

TEST_CASE("postsuper -e's expire mark survives moves and is read back", "[queue][scan]") {
  TempQueue q;
  QueueIdGenerator ids;
  auto id = enqueue(q.layout, ids, one_rcpt(), "x\r\n", kDeferred);
  REQUIRE(id.ok());
  {
    auto r = QueueReader::open(q.layout.file_path(kDeferred, *id));
    REQUIRE(r.ok());
    CHECK_FALSE(r->force_expired());
  }
  REQUIRE(mark_force_expired(q.layout, *id, kDeferred).ok());
  REQUIRE(move_queue_file(q.layout, *id, kDeferred, kActive).ok());
  auto r = QueueReader::open(q.layout.file_path(kActive, *id));
  REQUIRE(r.ok());
  CHECK(r->force_expired());
  CHECK(r->complete());
  // The file is still listed as complete (the mark is not the owner bit).
  auto listed = scan_folder(q.layout, kActive);
  REQUIRE(listed.ok());
  CHECK(listed->size() == 1);
  // Gone, or still being written: nothing to mark.
  CHECK(mark_force_expired(q.layout, "4jXVLr0Np8z00Ky000", kActive).error().sys_errno == ENOENT);
  auto writing = QueueWriter::create(q.layout, ids, one_rcpt(), kIncoming);
  REQUIRE(writing.ok());
  CHECK_FALSE(mark_force_expired(q.layout, writing->queue_id(), kIncoming).ok());
}
