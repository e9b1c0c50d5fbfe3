// Delivering one message into a Maildir: written to a file in tmp/,
// fsynced, linked into new/, folder fsynced (unless the caller says the
// file system's own ordering makes that unneeded); only then is the
// delivery done. Used by local as the recipient.
//
// The file in tmp/ is unnamed (O_TMPFILE) where the file system has them:
// a newly named file's fsync also writes its folder on ext4 without a
// journal (and the tmp/ name must be removed again), and a crash leaves
// nothing in tmp/ to clean up. Elsewhere it gets the classic unique name.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/mailbox/delivery_format.hpp"

namespace postern::mailbox {

struct MaildirDelivery {
  std::string maildir;          // the Maildir folder (tmp/ new/ cur/ are made if missing)
  DeliveryHeaders headers;
  std::string hostname;         // for the unique name; '/' and ':' are encoded
  // fsync new/ after the link. local skips it when the Maildir is on the
  // queue's file system: the journal commits the link before qmgr's later
  // removal of the queue file can be durable, so a crash can cause a
  // duplicate but not a loss (Postfix's local never fsyncs the folder).
  bool sync_folder = true;
  // Try an unnamed file first (needs /proc: see unnamed_files_linkable).
  bool unnamed_tmp = false;
};

// The host part of a Maildir file name: '/' and ':' (the info separator)
// written as \057 and \072, as Dovecot does; "localhost" for an empty name.
std::string maildir_host(std::string_view host);

// Whether an unnamed file can be linked into new/: through /proc/self/fd,
// so /proc must be there. Checked once per process.
bool unnamed_files_linkable();

// Returns the final path in new/. The unique name is
// "<sec>.M<usec>P<pid>V<dev>I<ino>.<host>,S=<size>" (the device and inode of
// the file make it unique even within one microsecond and pid).
Result<std::string> deliver_maildir(const MaildirDelivery& request, const ContentSource& content);

// Creates maildir, maildir/tmp, maildir/new and maildir/cur (mode 0700) as needed.
Status make_maildir(const std::string& maildir);

}  // namespace postern::mailbox
