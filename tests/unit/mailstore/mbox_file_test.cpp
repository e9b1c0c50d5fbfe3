// mbox parsing (RFC 4155 From_ lines, flag headers kept out of a message's
// identity, Status/X-Status written as mutt reads them) and the crash-safe
// rewrite: the states a kill -9 leaves behind are finished by the next
// lock, keeping what local appended meanwhile; a dotlock of a killed
// Postern process is taken over at once.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/mailstore/mail_store.hpp"
#include "lib/mailstore/mbox_file.hpp"
#include "lib/mailstore/mbox_parse.hpp"

using namespace postern;
using namespace postern::mailstore;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/mbox_file_test.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

const std::string kA = "From a@example.org  Mon Jan  1 00:00:00 2024\nSubject: a\n\nbody a\n\n";
const std::string kB = "From b@example.org  Mon Jan  1 00:00:01 2024\nSubject: b\n\nbody b\n\n";
const std::string kC = "From c@example.org  Mon Jan  1 00:00:02 2024\nSubject: c\n\nbody c\n\n";
const std::string kD = "From d@example.org  Mon Jan  1 00:00:03 2024\nSubject: d (delivered)\n\nbody d\n\n";

}  // namespace

TEST_CASE("mbox parse: only a plausible From_ line starts a message", "[mailstore][mbox]") {
  struct Row {
    const char* name;
    const char* line;
    bool plausible;
  } rows[] = {
      {"local's", "From alice@example.org  Sun Nov 22 13:10:23 2026", true},
      {"with a zone", "From alice@example.org Sun Nov 22 13:10 2026 +0100", true},
      {"null sender", "From MAILER-DAEMON Mon Jan  1 00:00:00 2024", true},
      {"prose", "From here on, everything is different.", false},
      {"no date", "From alice@example.org", false},
      {"month but no time", "From the Jan meeting onward", false},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    CHECK(plausible_from_line(r.line) == r.plausible);
  }
  std::string text = kA.substr(0, kA.size() - 1) + "\nFrom here on, things change.\n\n" + kB;
  auto parsed = parse_mbox(text);
  REQUIRE(parsed);
  REQUIRE(parsed->messages.size() == 2);
  CHECK(std::string_view(text).substr(parsed->messages[0].body, parsed->messages[0].length).find("From here on") !=
        std::string_view::npos);
}

TEST_CASE("mbox parse: Status and X-Status are written as mutt reads them, outside the identity", "[mailstore][mbox]") {
  std::string entry = "From a@example.org  Mon Jan  1 00:00:00 2024\nSubject: a\nStatus: O\nX-Status: D\n"
                      " continued\n\nbody\n\n";
  std::string out = mbox_entry_with_flags(entry, kSeen | kFlagged | kAnswered, {"Work", "Home"});
  CHECK(out ==
        "From a@example.org  Mon Jan  1 00:00:00 2024\nSubject: a\nStatus: RO\nX-Status: AF\n"
        "X-Keywords: Work Home\n\nbody\n\n");
  auto before = parse_mbox(entry);
  auto after = parse_mbox(out);
  REQUIRE(before);
  REQUIRE(after);
  CHECK(before->messages[0].identity == after->messages[0].identity);
  CHECK(before->messages[0].flags == kDeleted);
  CHECK(after->messages[0].flags == (kSeen | kFlagged | kAnswered));
  CHECK(after->messages[0].keywords == std::vector<std::string>{"Work", "Home"});
  // A message with no header block at all is left alone.
  std::string bare = "From a@example.org  Mon Jan  1 00:00:00 2024\nno blank line";
  CHECK(mbox_entry_with_flags(bare, kSeen, {}) == bare);
}

