// DaemonContext: what every daemon has after start-up — its arguments, its
// configuration (main.cf plus master.cf -o overrides), logging, the
// listeners master handed over, and the status channel. Built once in each
// daemon's main() by a skeleton; passed by reference, never global.
#pragma once

#include <vector>

#include "lib/base/unique_fd.hpp"
#include "lib/config/config.hpp"
#include "lib/service/server_args.hpp"
#include "lib/service/status_channel.hpp"

namespace postern::service {

class DaemonContext {
 public:
  // Parses argv, loads the configuration and sets up logging. A bad argument
  // or configuration is fatal (logged; exit status 1, master throttles).
  static DaemonContext init(int argc, char** argv);

  const ServerArgs& args() const { return args_; }
  const config::Config& config() const { return config_; }
  std::vector<UniqueFd>& listeners() { return listeners_; }
  StatusChannel& status() { return status_; }

  // As root: chroot (-z) and become mail_owner (-u). Otherwise nothing.
  // Fatal on failure: a daemon never runs with more privilege than asked.
  void drop_privileges();

 private:
  DaemonContext(ServerArgs args, config::Config config);
  ServerArgs args_;
  config::Config config_;
  std::vector<UniqueFd> listeners_;
  StatusChannel status_;
};

// Sets up logging for a daemon or command from its configuration:
// tag "<syslog_name>/<program>", syslog, maillog_file, and standard error if
// asked — there as "<program>: ..." the way Postfix's commands write it
// (`stderr_tag` replaces that, e.g. "postfix/postfix-script").
void configure_logging(const config::Config& config, const std::string& program, bool to_stderr,
                       const std::string& stderr_tag = "");

}  // namespace postern::service
