// postdrop invocation from sendmail (the invoking user).
#include "sendmail/submit.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/queue_tools/maildrop.hpp"

namespace postern::sendmail {
namespace {

std::vector<char*> c_argv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Status run_postdrop(const PostdropCommand& command, const queue::Envelope& envelope,
                    std::string_view content) {
  std::string stream = queue_tools::encode_maildrop(envelope, content);
  std::vector<std::string> args = {command.path, "-r"};
  if (!command.config_dir.empty()) {
    args.push_back("-c");
    args.push_back(command.config_dir);
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_error("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  auto argv = c_argv(args);
  pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    ::dup2(read_end.get(), STDIN_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  read_end.reset();
  // postdrop may exit early on bad input; a broken pipe must not kill us.
  ::signal(SIGPIPE, SIG_IGN);
  Status written = write_all(write_end.get(), stream);
  write_end.reset();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return sys_error("waitpid");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    if (!written) return written.error();
    return {};
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return Error{"unable to execute " + command.path};
  if (WIFEXITED(status))
    return Error{command.path + " exited with status " + std::to_string(WEXITSTATUS(status))};
  return Error{command.path + " killed by signal " + std::to_string(WTERMSIG(status))};
}

Error exec_command(const std::string& path, const std::vector<std::string>& args) {
  std::vector<std::string> all = {path};
  all.insert(all.end(), args.begin(), args.end());
  auto argv = c_argv(all);
  ::execv(argv[0], argv.data());
  return sys_error("execute " + path);
}

}  // namespace postern::sendmail
