// The IMAP Maildir store: UIDs that survive reopening and match Dovecot's
// dovecot-uidlist, flags in file names, deliveries seen by refresh(), two
// sessions on one folder, folder management, and an index that is rebuilt
// when damaged and lets a large folder open without touching its messages.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "lib/mailbox/delivery_format.hpp"
#include "lib/mailbox/maildir_writer.hpp"
#include "lib/mailstore/folder_watch.hpp"
#include "lib/mailstore/mail_store.hpp"
#include "lib/mailstore/maildir_ops.hpp"
#include "lib/mailstore/uidlist_file.hpp"

using namespace postern;
using namespace postern::mailstore;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/maildir_store_test.XXXXXX";
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

std::unique_ptr<MailStore> store_at(const std::string& root) {
  auto s = open_mail_store(MailLocation{MailLocation::Format::maildir, root, root});
  REQUIRE(s.ok());
  return std::move(*s);
}

std::unique_ptr<Folder> select(MailStore& store, const std::string& name, bool read_only = false) {
  auto f = store.open_folder(name, read_only);
  if (!f) FAIL(f.error().message);
  return std::move(*f);
}

// Delivers like local does: the real Maildir writer, in a child process.
void deliver_from_other_process(const std::string& maildir, const std::string& subject) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    mailbox::MaildirDelivery d;
    d.maildir = maildir;
    d.hostname = "test.example";
    d.headers.sender = "a@example.org";
    d.headers.delivered_to = "u@example.org";
    bool sent = false;
    std::string body = "Subject: " + subject + "\r\n\r\nhello\r\n";
    auto r = mailbox::deliver_maildir(d, [&]() -> Result<std::string> {
      if (sent) return std::string();
      sent = true;
      return body;
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

TEST_CASE("Maildir: UIDs and UIDVALIDITY stay the same when the folder is opened again", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  for (int i = 0; i < 3; ++i) deliver_from_other_process(dir.path, "m" + std::to_string(i));
  std::vector<uint32_t> first;
  uint32_t validity = 0;
  {
    auto inbox = select(*store, "INBOX");
    REQUIRE(inbox->messages().size() == 3);
    first = uids_of(*inbox);
    validity = inbox->uidvalidity();
    CHECK(first == std::vector<uint32_t>{1, 2, 3});
    CHECK(inbox->uidnext() == 4);
    for (const auto& m : inbox->messages()) CHECK(m.recent);
    auto text = inbox->read(0);
    REQUIRE(text.ok());
    CHECK(text->find("Subject: m0\r\n") != std::string::npos);
    CHECK(inbox->messages()[0].rfc822_size == text->size());
  }
  // new/ was emptied into cur/ by the SELECT.
  CHECK(fs::is_empty(dir.path + "/new"));
  auto again = select(*store, "INBOX");
  CHECK(uids_of(*again) == first);
  CHECK(again->uidvalidity() == validity);
  // \Recent belonged to the first session only.
  for (const auto& m : again->messages()) CHECK_FALSE(m.recent);
  // The uidlist is Dovecot's version 3 format.
  auto list = parse_uidlist(slurp(dir.path + "/dovecot-uidlist"));
  REQUIRE(list);
  CHECK(list->uidvalidity == validity);
  CHECK(list->nextuid == 4);
  CHECK(list->guid.size() == 32);
  CHECK(list->entries.size() == 3);
  CHECK(slurp(dir.path + "/dovecot-uidlist").starts_with("3 V" + std::to_string(validity) + " N4 G"));
}

TEST_CASE("Maildir: a Maildir left by Dovecot keeps its UIDs, flags and keywords", "[mailstore][maildir]") {
  TempDir dir;
  const std::string a = "1700000000.M1P100.host,S=20,W=22";
  const std::string b = "1700000100.M2P100.host,S=20";
  const std::string c = "1700000200.M3P100.host,S=20,W=22";
  write(dir.path + "/cur/" + a + ":2,FS", "Subject: a\n\nbody\n\n");
  write(dir.path + "/cur/" + b + ":2,Sab", "Subject: b\n\nbody\n\n");
  write(dir.path + "/new/" + c, "Subject: c\n\nbody\n\n");
  fs::create_directories(dir.path + "/tmp");
  write(dir.path + "/dovecot-uidlist",
        "3 V1275660208 N25022 G3085f01b7f11094c501100008c4a11c1\n"
        "25000 :" + a + "\n25010 W22 :" + b + "\n");
  write(dir.path + "/dovecot-keywords", "0 $Forwarded\n1 Work\n");
  auto store = store_at(dir.path);
  auto inbox = select(*store, "INBOX");
  REQUIRE(inbox->messages().size() == 3);
  CHECK(inbox->uidvalidity() == 1275660208u);
  const auto& m = inbox->messages();
  CHECK(m[0].uid == 25000);
  CHECK(m[0].flags == (kFlagged | kSeen));
  CHECK(m[0].rfc822_size == 22);
  CHECK(m[1].uid == 25010);
  CHECK(m[1].flags == kSeen);
  CHECK(m[1].keywords == std::vector<std::string>{"$Forwarded", "Work"});
  CHECK(m[1].rfc822_size == 22);  // no W=: read from the file, 18 octets and 4 LFs
  // The message in new/ was never numbered: it gets Dovecot's next UID.
  CHECK(m[2].uid == 25022);
  CHECK(inbox->uidnext() == 25023);
  auto list = parse_uidlist(slurp(dir.path + "/dovecot-uidlist"));
  REQUIRE(list);
  CHECK(list->uidvalidity == 1275660208u);
  CHECK(list->guid == "3085f01b7f11094c501100008c4a11c1");
  CHECK(list->nextuid == 25023);
  REQUIRE(list->entries.size() == 3);
  CHECK(list->entries[1].ext == "W22");  // Dovecot's own fields are kept
  CHECK(list->entries[2].base == c);
  // Flags changed here show up in the file name, where Dovecot reads them.
  REQUIRE(inbox->store_flags(0, StoreMode::add, kAnswered, {"Work"}).ok());
  CHECK(fs::exists(dir.path + "/cur/" + a + ":2,FRSb"));
  REQUIRE(inbox->store_flags(0, StoreMode::remove, kSeen | kFlagged, {}).ok());
  CHECK(fs::exists(dir.path + "/cur/" + a + ":2,Rb"));
  REQUIRE(inbox->store_flags(1, StoreMode::add, 0, {"New"}).ok());
  CHECK(slurp(dir.path + "/dovecot-keywords") == "0 $Forwarded\n1 Work\n2 New\n");
  CHECK(fs::exists(dir.path + "/cur/" + b + ":2,Sabc"));
}

TEST_CASE("Maildir: refresh() picks up deliveries by another process with new UIDs", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  deliver_from_other_process(dir.path, "first");
  auto inbox = select(*store, "INBOX");
  REQUIRE(inbox->messages().size() == 1);
  auto none = inbox->refresh(true);
  REQUIRE(none.ok());
  CHECK(none->new_count == 1);
  CHECK(none->expunged.empty());
  deliver_from_other_process(dir.path, "second");
  deliver_from_other_process(dir.path, "third");
  auto changes = inbox->refresh(true);
  REQUIRE(changes.ok());
  CHECK(changes->old_count == 1);
  CHECK(changes->new_count == 3);
  CHECK(uids_of(*inbox) == std::vector<uint32_t>{1, 2, 3});
  CHECK(inbox->messages()[1].recent);
  CHECK(inbox->read(2)->find("Subject: third") != std::string::npos);
  // Watching these paths is enough to see a delivery.
  auto paths = inbox->watch_paths();
  CHECK(std::find_if(paths.begin(), paths.end(), [&](const WatchPath& w) { return w.path == dir.path + "/new"; }) !=
        paths.end());
}

TEST_CASE("Maildir: IDLE's watch wakes for mail, not for another session's lock files", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  deliver_from_other_process(dir.path, "first");
  auto inbox = select(*store, "INBOX");
  FolderWatch watch(inbox->watch_paths());
  REQUIRE(watch.fd() >= 0);
  CHECK_FALSE(watch.drain());

  // Another session takes and drops dovecot-uidlist.lock (a temporary file,
  // a link, two removals): nothing the folder shows has changed.
  {
    auto lock = UidListLock::acquire(dir.path);
    REQUIRE(lock.ok());
  }
  write(dir.path + "/postern-index.tmp", "x");
  fs::remove(dir.path + "/postern-index.tmp");
  CHECK_FALSE(watch.drain());

  deliver_from_other_process(dir.path, "second");
  CHECK(watch.drain());
  CHECK_FALSE(watch.drain());

  // Another session numbers it: the new dovecot-uidlist counts.
  auto other = select(*store, "INBOX");
  CHECK(other->messages().size() == 2);
  CHECK(watch.drain());
  auto changes = inbox->refresh(true);
  REQUIRE(changes.ok());
  CHECK(changes->new_count == 2);

  // A flag change by another session is a rename in cur/.
  CHECK_FALSE(watch.drain());
  REQUIRE(other->store_flags(0, StoreMode::add, kFlagged, {}).ok());
  CHECK(watch.drain());

  // In the folder itself, each of the two files that count wakes it alone:
  // a rewritten dovecot-uidlist, and a new keyword in dovecot-keywords.
  CHECK_FALSE(watch.drain());
  {
    auto lock = UidListLock::acquire(dir.path);
    REQUIRE(lock.ok());
    auto list = read_uidlist(dir.path);
    REQUIRE(list.ok());
    REQUIRE(list->has_value());
    REQUIRE(lock->write(**list).ok());
  }
  CHECK(watch.drain());
  write(dir.path + "/dovecot-keywords", "0 Work\n");
  CHECK(watch.drain());

  // One folder named twice shares a watch: the path watched whole wins.
  FolderWatch twice({{dir.path, {"dovecot-uidlist"}}, {dir.path + "/", {}}});
  write(dir.path + "/anything", "x");
  CHECK(twice.drain());
}

TEST_CASE("Maildir: two sessions on one folder see each other's flag changes and expunges", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  for (int i = 0; i < 4; ++i) deliver_from_other_process(dir.path, "m" + std::to_string(i));
  auto one = select(*store, "INBOX");
  auto two = select(*store, "INBOX");
  REQUIRE(one->messages().size() == 4);
  REQUIRE(two->messages().size() == 4);
  // Exactly one of them got \Recent.
  CHECK(one->messages()[0].recent);
  CHECK_FALSE(two->messages()[0].recent);

  REQUIRE(one->store_flags(1, StoreMode::add, kSeen | kFlagged, {"Later"}).ok());
  auto seen = two->refresh(true);
  REQUIRE(seen.ok());
  CHECK(seen->flags_changed == std::vector<size_t>{1});
  CHECK(two->messages()[1].flags == (kSeen | kFlagged));
  CHECK(two->messages()[1].keywords == std::vector<std::string>{"Later"});
  CHECK(seen->keywords_changed);

  // Session two changes the same message; session one's next change applies
  // to what is there now.
  REQUIRE(two->store_flags(1, StoreMode::add, kAnswered, {}).ok());
  REQUIRE(one->store_flags(1, StoreMode::add, kDraft, {}).ok());
  auto merged = two->refresh(true);
  REQUIRE(merged.ok());
  CHECK(two->messages()[1].flags == (kSeen | kFlagged | kAnswered | kDraft));

  REQUIRE(one->store_flags(0, StoreMode::add, kDeleted, {}).ok());
  REQUIRE(one->store_flags(2, StoreMode::add, kDeleted, {}).ok());
  auto gone = one->expunge(std::nullopt);
  REQUIRE(gone.ok());
  REQUIRE(gone->size() == 2);
  CHECK((*gone)[0].seq == 3);
  CHECK((*gone)[0].uid == 3);
  CHECK((*gone)[1].seq == 1);
  CHECK(uids_of(*one) == std::vector<uint32_t>{2, 4});

  // During a FETCH the other session keeps them, marked; then reports them.
  auto held = two->refresh(false);
  REQUIRE(held.ok());
  CHECK(held->expunged.empty());
  REQUIRE(two->messages().size() == 4);
  CHECK(two->messages()[0].expunged);
  CHECK_FALSE(two->read(0).ok());
  auto reported = two->refresh(true);
  REQUIRE(reported.ok());
  REQUIRE(reported->expunged.size() == 2);
  CHECK(reported->expunged[0].seq == 3);
  CHECK(reported->expunged[1].seq == 1);
  CHECK(uids_of(*two) == std::vector<uint32_t>{2, 4});

  // UID EXPUNGE only touches the listed UIDs.
  REQUIRE(two->store_flags(0, StoreMode::add, kDeleted, {}).ok());
  REQUIRE(two->store_flags(1, StoreMode::add, kDeleted, {}).ok());
  auto only = two->expunge(std::vector<uint32_t>{4});
  REQUIRE(only.ok());
  REQUIRE(only->size() == 1);
  CHECK(uids_of(*two) == std::vector<uint32_t>{2});
}

TEST_CASE("Maildir: read-only sessions change nothing", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  deliver_from_other_process(dir.path, "x");
  auto ro = select(*store, "INBOX", true);
  REQUIRE(ro->messages().size() == 1);
  CHECK_FALSE(ro->store_flags(0, StoreMode::add, kSeen, {}).ok());
  CHECK_FALSE(ro->expunge(std::nullopt).ok());
  CHECK_FALSE(fs::is_empty(dir.path + "/new"));  // EXAMINE leaves new/ alone
  auto st = store->status("INBOX");
  REQUIRE(st.ok());
  CHECK(st->messages == 1);
  CHECK(st->recent == 1);  // nobody took \Recent yet
  CHECK(st->unseen == 1);
  CHECK(st->uidnext == 2);
  auto rw = select(*store, "INBOX");
  CHECK(rw->messages()[0].recent);
  CHECK(store->status("INBOX")->recent == 0);
}

TEST_CASE("Maildir: folders — create, list, subscriptions, special use, delete", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  REQUIRE(store->create("Work/2024").ok());
  CHECK(fs::is_directory(dir.path + "/.Work.2024/cur"));
  CHECK(fs::exists(dir.path + "/.Work.2024/maildirfolder"));
  CHECK(store->exists("Work"));
  CHECK(store->create("Work").error().sys_errno == EEXIST);
  CHECK(store->create("inbox").error().sys_errno == EEXIST);
  CHECK(store->create("a.b").error().sys_errno == EINVAL);
  CHECK(store->create("a//b").error().sys_errno == EINVAL);
  REQUIRE(store->create("Données").ok());
  CHECK(fs::is_directory(dir.path + "/.Donn&AOk-es"));
  REQUIRE(store->ensure_special_use().ok());
  auto list = store->list();
  REQUIRE(list.ok());
  std::map<std::string, uint16_t> attrs;
  for (const auto& e : *list) attrs[e.name] = e.attrs;
  CHECK(list->front().name == "INBOX");
  CHECK(attrs.at("Work") & kHasChildren);
  CHECK(attrs.at("Work/2024") & kHasNoChildren);
  CHECK(attrs.count("Données"));
  CHECK(attrs.at("Sent") & kSent);
  CHECK(attrs.at("Sent") & kSubscribed);
  CHECK(attrs.at("Trash") & kTrash);
  CHECK(attrs.at("Junk") & kJunk);
  CHECK(attrs.at("Drafts") & kDrafts);
  // Already there: nothing new.
  REQUIRE(store->ensure_special_use().ok());
  CHECK(store->list()->size() == list->size());
  REQUIRE(store->subscribe("Work/2024").ok());
  auto subs = store->subscriptions();
  REQUIRE(subs.ok());
  CHECK(std::find(subs->begin(), subs->end(), "Work/2024") != subs->end());
  CHECK(slurp(dir.path + "/subscriptions").starts_with("V\t2\n\n"));
  CHECK(slurp(dir.path + "/subscriptions").find("Work\t2024\n") != std::string::npos);
  REQUIRE(store->unsubscribe("Work/2024").ok());
  CHECK(store->remove("INBOX").error().sys_errno == EPERM);
  CHECK(store->remove("Nope").error().sys_errno == ENOENT);
  REQUIRE(store->remove("Work").ok());
  CHECK_FALSE(store->exists("Work"));
  CHECK(store->exists("Work/2024"));  // a Maildir++ child lives on its own
  auto after = store->list();
  REQUIRE(after.ok());
  bool listed = false;
  for (const auto& e : *after)
    if (e.name == "Work") listed = (e.attrs & kNoSelect) && (e.attrs & kHasChildren);
  CHECK(listed);
}

TEST_CASE("Maildir: RENAME moves children; renaming INBOX moves its messages", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  REQUIRE(store->create("a/b/c").ok());
  REQUIRE(store->subscribe("a/b").ok());
  REQUIRE(store->append("a/b", "Subject: kept\r\n\r\nx\r\n", kSeen, {}, 1700000000).ok());
  REQUIRE(store->rename("a", "z").ok());
  CHECK_FALSE(store->exists("a"));
  CHECK_FALSE(store->exists("a/b/c"));
  CHECK(store->exists("z"));
  CHECK(store->exists("z/b/c"));
  {
    auto moved = select(*store, "z/b");
    REQUIRE(moved->messages().size() == 1);
    CHECK(moved->messages()[0].uid == 1);  // the UID list moved with it
    CHECK(moved->messages()[0].internal_date == 1700000000);
  }
  auto subs = store->subscriptions();
  REQUIRE(subs.ok());
  CHECK(std::find(subs->begin(), subs->end(), "z/b") != subs->end());
  CHECK(store->rename("z", "z/y").error().sys_errno == EINVAL);
  CHECK(store->rename("nope", "x").error().sys_errno == ENOENT);
  REQUIRE(store->create("taken").ok());
  CHECK(store->rename("z", "taken").error().sys_errno == EEXIST);

  deliver_from_other_process(dir.path, "old inbox mail");
  deliver_from_other_process(dir.path, "more");
  { select(*store, "INBOX"); }
  REQUIRE(store->rename("INBOX", "Archive").ok());
  CHECK(store->exists("INBOX"));
  auto inbox = select(*store, "INBOX");
  CHECK(inbox->messages().empty());
  auto archive = select(*store, "Archive");
  REQUIRE(archive->messages().size() == 2);
  CHECK(archive->read(0)->find("old inbox mail") != std::string::npos);
  // INBOX keeps counting: a new message does not reuse an old UID.
  deliver_from_other_process(dir.path, "new");
  REQUIRE(inbox->refresh(true).ok());
  REQUIRE(inbox->messages().size() == 1);
  CHECK(inbox->messages()[0].uid == 3);
}

TEST_CASE("Maildir: APPEND and COPY give UIDs for UIDPLUS and keep flags and dates", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  REQUIRE(store->create("Archive").ok());
  auto a = store->append("INBOX", "Subject: one\r\n\r\nbody\r\n", kSeen | kFlagged, {"$Label1"}, 1600000000);
  REQUIRE(a.ok());
  CHECK(a->uid == 1);
  CHECK(store->append("Missing", "x", 0, {}, std::nullopt).error().sys_errno == ENOENT);
  auto inbox = select(*store, "INBOX");
  REQUIRE(inbox->messages().size() == 1);
  CHECK(inbox->uidvalidity() == a->uidvalidity);
  const auto& m = inbox->messages()[0];
  CHECK(m.flags == (kSeen | kFlagged));
  CHECK(m.keywords == std::vector<std::string>{"$Label1"});
  CHECK(m.internal_date == 1600000000);
  CHECK(m.rfc822_size == 22);
  CHECK(m.recent);
  auto copied = inbox->copy({0}, "Archive");
  REQUIRE(copied.ok());
  REQUIRE(copied->uids.size() == 1);
  CHECK(copied->uids[0] == std::make_pair(1u, 1u));
  CHECK(inbox->copy({0}, "Nowhere").error().sys_errno == ENOENT);
  auto archive = select(*store, "Archive");
  CHECK(archive->uidvalidity() == copied->uidvalidity);
  REQUIRE(archive->messages().size() == 1);
  CHECK(archive->messages()[0].flags == (kSeen | kFlagged));
  CHECK(archive->messages()[0].keywords == std::vector<std::string>{"$Label1"});
  CHECK(archive->messages()[0].internal_date == 1600000000);
  CHECK(archive->messages()[0].recent);
  CHECK(*archive->read(0) == *inbox->read(0));
}

TEST_CASE("Maildir: the cache keeps strings across sessions", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  for (int i = 0; i < 2; ++i) deliver_from_other_process(dir.path, "m");
  {
    auto inbox = select(*store, "INBOX");
    CHECK_FALSE(inbox->cached(1, "envelope"));
    inbox->store_cached(1, "envelope", "(\"date\" \"subject\")");
    inbox->store_cached(2, "bodystructure", std::string(5000, 'x'));
    CHECK(*inbox->cached(1, "envelope") == "(\"date\" \"subject\")");
  }
  auto inbox = select(*store, "INBOX");
  CHECK(*inbox->cached(1, "envelope") == "(\"date\" \"subject\")");
  CHECK(inbox->cached(2, "bodystructure")->size() == 5000);
  CHECK_FALSE(inbox->cached(2, "envelope"));
  // A torn last record (a crash while appending) costs only that record.
  inbox->store_cached(2, "envelope", "e2");
  REQUIRE(inbox->flush().ok());
  auto size = fs::file_size(dir.path + "/postern-cache");
  fs::resize_file(dir.path + "/postern-cache", size - 3);
  auto later = select(*store, "INBOX");
  CHECK(*later->cached(1, "envelope") == "(\"date\" \"subject\")");
  CHECK_FALSE(later->cached(2, "envelope"));
  // Strings of expunged messages are dropped once they are most of the file.
  later->store_cached(2, "body", std::string(3 << 20, 'b'));
  REQUIRE(later->flush().ok());
  CHECK(fs::file_size(dir.path + "/postern-cache") > (3u << 20));
  REQUIRE(later->store_flags(1, StoreMode::add, kDeleted, {}).ok());
  REQUIRE(later->expunge(std::nullopt).ok());
  later.reset();
  inbox.reset();
  CHECK(fs::file_size(dir.path + "/postern-cache") < 4096);
  auto last = select(*store, "INBOX");
  CHECK(*last->cached(1, "envelope") == "(\"date\" \"subject\")");
}

TEST_CASE("Maildir: a damaged index is rebuilt with the same UIDs", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  for (int i = 0; i < 5; ++i) deliver_from_other_process(dir.path, "m" + std::to_string(i));
  std::vector<uint32_t> uids;
  {
    auto inbox = select(*store, "INBOX");
    REQUIRE(inbox->store_flags(3, StoreMode::add, kAnswered, {}).ok());
    uids = uids_of(*inbox);
  }
  std::string index = dir.path + "/postern-index";
  REQUIRE(fs::exists(index));
  auto text = slurp(index);
  SECTION("truncated") { fs::resize_file(index, text.size() / 2); }
  SECTION("a flipped byte") {
    text[text.size() / 2] ^= 0x20;
    std::ofstream(index) << text;
  }
  SECTION("garbage") { std::ofstream(index) << "not an index\n"; }
  SECTION("missing") { fs::remove(index); }
  auto inbox = select(*store, "INBOX");
  CHECK(uids_of(*inbox) == uids);
  CHECK(inbox->messages()[3].flags == kAnswered);
  CHECK(inbox->messages()[0].rfc822_size > 0);
}

TEST_CASE("Maildir: a lock left by a killed process does not block", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  // A pid that is not running on this host.
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  write(dir.path + "/dovecot-uidlist.lock", std::to_string(dead) + ":" + host);
  auto start = std::chrono::steady_clock::now();
  auto a = store->append("INBOX", "Subject: x\r\n\r\n", 0, {}, std::nullopt);
  REQUIRE(a.ok());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK_FALSE(fs::exists(dir.path + "/dovecot-uidlist.lock"));
}

TEST_CASE("Maildir: kill -9 during APPENDs leaves unique UIDs and no lost message", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  for (int round = 0; round < 3; ++round) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto s = open_mail_store(MailLocation{MailLocation::Format::maildir, dir.path, dir.path});
      for (int i = 0; s && i < 100000; ++i) (void)(*s)->append("INBOX", "Subject: x\r\n\r\nbody\r\n", 0, {}, std::nullopt);
      ::_exit(0);
    }
    // Kill it mid-stream: once it has stored something, at a varying moment.
    auto count = [&] {
      size_t n = 0;
      for (const auto& e : fs::directory_iterator(dir.path + "/cur")) n += e.is_regular_file();
      return n;
    };
    size_t before = count();
    for (int wait = 0; wait < 500 && count() == before; ++wait) ::usleep(10000);
    ::usleep(5000 + round * 7000);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  // Every file in cur/ is a message with its own UID.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path + "/cur")) files += e.is_regular_file();
  auto inbox = select(*store, "INBOX");
  auto uids = uids_of(*inbox);
  REQUIRE(files > 0);
  CHECK(uids.size() == files);
  CHECK(std::set<uint32_t>(uids.begin(), uids.end()).size() == uids.size());
  auto list = parse_uidlist(slurp(dir.path + "/dovecot-uidlist"));
  REQUIRE(list);
  CHECK(list->nextuid > uids.back());
}

TEST_CASE("Maildir: 10,000 messages open from the index without touching message files", "[mailstore][maildir]") {
  TempDir dir;
  fs::create_directories(dir.path + "/cur");
  fs::create_directories(dir.path + "/new");
  fs::create_directories(dir.path + "/tmp");
  const int n = 10000;
  for (int i = 0; i < n; ++i) {
    std::string base = std::to_string(1700000000 + i) + ".M" + std::to_string(i) + "P1.host,S=24,W=26";
    write(dir.path + "/cur/" + base + ":2," + (i % 3 ? "S" : ""), "Subject: " + std::to_string(100000 + i).substr(1) + "\n\nbody\n\n");
  }
  auto store = store_at(dir.path);
  {
    auto first = std::chrono::steady_clock::now();
    auto inbox = select(*store, "INBOX");
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - first).count();
    WARN("first open (scan, UIDs assigned) of " << n << " messages: " << ms << " ms");
    REQUIRE(inbox->messages().size() == size_t(n));
    for (int i = 0; i < n; ++i) inbox->store_cached(uint32_t(i + 1), "envelope", "(NIL \"" + std::to_string(i) + "\")");
  }
  // Let the folder's mtimes settle so the index may vouch for them.
  struct timespec old[2] = {{1700000000, 0}, {1700000000, 0}};
  for (const char* sub : {"", "/cur", "/new"}) ::utimensat(AT_FDCWD, (dir.path + sub).c_str(), old, 0);
  ::utimensat(AT_FDCWD, (dir.path + "/dovecot-uidlist").c_str(), old, 0);
  { select(*store, "INBOX"); }  // writes an index that trusts the settled mtimes

  // A file slipped in without moving cur/'s mtime: an open that read the
  // directory would see it; one from the index does not.
  write(dir.path + "/cur/1800000000.Mstray.host,S=5:2,", "x\n");
  ::utimensat(AT_FDCWD, (dir.path + "/cur").c_str(), old, 0);
  // No message file can be read: make them unreadable (for root, in a child
  // that gives up root first).
  for (const auto& e : fs::directory_iterator(dir.path + "/cur")) ::chmod(e.path().c_str(), 0);
  for (const char* p : {"", "/cur", "/new", "/tmp"}) ::chmod((dir.path + p).c_str(), 0755);
  for (const char* p : {"/postern-index", "/postern-cache", "/dovecot-uidlist"}) ::chmod((dir.path + p).c_str(), 0644);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(10);
    auto s = open_mail_store(MailLocation{MailLocation::Format::maildir, dir.path, dir.path});
    if (!s) ::_exit(11);
    auto start = std::chrono::steady_clock::now();
    auto f = (*s)->open_folder("INBOX", true);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    if (!f) ::_exit(12);
    const auto& msgs = (*f)->messages();
    if (msgs.size() != size_t(n)) ::_exit(13);  // n + 1 would mean a directory scan
    size_t seen = 0;
    for (const auto& m : msgs) {
      if (m.rfc822_size != 26) ::_exit(14);
      seen += (m.flags & kSeen) != 0;
      auto env = (*f)->cached(m.uid, "envelope");
      if (!env || *env != "(NIL \"" + std::to_string(m.uid - 1) + "\")") ::_exit(15);
    }
    if (seen != size_t(n - (n + 2) / 3)) ::_exit(16);
    if ((*f)->read(0).ok()) ::_exit(17);  // the files really are unreadable
    std::ofstream("/tmp/" + fs::path(dir.path).filename().string() + ".us") << us;
    ::_exit(us < 2000000 ? 0 : 18);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::string us_file = "/tmp/" + fs::path(dir.path).filename().string() + ".us";
  WARN("open from the index of " << n << " messages: " << slurp(us_file) << " us");
  fs::remove(us_file);
  for (const auto& e : fs::directory_iterator(dir.path + "/cur")) ::chmod(e.path().c_str(), 0600);
}

