// showq — the queue listing service (Postfix showq(8)).
//
// Role: lets every local user list the mail queue. postqueue -p / -j (and so
// mailq and sendmail -bp) run by a user who cannot read the queue folders
// connect to public/showq and write one request line: "list\n" for the mailq
// table or "json\n" for postqueue -j lines. showq answers with that report,
// produced by lib/queue_tools' listing code, and closes. A request longer
// than 64 bytes, not complete within 10 seconds, or anything else gets
// "error: bad request" and the connection is closed; client bytes never
// reach a path. One client at a time (lib/service request skeleton).
// Privileges: runs as mail_owner (master passes -u); may run chrooted to
// queue_directory (master.cf chroot = y, Debian's stock
// "showq unix n - y - - showq"): the queue is then "/".
// Parameters: queue_directory, hash_queue_depth, hash_queue_names,
// max_idle, max_use.
#include <sys/stat.h>

#include <ctime>
#include <optional>

#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/queue_tools/tool_config.hpp"
#include "lib/service/single_server.hpp"
#include "showq/session.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  std::optional<queue::QueueLayout> layout;
  service::SingleServerHooks hooks;
  // Load the time zone before a chroot hides /etc/localtime: the report's
  // arrival times must read as they do for root's postqueue.
  hooks.pre_drop = [](service::DaemonContext&) { ::tzset(); };
  hooks.post_drop = [&](service::DaemonContext& ctx) {
    ::umask(077);
    try {
      layout = queue_tools::layout_from_config(ctx.config());
    } catch (const config::ConfigError& e) {
      log::fatal("%s", e.what());
    }
  };
  hooks.on_client = [&](UniqueFd client, service::DaemonContext&) {
    showq::serve_client(client.get(), *layout);
  };
  return service::run_single_server(argc, argv, std::move(hooks));
}
