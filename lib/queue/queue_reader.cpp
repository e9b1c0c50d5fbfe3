// Queue file reader and done marks. Runs in qmgr and delivery agents.
#include "lib/queue/queue_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

#include "lib/base/sys_error.hpp"
#include "lib/queue/queue_scan.hpp"

namespace postern::queue {
namespace {

Result<std::string> pread_some(int fd, std::uint64_t offset, std::size_t size) {
  std::string out(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, out.data() + got, size - got, off_t(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("pread");
    }
    if (n == 0) break;
    got += std::size_t(n);
  }
  out.resize(got);
  return out;
}

// The envelope parser asks for a record header, then its payload, one small
// read each; serving them from one window makes the whole envelope (and a
// small message's whole file) a single pread instead of two per record.
class WindowedReader {
 public:
  explicit WindowedReader(int fd) : fd_(fd) {}
  Result<std::string> operator()(std::uint64_t offset, std::size_t size) {
    if (offset < start_ || offset - start_ + size > window_.size()) {
      auto data = pread_some(fd_, offset, size > kWindow ? size : kWindow);
      if (!data) return data.error();
      start_ = offset;
      window_ = std::move(*data);
    }
    const std::size_t at = static_cast<std::size_t>(offset - start_);
    return window_.substr(at < window_.size() ? at : window_.size(), size);
  }

 private:
  static constexpr std::size_t kWindow = 16 * 1024;
  int fd_;
  std::uint64_t start_ = 0;
  std::string window_;
};

}  // namespace

Result<QueueReader> QueueReader::open(const std::string& path) {
  QueueReader r;
  r.path_ = path;
  r.fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!r.fd_) return sys_error("open " + path);
  struct stat st {};
  if (::fstat(r.fd_.get(), &st) != 0) return sys_error("fstat " + path);
  if (!S_ISREG(st.st_mode)) return Error{path + ": not a regular file"};
  r.complete_ = (st.st_mode & S_IXUSR) != 0;
  r.force_expired_ = (st.st_mode & kForceExpireMode) != 0;
  WindowedReader window(r.fd_.get());
  auto parsed = parse_queue_file(std::ref(window), std::uint64_t(st.st_size));
  if (!parsed) return Error{path + ": " + parsed.error().message, parsed.error().sys_errno};
  r.file_ = std::move(*parsed);
  return r;
}

Result<std::string> QueueReader::read_content(std::uint64_t offset, std::size_t max) const {
  if (offset >= file_.content_size) return std::string();
  std::uint64_t left = file_.content_size - offset;
  auto size = static_cast<std::size_t>(left < max ? left : max);
  auto data = pread_some(fd_.get(), file_.content_offset + offset, size);
  if (!data) return data.error();
  if (data->size() != size) return Error{path_ + ": queue file shrank while reading"};
  return data;
}

Status mark_recipient_done(const std::string& path, const Recipient& recipient, bool durable) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return sys_error("open " + path);
  char mark = 0;
  ssize_t n = ::pread(fd.get(), &mark, 1, off_t(recipient.done_offset));
  if (n != 1 || (mark != kPending && mark != kDone))
    return Error{path + ": no recipient mark at offset " + std::to_string(recipient.done_offset)};
  if (mark == kDone) return {};
  if (::pwrite(fd.get(), &kDone, 1, off_t(recipient.done_offset)) != 1) return sys_error("pwrite " + path);
  if (durable && ::fsync(fd.get()) != 0) return sys_error("fsync " + path);
  return {};
}

}  // namespace postern::queue
