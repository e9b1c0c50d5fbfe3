// Start/stop/reload/status. Runs as the invoking user (root on a real system).
#include "postfix/control.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "lib/log/log.hpp"
#include "lib/service/master_pid.hpp"
#include "postfix/check.hpp"

namespace postern::postfix_cmd {
namespace {

std::optional<pid_t> running(const config::Config& config) {
  return service::running_master(service::master_pid_path(config));
}

// Runs master with `args`; returns its exit status (exec in the foreground case).
int run_master(const config::Config& config, const std::vector<std::string>& extra, bool replace_process) {
  std::string path = config.get("daemon_directory") + "/master";
  std::vector<std::string> args = {path, "-c", config.config_dir()};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (replace_process) {
    ::execv(path.c_str(), argv.data());
    log::fatal("execute %s: %m", path.c_str());
  }
  pid_t pid = ::fork();
  if (pid < 0) log::fatal("fork: %m");
  if (pid == 0) {
    ::execv(path.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int start(const config::Config& config, bool foreground) {
  if (running(config)) {
    log::fatal("the Postfix mail system is already running");
  }
  if (check_configuration(config, CheckMode::fatal_only) != 0) return 1;
  log::info("starting the Postfix mail system");
  if (foreground) return run_master(config, {}, true);
  if (run_master(config, {"-w"}, false) != 0) {
    log::fatal("mail system startup failed");
  }
  return 0;
}

int stop(const config::Config& config, bool abort) {
  auto pid = running(config);
  if (!pid) {
    log::fatal("the Postfix mail system is not running");
  }
  log::info(abort ? "aborting the Postfix mail system" : "stopping the Postfix mail system");
  if (::kill(*pid, abort ? SIGQUIT : SIGTERM) != 0) {
    log::fatal("cannot signal master pid %d: %m", int(*pid));
  }
  // Like Postfix 3, wait until master has gone so that a following start works.
  for (int i = 0; i < 300 && running(config); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (running(config)) {
    log::fatal("the Postfix mail system did not stop");
  }
  return 0;
}

int reload(const config::Config& config) {
  auto pid = running(config);
  if (!pid) {
    log::fatal("the Postfix mail system is not running");
  }
  if (check_configuration(config, CheckMode::fatal_only) != 0) return 1;
  log::info("refreshing the Postfix mail system");
  if (::kill(*pid, SIGHUP) != 0) {
    log::fatal("cannot signal master pid %d: %m", int(*pid));
  }
  return 0;
}

int status(const config::Config& config) {
  if (auto pid = running(config)) {
    log::info("the Postfix mail system is running: PID: %d", int(*pid));
    return 0;
  }
  log::info("the Postfix mail system is not running");
  return 1;
}

}  // namespace postern::postfix_cmd
