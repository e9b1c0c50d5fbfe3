// Opening a mailbox file for appending without being tricked by symlinks,
// hard links or files swapped in under us (Postfix safe_open rules). Used by
// local, as root or as the recipient.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::mailbox {

struct SafeOpenOptions {
  bool create = true;            // create (O_EXCL) when missing
  unsigned mode = 0600;          // for a new file
  std::optional<uid_t> owner;    // an existing file must belong to this uid; a new one is chowned to it
  std::optional<gid_t> group;    // group for a new file (with owner)
};

struct OpenedMailbox {
  UniqueFd fd;
  struct stat st{};   // fstat at open
  bool created = false;
};

// Opens `path` O_WRONLY|O_APPEND|O_NOFOLLOW. Refuses (Error, errno EPERM
// unless the system gave another) a symlink, anything but a regular file, a
// file with more than one link, a file owned by someone else, and a file
// that was replaced between the open and the check (lstat/fstat disagree).
Result<OpenedMailbox> safe_open_append(const std::string& path, const SafeOpenOptions& options);

}  // namespace postern::mailbox
