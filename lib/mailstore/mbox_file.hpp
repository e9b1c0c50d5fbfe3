// The mbox file under local's locks, and crash-safe rewrites of it. Internal
// to lib/mailstore; runs in imapd's mail process as the mailbox owner.
//
// A rewrite (EXPUNGE, flags written into Status/X-Status) replaces the file
// from one offset to its end in place, keeping the inode, because local,
// mutt and pop3d lock and append to the file they opened (a rename would
// send a waiting delivery into a dead inode), and the spool directory is
// often not ours to create files in. The new tail is first made durable in
// a journal in the index directory (temp file, fsync, rename); the file is
// then cut at the offset and the tail written after it; the journal is
// removed last. After a kill -9 the next lock_mbox() finds the journal and
// finishes the rewrite, keeping whatever local appended in between.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/mailbox/mailbox_lock.hpp"

namespace postern::mailstore {

// Our record of taking the dotlock (see lock_mbox), removed when the lock
// is given up.
class OwnerRecord {
 public:
  explicit OwnerRecord(std::string path) : path_(std::move(path)) {}
  OwnerRecord(const OwnerRecord&) = delete;
  OwnerRecord& operator=(const OwnerRecord&) = delete;
  ~OwnerRecord();

 private:
  std::string path_;
};

// Destroyed in reverse order: the locks, then our owner record, then the fd.
struct LockedMbox {
  UniqueFd fd;  // empty when the file does not exist (and `create` was false)
  std::shared_ptr<OwnerRecord> owner_record;
  std::optional<mailbox::MailboxLock> lock;
};

// Opens `path` and takes local's locks (dotlock where the folder allows it,
// plus fcntl). A dotlock left by a Postern process of this host that is
// gone (kill -9) is taken over at once (its owner is recorded in
// `index_dir`); any other waits for stale_lock_time, as local does. An
// unfinished rewrite recorded in `index_dir` is completed first.
Result<LockedMbox> lock_mbox(const std::string& path, const std::string& index_dir, bool create);

// True when an unfinished rewrite is recorded in `index_dir` (a cheap stat).
bool mbox_journal_pending(const std::string& index_dir);

// Replaces the file's bytes from `start` to its end with `tail`, crash-safe
// as above. The caller holds the locks from lock_mbox(); `current` is the
// file's whole content now (the journal records checksums of it).
Status rewrite_mbox_tail(int fd, const std::string& index_dir, std::string_view current, uint64_t start,
                         std::string_view tail);

// The first step of rewrite_mbox_tail() alone: the journal, durable. (The
// tests use it to leave the state a kill -9 leaves.)
Status write_mbox_journal(int fd, const std::string& index_dir, std::string_view current, uint64_t start,
                          std::string_view tail);

}  // namespace postern::mailstore
