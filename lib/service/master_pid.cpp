// Master pid file and lock. Runs in master (root or the sandbox user) and in the postfix command.
#include "lib/service/master_pid.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"

namespace postern::service {

std::string master_pid_path(const config::Config& config) {
  std::string dir = config.get("process_id_directory");
  if (dir.empty() || dir.front() != '/') dir = config.get("queue_directory") + "/" + dir;
  return dir + "/master.pid";
}

Result<MasterPidLock> MasterPidLock::acquire(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) return sys_error("open " + path);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (::fcntl(fd.get(), F_SETLK, &lock) != 0) {
    if (errno == EAGAIN || errno == EACCES) return Error{"the Postfix mail system is already running", EAGAIN};
    return sys_error("lock " + path);
  }
  MasterPidLock pid_lock(std::move(fd), path);
  pid_lock.update_pid();
  return pid_lock;
}

void MasterPidLock::update_pid() {
  // Postfix's layout: the pid right-aligned in 10 columns, then a newline.
  char text[32];
  int n = std::snprintf(text, sizeof text, "%10ld\n", long(::getpid()));
  if (::ftruncate(fd_.get(), 0) == 0) (void)::pwrite(fd_.get(), text, size_t(n), 0);
}

void MasterPidLock::remove() { ::unlink(path_.c_str()); }

std::optional<pid_t> running_master(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return std::nullopt;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (::fcntl(fd.get(), F_GETLK, &lock) != 0 || lock.l_type == F_UNLCK) return std::nullopt;
  return lock.l_pid;
}

}  // namespace postern::service
