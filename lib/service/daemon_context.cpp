// Daemon start-up shared by all skeletons. Runs in every daemon, as root
// until drop_privileges() when master was started as root.
#include "lib/service/daemon_context.hpp"

#include <csignal>
#include <unistd.h>

#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/service/master_proto.hpp"
#include "lib/service/privileges.hpp"

namespace postern::service {

void configure_logging(const config::Config& config, const std::string& program, bool to_stderr,
                       const std::string& stderr_tag) {
  log::Options options;
  options.tag = config.get("syslog_name") + "/" + program;
  options.to_syslog = true;
  options.file = config.get("maillog_file");
  options.to_stderr = to_stderr;
  options.stderr_tag = stderr_tag.empty() ? program : stderr_tag;
  log::configure(options);
}

DaemonContext::DaemonContext(ServerArgs args, config::Config config)
    : args_(std::move(args)), config_(std::move(config)), status_(!args_.stand_alone, args_.generation) {}

DaemonContext DaemonContext::init(int argc, char** argv) {
  // A peer that disconnects mid-write is an ordinary error (EPIPE), not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  log::configure({.tag = "postfix/daemon", .to_syslog = true, .to_stderr = true});
  auto args = parse_server_args(argc, argv);
  if (!args) log::fatal("%s", args.error().message.c_str());
  config::Config config;
  try {
    config = config::Config::load(config::resolve_config_dir(args->config_dir));
    for (const auto& [name, value] : args->overrides) config.set_override(name, value);
    configure_logging(config, args->program, args->stand_alone);
  } catch (const config::ConfigError& e) {
    log::fatal("%s", e.what());
  }
  DaemonContext ctx(std::move(args.value()), std::move(config));
  if (!ctx.args_.stand_alone) {
    for (int i = 0; i < ctx.args_.listen_count; ++i) {
      int fd = kFirstListenFd + i;
      set_cloexec(fd, true);
      set_nonblocking(fd, true);
      ctx.listeners_.emplace_back(fd);
    }
    set_cloexec(kStatusFd, true);
  }
  return ctx;
}

void DaemonContext::drop_privileges() {
  if (::geteuid() != 0) return;
  if (!args_.unprivileged && !args_.chroot) return;
  std::string chroot_dir = args_.chroot ? config_.get("queue_directory") : std::string();
  // Inside the jail the queue is the root: paths built from queue_directory
  // (and from parameters that refer to it) must follow.
  auto enter_jail_paths = [&] {
    if (!chroot_dir.empty()) config_.set_override("queue_directory", "/");
  };
  if (!args_.unprivileged) {
    if (!chroot_dir.empty()) prepare_for_chroot();
    if (!chroot_dir.empty() && (::chroot(chroot_dir.c_str()) != 0 || ::chdir("/") != 0))
      log::fatal("chroot %s: %m", chroot_dir.c_str());
    enter_jail_paths();
    return;
  }
  std::string owner = config_.get("mail_owner");
  auto account = find_account(owner);
  if (!account) log::fatal("mail_owner: %s", account.error().message.c_str());
  if (account->uid == 0) log::fatal("mail_owner %s must not be the super-user", owner.c_str());
  if (auto st = service::drop_privileges(*account, chroot_dir); !st)
    log::fatal("%s", st.error().message.c_str());
  enter_jail_paths();
}

}  // namespace postern::service
