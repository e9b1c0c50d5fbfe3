// Unit tests for smtpd's postmaster notice writer: notices reach incoming/
// as complete queue files from the double-bounce sender, pending ones are
// written before the sender goes away, and the backlog is bounded.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "tests/unit/queue/temp_queue.hpp"
#include "lib/queue/queue_reader.hpp"
#include "smtpd/notice_sender.hpp"

using postern::smtpd::NoticeSender;

namespace {

std::vector<std::string> incoming_files(const TempQueue& q) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(q.layout.folder_path("incoming")))
    out.push_back(e.path().string());
  return out;
}

}  // namespace

TEST_CASE("notice sender: queued notices are complete queue files") {
  TempQueue q;
  {
    NoticeSender sender(q.layout, "double-bounce@example.test");
    for (int i = 0; i < 3; ++i)
      sender.submit("postmaster@example.test", "Subject: n" + std::to_string(i) + "\r\n\r\nbody\r\n", "test");
  }  // the destructor writes what is pending, then joins
  auto files = incoming_files(q);
  REQUIRE(files.size() == 3);
  std::set<std::string> subjects;
  for (const auto& path : files) {
    auto reader = postern::queue::QueueReader::open(path);
    REQUIRE(reader);
    CHECK(reader->envelope().sender == "double-bounce@example.test");
    REQUIRE(reader->envelope().recipients.size() == 1);
    CHECK(reader->envelope().recipients[0].address == "postmaster@example.test");
    auto content = reader->read_content();
    REQUIRE(content);
    subjects.insert(content->substr(0, content->find("\r\n")));
  }
  CHECK(subjects == std::set<std::string>{"Subject: n0", "Subject: n1", "Subject: n2"});
}

TEST_CASE("notice sender: an unwritable queue loses the notice, not the process") {
  TempQueue q;
  auto layout = q.layout;
  layout.queue_directory = q.root + "/no-such-queue";
  NoticeSender sender(layout, "double-bounce@example.test");
  sender.submit("postmaster@example.test", "Subject: x\r\n\r\n", "test");
  SUCCEED("submit returned without blocking or throwing");
}
