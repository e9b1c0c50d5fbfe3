// pickup(8): local mail pickup. Moves messages that sendmail/postdrop left in
// $queue_directory/maildrop/ through cleanup (lib/cleanup: Received,
// Message-ID, Date, From, Bcc removal, size and hop limits) into incoming/,
// then removes the maildrop file. Logs "QUEUEID: uid=N from=<sender>".
//
// A trigger daemon (master.cf: `pickup fifo n - n 60 1 pickup`, or `unix`):
// master wakes it every 60 seconds and postdrop after each submission; it
// also scans once at start. Maildrop files come from untrusted users: each is
// checked strictly (lib/queue's parser plus queue_tools::check_maildrop);
// a bad one is logged and moved to corrupt/. The submitting uid is the
// file's owner, never a value from the file.
//
// Privilege: started by master as root, runs as mail_owner (never root).
// Parameters: queue_directory, hash_queue_*, message_size_limit and cleanup's
// (myhostname, myorigin, header_size_limit, hopcount_limit ...).
#include <optional>

#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/service/trigger_server.hpp"
#include "pickup/pickup_service.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  std::optional<pickup::Pickup> pickup;
  service::TriggerServerHooks hooks;
  hooks.post_drop = [&](service::DaemonContext& ctx, net::EventLoop&) {
    try {
      pickup.emplace(ctx.config());
    } catch (const config::ConfigError& e) {
      log::fatal("%s", e.what());
    }
  };
  // Every request byte means the same: look at maildrop/ now.
  hooks.on_trigger = [&](std::string_view) { pickup->scan(); };
  return service::run_trigger_server(argc, argv, std::move(hooks));
}
