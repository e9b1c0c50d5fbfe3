// qmgr — the queue manager (Postfix qmgr(8)).
//
// Role: woken through public/qmgr ('A' new mail from cleanup, 'W' master's
// wakeup, 'F' flush from postqueue -f) and every queue_run_delay; moves
// files incoming -> active, resolves each recipient to a transport and next
// hop as trivial-rewrite does (mydestination, localhost and our own
// [address] literals are local; relay_domains go to relay_transport, the
// rest to default_transport; relayhost; transport_maps), hands each
// recipient to its agent over private/<transport> within the process and
// per-destination limits, marks finished recipients done in place,
// sends RFC 3464 bounces (double bounces to postmaster), and removes the
// file ("QID: removed") or defers it with backoff. At start, files left in
// active/ by a crash go back to incoming/.
// Privileges: mail_owner (master.cf "qmgr unix n - n 300 1 qmgr").
// Parameters: queue_directory, hash_queue_depth, hash_queue_names,
// mydestination, myhostname, myorigin, inet_interfaces, local_transport,
// minimal_backoff_time, maximal_backoff_time, queue_run_delay,
// maximal_queue_lifetime, bounce_queue_lifetime, bounce_size_limit,
// double_bounce_sender, 2bounce_notice_recipient, bounce_notice_recipient,
// notify_classes, default_transport, relay_transport, relayhost,
// relay_domains, transport_maps, recipient_delimiter,
// default_destination_concurrency_limit, initial_destination_concurrency,
// smtp/relay/lmtp_destination_concurrency_limit, default_process_limit.
#include <signal.h>

#include <memory>

#include "lib/net/watcher.hpp"
#include "lib/service/trigger_server.hpp"
#include "qmgr/manager.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  std::unique_ptr<qmgr::QueueManager> manager;
  net::Watcher timer;
  long long run_delay = 300;
  service::TriggerServerHooks hooks;
  hooks.post_drop = [&](service::DaemonContext& ctx, net::EventLoop& loop) {
    ::signal(SIGPIPE, SIG_IGN);  // a delivery agent that dies mid-reply is an error, not our death
    auto params = qmgr::load_params(ctx.config());
    run_delay = params.queue_run_delay > 0 ? params.queue_run_delay : 300;
    manager = std::make_unique<qmgr::QueueManager>(std::move(params));
    manager->recover();
    timer = net::Watcher::timer(loop, [&] {
      manager->run_queue();
      timer.arm(static_cast<double>(run_delay));
    });
    timer.arm(static_cast<double>(run_delay));
  };
  hooks.on_trigger = [&](std::string_view requests) { manager->on_trigger(requests); };
  return service::run_trigger_server(argc, argv, std::move(hooks));
}
