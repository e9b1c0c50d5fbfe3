// postqueue(1): Postfix queue control for users.
//
//   postqueue [-v] [-c config_dir] -p     list the queue (mailq format)
//   postqueue [-v] [-c config_dir] -j     list the queue, one JSON object per line
//   postqueue [-v] [-c config_dir] -f     ask qmgr to deliver all queued mail now
//   postqueue [-v] [-c config_dir] -s site  as -f (no per-site fast flush yet)
//   postqueue [-v] [-c config_dir] -i queue_id  retry one deferred message now
//
// Root and mail_owner list by reading the queue folders directly; other users
// ask the showq service on public/showq ("Queue report unavailable - mail
// system is down", exit 69, when it does not answer). -f/-s/-i
// write requests to qmgr's public/qmgr endpoint; when qmgr does not run that
// is a warning, not a failure: the mail is delivered once it starts.
//
// Privilege: installed set-group-ID setgid_group (to write public/qmgr);
// -c / MAIL_CONFIG then follows alternate_config_directories.
// Parameters: queue_directory, hash_queue_*, authorized_mailq_users,
// authorized_flush_users (root and mail_owner always pass).
#include <getopt.h>

#include <string>

#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/queue_tools/authorized_users.hpp"
#include "lib/queue_tools/tool_config.hpp"
#include "lib/service/daemon_context.hpp"
#include "postqueue/actions.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  log::configure({.tag = "postqueue", .to_stderr = true});
  std::string config_option, arg;
  char action = 0;
  int c;
  while ((c = ::getopt(argc, argv, "c:fi:jps:v")) != -1) {
    switch (c) {
      case 'c':
        config_option = optarg;
        break;
      case 'v':
        break;
      case 'f':
      case 'j':
      case 'p':
      case 'i':
      case 's':
        if (action) log::fatal("specify only one of -f -i -j -p -s");
        action = static_cast<char>(c);
        if (optarg) arg = optarg;
        break;
      default:
        log::fatal("usage: postqueue -f | -i queue_id | -j | -p | -s site");
    }
  }
  if (!action || optind != argc) log::fatal("usage: postqueue -f | -i queue_id | -j | -p | -s site");
  queue::QueueLayout layout;
  bool direct = true;
  try {
    auto config = config::Config::load(queue_tools::privileged_config_dir(config_option));
    service::configure_logging(config, "postqueue", true);
    layout = queue_tools::layout_from_config(config);
    direct = postqueue::reads_queue_directly(config);
    bool listing = action == 'p' || action == 'j';
    auto refused =
        queue_tools::check_user_access(config, listing ? "authorized_mailq_users" : "authorized_flush_users",
                                       true, listing ? "view the mail queue" : "flush the mail queue");
    if (!refused.empty()) {
      log::error("%s", refused.c_str());
      return 77;  // EX_NOPERM
    }
  } catch (const config::ConfigError& e) {
    log::fatal("%s", e.what());
  }
  switch (action) {
    case 'p':
    case 'j':
      return direct ? postqueue::list_queue(layout, action == 'j')
                    : postqueue::list_queue_via_showq(layout, action == 'j');
    case 'i':
      return postqueue::flush_message(layout, arg);
    default:
      return postqueue::flush_queue(layout);
  }
}
