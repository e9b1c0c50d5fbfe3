// mbox append (see mbox_writer.hpp). Runs in local as root (the spool) or
// as the recipient (a home mailbox file).
#include "lib/mailbox/mbox_writer.hpp"

#include <errno.h>
#include <unistd.h>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"

namespace postern::mailbox {

namespace {

Status write_message(int fd, const MboxAppend& request, const ContentSource& content, std::uint64_t start) {
  std::time_t when = request.arrival ? request.arrival : std::time(nullptr);
  std::string out = from_line(request.headers.sender, when) + delivery_headers(request.headers);
  std::uint64_t written = start;
  LineConverter convert(true);
  auto flush = [&]() -> Status {
    written += out.size();
    if (request.size_limit && written > request.size_limit) {
      return Error{"file size limit exceeded", EFBIG};
    }
    if (auto ok = write_all(fd, out); !ok) return ok;
    out.clear();
    return {};
  };
  for (;;) {
    auto chunk = content();
    if (!chunk) return chunk.error();
    if (chunk->empty()) break;
    convert.feed(*chunk, out);
    if (out.size() >= 64 * 1024) {
      if (auto ok = flush(); !ok) return ok;
    }
  }
  convert.finish(out);
  out += '\n';  // the blank line that separates messages in an mbox
  if (auto ok = flush(); !ok) return ok;
  if (::fsync(fd) != 0) return sys_error("fsync");
  return {};
}

}  // namespace

Status append_mbox(const MboxAppend& request, const ContentSource& content) {
  auto opened = safe_open_append(request.path, request.open);
  if (!opened) return opened.error();
  int fd = opened->fd.get();
  auto lock = MailboxLock::acquire(request.path, fd, request.lock);
  if (!lock) return lock.error();
  // Size after locking: another writer may have appended while we waited.
  off_t start = ::lseek(fd, 0, SEEK_END);
  if (start < 0) return sys_error("lseek " + request.path);
  auto written = write_message(fd, request, content, static_cast<std::uint64_t>(start));
  if (!written) {
    // Never leave half a message: mail readers would take its tail for the
    // next message. The truncation runs under the lock.
    int saved = written.error().sys_errno;
    if (::ftruncate(fd, start) == 0) ::fsync(fd);
    return Error{written.error().message, saved};
  }
  return {};
}

}  // namespace postern::mailbox
