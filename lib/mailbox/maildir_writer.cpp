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

// Maildir names must not hold '/' or ':' (the info separator).
std::string safe_host(const std::string& host) {
  std::string out;
  for (char c : host) {
    if (c == '/') out += "\\057";
    else if (c == ':') out += "\\072";
    else out += c;
  }
  return out.empty() ? "localhost" : out;
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

Result<std::string> deliver_maildir(const MaildirDelivery& request, const ContentSource& content) {
  std::string base = request.maildir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();

  struct timeval tv{};
  ::gettimeofday(&tv, nullptr);
  const std::string host = safe_host(request.hostname);
  const std::string stem = std::to_string(tv.tv_sec) + ".M" + std::to_string(tv.tv_usec) + "P" +
                           std::to_string(::getpid());
  std::string tmp_path;
  UniqueFd fd;
  for (int attempt = 0; attempt < 10 && !fd; ++attempt) {
    tmp_path = base + "/tmp/" + stem + "R" + std::to_string(attempt) + "." + host;
    fd.reset(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd && errno == ENOENT && attempt == 0) {
      // The folders are made when missing, not probed with four mkdir
      // calls on every delivery.
      if (auto ok = make_maildir(base); !ok) return ok.error();
      fd.reset(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    }
    if (!fd && errno != EEXIST) return sys_error("create maildir file " + tmp_path);
  }
  if (!fd) return Error{"create maildir file " + tmp_path + ": name keeps clashing", EEXIST};

  auto fail = [&](Error error) -> Result<std::string> {
    ::unlink(tmp_path.c_str());
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
  if (::fsync(fd.get()) != 0) return fail(sys_error("fsync " + tmp_path));
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return fail(sys_error("fstat " + tmp_path));
  fd.reset();

  std::string name = stem + "V" + hex(st.st_dev) + "I" + hex(st.st_ino) + "." + host + ",S=" + std::to_string(size);
  std::string new_path = base + "/new/" + name;
  // link(), not rename(): it never replaces an existing message.
  // A Maildir whose tmp/ exists but new/ or cur/ does not gets them now.
  if (::link(tmp_path.c_str(), new_path.c_str()) != 0 &&
      (errno != ENOENT || !make_maildir(base) || ::link(tmp_path.c_str(), new_path.c_str()) != 0)) {
    return fail(sys_error("link to " + new_path));
  }
  ::unlink(tmp_path.c_str());
  if (request.sync_folder) {
    if (auto ok = fsync_dir(base + "/new"); !ok) return ok.error();
  }
  return new_path;
}

}  // namespace postern::mailbox
