// postsuper(1): Postfix superintendent: queue maintenance for root and
// mail_owner.
//
//   postsuper [-psSv] [-c config_dir] [-d queue_id] [-e queue_id] [-f queue_id]
//             [-h queue_id] [-H queue_id] [-r queue_id] [queue ...]
//
//   -d ID|ALL|-  delete messages (default queues: hold incoming active deferred)
//   -h ID|ALL|-  put on hold (default: incoming active deferred)
//   -H ID|ALL|-  release from hold to deferred/, due at once (default: hold)
//   -r ID|ALL|-  requeue through maildrop/, pickup and cleanup, with a new queue ID
//                (default: hold incoming active deferred); pickup is woken
//   -e ID|ALL|-  mark administratively expired: qmgr returns the message to its
//                sender at the next delivery attempt (default: hold incoming active deferred)
//   -f ID|ALL|-  as -e, and release messages on hold so that attempt happens
//   -s           check and repair the queue structure (see repair.hpp)
//   -p           remove temporary files left by a crash
// "-" reads IDs from standard input, one per line. Options may repeat; each
// prints Postfix's summary ("postsuper: Deleted: 2 messages"). Queue names
// after the options restrict every operation to those queues.
//
// Privilege: root or mail_owner; root first becomes mail_owner, so repairs
// never leave root-owned files in the queue. Parameters: queue_directory,
// hash_queue_depth, hash_queue_names, mail_owner.
#include <getopt.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/queue_tools/tool_config.hpp"
#include "lib/queue_tools/trigger.hpp"
#include "lib/service/daemon_context.hpp"
#include "lib/service/privileges.hpp"
#include "postsuper/operations.hpp"
#include "postsuper/repair.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  log::configure({.tag = "postsuper", .to_stderr = true});
  std::string config_option;
  std::vector<postsuper::Request> requests;
  bool repair = false, purge = false;
  int c;
  while ((c = ::getopt(argc, argv, "c:d:e:f:h:H:r:psSv")) != -1) {
    std::string arg = optarg ? optarg : "";
    auto op = c == 'd'   ? postsuper::Operation::remove
              : c == 'h' ? postsuper::Operation::hold
              : c == 'H' ? postsuper::Operation::release
              : c == 'e' ? postsuper::Operation::expire
              : c == 'f' ? postsuper::Operation::expire_release
                         : postsuper::Operation::requeue;
    switch (c) {
      case 'c':
        config_option = arg;
        break;
      case 'd':
      case 'e':
      case 'f':
      case 'h':
      case 'H':
      case 'r':
        if (arg == "-") {
          std::vector<std::string> ids;
          for (std::string line; std::getline(std::cin, line);)
            if (!line.empty()) ids.push_back(line);
          requests.push_back({op, ids});
        } else {
          requests.push_back({op, {arg}});
        }
        break;
      case 's':
        repair = true;
        break;
      case 'p':
        purge = true;
        break;
      case 'S':
      case 'v':
        break;
      default:
        log::fatal("usage: postsuper [-psv] [-c dir] [-d|-e|-f|-h|-H|-r queue_id|ALL|-] [queue ...]");
    }
  }
  std::vector<std::string> queues(argv + optind, argv + argc);
  queue::QueueLayout layout;
  try {
    auto config = config::Config::load(config::resolve_config_dir(config_option));
    service::configure_logging(config, "postsuper", true);
    layout = queue_tools::layout_from_config(config);
    auto owner = service::find_account(config.get("mail_owner"));
    if (!owner) log::fatal("%s", owner.error().message.c_str());
    if (::geteuid() == 0 && owner->uid != 0) {
      if (auto s = service::drop_privileges(*owner, ""); !s) log::fatal("%s", s.error().message.c_str());
    } else if (::geteuid() != owner->uid) {
      log::fatal("use of this command is reserved for the superuser and %s", owner->name.c_str());
    }
  } catch (const config::ConfigError& e) {
    log::fatal("%s", e.what());
  }
  if (::chdir(layout.queue_directory.c_str()) != 0)
    log::fatal("chdir %s: %m", layout.queue_directory.c_str());
  constexpr std::int64_t kStale = 24 * 3600;  // Postfix's bound for temporary files
  if (repair)
    postsuper::repair_queue(layout, kStale);
  else if (purge)
    postsuper::purge_stale(layout, kStale);
  bool requeued = false;
  for (const auto& r : requests) {
    int n = postsuper::apply(layout, r, queues.empty() ? postsuper::default_folders(r.op) : queues);
    log::info("%s", postsuper::summary(r.op, n).c_str());
    requeued = requeued || (r.op == postsuper::Operation::requeue && n > 0);
  }
  // Requeued mail waits in maildrop/: wake pickup (its 60 s timer would too).
  if (requeued) (void)queue_tools::send_trigger(layout.queue_directory + "/public/pickup", "W");
  return 0;
}
