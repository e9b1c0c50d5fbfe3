// Maildir delivery tmp -> new (see maildir_writer.hpp). Runs in local as the
// recipient.
#include "lib/mailbox/maildir_writer.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::mailbox {

namespace {

Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return {};
  return sys_error("create maildir folder " + path);
}

std::string hex(unsigned long long v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llX", v);
  return buf;
}

Status fsync_dir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open " + path);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return sys_error("fsync " + path, err);
  return {};
}

}  // namespace

Status make_maildir(const std::string& maildir) {
  std::string base = maildir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  for (const char* sub : {"", "/tmp", "/new", "/cur"}) {
    if (auto ok = make_dir(base + sub); !ok) return ok;
  }
  return {};
}

namespace {

// Opens an unnamed file in tmp/ (O_TMPFILE). Empty when the file system
// has none (EOPNOTSUPP, or EISDIR/EINVAL from kernels and file systems that
// do not know the flag): the caller then names one in tmp/.
Result<UniqueFd> open_unnamed(const std::string& base) {
  const std::string tmp = base + "/tmp";
  for (int attempt = 0; attempt < 2; ++attempt) {
    UniqueFd fd(::open(tmp.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
    if (fd) return fd;
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return UniqueFd();
    if (errno != ENOENT || attempt > 0) return sys_error("create maildir file in " + tmp);
    if (auto ok = make_maildir(base); !ok) return ok.error();
  }
  return UniqueFd();
}

// Creates tmp/<stem>R<n>.<host>, the classic Maildir temporary name.
Result<UniqueFd> open_named(const std::string& base, const std::string& stem, const std::string& host,
                            std::string& tmp_path) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    tmp_path = base + "/tmp/" + stem + "R" + std::to_string(attempt) + "." + host;
    UniqueFd fd(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd && errno == ENOENT && attempt == 0) {
      // The folders are made when missing, not probed with four mkdir
      // calls on every delivery.
      if (auto ok = make_maildir(base); !ok) return ok.error();
      fd.reset(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    }
    if (fd) return fd;
    if (errno != EEXIST) return sys_error("create maildir file " + tmp_path);
  }
  return Error{"create maildir file " + tmp_path + ": name keeps clashing", EEXIST};
}

// Gives the written file its name in new/: link(), not rename(), so it
// never replaces an existing message. An unnamed file is linked through
// /proc/self/fd (linkat with AT_EMPTY_PATH needs a capability the
// recipient does not have). A Maildir whose new/ has gone gets it again.
Status publish(const std::string& base, int fd, const std::string& tmp_path, const std::string& new_path) {
  const std::string source = tmp_path.empty() ? "/proc/self/fd/" + std::to_string(fd) : tmp_path;
  for (int attempt = 0;; ++attempt) {
    if (::linkat(AT_FDCWD, source.c_str(), AT_FDCWD, new_path.c_str(), tmp_path.empty() ? AT_SYMLINK_FOLLOW : 0) == 0) {
      return {};
    }
    if (errno != ENOENT || attempt > 0) return sys_error("link to " + new_path);
    if (auto ok = make_maildir(base); !ok) return ok;
  }
}

}  // namespace

std::string maildir_host(std::string_view host) {
  std::string out;
  for (char c : host) {
    if (c == '/') out += "\\057";
    else if (c == ':') out += "\\072";
    else out += c;
  }
  return out.empty() ? "localhost" : out;
}

bool unnamed_files_linkable() { return ::access("/proc/self/fd", X_OK) == 0; }

Result<std::string> deliver_maildir(const MaildirDelivery& request, const ContentSource& content) {
  std::string base = request.maildir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();

  struct timeval tv{};
  ::gettimeofday(&tv, nullptr);
  const std::string host = maildir_host(request.hostname);
  const std::string stem = std::to_string(tv.tv_sec) + ".M" + std::to_string(tv.tv_usec) + "P" +
                           std::to_string(::getpid());
  std::string tmp_path;  // stays empty for an unnamed file
  UniqueFd fd;
  if (request.unnamed_tmp) {
    auto opened = open_unnamed(base);
    if (!opened) return opened.error();
    fd = std::move(*opened);
  }
  if (!fd) {
    auto opened = open_named(base, stem, host, tmp_path);
    if (!opened) return opened.error();
    fd = std::move(*opened);
  }

  auto fail = [&](Error error) -> Result<std::string> {
    if (!tmp_path.empty()) ::unlink(tmp_path.c_str());
    return error;
  };
  std::string out = delivery_headers(request.headers);
  std::uint64_t size = 0;
  LineConverter convert(false);
  for (;;) {
    auto chunk = content();
    if (!chunk) return fail(chunk.error());
    if (chunk->empty()) break;
    convert.feed(*chunk, out);
    if (out.size() >= 64 * 1024) {
      if (auto ok = write_all(fd.get(), out); !ok) return fail(ok.error());
      size += out.size();
      out.clear();
    }
  }
  convert.finish(out);
  if (auto ok = write_all(fd.get(), out); !ok) return fail(ok.error());
  size += out.size();
  const std::string written = tmp_path.empty() ? "new file in " + base + "/tmp" : tmp_path;
  if (::fsync(fd.get()) != 0) return fail(sys_error("fsync " + written));
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return fail(sys_error("fstat " + written));

  std::string name = stem + "V" + hex(st.st_dev) + "I" + hex(st.st_ino) + "." + host + ",S=" + std::to_string(size);
  std::string new_path = base + "/new/" + name;
  if (auto ok = publish(base, fd.get(), tmp_path, new_path); !ok) return fail(ok.error());
  fd.reset();
  if (!tmp_path.empty()) ::unlink(tmp_path.c_str());
  if (request.sync_folder) {
    if (auto ok = fsync_dir(base + "/new"); !ok) return ok.error();
  }
  return new_path;
}

}  // namespace postern::mailbox
