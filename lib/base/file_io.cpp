// File helpers. Used in every process.
#include "lib/base/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern {

Result<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sys_error("open " + path);
  // Read straight into the string, sized from fstat (+1 to see EOF in one
  // pass): no copy, and no large stack buffer whose pages would stay
  // dirty for the life of a long-lived process (an IMAP session).
  struct stat st {};
  size_t used = 0;
  std::string out(::fstat(fd.get(), &st) == 0 && st.st_size > 0 ? size_t(st.st_size) + 1 : 4096, '\0');
  for (;;) {
    if (used == out.size()) out.resize(out.size() * 2);  // the file grew meanwhile
    ssize_t n = ::read(fd.get(), out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read " + path);
    }
    if (n == 0) break;
    used += size_t(n);
  }
  out.resize(used);
  return out;
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write");
    }
    data.remove_prefix(size_t(n));
  }
  return {};
}

Status pwrite_all(int fd, std::string_view data, std::uint64_t offset) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), off_t(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("pwrite");
    }
    data.remove_prefix(size_t(n));
    offset += std::uint64_t(n);
  }
  return {};
}

Result<std::string> pread_exact(int fd, std::uint64_t offset, std::uint64_t length) {
  std::string out(length, '\0');
  std::uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, length - done, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read");
    if (n == 0) return Error{"the file shrank while it was read", EAGAIN};
    done += std::uint64_t(n);
  }
  return out;
}

Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode) {
  struct stat old {};
  bool existed = ::stat(path.c_str(), &old) == 0;
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                     existed ? (old.st_mode & 07777) : mode));
  if (!fd) return sys_error("create " + tmp);
  if (existed) {
    // Keep the owner of the file we replace; failure is harmless for non-root.
    (void)::fchown(fd.get(), old.st_uid, old.st_gid);
    (void)::fchmod(fd.get(), old.st_mode & 07777);
  }
  if (auto st = write_all(fd.get(), data); !st) {
    ::unlink(tmp.c_str());
    return Error{"write " + tmp + ": " + st.error().message, st.error().sys_errno};
  }
  if (::fsync(fd.get()) != 0) {
    Error e = sys_error("fsync " + tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = sys_error("rename " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    return e;
  }
  std::string dir = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  if (dir.empty()) dir = path.find('/') == 0 ? "/" : ".";
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd) (void)::fsync(dfd.get());
  return {};
}

}  // namespace postern
