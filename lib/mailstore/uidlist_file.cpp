// dovecot-uidlist parsing, formatting and its lock. Runs in imapd's mail
// process (and pop3d for reading) as the mailbox owner.
#include "lib/mailstore/uidlist_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "lib/base/file_io.hpp"
#include "lib/base/host_name.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::mailstore {
namespace {

constexpr int kStaleSeconds = 120;

std::optional<uint32_t> to_u32(std::string_view s) {
  auto n = parse_long(s);
  if (!n || *n < 0 || *n > 0xFFFFFFFFLL) return std::nullopt;
  return uint32_t(*n);
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    size_t e = line.find(' ', i);
    if (e == std::string_view::npos) e = line.size();
    if (e > i) out.push_back(line.substr(i, e - i));
    i = e + 1;
  }
  return out;
}

std::string lock_path(const std::string& dir) { return dir + "/dovecot-uidlist.lock"; }

// True when the lock at `path` (already stat'ed as `st`) was left behind.
bool lock_is_stale(const std::string& path, const struct stat& st) {
  if (::time(nullptr) - st.st_mtime > kStaleSeconds) return true;
  auto text = read_file(path);
  if (!text) return false;
  std::string_view t = trim(*text);
  auto colon = t.find(':');
  if (colon == std::string_view::npos || t.find('\n') != std::string_view::npos) return false;
  auto pid = parse_long(t.substr(0, colon));
  if (!pid || *pid <= 0 || t.substr(colon + 1) != host_name()) return false;
  return ::kill(pid_t(*pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

std::optional<UidList> parse_uidlist(std::string_view text) {
  UidList out;
  size_t pos = 0;
  bool header = true;
  int version = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto w = words(line);
    if (w.empty()) continue;
    if (header) {
      header = false;
      if (w[0] == "3" || w[0] == "2") {
        version = 3;
        for (size_t i = 1; i < w.size(); ++i) {
          std::string_view f = w[i];
          if (f.size() > 1 && f[0] == 'V') out.uidvalidity = to_u32(f.substr(1)).value_or(0);
          else if (f.size() > 1 && f[0] == 'N') out.nextuid = to_u32(f.substr(1)).value_or(1);
          else if (f.size() > 1 && f[0] == 'G') out.guid = std::string(f.substr(1));
          else out.other_header += " " + std::string(f);
        }
      } else if (w[0] == "1" && w.size() >= 3) {
        version = 1;
        out.uidvalidity = to_u32(w[1]).value_or(0);
        out.nextuid = to_u32(w[2]).value_or(1);
      } else {
        return std::nullopt;
      }
      if (out.uidvalidity == 0) return std::nullopt;
      continue;
    }
    auto uid = to_u32(w[0]);
    if (!uid || *uid == 0 || w.size() < 2) continue;
    UidListEntry e;
    e.uid = *uid;
    // v3: "<uid> [ext ...] :<name>"; the name is everything after " :".
    auto colon = line.find(" :");
    if (colon != std::string_view::npos) {
      e.base = std::string(line.substr(colon + 2));
      size_t ext_start = w[0].size();
      if (colon > ext_start) e.ext = std::string(trim(line.substr(ext_start, colon - ext_start)));
    } else {
      e.base = std::string(w.back());
    }
    e.base = e.base.substr(0, e.base.find(':'));  // v1 lists may keep ":2,<flags>"
    if (e.base.empty()) continue;
    out.entries.push_back(std::move(e));
  }
  if (header) return std::nullopt;
  (void)version;
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const UidListEntry& a, const UidListEntry& b) { return a.uid < b.uid; });
  // A UID must name one file: keep the first of duplicates.
  out.entries.erase(std::unique(out.entries.begin(), out.entries.end(),
                                [](const UidListEntry& a, const UidListEntry& b) { return a.uid == b.uid; }),
                    out.entries.end());
  if (!out.entries.empty() && out.nextuid <= out.entries.back().uid) out.nextuid = out.entries.back().uid + 1;
  return out;
}

std::string format_uidlist(const UidList& list) {
  std::string out = "3 V" + std::to_string(list.uidvalidity) + " N" + std::to_string(list.nextuid);
  if (!list.guid.empty()) out += " G" + list.guid;
  out += list.other_header;
  out += "\n";
  out.reserve(out.size() + list.entries.size() * 72);
  for (const auto& e : list.entries) {
    out += std::to_string(e.uid);
    if (!e.ext.empty()) out += " " + e.ext;
    out += " :";
    out += e.base;
    out += "\n";
  }
  return out;
}

