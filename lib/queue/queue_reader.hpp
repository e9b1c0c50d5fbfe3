// Opening a queue file read-only and marking recipients done in place. Used
// by qmgr and the delivery agents (the content is read straight from the file
// at content_offset) and by postqueue/postcat; runs as mail_owner, or as root
// in local/virtual before they switch to the recipient.
#pragma once

#include <cstdint>
#include <string>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/queue/queue_file.hpp"

namespace postern::queue {

class QueueReader {
 public:
  // Opens path read-only (O_NOFOLLOW, regular files only) and parses the
  // envelope strictly. A damaged file gives an Error; qmgr moves it to corrupt/.
  static Result<QueueReader> open(const std::string& path);

  const QueueFile& file() const { return file_; }
  const Envelope& envelope() const { return file_.envelope; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }
  // Hands over the descriptor (qmgr closes removed files off its loop); the
  // reader can no longer read content after it.
  UniqueFd take_fd() { return std::move(fd_); }
  // The owner-execute "complete" mark was set when we opened the file.
  bool complete() const { return complete_; }
  // `postsuper -e/-f` marked the file (group-execute, as Postfix's
  // MAIL_QUEUE_STAT_EXPIRE): qmgr returns it to the sender at its next
  // delivery attempt instead of delivering it.
  bool force_expired() const { return force_expired_; }

  // Reads up to max bytes of the message, starting `offset` bytes into it.
  Result<std::string> read_content(std::uint64_t offset = 0, std::size_t max = SIZE_MAX) const;

 private:
  UniqueFd fd_;
  std::string path_;
  QueueFile file_;
  bool complete_ = false;
  bool force_expired_ = false;
};

// Marks one recipient done: one pwrite of one byte at recipient.done_offset,
// then (durable) fsync, so even an OS crash never re-delivers a finished
// recipient. qmgr skips the fsync when the file is removed right after: a
// mark lost then costs at most a duplicate, as in Postfix. Checks the byte is
// a done/pending mark first, so a stale offset cannot damage the file.
Status mark_recipient_done(const std::string& path, const Recipient& recipient, bool durable = true);

}  // namespace postern::queue