TEST_CASE("Maildir: one refresh with an expunge and a delivery reports both", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  for (int i = 0; i < 3; ++i) deliver_from_other_process(dir.path, "m" + std::to_string(i));
  auto one = select(*store, "INBOX");
  auto two = select(*store, "INBOX");
  REQUIRE(one->store_flags(1, StoreMode::add, kDeleted, {}).ok());
  REQUIRE(one->expunge(std::nullopt).ok());
  deliver_from_other_process(dir.path, "new");
  auto c = two->refresh(true);
  REQUIRE(c.ok());
  REQUIRE(c->expunged.size() == 1);
  CHECK(c->expunged[0].seq == 2);
  CHECK(c->old_count == 2);  // after the expunge: EXISTS is due because 2 != 3
  CHECK(c->new_count == 3);
  CHECK(uids_of(*two) == std::vector<uint32_t>{1, 3, 4});
  CHECK(two->messages()[2].recent);  // session one never looked again
}

namespace {

// The one file in cur/ whose name starts with `base`.
std::string cur_file_of(const std::string& maildir, const std::string& base) {
  for (const auto& e : fs::directory_iterator(maildir + "/cur"))
    if (e.path().filename().string().starts_with(base)) return e.path().string();
  return {};
}

}  // namespace

TEST_CASE("Maildir: flag renames by others are seen; own STOREs are not echoed back", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  for (int i = 0; i < 5; ++i) deliver_from_other_process(dir.path, "m" + std::to_string(i));
  auto one = select(*store, "INBOX");
  auto two = select(*store, "INBOX");
  auto list = read_uidlist(dir.path);
  REQUIRE(list.ok());
  REQUIRE((*list)->entries.size() == 5);

  // A run of our own STOREs: the view already says so, refresh() reports nothing.
  for (int round = 0; round < 3; ++round) {
    REQUIRE(one->store_flags(3, StoreMode::add, kFlagged, {}).ok());
    REQUIRE(one->store_flags(3, StoreMode::remove, kFlagged, {}).ok());
    REQUIRE(one->store_flags(4, StoreMode::add, kSeen, {}).ok());
    auto quiet = one->refresh(true);
    REQUIRE(quiet.ok());
    CHECK(quiet->flags_changed.empty());
    CHECK(quiet->expunged.empty());
  }
  CHECK(one->messages()[4].flags == kSeen);

  // Another process (a local MUA) renames a file in cur/ by hand.
  std::string file = cur_file_of(dir.path, (*list)->entries[2].base);
  REQUIRE_FALSE(file.empty());
  fs::rename(file, file.substr(0, file.find(":2,")) + ":2,FS");
  for (auto* f : {one.get(), two.get()}) {
    auto seen = f->refresh(true);
    REQUIRE(seen.ok());
    CHECK(std::find(seen->flags_changed.begin(), seen->flags_changed.end(), 2) != seen->flags_changed.end());
    CHECK(f->messages()[2].flags == (kFlagged | kSeen));
  }
  CHECK(two->messages()[4].flags == kSeen);  // session one's STORE, seen by two

  // A message put straight into cur/ (no UID yet) and one removed by hand in
  // the same refresh: the quick cur/ look gives way to the full rescan.
  write(dir.path + "/cur/1700000000.M1P1.other:2,S", "Subject: by hand\r\n\r\nx\r\n");
  fs::remove(cur_file_of(dir.path, (*list)->entries[0].base));
  auto both = two->refresh(true);
  REQUIRE(both.ok());
  REQUIRE(both->expunged.size() == 1);
  CHECK(both->expunged[0].seq == 1);
  CHECK(both->new_count == 5);
  CHECK(uids_of(*two) == std::vector<uint32_t>{2, 3, 4, 5, 6});
  CHECK(two->messages()[4].flags == kSeen);
}

