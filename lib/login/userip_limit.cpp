// Per-user+IP session counting through files. See userip_limit.hpp.
#include "lib/login/userip_limit.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "lib/base/unique_fd.hpp"
#include "lib/log/log.hpp"
#include "lib/login/file_key.hpp"

namespace postern::login {
namespace {

bool alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace

void release_userip_slots(const std::string& dir, pid_t pid) {
  UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!d) return;
  const std::string suffix = "." + std::to_string(pid);
  if (DIR* dp = ::fdopendir(::dup(d.get()))) {
    while (dirent* e = ::readdir(dp)) {
      std::string_view name = e->d_name;
      if (name.ends_with(suffix)) ::unlinkat(d.get(), e->d_name, 0);
    }
    ::closedir(dp);
  }
}

UserIpSlot::~UserIpSlot() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

UserIpSlot::Outcome UserIpSlot::acquire(const std::string& dir, const std::string& user, const std::string& ip,
                                        unsigned limit, UserIpSlot& slot) {
  if (limit == 0) return Outcome::ok;
  ::mkdir(dir.c_str(), 0700);
  UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!d || ::flock(d.get(), LOCK_EX) != 0) {
    log::warning("mail_max_userip_connections: cannot use %s: %m; not counting", dir.c_str());
    return Outcome::ok;
  }
  const std::string prefix = file_key(user + "@" + ip) + ".";
  unsigned held = 0;
  if (DIR* dp = ::fdopendir(::dup(d.get()))) {
    while (dirent* e = ::readdir(dp)) {
      std::string name = e->d_name;
      if (!name.starts_with(prefix)) continue;
      pid_t pid = pid_t(std::atol(name.c_str() + prefix.size()));
      if (alive(pid)) ++held;
      else ::unlinkat(d.get(), name.c_str(), 0);  // left by a killed session
    }
    ::closedir(dp);
  }
  if (held >= limit) return Outcome::over_limit;
  std::string path = dir + "/" + prefix + std::to_string(::getpid());
  UniqueFd f(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (f) slot.path_ = path;
  return Outcome::ok;  // the lock on the folder ends with `d`
}

}  // namespace postern::login
