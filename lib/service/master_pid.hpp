// The master's pid file: <queue_directory>/<process_id_directory>/master.pid,
// write-locked (fcntl) for as long as master runs. A lock, not the file's
// mere existence, says "running", so a stale file after a crash is harmless.
// Used by master (holds the lock) and by the postfix command (tests it).
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/config/config.hpp"

namespace postern::service {

std::string master_pid_path(const config::Config& config);

class MasterPidLock {
 public:
  // Creates/locks the file and writes our pid. Error{"already running"} with
  // sys_errno EAGAIN when another master holds it.
  static Result<MasterPidLock> acquire(const std::string& path);
  // Writes the pid again (after daemonizing changed it).
  void update_pid();
  // Removes the file (at a clean exit); the lock goes with the descriptor.
  void remove();

 private:
  explicit MasterPidLock(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

// The pid of the running master, or nullopt when the file is absent or not locked.
std::optional<pid_t> running_master(const std::string& path);

}  // namespace postern::service