TEST_CASE("Maildir: a change hidden by an unchanged cur/ stamp shows after the re-check delay", "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  for (int i = 0; i < 3; ++i) deliver_from_other_process(dir.path, "m" + std::to_string(i));
  auto one = select(*store, "INBOX");
  REQUIRE(one->store_flags(0, StoreMode::add, kSeen, {}).ok());
  REQUIRE(one->refresh(true).ok());
  // Someone renames a file in the same clock tick as our last look: cur/'s
  // stamp stays what we know (simulated by putting its mtime back).
  std::string cur = dir.path + "/cur";
  struct stat before{};
  REQUIRE(::stat(cur.c_str(), &before) == 0);
  auto list = read_uidlist(dir.path);
  REQUIRE(list.ok());
  std::string file = cur_file_of(dir.path, (*list)->entries[1].base);
  fs::rename(file, file.substr(0, file.find(":2,")) + ":2,D");
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, cur.c_str(), times, 0) == 0);
  // Within a second of the last scan the change may stay unseen; after it, not.
  ::usleep(1050 * 1000);
  auto later = one->refresh(true);
  REQUIRE(later.ok());
  CHECK(later->flags_changed == std::vector<size_t>{1});
  CHECK(one->messages()[1].flags == kDraft);
}

TEST_CASE("Maildir: a lazy refresh leaves others' flag changes for a tenth of a second, never new mail",
          "[mailstore][maildir]") {
  TempDir dir;
  auto store = store_at(dir.path);
  for (int i = 0; i < 3; ++i) deliver_from_other_process(dir.path, "m" + std::to_string(i));
  auto one = select(*store, "INBOX");
  auto two = select(*store, "INBOX");
  REQUIRE(two->refresh(true).ok());
  // Let the stamps settle so that only the lazy rule can hold a change back.
  ::usleep(2100 * 1000);
  REQUIRE(two->refresh(true).ok());
  two->set_lazy_flag_sync(true);
  REQUIRE(one->store_flags(0, StoreMode::add, kFlagged, {}).ok());
  auto soon = two->refresh(true);
  REQUIRE(soon.ok());
  CHECK(soon->flags_changed.empty());  // listed cur/ less than 100 ms ago
  CHECK_FALSE(two->messages()[0].flags & kFlagged);
  // New mail is never put off.
  deliver_from_other_process(dir.path, "m3");
  auto with_new = two->refresh(true);
  REQUIRE(with_new.ok());
  CHECK(with_new->new_count == 4);
  CHECK(two->messages()[0].flags & kFlagged);  // the full look saw the rename too
  // After the delay a lazy refresh looks; an eager one looks at once.
  REQUIRE(one->store_flags(1, StoreMode::add, kSeen, {}).ok());
  two->set_lazy_flag_sync(false);
  auto eager = two->refresh(true);
  REQUIRE(eager.ok());
  CHECK(eager->flags_changed == std::vector<size_t>{1});
  two->set_lazy_flag_sync(true);
  REQUIRE(one->store_flags(2, StoreMode::add, kSeen, {}).ok());
  ::usleep(150 * 1000);
  auto later = two->refresh(true);
  REQUIRE(later.ok());
  CHECK(later->flags_changed == std::vector<size_t>{2});
}

