// Dotlock + fcntl mailbox locking (see mailbox_lock.hpp). Runs in local (root
// or recipient) and in mailbox readers (the mailbox owner).
#include "lib/mailbox/mailbox_lock.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <utility>

#include "lib/base/sys_error.hpp"

namespace postern::mailbox {

namespace {

std::string dotlock_name(const std::string& mailbox_path) { return mailbox_path + ".lock"; }

void sleep_ms(int ms) {
  struct timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

}  // namespace

Result<TryLock> try_dotlock(const std::string& mailbox_path, int stale_seconds) {
  const std::string lock = dotlock_name(mailbox_path);
  // Mode 0 and O_EXCL: the file's existence is the lock; nobody ever opens it
  // for writing, and a symlink planted under that name is never followed.
  int fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd >= 0) {
    ::close(fd);
    return TryLock::acquired;
  }
  int err = errno;
  if (err == EEXIST) {
    struct stat st{};
    // A crashed holder leaves its lock behind; after stale_lock_time we take
    // it over, as Postfix, procmail and mutt all do.
    if (::lstat(lock.c_str(), &st) == 0 && ::time(nullptr) - st.st_mtime > stale_seconds) {
      ::unlink(lock.c_str());
    }
    return TryLock::busy;
  }
  if (err == EACCES || err == EROFS || err == EPERM) return TryLock::not_permitted;
  return sys_error("create lock file " + lock, err);
}

void remove_dotlock(const std::string& mailbox_path) { ::unlink(dotlock_name(mailbox_path).c_str()); }

Result<TryLock> try_fcntl_lock(int fd, bool exclusive) {
  struct flock fl{};
  fl.l_type = exclusive ? F_WRLCK : F_RDLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;  // the whole file, whatever its size
  for (;;) {
    if (::fcntl(fd, F_SETLK, &fl) == 0) return TryLock::acquired;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EACCES) return TryLock::busy;
    return sys_error("fcntl lock");
  }
}

void unlock_fcntl(int fd) {
  struct flock fl{};
  fl.l_type = F_UNLCK;
  fl.l_whence = SEEK_SET;
  ::fcntl(fd, F_SETLK, &fl);
}

Result<MailboxLock> MailboxLock::acquire(const std::string& path, int fd, const LockOptions& options) {
  MailboxLock lock;
  lock.path_ = path;
  lock.fd_ = fd;
  const int attempts = options.attempts < 1 ? 1 : options.attempts;
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) sleep_ms(options.delay_ms);
    bool busy = false;
    if (options.dotlock && !lock.dotlocked_) {
      auto got = try_dotlock(path, options.stale_seconds);
      if (!got) return got.error();
      if (*got == TryLock::acquired) lock.dotlocked_ = true;
      if (*got == TryLock::busy) busy = true;
    }
    if (!busy && options.fcntl_lock && !lock.fcntl_locked_) {
      auto got = try_fcntl_lock(fd, true);
      if (!got) return got.error();
      if (*got == TryLock::acquired) lock.fcntl_locked_ = true;
      if (*got == TryLock::busy) busy = true;
    }
    if (!busy) return lock;
    // Never sit on one lock while waiting for the other: a reader that takes
    // them in the other order (mutt: fcntl first) would wait on us forever.
    lock.release();
  }
  return Error{"unable to lock for exclusive access: " + errno_text(EAGAIN), EAGAIN};
}

MailboxLock::MailboxLock(MailboxLock&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(other.fd_),
      dotlocked_(std::exchange(other.dotlocked_, false)),
      fcntl_locked_(std::exchange(other.fcntl_locked_, false)) {}

MailboxLock& MailboxLock::operator=(MailboxLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    dotlocked_ = std::exchange(other.dotlocked_, false);
    fcntl_locked_ = std::exchange(other.fcntl_locked_, false);
  }
  return *this;
}

MailboxLock::~MailboxLock() { release(); }

void MailboxLock::release() {
  if (fcntl_locked_) unlock_fcntl(fd_);
  if (dotlocked_) remove_dotlock(path_);
  fcntl_locked_ = false;
  dotlocked_ = false;
}

}  // namespace postern::mailbox
