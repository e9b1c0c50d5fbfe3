// Unit tests for lib/mailbox writers: From_ quoting, mbox append with
// dotlock + fcntl locks, safe opens, size limit rollback, Maildir delivery.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "lib/base/file_io.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/mailbox/delivery_format.hpp"
#include "lib/mailbox/mailbox_lock.hpp"
#include "lib/mailbox/maildir_writer.hpp"
#include "lib/mailbox/mbox_writer.hpp"

using namespace postern;
using namespace postern::mailbox;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/postern-mailbox-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Feeds `chunks` one after the other, then "".
ContentSource chunks_of(std::vector<std::string> chunks) {
  auto index = std::make_shared<std::size_t>(0);
  auto data = std::make_shared<std::vector<std::string>>(std::move(chunks));
  return [index, data]() -> Result<std::string> {
    if (*index >= data->size()) return std::string();
    return (*data)[(*index)++];
  };
}

std::string convert(const std::vector<std::string>& chunks, bool quote) {
  LineConverter c(quote);
  std::string out;
  for (const auto& chunk : chunks) c.feed(chunk, out);
  c.finish(out);
  return out;
}

MboxAppend request_for(const std::string& path) {
  MboxAppend r;
  r.path = path;
  r.lock.attempts = 3;
  r.lock.delay_ms = 10;
  r.headers.sender = "alice@example.com";
  r.headers.delivered_to = "bob@example.org";
  r.arrival = 1700000000;
  return r;
}

}  // namespace

TEST_CASE("line conversion", "[mailbox]") {
  struct Row {
    const char* name;
    std::vector<std::string> in;
    bool quote;
    std::string want;
  };
  std::vector<Row> rows = {
      {"crlf to lf", {"a\r\nb\r\n"}, true, "a\nb\n"},
      {"from quoted", {"Subject: x\r\n\r\nFrom here\r\nfrom there\r\n"}, true, "Subject: x\n\n>From here\nfrom there\n"},
      {"from split across chunks", {"x\r\nFr", "om y\r\n"}, true, "x\n>From y\n"},
      {"cr at chunk end", {"a\r", "\nb\r\n"}, true, "a\nb\n"},
      {"bare cr kept", {"a\rb\r\n"}, true, "a\rb\n"},
      {"no final newline", {"a\r\nlast"}, true, "a\nlast\n"},
      {"short From prefix at end", {"a\r\nFro"}, true, "a\nFro\n"},
      {"Fro line", {"Fro\r\nFrom\r\n"}, true, "Fro\nFrom\n"},
      {"maildir keeps From", {"From x\r\n"}, false, "From x\n"},
      {">From stays single-quoted", {">From x\r\n"}, true, ">From x\n"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(convert(row.in, row.quote) == row.want);
  }
}

// The rules spelled out one byte at a time: what the converter must produce
// however its input is split.
std::string reference_convert(std::string_view in, bool quote) {
  std::string lf;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') continue;
    lf += in[i];
  }
  if (!lf.empty() && lf.back() != '\n') lf += '\n';
  if (!quote) return lf;
  std::string out;
  for (std::size_t start = 0; start < lf.size();) {
    std::size_t end = lf.find('\n', start) + 1;
    if (lf.compare(start, 5, "From ") == 0) out += '>';
    out.append(lf, start, end - start);
    start = end;
  }
  return out;
}

TEST_CASE("line conversion does not depend on how the input is split", "[mailbox]") {
  const std::vector<std::string> inputs = {
      "From a\r\nb\r\nFrom c\r\n",
      "x\r\r\ny\r\n\rFrom z",
      "\r\nFrom\r\nFrom \r\nFro\rm x\n",
      "a\rb\r",
      "From ",
      std::string(300, 'a') + "\r\nFrom " + std::string(200, 'b') + "\r\n",
  };
  for (const auto& in : inputs) {
    for (bool quote : {true, false}) {
      INFO((quote ? "mbox: " : "maildir: ") + in);
      const std::string want = reference_convert(in, quote);
      CHECK(convert({in}, quote) == want);
      for (std::size_t cut = 0; cut <= in.size(); ++cut) {
        CHECK(convert({in.substr(0, cut), in.substr(cut)}, quote) == want);
      }
      std::vector<std::string> bytes;
      for (char c : in) bytes.emplace_back(1, c);
      CHECK(convert(bytes, quote) == want);
    }
  }
}

TEST_CASE("the host part of a Maildir name cannot hold / or :", "[mailbox]") {
  CHECK(maildir_host("mail.example.org") == "mail.example.org");
  CHECK(maildir_host("a/b:c") == "a\\057b\\072c");
  CHECK(maildir_host("") == "localhost");
}

TEST_CASE("From_ line and delivery headers", "[mailbox]") {
  std::string line = from_line("", 1700000000);
  CHECK(line.rfind("From MAILER-DAEMON  ", 0) == 0);
  CHECK(line.back() == '\n');
  CHECK(line.size() == std::string("From MAILER-DAEMON  Tue Nov 14 22:13:20 2023\n").size());
  CHECK(delivery_headers({"a@b", "c@d", ""}) == "Return-Path: <a@b>\nDelivered-To: c@d\n");
  CHECK(delivery_headers({"", "c@d", "x@d"}) == "Return-Path: <>\nX-Original-To: x@d\nDelivered-To: c@d\n");
}

