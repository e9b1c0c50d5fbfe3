// Exclusive mailbox locking that interoperates with mutt, mailx, procmail and
// Postfix: a "<mailbox>.lock" dotlock plus an fcntl() write lock on the open
// file. Used by local (as root or as the recipient) and by mailbox readers.
#pragma once

#include <string>

#include "lib/base/result.hpp"

namespace postern::mailbox {

struct LockOptions {
  bool dotlock = true;       // "<path>.lock" (mailbox_delivery_lock "dotlock")
  bool fcntl_lock = true;    // fcntl(F_SETLK) on the file (mailbox_delivery_lock "fcntl")
  int attempts = 20;         // deliver_lock_attempts
  int delay_ms = 1000;       // deliver_lock_delay
  int stale_seconds = 500;   // stale_lock_time: an older dotlock is removed
};

// Result of one non-blocking attempt.
enum class TryLock { acquired, busy, not_permitted };

// Creates "<mailbox_path>.lock" with O_CREAT|O_EXCL|O_NOFOLLOW (mode 0, as
// Postfix and procmail do), removing a lock older than stale_seconds first.
// busy: somebody holds it. not_permitted: the folder does not let us create
// files (EACCES/EROFS); the caller then relies on fcntl alone.
Result<TryLock> try_dotlock(const std::string& mailbox_path, int stale_seconds);
// Removes the dotlock we made.
void remove_dotlock(const std::string& mailbox_path);

// fcntl lock on the whole file: exclusive (F_WRLCK) or shared (F_RDLCK).
Result<TryLock> try_fcntl_lock(int fd, bool exclusive);
void unlock_fcntl(int fd);

// Holds both locks; released (fcntl first, then the dotlock) when destroyed.
// Move-only. The descriptor must outlive the lock.
class MailboxLock {
 public:
  // Tries dotlock then fcntl; when either is busy, releases what it got,
  // waits delay_ms and tries again, up to `attempts` times. Error (EAGAIN)
  // "unable to lock for exclusive access" when the mailbox stays locked.
  static Result<MailboxLock> acquire(const std::string& path, int fd, const LockOptions& options);

  MailboxLock(MailboxLock&& other) noexcept;
  MailboxLock& operator=(MailboxLock&& other) noexcept;
  MailboxLock(const MailboxLock&) = delete;
  MailboxLock& operator=(const MailboxLock&) = delete;
  ~MailboxLock();

  void release();
  bool has_dotlock() const { return dotlocked_; }

 private:
  MailboxLock() = default;
  std::string path_;
  int fd_ = -1;
  bool dotlocked_ = false;
  bool fcntl_locked_ = false;
};

}  // namespace postern::mailbox