TEST_CASE("Maildir: new mail another session already took \\Recent for shows without waiting for the lock",
          "[mailstore][maildir]") {
  // A hundred sessions IDLE on one folder all see each delivery; the one that
  // claims \Recent writes the index, the others must not queue for the
  // uidlist lock before they can say EXISTS.
  TempDir dir;
  auto store = store_at(dir.path);
  deliver_from_other_process(dir.path, "m0");
  auto one = select(*store, "INBOX");
  auto two = select(*store, "INBOX");
  deliver_from_other_process(dir.path, "m1");
  auto claimed = one->refresh(true);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->new_count == 2);
  CHECK(one->messages()[1].recent);
  auto held = UidListLock::acquire(dir.path, 1000);  // a third session busy in the folder
  REQUIRE(held.ok());
  auto started = std::chrono::steady_clock::now();
  auto seen = two->refresh(true);
  auto waited = std::chrono::steady_clock::now() - started;
  REQUIRE(seen.ok());
  CHECK(seen->new_count == 2);
  CHECK_FALSE(two->messages()[1].recent);
  CHECK(waited < std::chrono::seconds(2));  // before: 30 s for the lock
}

TEST_CASE("Maildir: the uidlist lock can be waited for without taking it", "[mailstore][maildir]") {
  TempDir dir;
  fs::create_directories(dir.path);
  CHECK_FALSE(UidListLock::wait_while_held(dir.path, 1000));  // nobody holds it: no wait
  {
    auto held = UidListLock::acquire(dir.path, 1000);
    REQUIRE(held.ok());
    auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(UidListLock::wait_while_held(dir.path, 200));  // still held when the time is up
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(200));
    std::thread later([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      held->release();
    });
    CHECK(UidListLock::wait_while_held(dir.path, 5000));  // held, then free
    later.join();
  }
}

