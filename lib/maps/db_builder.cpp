// Atomic Berkeley DB builds: temp file in the same folder, fsync, rename.
#include "lib/maps/db_builder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"

namespace postern::maps {

namespace {

constexpr unsigned kBuildCacheBytes = 16u << 20;  // Postfix's dict_db_cache_size for postmap

std::string parent_dir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status fsync_path(const std::string& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (!fd) return sys_error("open " + path);
  if (::fsync(fd.get()) != 0) return sys_error("fsync " + path);
  return {};
}

}  // namespace

Result<DbBuilder> DbBuilder::start(const std::string& db_path, const BuildOptions& options) {
  DbBuilder b;
  b.db_path_ = db_path;
  b.options_ = options;
  b.tmp_path_ = db_path + ".tmp." + std::to_string(::getpid());

  struct stat old {};
  bool existed = ::stat(db_path.c_str(), &old) == 0;
  if (existed) {
    b.lock_.reset(::open(db_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (b.lock_) {
      while (::flock(b.lock_.get(), LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ::unlink(b.tmp_path_.c_str());  // a leftover from a crashed build with our pid
  auto db = DbFile::create(b.tmp_path_, options.kind, options.mode, kBuildCacheBytes);
  if (!db) return db.error();
  b.db_ = std::move(db.value());
  // Berkeley DB applies the umask; set the mode we mean (and keep the owner).
  (void)::chmod(b.tmp_path_.c_str(), existed ? (old.st_mode & 07777) : options.mode);
  if (existed) (void)::chown(b.tmp_path_.c_str(), old.st_uid, old.st_gid);

  if (options.start_from_existing && existed) {
    auto cur = DbFile::open_read(db_path, options.kind);
    if (!cur) return cur.error();
    Status copy_status;
    auto st = cur->for_each([&](std::string_view k, std::string_view v) {
      if (!copy_status) return;
      auto put = b.db_.put(k, v, true);
      if (!put) copy_status = put.error();
    });
    if (!st) return st.error();
    if (!copy_status) return copy_status.error();
  }
  return b;
}

DbBuilder::DbBuilder(DbBuilder&& other) noexcept
    : db_path_(std::move(other.db_path_)),
      tmp_path_(std::exchange(other.tmp_path_, {})),  // the moved-from must not unlink it
      options_(other.options_),
      db_(std::move(other.db_)),
      lock_(std::move(other.lock_)),
      committed_(other.committed_) {}

DbBuilder::~DbBuilder() {
  if (!committed_ && !tmp_path_.empty()) {
    (void)db_.close();
    ::unlink(tmp_path_.c_str());
  }
}

std::string DbBuilder::stored_key(std::string_view key) const {
  std::string k = options_.fold_case ? to_lower(key) : std::string(key);
  if (options_.nul == NulMode::with_nul) k.push_back('\0');
  return k;
}

std::string_view DbBuilder::stored_key_into_buffer(std::string_view key) {
  key_buf_.assign(key);
  if (options_.fold_case) {
    for (char& c : key_buf_) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;  // as to_lower()
  }
  if (options_.nul == NulMode::with_nul) key_buf_.push_back('\0');
  return key_buf_;
}

Result<bool> DbBuilder::put(std::string_view key, std::string_view value, bool replace) {
  std::string_view stored_key = stored_key_into_buffer(key);
  if (options_.nul != NulMode::with_nul) return db_.put(stored_key, value, replace);
  value_buf_.assign(value);
  value_buf_.push_back('\0');
  return db_.put(stored_key, value_buf_, replace);
}

Result<bool> DbBuilder::put_raw(std::string_view key, std::string_view value, bool replace) {
  return db_.put(key, value, replace);
}

Result<bool> DbBuilder::remove(std::string_view key) {
  std::string k = options_.fold_case ? to_lower(key) : std::string(key);
  auto without = db_.remove(k);
  if (!without) return without;
  k.push_back('\0');
  auto with = db_.remove(k);
  if (!with) return with;
  return *without || *with;
}

Status DbBuilder::commit() {
  if (auto st = db_.close(); !st) return st;
  if (auto st = fsync_path(tmp_path_, O_RDONLY); !st) return st;
  if (::rename(tmp_path_.c_str(), db_path_.c_str()) != 0) return sys_error("rename " + tmp_path_ + " to " + db_path_);
  committed_ = true;
  (void)fsync_path(parent_dir(db_path_), O_RDONLY | O_DIRECTORY);
  lock_.reset();
  return {};
}

}  // namespace postern::maps
