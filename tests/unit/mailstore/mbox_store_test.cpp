// The IMAP mbox store: the spool INBOX that local appends to, folders as
// files under ~/mail, UIDs and flags in the side index matched to the file
// even when another program rewrites it, EXPUNGE by compaction, and
// Dovecot's X-IMAPbase/X-UID numbering kept.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "lib/mailbox/mbox_writer.hpp"
#include "lib/mailstore/mail_store.hpp"

using namespace postern;
using namespace postern::mailstore;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/mbox_store_test.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Setup {
  TempDir dir;
  std::string inbox = dir.path + "/spool/user";
  std::string root = dir.path + "/home/mail";
  std::unique_ptr<MailStore> store;
  explicit Setup(const std::string& spool_text) {
    write(inbox, spool_text);
    auto s = open_mail_store(MailLocation{MailLocation::Format::mbox, inbox, root});
    REQUIRE(s.ok());
    store = std::move(*s);
  }
  std::unique_ptr<Folder> select(const std::string& name, bool read_only = false) {
    auto f = store->open_folder(name, read_only);
    if (!f) FAIL(f.error().message);
    return std::move(*f);
  }
};

const char kSpool[] =
    "From a@example.org  Mon Jan  1 00:00:00 2024\nSubject: one\nStatus: RO\nX-Status: F\n\nbody one\n\n"
    "From b@example.org  Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody two\n>From quoted\n\n";

// Appends like local does, in a child process: the real mbox writer.
void deliver_from_other_process(const std::string& path, const std::string& subject) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    mailbox::MboxAppend a;
    a.path = path;
    a.headers.sender = "c@example.org";
    a.headers.delivered_to = "user@example.org";
    a.lock.attempts = 5;
    a.lock.delay_ms = 100;
    bool sent = false;
    auto r = mailbox::append_mbox(a, [&]() -> Result<std::string> {
      if (sent) return std::string();
      sent = true;
      return "Subject: " + subject + "\r\n\r\nhello\r\n";
    });
    ::_exit(r.ok() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

std::vector<uint32_t> uids_of(const Folder& f) {
  std::vector<uint32_t> out;
  for (const auto& m : f.messages()) out.push_back(m.uid);
  return out;
}

}  // namespace

TEST_CASE("mbox: the spool INBOX with stable UIDs, mutt's flags, and local's deliveries", "[mailstore][mbox]") {
  Setup s(kSpool);
  uint32_t validity = 0;
  {
    auto inbox = s.select("INBOX");
    REQUIRE(inbox->messages().size() == 2);
    CHECK(uids_of(*inbox) == std::vector<uint32_t>{1, 2});
    validity = inbox->uidvalidity();
    CHECK(inbox->messages()[0].flags == (kSeen | kFlagged));
    CHECK(inbox->messages()[1].flags == 0);
    CHECK(inbox->messages()[0].recent);
    auto two = inbox->read(1);
    REQUIRE(two.ok());
    CHECK(*two == "Subject: two\r\n\r\nbody two\r\n>From quoted\r\n");
    CHECK(inbox->messages()[1].rfc822_size == two->size());
    CHECK(inbox->messages()[1].internal_date > 1704000000);
    REQUIRE(inbox->store_flags(1, StoreMode::add, kAnswered, {"Work"}).ok());
  }
  deliver_from_other_process(s.inbox, "delivered");
  auto inbox = s.select("INBOX");
  CHECK(inbox->uidvalidity() == validity);
  REQUIRE(inbox->messages().size() == 3);
  CHECK(uids_of(*inbox) == std::vector<uint32_t>{1, 2, 3});
  CHECK_FALSE(inbox->messages()[0].recent);
  CHECK(inbox->messages()[2].recent);
  CHECK(inbox->messages()[1].flags == kAnswered);
  CHECK(inbox->messages()[1].keywords == std::vector<std::string>{"Work"});
  CHECK(inbox->read(2)->find("Subject: delivered\r\n") != std::string::npos);
  // Closing the folder wrote its flags into the file, as Dovecot and mutt
  // keep them, without costing a UID.
  std::string spool = slurp(s.inbox);
  CHECK(spool.find("Subject: two\nStatus: O\nX-Status: A\nX-Keywords: Work\n\nbody two\n") != std::string::npos);
  // IMAP does not show those headers, so the message's bytes stay the same.
  CHECK(*inbox->read(1) == "Subject: two\r\n\r\nbody two\r\n>From quoted\r\n");
  CHECK(inbox->messages()[1].rfc822_size == inbox->read(1)->size());
  CHECK(*inbox->read(0) == "Subject: one\r\n\r\nbody one\r\n");
  CHECK(inbox->messages()[0].rfc822_size == inbox->read(0)->size());
  // A delivery while selected shows up at the next refresh.
  deliver_from_other_process(s.inbox, "later");
  auto changes = inbox->refresh(true);
  REQUIRE(changes.ok());
  CHECK(changes->new_count == 4);
  CHECK(inbox->messages()[3].uid == 4);
  CHECK(inbox->messages()[3].recent);
  auto paths = inbox->watch_paths();
  CHECK(std::find_if(paths.begin(), paths.end(), [&](const WatchPath& w) { return w.path == s.inbox; }) !=
        paths.end());
}

