// Background start with a readiness handshake. Runs in master at start-up.
#include "master/daemonize.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>

#include "lib/log/log.hpp"

namespace postern::master {

UniqueFd daemonize_and_wait(int timeout_seconds) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) log::fatal("pipe: %m");
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) log::fatal("fork: %m");
  if (pid > 0) {
    write_end.reset();
    pollfd p{read_end.get(), POLLIN, 0};
    char c = 0;
    if (::poll(&p, 1, timeout_seconds * 1000) == 1 && ::read(read_end.get(), &c, 1) == 1 && c == 'R')
      std::_Exit(0);
    std::_Exit(1);
  }
  read_end.reset();
  ::setsid();
  return write_end;
}

void report_ready(UniqueFd& ready_fd) {
  if (!ready_fd) return;
  (void)!::write(ready_fd.get(), "R", 1);
  ready_fd.reset();
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO) ::close(null_fd);
  }
}

}  // namespace postern::master