TEST_CASE("Maildir: the uidlist lock is taken only while its work is still needed", "[mailstore][maildir]") {
  TempDir dir;
  fs::create_directories(dir.path);
  int asked = 0;
  auto needed = [&] { return ++asked, true; };
  {
    auto free_lock = UidListLock::acquire_unless_done(dir.path, 1000, needed);  // free: taken at once
    REQUIRE(free_lock.ok());
    CHECK(free_lock->has_value());
    CHECK(asked == 0);
  }
  auto held = UidListLock::acquire(dir.path, 1000);
  REQUIRE(held.ok());
  auto started = std::chrono::steady_clock::now();
  auto timed_out = UidListLock::acquire_unless_done(dir.path, 200, needed);  // held throughout
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.error().sys_errno == EAGAIN);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(200));

  // The holder lets go having done the work: nothing is taken. It lets go
  // once the waiter has tried and failed (its attempt creates a temporary
  // file), so the waiter must wait, however slow the machine.
  auto let_go_after_a_try = [&] {
    auto tried = std::make_shared<FolderWatch>(
        std::vector<WatchPath>{{dir.path, {"dovecot-uidlist.lock.tmp." + std::to_string(::getpid())}}});
    return std::thread([&held, tried] {
      for (int i = 0; i < 100; ++i) {
        pollfd p{tried->fd(), POLLIN, 0};
        if (::poll(&p, 1, 100) == 1 && tried->drain()) break;
      }
      held->release();
    });
  };
  std::thread holder = let_go_after_a_try();
  asked = 0;
  auto done = UidListLock::acquire_unless_done(dir.path, 5000, [&] { return ++asked, false; });
  holder.join();
  REQUIRE(done.ok());
  CHECK_FALSE(done->has_value());
  CHECK(asked == 1);
  CHECK_FALSE(fs::exists(dir.path + "/dovecot-uidlist.lock"));

  // It lets go with the work still to do: the lock is ours.
  held = UidListLock::acquire(dir.path, 1000);
  REQUIRE(held.ok());
  std::thread second = let_go_after_a_try();
  asked = 0;
  auto mine = UidListLock::acquire_unless_done(dir.path, 5000, needed);
  second.join();
  REQUIRE(mine.ok());
  CHECK(mine->has_value());
  CHECK(asked == 1);
  CHECK(fs::exists(dir.path + "/dovecot-uidlist.lock"));
}