TEST_CASE("mbox rewrite: a kill -9 at any step is finished by the next lock", "[mailstore][mbox]") {
  TempDir dir;
  std::string mbox = dir.path + "/inbox";
  std::string index_dir = dir.path + "/index";
  fs::create_directories(index_dir);
  const std::string prefix = kA;
  const std::string tail = kC;  // b expunged
  struct Row {
    const char* name;
    std::string file_at_crash;  // what the mbox held when the process died
    std::string expected;
  } rows[] = {
      {"journal written, file untouched", kA + kB + kC, kA + kC},
      {"file cut, nothing written", kA, kA + kC},
      {"half the tail written", kA + kC.substr(0, 20), kA + kC},
      {"all written, journal not yet removed", kA + kC, kA + kC},
      {"half written, then local appended", kA + kC.substr(0, 20) + "\n\n" + kD, kA + kC + kD},
      {"cut, then local appended", kA + kD, kA + kC + kD},
      {"untouched, then local appended", kA + kB + kC + kD, kA + kC + kD},
      {"all written, then local appended", kA + kC + kD, kA + kC + kD},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    write(mbox, kA + kB + kC);
    {
      UniqueFd fd(::open(mbox.c_str(), O_RDWR));
      REQUIRE(fd);
      REQUIRE(write_mbox_journal(fd.get(), index_dir, kA + kB + kC, prefix.size(), tail).ok());
      REQUIRE(::ftruncate(fd.get(), 0) == 0);
      REQUIRE(::pwrite(fd.get(), r.file_at_crash.data(), r.file_at_crash.size(), 0) ==
              ssize_t(r.file_at_crash.size()));
    }
    REQUIRE(mbox_journal_pending(index_dir));
    {
      auto locked = lock_mbox(mbox, index_dir, false);
      REQUIRE(locked.ok());
    }
    CHECK_FALSE(mbox_journal_pending(index_dir));
    CHECK(slurp(mbox) == r.expected);
  }
  // A journal for another file (mutt rewrote the mbox since) is set aside,
  // never applied.
  write(mbox, kA + kB + kC);
  {
    UniqueFd fd(::open(mbox.c_str(), O_RDWR));
    REQUIRE(write_mbox_journal(fd.get(), index_dir, kA + kB + kC, prefix.size(), tail).ok());
  }
  write(mbox, kB + kA + kC);
  REQUIRE(lock_mbox(mbox, index_dir, false).ok());
  CHECK(slurp(mbox) == kB + kA + kC);
  CHECK_FALSE(mbox_journal_pending(index_dir));
  CHECK(fs::exists(index_dir + "/postern-mbox-journal.bad"));
}

TEST_CASE("mbox lock: the dotlock of a killed Postern process is taken over at once", "[mailstore][mbox]") {
  TempDir dir;
  std::string mbox = dir.path + "/inbox";
  std::string index_dir = dir.path + "/index";
  fs::create_directories(index_dir);
  write(mbox, kA);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto locked = lock_mbox(mbox, index_dir, false);
    ::_exit(locked.ok() && locked->lock->has_dotlock() ? 0 : 1);  // dies holding it
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(fs::exists(mbox + ".lock"));
  auto started = std::chrono::steady_clock::now();
  auto locked = lock_mbox(mbox, index_dir, false);
  REQUIRE(locked.ok());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  locked->lock->release();
  // Killed between writing its pending record and recording the dotlock:
  // a dotlock younger than the record, nobody holding the fcntl lock.
  pid_t dead = ::fork();
  REQUIRE(dead >= 0);
  if (dead == 0) ::_exit(0);
  REQUIRE(::waitpid(dead, &status, 0) == dead);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  write(index_dir + "/postern-mbox-dotlock", std::to_string(dead) + " " + host + "\n");
  ::usleep(20000);
  write(mbox + ".lock", "");
  started = std::chrono::steady_clock::now();
  auto again = lock_mbox(mbox, index_dir, false);
  REQUIRE(again.ok());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  again->lock->release();
  CHECK_FALSE(fs::exists(mbox + ".lock"));
  // Somebody else's dotlock (no record of ours) is respected.
  write(mbox + ".lock", "");
  auto busy = lock_mbox(mbox, index_dir, false);
  CHECK_FALSE(busy.ok());
  fs::remove(mbox + ".lock");
}

TEST_CASE("mbox store: flags set by mutt in Status/X-Status reach IMAP", "[mailstore][mbox]") {
  TempDir dir;
  std::string inbox = dir.path + "/spool/user";
  write(inbox, kA + kB);
  auto store = open_mail_store(MailLocation{MailLocation::Format::mbox, inbox, dir.path + "/home/mail"});
  REQUIRE(store.ok());
  uint32_t uid_b = 0;
  {
    auto f = (*store)->open_folder("INBOX", false);
    REQUIRE(f.ok());
    REQUIRE((*f)->messages().size() == 2);
    CHECK((*f)->messages()[1].flags == 0);
    uid_b = (*f)->messages()[1].uid;
  }
  // mutt marks b read and flagged, rewriting the file.
  std::string text = slurp(inbox);
  auto at = text.find("Subject: b\n");
  text.insert(at + 11, "Status: RO\nX-Status: F\n");
  write(inbox, text);
  auto f = (*store)->open_folder("INBOX", false);
  REQUIRE(f.ok());
  REQUIRE((*f)->messages().size() == 2);
  CHECK((*f)->messages()[1].uid == uid_b);
  CHECK((*f)->messages()[1].flags == (kSeen | kFlagged));
}
