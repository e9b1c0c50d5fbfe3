// Durable queue file writer. Runs in cleanup (smtpd, pickup) as mail_owner.
#include "lib/queue/queue_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"

namespace postern::queue {
namespace {

constexpr unsigned kModeIncomplete = 0600;
constexpr unsigned kModeComplete = 0700;  // owner-execute: "complete", as Postfix
constexpr std::size_t kFlushAt = 64 * 1024;
constexpr std::uint64_t kMaxContent = 0xffffffffu;  // the content length is 32 bits

// Creates the hashed subfolders between folder ("q/deferred") and dir ("q/deferred/x/y").
Status make_hash_dirs(const std::string& folder, const std::string& dir) {
  for (size_t at = dir.find('/', folder.size() + 1);; at = dir.find('/', at + 1)) {
    std::string sub = dir.substr(0, at);
    if (::mkdir(sub.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("mkdir " + sub);
    if (at == std::string::npos) return {};
  }
}

}  // namespace

Status fsync_directory(const std::string& path) {
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return sys_error("open " + path);
  if (::fsync(dir.get()) != 0) return sys_error("fsync " + path);
  return {};
}

Result<QueueWriter> QueueWriter::create(const QueueLayout& layout, QueueIdGenerator& ids, const Envelope& envelope,
                                        std::string_view folder) {
  for (const auto& [name, value] : envelope.attributes.extra)
    if (name.empty() || name.find('=') != std::string::npos)
      return Error{"bad queue file attribute name: \"" + name + "\""};
  QueueWriter w;
  bool same_id = false;  // retry the ID whose hashed subfolder we just made
  for (int attempt = 0;; ++attempt) {
    if (!same_id) {
      w.id_ = ids.next();
      w.dir_ = layout.dir_path(folder, w.id_);
      w.path_ = w.dir_ + "/" + w.id_;
    }
    same_id = false;
    int fd = ::open(w.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kModeIncomplete);
    if (fd >= 0) {
      w.fd_.reset(fd);
      w.own_file_ = true;
      break;
    }
    if (errno == ENOENT && layout.hashed(folder) && attempt < 8) {
      // Hashed subfolders are made on demand; a new ID would hash elsewhere.
      if (auto st = make_hash_dirs(layout.folder_path(folder), w.dir_); !st) return st.error();
      same_id = true;
      continue;
    }
    if (errno != EEXIST || attempt >= 8) return sys_error("create queue file " + w.path_);
  }
  // umask must not decide the "incomplete" mark.
  if (::fchmod(w.fd_.get(), kModeIncomplete) != 0) return w.fail(sys_error("fchmod " + w.path_)).error();
  w.buffer_ = encode_envelope(envelope, 0);
  w.content_record_at_ = w.buffer_.size() - kRecordHeaderSize;
  if (auto st = w.flush(); !st) return st.error();
  return w;
}

QueueWriter::QueueWriter(QueueWriter&& other) noexcept { *this = std::move(other); }

QueueWriter& QueueWriter::operator=(QueueWriter&& other) noexcept {
  if (this != &other) {
    abort();
    fd_ = std::move(other.fd_);
    id_ = std::move(other.id_);
    path_ = std::move(other.path_);
    dir_ = std::move(other.dir_);
    buffer_ = std::move(other.buffer_);
    content_record_at_ = other.content_record_at_;
    content_size_ = other.content_size_;
    committed_ = other.committed_;
    sealed_ = other.sealed_;
    failed_ = other.failed_;
    own_file_ = std::exchange(other.own_file_, false);  // the moved-from writer owns no file
  }
  return *this;
}

QueueWriter::~QueueWriter() { abort(); }

void QueueWriter::abort() {
  if (own_file_ && !committed_) ::unlink(path_.c_str());
  own_file_ = false;
  fd_.reset();
}

Status QueueWriter::fail(Error error) {
  failed_ = true;
  abort();
  error.message = "queue file " + path_ + ": " + error.message;
  return error;
}

Status QueueWriter::flush() {
  if (buffer_.empty()) return {};
  if (auto st = write_all(fd_.get(), buffer_); !st) return fail(st.error());
  buffer_.clear();
  return {};
}

Status QueueWriter::append(std::string_view content) {
  if (failed_ || committed_ || sealed_ || !fd_) return Error{"queue file " + path_ + ": writer is closed"};
  if (content.size() > kMaxContent - content_size_) return fail(Error{"message too large for a queue file", EFBIG});
  content_size_ += content.size();
  if (buffer_.size() + content.size() < kFlushAt) {
    buffer_.append(content);
    return {};
  }
  if (auto st = flush(); !st) return st;
  if (auto st = write_all(fd_.get(), content); !st) return fail(st.error());
  return {};
}

Result<std::string> QueueWriter::commit() {
  if (auto st = seal(); !st) return st.error();
  return sync();
}

Status QueueWriter::seal() {
  if (failed_ || committed_ || sealed_ || !fd_) return Error{"queue file " + path_ + ": writer is closed"};
  buffer_ += char(rec_end);
  buffer_.append(4, '\0');
  if (auto st = flush(); !st) return st;
  std::string len;
  for (int shift = 24; shift >= 0; shift -= 8) len += char((content_size_ >> shift) & 0xff);
  if (auto st = pwrite_all(fd_.get(), len, content_record_at_ + 1); !st) return fail(st.error());
  // Every byte is written before the "complete" mark, so a killed process
  // never leaves a complete-looking file with missing data. One fsync (in
  // sync()) then makes data, mark and the new directory entry durable (a
  // journalling file system commits the entry with the inode), as
  // Postfix's cleanup does; nothing is answered before it returns, so a
  // crash before then loses nothing the client was told we have.
  if (::fchmod(fd_.get(), kModeComplete) != 0) return fail(sys_error("fchmod"));
  sealed_ = true;
  return {};
}

Result<std::string> QueueWriter::sync() {
  if (failed_ || committed_ || !sealed_ || !fd_) return Error{"queue file " + path_ + ": writer is not sealed"};
  if (::fsync(fd_.get()) != 0) return fail(sys_error("fsync")).error();
  if (::close(fd_.release()) != 0) return fail(sys_error("close")).error();
  committed_ = true;
  return id_;
}

Result<std::string> enqueue(const QueueLayout& layout, QueueIdGenerator& ids, const Envelope& envelope,
                            std::string_view content, std::string_view folder) {
  auto writer = QueueWriter::create(layout, ids, envelope, folder);
  if (!writer) return writer.error();
  if (auto st = writer->append(content); !st) return st.error();
  return writer->commit();
}

}  // namespace postern::queue