TEST_CASE("mbox: two sessions, EXPUNGE compaction, and a file rewritten by pop3d", "[mailstore][mbox]") {
  Setup s(kSpool);
  deliver_from_other_process(s.inbox, "three");
  auto one = s.select("INBOX");
  auto two = s.select("INBOX");
  REQUIRE(two->messages().size() == 3);
  REQUIRE(one->store_flags(2, StoreMode::add, kSeen, {}).ok());
  REQUIRE(one->refresh(true).ok());  // writes our change for the others
  auto seen = two->refresh(true);
  REQUIRE(seen.ok());
  CHECK(seen->flags_changed == std::vector<size_t>{2});
  CHECK(two->messages()[2].flags == kSeen);

  REQUIRE(one->store_flags(0, StoreMode::add, kDeleted, {}).ok());
  auto gone = one->expunge(std::nullopt);
  REQUIRE(gone.ok());
  REQUIRE(gone->size() == 1);
  CHECK((*gone)[0].uid == 1);
  CHECK((*gone)[0].seq == 1);
  CHECK(uids_of(*one) == std::vector<uint32_t>{2, 3});
  CHECK(slurp(s.inbox).find("Subject: one") == std::string::npos);
  CHECK(slurp(s.inbox).starts_with("From b@example.org"));
  CHECK(*one->read(0) == "Subject: two\r\n\r\nbody two\r\n>From quoted\r\n");
  // The other session still reads the right bytes before it is told.
  CHECK(two->read(2)->find("Subject: three") != std::string::npos);
  auto reported = two->refresh(true);
  REQUIRE(reported.ok());
  REQUIRE(reported->expunged.size() == 1);
  CHECK(reported->expunged[0].seq == 1);
  CHECK(uids_of(*two) == std::vector<uint32_t>{2, 3});

  // pop3d (or mutt) deletes the first message by rewriting the file: the
  // rest keep their UIDs.
  std::string text = slurp(s.inbox);
  write(s.inbox, text.substr(text.find("\n\nFrom ") + 2));
  auto after = two->refresh(true);
  REQUIRE(after.ok());
  CHECK(uids_of(*two) == std::vector<uint32_t>{3});
  CHECK(two->messages()[0].flags == kSeen);
}

