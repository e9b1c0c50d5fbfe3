// postfix — control the mail system (Postfix's postfix(1)).
//
// postfix [-c config_dir] [-Dv] command
//   start        check the configuration, start master in the background
//   start-fg     the same, master in the foreground (containers, the demo)
//   stop         orderly stop; waits until master has gone
//   abort        stop at once; running processes are killed
//   reload       re-read main.cf/master.cf; connections in progress finish
//   status       is it running? (exit 0 yes, 1 no)
//   check        configuration errors (file:line), queue folders, permissions
//   set-permissions  create the queue folders with Postfix's owners and modes
// Runs as the invoking user. Messages go to stderr and the mail log with the
// tag "postfix/postfix-script", as Postfix's do.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/service/daemon_context.hpp"
#include "postfix/check.hpp"
#include "postfix/control.hpp"

using namespace postern;

int main(int argc, char** argv) {
  log::configure({.tag = "postfix", .to_stderr = true});
  std::string config_dir;
  for (int opt; (opt = ::getopt(argc, argv, "+c:Dv")) != -1;) {
    if (opt == 'c') config_dir = optarg;
    else if (opt != 'D' && opt != 'v') return 1;
  }
  if (optind != argc - 1) {
    std::fprintf(stderr, "usage: postfix [-c config_dir] [-Dv] command\n");
    return 1;
  }
  const std::string command = argv[optind];
  config::Config config;
  try {
    config = config::Config::load(config::resolve_config_dir(config_dir));
  } catch (const config::ConfigError& e) {
    log::fatal("%s", e.what());
  }
  service::configure_logging(config, "postfix-script", true, config.get("syslog_name") + "/postfix-script");

  if (command == "start") return postfix_cmd::start(config, false);
  if (command == "start-fg") return postfix_cmd::start(config, true);
  if (command == "stop") return postfix_cmd::stop(config, false);
  if (command == "abort") return postfix_cmd::stop(config, true);
  if (command == "reload") return postfix_cmd::reload(config);
  if (command == "status") return postfix_cmd::status(config);
  if (command == "check") return postfix_cmd::check_configuration(config, postfix_cmd::CheckMode::full);
  if (command == "set-permissions") return postfix_cmd::set_permissions(config);
  log::configure({.tag = "postfix", .to_stderr = true});
  log::fatal("unknown command: '%s'. Usage: postfix start (or stop, reload, abort, flush, or check)",
             command.c_str());
}
