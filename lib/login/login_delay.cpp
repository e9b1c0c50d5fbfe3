// The last-login times behind pop3_login_delay. See login_delay.hpp.
#include "lib/login/login_delay.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "lib/base/strings.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/log/log.hpp"
#include "lib/login/file_key.hpp"

namespace postern::login {

int64_t wall_clock_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

LoginDelayVerdict check_login_delay(const std::string& dir, const std::string& user, unsigned delay_seconds,
                                    int64_t now_ms) {
  if (delay_seconds == 0) return {};
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    log::warning("pop3_login_delay: cannot create %s: %m; not enforced", dir.c_str());
    return {};
  }
  UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!d) {
    log::warning("pop3_login_delay: cannot open %s: %m; not enforced", dir.c_str());
    return {};
  }
  const std::string name = file_key(user);
  UniqueFd f(::openat(d.get(), name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600));
  struct stat st {};
  if (!f || ::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode) || ::flock(f.get(), LOCK_EX) != 0) {
    log::warning("pop3_login_delay: cannot use %s/%s: %m; not enforced", dir.c_str(), name.c_str());
    return {};
  }
  char buf[32];
  ssize_t n = ::pread(f.get(), buf, sizeof buf - 1, 0);
  if (n > 0) {
    std::string text(buf, size_t(n));
    while (!text.empty() && text.back() == '\n') text.pop_back();
    const auto last = parse_long(text);
    const int64_t delay_ms = int64_t(delay_seconds) * 1000;
    // A clock set back (last in the future) must not lock the user out.
    if (last && now_ms >= *last && now_ms - *last < delay_ms) return {false, delay_ms - (now_ms - *last)};
  }
  // No fsync: a crash costs at most one early login.
  const std::string record = std::to_string(now_ms) + "\n";
  if (::ftruncate(f.get(), 0) != 0 || ::pwrite(f.get(), record.data(), record.size(), 0) != ssize_t(record.size()))
    log::warning("pop3_login_delay: cannot write %s/%s: %m", dir.c_str(), name.c_str());
  return {};
}

}  // namespace postern::login
