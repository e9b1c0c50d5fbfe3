// master — Postern's process supervisor (Postfix's master(8)).
//
// Runs as root on a real system (it binds port 25 and starts the delivery
// agents that become the recipient); as any user in a sandbox. Reads main.cf
// and master.cf, opens every listener, and forks the services named there on
// demand (lib/service/master_proto.hpp is the contract with them).
//
// Options: -c config_dir   configuration directory (else MAIL_CONFIG, /etc/postfix)
//          -w              start in the background; exit 0 once running
//          -t              exit 0 when no master is running (test mode)
//          -d              stay in the foreground with logging on stderr too
// Signals: HUP reload, TERM/INT stop, QUIT abort (children killed at once).
// Parameters: config_directory, queue_directory, process_id_directory,
// daemon_directory, mail_owner, setgid_group, default_process_limit,
// service_throttle_time, inet_interfaces, inet_protocols, maillog_file,
// syslog_name.
#include <unistd.h>

#include "lib/base/build_paths.hpp"
#include "lib/config/config_error.hpp"
#include "lib/config/master_cf.hpp"
#include "lib/log/log.hpp"
#include "lib/service/daemon_context.hpp"
#include "lib/service/master_pid.hpp"
#include "master/daemonize.hpp"
#include "master/runtime_dirs.hpp"
#include "master/supervisor.hpp"

using namespace postern;

int main(int argc, char** argv) {
  std::string config_dir_option;
  bool wait_mode = false, test_mode = false, foreground_logging = false;
  for (int opt; (opt = ::getopt(argc, argv, "c:wtdDv")) != -1;) {
    switch (opt) {
      case 'c': config_dir_option = optarg; break;
      case 'w': wait_mode = true; break;
      case 't': test_mode = true; break;
      case 'd': foreground_logging = true; break;
      case 'D': case 'v': break;  // accepted for Postfix compatibility
      default: return 2;
    }
  }
  log::configure({.tag = "postfix/master", .to_stderr = true});
  config::Config config;
  config::MasterCf master_cf;
  try {
    config = config::Config::load(config::resolve_config_dir(config_dir_option));
    master_cf = config::MasterCf::load(config.config_dir() + "/master.cf");
  } catch (const config::ConfigError& e) {
    log::fatal("%s", e.what());
  }
  service::configure_logging(config, "master", foreground_logging || wait_mode);
  const std::string pid_path = service::master_pid_path(config);
  if (test_mode) return service::running_master(pid_path) ? 1 : 0;

  // With -w the work below happens in the background process (fcntl locks
  // do not survive fork); its errors still reach our standard error.
  UniqueFd ready;
  if (wait_mode) ready = master::daemonize_and_wait(30);

  if (auto st = master::ensure_runtime_dirs(config); !st) log::fatal("%s", st.error().message.c_str());
  auto pid_lock = service::MasterPidLock::acquire(pid_path);
  if (!pid_lock) log::fatal("%s", pid_lock.error().message.c_str());

  const std::string config_dir = config.config_dir();
  master::Supervisor supervisor(config, std::move(master_cf));
  if (auto st = supervisor.start(); !st) log::fatal("%s", st.error().message.c_str());
  log::info("daemon started -- version %s, configuration %s", build::version, config_dir.c_str());
  if (wait_mode) {
    master::report_ready(ready);
    service::configure_logging(config, "master", false);
  }
  int status = supervisor.run();
  pid_lock->remove();
  return status;
}