std::string new_mailbox_guid() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    // Not a secret: uniqueness is enough, so time and pid will do.
    uint64_t a = uint64_t(std::chrono::system_clock::now().time_since_epoch().count()), b = uint64_t(::getpid());
    for (int i = 0; i < 8; ++i) raw[i] = uint8_t(a >> (8 * i)), raw[8 + i] = uint8_t(b >> (8 * i));
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) out += {hex[c >> 4], hex[c & 15]};
  return out;
}

Result<std::optional<UidList>> read_uidlist(const std::string& folder_dir) {
  std::string path = folder_dir + "/dovecot-uidlist";
  auto text = read_file(path);
  if (!text) {
    if (text.error().sys_errno == ENOENT) return std::optional<UidList>{};
    return text.error();
  }
  auto list = parse_uidlist(*text);
  if (!list) return Error{path + ": not a dovecot-uidlist file", EINVAL};
  return std::optional<UidList>(std::move(*list));
}

Result<UidListLock> UidListLock::acquire(const std::string& folder_dir, int timeout_ms) {
  std::string path = lock_path(folder_dir);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int delay_ms = 2;
  for (;;) {
    // The lock appears with its owner already in it (a temporary file
    // link()ed into place, as Dovecot does), so a process killed at any
    // moment never leaves an anonymous lock behind.
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return sys_error("create " + tmp);
    (void)write_all(fd, std::to_string(::getpid()) + ":" + host_name());
    int linked = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (linked == 0) {
      UidListLock lock;
      lock.dir_ = folder_dir;
      lock.fd_ = fd;
      return lock;
    }
    ::close(fd);
    if (err != EEXIST) return sys_error("create " + path, err);
    struct stat st{};
    if (::lstat(path.c_str(), &st) == 0 && lock_is_stale(path, st)) {
      // Remove only the lock we judged, not one somebody made meanwhile.
      struct stat again{};
      if (::lstat(path.c_str(), &again) == 0 && again.st_ino == st.st_ino) ::unlink(path.c_str());
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return Error{"timed out waiting for " + path, EAGAIN};
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    delay_ms = std::min(delay_ms * 2, 50);
  }
}

bool UidListLock::wait_while_held(const std::string& folder_dir, int timeout_ms) {
  std::string path = lock_path(folder_dir);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) return false;
  int delay_ms = 1;
  // Only stat() while waiting: a waiter that tried to take the lock would
  // create and remove a file per attempt.
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    delay_ms = std::min(delay_ms * 2, 10);
    if (::lstat(path.c_str(), &st) != 0) return true;
    if (lock_is_stale(path, st)) return false;  // acquire() clears it
  }
  return false;
}

Result<std::optional<UidListLock>> UidListLock::acquire_unless_done(const std::string& folder_dir, int timeout_ms,
                                                                    const std::function<bool()>& still_needed) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto lock = acquire(folder_dir, 0);  // one attempt (a stale lock is cleared)
    if (lock) return std::optional<UidListLock>(std::move(*lock));
    const auto left = deadline - std::chrono::steady_clock::now();
    if (lock.error().sys_errno != EAGAIN || left <= std::chrono::steady_clock::duration::zero()) return lock.error();
    wait_while_held(folder_dir, int(std::chrono::ceil<std::chrono::milliseconds>(left).count()));
    if (!still_needed()) return std::optional<UidListLock>();
  }
}

UidListLock::UidListLock(UidListLock&& other) noexcept
    : dir_(std::move(other.dir_)), fd_(std::exchange(other.fd_, -1)) {}

UidListLock& UidListLock::operator=(UidListLock&& other) noexcept {
  if (this != &other) {
    release();
    dir_ = std::move(other.dir_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

UidListLock::~UidListLock() { release(); }

void UidListLock::release() {
  if (fd_ < 0) return;
  ::unlink(lock_path(dir_).c_str());
  ::close(fd_);
  fd_ = -1;
}

Status UidListLock::write(const UidList& list) {
  if (fd_ < 0) return Error{"uidlist lock not held", EINVAL};
  // The new list goes through a temp file rather than the lock file itself,
  // so the lock keeps naming its owner to the end: a holder killed at any
  // point leaves a lock the next process recognises as dead at once.
  std::string target = dir_ + "/dovecot-uidlist";
  std::string tmp = target + ".tmp." + std::to_string(::getpid());
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return sys_error("create " + tmp);
    if (auto s = write_all(fd.get(), format_uidlist(list)); !s) {
      ::unlink(tmp.c_str());
      return s;
    }
    if (::fsync(fd.get()) != 0) {
      Error e = sys_error("fsync " + tmp);
      ::unlink(tmp.c_str());
      return e;
    }
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    Error e = sys_error("rename " + tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  return {};
}

}  // namespace postern::mailstore
