// Durable enqueue: creates a queue file in incoming/ marked incomplete (mode
// 0600), streams the message into it, fsyncs, marks it complete (u+x, mode
// 0700), fsyncs the folder, and only then hands back the queue ID, so smtpd
// answers "250 2.0.0 Ok: queued as ID" only for mail that survives a crash.
// Runs in cleanup (inside smtpd and pickup) as mail_owner.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/queue/queue_file.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::queue {

// One queue file being written. Move-only; if destroyed before commit() the
// partial file is removed, so a failed or abandoned message leaves nothing.
class QueueWriter {
 public:
  // Creates folder/<new ID> (O_EXCL; a clash picks another ID) and writes the
  // envelope. The envelope's recipients are written as given (normally not done).
  static Result<QueueWriter> create(const QueueLayout& layout, QueueIdGenerator& ids, const Envelope& envelope,
                                    std::string_view folder = kIncoming);

  QueueWriter(QueueWriter&& other) noexcept;
  QueueWriter& operator=(QueueWriter&&) noexcept;
  QueueWriter(const QueueWriter&) = delete;
  QueueWriter& operator=(const QueueWriter&) = delete;
  ~QueueWriter();

  const std::string& queue_id() const { return id_; }
  const std::string& path() const { return path_; }
  std::uint64_t content_size() const { return content_size_; }

  // Appends message bytes (header and body, lines ending in <CR><LF>).
  // On a write error (ENOSPC, EDQUOT, EIO, EFBIG) the file is removed and
  // every later call fails.
  Status append(std::string_view content);

  // Finishes the file: end record, content length, mark complete, fsync.
  // Returns the queue ID. On error the file is removed. Same as seal() then
  // sync().
  Result<std::string> commit();

  // commit() in two halves, so a server can fsync off its event loop:
  // seal() writes the rest and marks the file complete (not yet durable);
  // sync() fsyncs and closes it. sync() touches only this writer, so it may
  // run on another thread once the writer has been handed over. A writer
  // destroyed between the two removes the file (nobody was told it is queued).
  Status seal();
  Result<std::string> sync();

  // Removes the partial file now.
  void abort();

 private:
  QueueWriter() = default;
  Status fail(Error error);
  Status flush();

  UniqueFd fd_;
  std::string id_;
  std::string path_;
  std::string dir_;
  std::string buffer_;
  std::uint64_t content_record_at_ = 0;  // offset of the content record header
  std::uint64_t content_size_ = 0;
  bool committed_ = false;
  bool sealed_ = false;
  bool failed_ = false;
  bool own_file_ = false;  // we created path_ and must remove it unless committed
};

// One call: create, append all of `content`, commit.
Result<std::string> enqueue(const QueueLayout& layout, QueueIdGenerator& ids, const Envelope& envelope,
                            std::string_view content, std::string_view folder = kIncoming);

// fsync()s a directory, so a create, rename or unlink in it is durable.
Status fsync_directory(const std::string& path);

}  // namespace postern::queue