TEST_CASE("mbox append creates, appends and quotes", "[mailbox]") {
  TempDir dir;
  std::string box = dir.path + "/bob";
  auto r = request_for(box);
  REQUIRE(append_mbox(r, chunks_of({"Subject: one\r\n\r\nFrom me\r\n"})));
  REQUIRE(append_mbox(r, chunks_of({"Subject: two\r\n\r\nbody"})));
  auto text = read_file(box);
  REQUIRE(text);
  std::string from = from_line("alice@example.com", 1700000000);
  std::string head = "Return-Path: <alice@example.com>\nDelivered-To: bob@example.org\n";
  CHECK(*text == from + head + "Subject: one\n\n>From me\n\n" + from + head + "Subject: two\n\nbody\n\n");
  struct stat st{};
  REQUIRE(::stat(box.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(!std::filesystem::exists(box + ".lock"));
}

TEST_CASE("mbox append refuses unsafe files", "[mailbox]") {
  TempDir dir;
  std::string target = dir.path + "/target";
  REQUIRE(write_file_atomic(target, "", 0600));
  SECTION("symlink") {
    std::string box = dir.path + "/link";
    REQUIRE(::symlink(target.c_str(), box.c_str()) == 0);
    auto ok = append_mbox(request_for(box), chunks_of({"x\r\n"}));
    REQUIRE(!ok);
    CHECK(ok.error().message.find("symbolic link") != std::string::npos);
  }
  SECTION("hard link") {
    std::string box = dir.path + "/hard";
    REQUIRE(::link(target.c_str(), box.c_str()) == 0);
    auto ok = append_mbox(request_for(box), chunks_of({"x\r\n"}));
    REQUIRE(!ok);
    CHECK(ok.error().message.find("hard links") != std::string::npos);
  }
  SECTION("not a regular file") {
    std::string box = dir.path + "/fifo";
    REQUIRE(::mkfifo(box.c_str(), 0600) == 0);
    auto r = request_for(box);
    auto ok = safe_open_append(box + "-missing-dir/x", r.open);
    CHECK(!ok);
  }
  SECTION("wrong owner") {
    auto r = request_for(target);
    r.open.owner = ::getuid() + 1;
    auto ok = append_mbox(r, chunks_of({"x\r\n"}));
    REQUIRE(!ok);
    CHECK(ok.error().message.find("wrong owner") != std::string::npos);
  }
  auto text = read_file(target);
  REQUIRE(text);
  CHECK(text->empty());
}

TEST_CASE("mbox append waits for a dotlock and breaks a stale one", "[mailbox]") {
  TempDir dir;
  std::string box = dir.path + "/bob";
  std::string lock = box + ".lock";
  REQUIRE(write_file_atomic(lock, "", 0600));
  auto busy = append_mbox(request_for(box), chunks_of({"x\r\n"}));
  REQUIRE(!busy);
  CHECK(busy.error().sys_errno == EAGAIN);
  CHECK(std::filesystem::exists(lock));  // somebody else's lock stays

  struct utimbuf old{1000, 1000};
  REQUIRE(::utime(lock.c_str(), &old) == 0);
  CHECK(append_mbox(request_for(box), chunks_of({"x\r\n"})));
  CHECK(!std::filesystem::exists(lock));
}

TEST_CASE("mbox append waits for an fcntl lock held by another process", "[mailbox]") {
  TempDir dir;
  std::string box = dir.path + "/bob";
  REQUIRE(write_file_atomic(box, "", 0600));
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  if (child == 0) {
    int fd = ::open(box.c_str(), O_RDWR);
    auto got = try_fcntl_lock(fd, true);
    char c = (got && *got == TryLock::acquired) ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    ::usleep(300 * 1000);
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'y');
  auto r = request_for(box);
  r.lock.attempts = 2;
  auto busy = append_mbox(r, chunks_of({"x\r\n"}));
  CHECK(!busy);
  CHECK(!std::filesystem::exists(box + ".lock"));  // released while waiting
  r.lock.attempts = 100;  // the child lets go after 300 ms
  CHECK(append_mbox(r, chunks_of({"x\r\n"})));
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_CASE("mbox append over the size limit leaves the mailbox as it was", "[mailbox]") {
  TempDir dir;
  std::string box = dir.path + "/bob";
  auto r = request_for(box);
  REQUIRE(append_mbox(r, chunks_of({"small\r\n"})));
  auto before = read_file(box);
  REQUIRE(before);
  r.size_limit = before->size() + 50;
  auto ok = append_mbox(r, chunks_of({std::string(200, 'x') + "\r\n"}));
  REQUIRE(!ok);
  CHECK(ok.error().sys_errno == EFBIG);
  CHECK(*read_file(box) == *before);
}

TEST_CASE("maildir delivery makes missing new/ and cur/ when only tmp/ exists", "[mailbox]") {
  // Folders are made on demand (ENOENT), not probed on every delivery.
  TempDir dir;
  std::filesystem::create_directories(dir.path + "/Maildir/tmp");
  MaildirDelivery r;
  r.maildir = dir.path + "/Maildir/";
  r.headers = {"alice@example.com", "bob@example.org", ""};
  r.hostname = "mx";
  auto done = deliver_maildir(r, chunks_of({"Subject: hi\r\n\r\nbody\r\n"}));
  REQUIRE(done);
  CHECK(std::filesystem::is_regular_file(*done));
  CHECK(std::filesystem::is_directory(dir.path + "/Maildir/new"));
  CHECK(std::filesystem::is_directory(dir.path + "/Maildir/cur"));
  CHECK(std::filesystem::is_empty(dir.path + "/Maildir/tmp"));
}

TEST_CASE("maildir delivery goes through tmp into new", "[mailbox]") {
  TempDir dir;
  MaildirDelivery r;
  r.maildir = dir.path + "/Maildir/";
  r.headers = {"alice@example.com", "bob@example.org", ""};
  r.hostname = "mx:1/a";
  auto first = deliver_maildir(r, chunks_of({"Subject: hi\r\n\r\nFrom x\r\n"}));
  auto second = deliver_maildir(r, chunks_of({"Subject: again\r\n\r\n"}));
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*first != *second);
  CHECK(std::filesystem::is_empty(dir.path + "/Maildir/tmp"));
  CHECK(std::filesystem::is_directory(dir.path + "/Maildir/cur"));
  auto text = read_file(*first);
  REQUIRE(text);
  std::string want = "Return-Path: <alice@example.com>\nDelivered-To: bob@example.org\nSubject: hi\n\nFrom x\n";
  CHECK(*text == want);
  std::string name = std::filesystem::path(*first).filename();
  CHECK(name.find('/') == std::string::npos);
  CHECK(name.find(':') == std::string::npos);
  CHECK(name.find(",S=" + std::to_string(want.size())) != std::string::npos);
}

TEST_CASE("maildir delivery through an unnamed file", "[mailbox]") {
  REQUIRE(unnamed_files_linkable());  // /proc is mounted wherever the tests run
  for (bool only_tmp : {false, true}) {
    INFO(only_tmp);
    TempDir dir;
    if (only_tmp) std::filesystem::create_directories(dir.path + "/Maildir/tmp");
    MaildirDelivery r;
    r.maildir = dir.path + "/Maildir/";
    r.headers = {"alice@example.com", "bob@example.org", ""};
    r.hostname = "mx";
    r.unnamed_tmp = true;
    auto first = deliver_maildir(r, chunks_of({"Subject: hi\r\n\r\nbody\r\n"}));
    REQUIRE(first);
    // The second delivery does not touch tmp/ at all where the file system
    // has unnamed files.
    const std::string tmp = dir.path + "/Maildir/tmp";
    const bool has_unnamed = UniqueFd(::open(tmp.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)).valid();
    struct stat before{};
    REQUIRE(::stat(tmp.c_str(), &before) == 0);
    auto second = deliver_maildir(r, chunks_of({"Subject: again\r\n\r\n"}));
    REQUIRE(second);
    struct stat after{};
    REQUIRE(::stat(tmp.c_str(), &after) == 0);
    if (has_unnamed) {
      CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
      CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    } else {
      WARN("this file system has no O_TMPFILE: the named fallback was tested");
    }
    CHECK(*first != *second);
    CHECK(std::filesystem::path(*first).parent_path() == dir.path + "/Maildir/new");
    CHECK(std::filesystem::is_empty(dir.path + "/Maildir/tmp"));
    CHECK(std::filesystem::is_directory(dir.path + "/Maildir/cur"));
    auto text = read_file(*first);
    REQUIRE(text);
    CHECK(*text == "Return-Path: <alice@example.com>\nDelivered-To: bob@example.org\nSubject: hi\n\nbody\n");
    // The name carries the file's own inode, as with a named tmp file.
    struct stat st{};
    REQUIRE(::stat(first->c_str(), &st) == 0);
    CHECK(st.st_nlink == 1);
    char ino[32];
    std::snprintf(ino, sizeof ino, "I%llX.", static_cast<unsigned long long>(st.st_ino));
    CHECK(first->find(ino) != std::string::npos);
    CHECK((st.st_mode & 0777) == 0600);
  }
}

TEST_CASE("a failed maildir delivery leaves nothing behind", "[mailbox]") {
  for (bool unnamed : {false, true}) {
    INFO(unnamed);
    TempDir dir;
    MaildirDelivery r;
    r.maildir = dir.path + "/Maildir/";
    r.hostname = "mx";
    r.unnamed_tmp = unnamed;
    int calls = 0;
    auto failing = [&calls]() -> Result<std::string> {
      if (calls++ == 0) return std::string("Subject: x\r\n\r\n");
      return Error{"queue file unreadable", EIO};
    };
    auto done = deliver_maildir(r, failing);
    CHECK_FALSE(done);
    CHECK(std::filesystem::is_empty(dir.path + "/Maildir/tmp"));
    CHECK(std::filesystem::is_empty(dir.path + "/Maildir/new"));
  }
}