TEST_CASE("Maildir: a session that finds the lock held takes the UIDs its holder gave", "[mailstore][maildir]") {
  // Many sessions see the same delivery; the first numbers it. The others
  // wait for its lock to go and read the list again instead of queueing.
  TempDir dir;
  auto store = store_at(dir.path);
  deliver_from_other_process(dir.path, "m0");
  auto session = select(*store, "INBOX");
  deliver_from_other_process(dir.path, "m1");
  std::string base;
  for (const auto& e : fs::directory_iterator(dir.path + "/new")) base = e.path().filename().string();
  REQUIRE_FALSE(base.empty());
  base = base.substr(0, base.find(':'));
  auto holder = UidListLock::acquire(dir.path, 1000);
  REQUIRE(holder.ok());
  bool assigned = false;  // checked after the join: Catch2 asserts on one thread only
  std::thread other_session([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    assigned = assign_uids(*holder, dir.path, dir.path, {base}, nullptr).ok();
    holder->release();
  });
  auto seen = session->refresh(true);
  other_session.join();
  REQUIRE(assigned);
  REQUIRE(seen.ok());
  CHECK(seen->new_count == 2);
  auto list = read_uidlist(dir.path);
  REQUIRE((list.ok() && *list));
  CHECK((*list)->entries.back().base == base);
  CHECK(session->messages()[1].uid == (*list)->entries.back().uid);
}
