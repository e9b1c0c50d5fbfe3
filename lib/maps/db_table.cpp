// hash: and btree: tables: Berkeley DB files named <name>.db, read the way
// Postfix reads them (key with a trailing NUL first, then without), under a
// shared flock so an in-place update by Postfix's own postmap is never seen
// half done, and re-opened when the file is rebuilt. Daemons, commands.
#include <sys/file.h>
#include <fcntl.h>

#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/log/log.hpp"
#include "lib/maps/file_stamp.hpp"
#include "lib/maps/table_types.hpp"

namespace postern::maps {

namespace {

std::string_view strip_nul(std::string_view s) {
  if (!s.empty() && s.back() == '\0') s.remove_suffix(1);
  return s;
}

// Holds a flock for one scope; Postfix's writers take LOCK_EX on the .db.
class SharedLock {
 public:
  explicit SharedLock(int fd) : fd_(fd) {
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_SH) != 0 && errno == EINTR) {
      }
    }
  }
  ~SharedLock() {
    if (fd_ >= 0) ::flock(fd_, LOCK_UN);
  }
  SharedLock(const SharedLock&) = delete;
  SharedLock& operator=(const SharedLock&) = delete;

 private:
  int fd_;
};

class DbTable : public Table {
 public:
  DbTable(DbKind kind, std::string path, std::string spec, const OpenFlags& flags)
      : kind_(kind), path_(std::move(path)), flags_(flags), watch_(path_, flags.recheck_interval) {
    spec_ = std::move(spec);
  }

  Status open() {
    UniqueFd lock(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!lock) return sys_error("open database " + path_);
    // Stamp before opening so a rebuild racing with us is seen next time.
    auto stamp = FileStamp::of(path_);
    SharedLock guard(lock.get());
    auto db = DbFile::open_read(path_, kind_);
    if (!db) return db.error();
    db_ = std::move(db.value());
    lock_ = std::move(lock);
    nul_ = Nul::unknown;
    watch_.remember(stamp);
    return {};
  }

  LookupResult lookup(std::string_view key) override {
    if (watch_.changed()) {
      if (auto st = open(); !st) {
        log::warning("%s: cannot re-open rebuilt table, using the old one: %s", spec_.c_str(),
                     st.error().message.c_str());
      }
    }
    if (!db_.valid()) return LookupResult::temp_fail(spec_ + ": table is not open");
    std::string k = flags_.fold_case ? to_lower(key) : std::string(key);
    SharedLock guard(lock_.get());
    // Postfix on Linux writes "key\0"; other builders (or postmap -n) do not.
    // Like Postfix, try both until one form hits, then stick to that form.
    Result<std::optional<std::string>> got = std::optional<std::string>{};
    if (nul_ != Nul::without) {
      k.push_back('\0');
      got = db_.get(k);
      k.pop_back();
      if (got && got.value()) nul_ = Nul::with;
    }
    if (got && !got.value() && nul_ != Nul::with) {
      got = db_.get(k);
      if (got && got.value()) nul_ = Nul::without;
    }
    if (!got) return LookupResult::temp_fail(got.error().message);
    if (!got.value()) return LookupResult::not_found();
    return LookupResult::found(std::string(strip_nul(*got.value())));
  }

  Status for_each(const std::function<void(std::string_view, std::string_view)>& fn) override {
    if (!db_.valid()) return Error{spec_ + ": table is not open"};
    SharedLock guard(lock_.get());
    return db_.for_each([&](std::string_view k, std::string_view v) { fn(strip_nul(k), strip_nul(v)); });
  }

 private:
  DbKind kind_;
  std::string path_;
  OpenFlags flags_;
  ChangeWatch watch_;
  UniqueFd lock_;
  DbFile db_;
  enum class Nul { unknown, with, without } nul_ = Nul::unknown;  // reset when the file is re-opened
};

}  // namespace

Result<TablePtr> open_db_table(DbKind kind, const std::string& name, const std::string& spec,
                               const OpenFlags& flags) {
  auto t = std::make_unique<DbTable>(kind, name + ".db", spec, flags);
  if (auto st = t->open(); !st) return st.error();
  return TablePtr(std::move(t));
}

}  // namespace postern::maps
