// Spool (see spool.hpp). Part of lib/cleanup in smtpd and pickup, as mail_owner.
#include "lib/cleanup/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/sys_error.hpp"

namespace postern::cleanup {
namespace {

Status write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write spool file");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

Status Spool::spill() {
  // O_TMPFILE: the file has no name, so no crash can leave it behind.
  int fd = ::open(directory_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // Old kernels or odd file systems: a named file unlinked at once.
    std::string path = directory_ + "/.spool.XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(path.c_str());
  }
  if (fd < 0) return sys_error("create spool file in " + directory_);
  fd_.reset(fd);
  Status st = write_all(fd, memory_);
  std::string().swap(memory_);
  return st;
}

Status Spool::append(std::string_view bytes) {
  if (!status_) return status_;
  if (bytes.empty()) return {};
  if (!fd_ && memory_.size() + bytes.size() > memory_limit_) status_ = spill();
  if (status_) {
    if (fd_)
      status_ = write_all(fd_.get(), bytes);
    else
      memory_.append(bytes);
  }
  if (!status_) return status_;
  size_ += bytes.size();
  last_ = bytes.back();
  return {};
}

Status Spool::read_back(const std::function<Status(std::string_view)>& sink) const {
  if (!status_) return status_;
  if (!fd_) return sink(memory_);
  std::string buf(1 << 16, '\0');
  std::uint64_t offset = 0;
  while (offset < size_) {
    ssize_t n = ::pread(fd_.get(), buf.data(), buf.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read spool file");
    if (n == 0) return Error{"spool file shrank", EIO};
    offset += static_cast<std::uint64_t>(n);
    Status st = sink(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    if (!st) return st;
  }
  return {};
}

}  // namespace postern::cleanup