TEST_CASE("mbox: folders under ~/mail — create, list, append, copy, rename, delete", "[mailstore][mbox]") {
  Setup s(kSpool);
  REQUIRE(s.store->create("Lists/dev").ok());
  CHECK(fs::is_directory(s.root + "/Lists"));
  CHECK(fs::is_regular_file(s.root + "/Lists/dev"));
  CHECK(s.store->create("Lists/dev/sub").error().sys_errno == EINVAL);
  REQUIRE(s.store->create("Projects/").ok());
  CHECK(fs::is_directory(s.root + "/Projects"));
  REQUIRE(s.store->create("Données").ok());
  CHECK(fs::exists(s.root + "/Donn&AOk-es"));
  REQUIRE(s.store->ensure_special_use().ok());
  auto list = s.store->list();
  REQUIRE(list.ok());
  std::map<std::string, uint16_t> attrs;
  for (const auto& e : *list) attrs[e.name] = e.attrs;
  CHECK(list->front().name == "INBOX");
  CHECK(attrs.at("Lists") & kNoSelect);
  CHECK(attrs.at("Lists") & kHasChildren);
  CHECK(attrs.at("Lists/dev") & kNoInferiors);
  CHECK(attrs.at("Projects") & kNoSelect);
  CHECK(attrs.count("Données"));
  CHECK(attrs.at("Trash") & kTrash);
  CHECK(attrs.at("Sent") & kSubscribed);
  CHECK(attrs.count(".imap") == 0);

  auto a = s.store->append("Lists/dev", "Subject: appended\r\n\r\nFrom here\r\n", kSeen, {"$Label1"}, 1600000000);
  if (!a) FAIL(a.error().message);
  CHECK(a->uid == 1);
  CHECK(slurp(s.root + "/Lists/dev").find("\n>From here\n") != std::string::npos);
  {
    auto dev = s.select("Lists/dev");
    REQUIRE(dev->messages().size() == 1);
    CHECK(dev->uidvalidity() == a->uidvalidity);
    CHECK(dev->messages()[0].flags == kSeen);
    CHECK(dev->messages()[0].keywords == std::vector<std::string>{"$Label1"});
    CHECK(dev->messages()[0].internal_date == 1600000000);
    // mbox's one lossy spot, as with local delivery: a body line "From "
    // is stored (and read back) as ">From ".
    CHECK(*dev->read(0) == "Subject: appended\r\n\r\n>From here\r\n");
    CHECK(dev->messages()[0].rfc822_size == dev->read(0)->size());
  }
  auto inbox = s.select("INBOX");
  auto copied = inbox->copy({0, 1}, "Lists/dev");
  REQUIRE(copied.ok());
  REQUIRE(copied->uids.size() == 2);
  CHECK(copied->uids[0] == std::make_pair(1u, 2u));
  CHECK(copied->uids[1] == std::make_pair(2u, 3u));
  CHECK(inbox->copy({0}, "Missing").error().sys_errno == ENOENT);
  {
    auto dev = s.select("Lists/dev");
    REQUIRE(dev->messages().size() == 3);
    CHECK(dev->messages()[1].flags == (kSeen | kFlagged));
    CHECK(*dev->read(2) == *inbox->read(1));
  }
  REQUIRE(s.store->rename("Lists", "Archive/Lists").ok());
  CHECK(s.store->exists("Archive/Lists/dev"));
  {
    auto moved = s.select("Archive/Lists/dev");
    CHECK(uids_of(*moved) == std::vector<uint32_t>{1, 2, 3});  // the index moved along
  }
  CHECK(s.store->remove("Archive").error().sys_errno == ENOTEMPTY);
  REQUIRE(s.store->remove("Archive/Lists/dev").ok());
  REQUIRE(s.store->remove("Archive/Lists").ok());
  CHECK_FALSE(s.store->exists("Archive/Lists"));

  // RENAME INBOX: the messages move, the spool stays (empty).
  inbox.reset();
  REQUIRE(s.store->rename("INBOX", "Old").ok());
  CHECK(fs::file_size(s.inbox) == 0);
  auto old = s.select("Old");
  CHECK(old->messages().size() == 2);
  auto empty = s.select("INBOX");
  CHECK(empty->messages().empty());
  deliver_from_other_process(s.inbox, "after rename");
  REQUIRE(empty->refresh(true).ok());
  REQUIRE(empty->messages().size() == 1);
  CHECK(empty->messages()[0].uid == 3);  // UIDs of the INBOX are never reused
}

TEST_CASE("mbox: Dovecot's X-IMAPbase and X-UID numbering is kept", "[mailstore][mbox]") {
  Setup s(
      "From a@b  Mon Jan  1 00:00:00 2024\nX-IMAPbase: 1500000000 0000000120\nX-UID: 100\nStatus: RO\n"
      "Subject: one\n\nx\n\n"
      "From a@b  Mon Jan  1 00:00:01 2024\nX-UID: 117\nX-Keywords: $Forwarded\nSubject: two\n\ny\n\n"
      "From a@b  Mon Jan  1 00:00:02 2024\nSubject: new\n\nz\n\n");
  auto inbox = s.select("INBOX");
  CHECK(inbox->uidvalidity() == 1500000000u);
  CHECK(uids_of(*inbox) == std::vector<uint32_t>{100, 117, 120});
  CHECK(inbox->uidnext() == 121);
  CHECK(inbox->messages()[0].flags == kSeen);
  CHECK(inbox->messages()[1].keywords == std::vector<std::string>{"$Forwarded"});
}

TEST_CASE("mbox: a damaged index is rebuilt; a non-mbox file is refused", "[mailstore][mbox]") {
  Setup s(kSpool);
  { s.select("INBOX"); }
  std::string index = s.root + "/.imap/INBOX/postern-index";
  REQUIRE(fs::exists(index));
  fs::resize_file(index, fs::file_size(index) / 2);
  auto inbox = s.select("INBOX");
  CHECK(inbox->messages().size() == 2);
  CHECK(std::set<uint32_t>{inbox->messages()[0].uid, inbox->messages()[1].uid}.size() == 2);
  write(s.root + "/bogus", "this is not an mbox\n");
  auto bad = s.store->open_folder("bogus", false);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("not an mbox") != std::string::npos);
}
