// Symlink/hard-link/race-safe mailbox opens (see safe_open.hpp). Runs in
// local, as root or as the recipient.
#include "lib/mailbox/safe_open.hpp"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "lib/base/sys_error.hpp"

namespace postern::mailbox {

namespace {

Error refuse(const std::string& path, const std::string& why) {
  return Error{"file " + path + ": " + why, EPERM};
}

Status check_opened(const std::string& path, const OpenedMailbox& box, const SafeOpenOptions& options) {
  const struct stat& st = box.st;
  if (!S_ISREG(st.st_mode)) return refuse(path, "not a regular file");
  if (st.st_nlink != 1) return refuse(path, "file has " + std::to_string(st.st_nlink) + " hard links");
  if (options.owner && st.st_uid != *options.owner && !box.created) {
    return refuse(path, "file has wrong owner (uid " + std::to_string(st.st_uid) + ")");
  }
  // The name must still point at what we opened: O_NOFOLLOW protects only
  // the last component, and a file can be renamed over between calls.
  struct stat now{};
  if (::lstat(path.c_str(), &now) != 0) return sys_error("lstat " + path);
  if (now.st_dev != st.st_dev || now.st_ino != st.st_ino) return refuse(path, "file was replaced while opening");
  return {};
}

}  // namespace

Result<OpenedMailbox> safe_open_append(const std::string& path, const SafeOpenOptions& options) {
  // Two rounds: a file can appear between our "missing" and our O_EXCL create.
  for (int round = 0; round < 2; ++round) {
    OpenedMailbox box;
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && errno == ELOOP) return refuse(path, "is a symbolic link");
    if (fd < 0 && errno == ENOENT && options.create) {
      fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
                  options.mode);
      if (fd < 0 && errno == EEXIST) continue;
      if (fd >= 0) box.created = true;
    }
    if (fd < 0) return sys_error("open " + path);
    box.fd.reset(fd);
    if (box.created && options.owner) {
      gid_t gid = options.group ? *options.group : static_cast<gid_t>(-1);
      if (::fchown(fd, *options.owner, gid) != 0 && errno != EPERM) return sys_error("chown " + path);
    }
    if (box.created) ::fchmod(fd, options.mode);  // the umask must not widen or narrow it
    if (::fstat(fd, &box.st) != 0) return sys_error("fstat " + path);
    if (auto ok = check_opened(path, box, options); !ok) return ok.error();
    return box;
  }
  return refuse(path, "file keeps appearing and disappearing");
}

}  // namespace postern::mailbox
