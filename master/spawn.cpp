// fork + exec of one service process. Runs in master; the child side runs
// only async-signal-safe calls between fork and exec.
#include "master/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "lib/base/sys_error.hpp"
#include "lib/service/master_proto.hpp"

namespace postern::master {

Result<SpawnedChild> spawn_child(const ServiceSpec& spec, const std::vector<int>& listen_fds,
                                 const std::string& config_dir, int generation) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return sys_error("socketpair");
  UniqueFd master_end(pair[0]);
  UniqueFd child_end(pair[1]);

  // argv is built before fork: no allocation in the child.
  std::vector<std::string> args = {spec.entry.command, "-n", spec.entry.service, "-t", spec.entry.type,
                                   "-c", config_dir, "-s", std::to_string(listen_fds.size()),
                                   "-g", std::to_string(generation)};
  if (spec.entry.unprivileged) args.push_back("-u");
  if (spec.entry.chroot) args.push_back("-z");
  args.insert(args.end(), spec.child_args.begin(), spec.child_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // Source descriptors, status first, then listeners, in target order.
  std::vector<int> sources = {child_end.get()};
  sources.insert(sources.end(), listen_fds.begin(), listen_fds.end());

  pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    // Move every source above the target range first, so dup2 never
    // overwrites a source that is still needed.
    const int high = service::kStatusFd + int(sources.size()) + 64;
    for (auto& fd : sources) {
      fd = ::fcntl(fd, F_DUPFD, high);
      if (fd < 0) ::_exit(126);
    }
    for (size_t i = 0; i < sources.size(); ++i) {
      if (::dup2(sources[i], service::kStatusFd + int(i)) < 0) ::_exit(126);
    }
    ::close_range(unsigned(service::kStatusFd + sources.size()), ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGHUP, SIGTERM, SIGINT, SIGCHLD, SIGQUIT, SIGPIPE}) ::signal(sig, SIG_DFL);
    ::execv(spec.path.c_str(), argv.data());
    const char msg[] = "master: exec failed\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  return SpawnedChild{pid, std::move(master_end)};
}

}  // namespace postern::master
