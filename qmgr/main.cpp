// qmgr — the queue manager (Postfix qmgr(8)).
//
// Role: woken through public/qmgr ('A' new mail from cleanup, 'W' master's
// wakeup, 'F' flush from postqueue -f) and every queue_run_delay; moves
// files incoming -> active, resolves each recipient (mydestination,
// localhost and our own [address] literals are local; other domains wait in
// deferred/ until the smtp transport exists), hands local recipients to the
// local agent over private/local, marks finished recipients done in place,
// sends RFC 3464 bounces (double bounces to postmaster), and removes the
// file ("QID: removed") or defers it with backoff. At start, files left in
// active/ by a crash go back to incoming/.
// Privileges: mail_owner (master.cf "qmgr unix n - n 300 1 qmgr").
// Parameters: queue_directory, hash_queue_depth, hash_queue_names,
// mydestination, myhostname, myorigin, inet_interfaces, local_transport,
// minimal_backoff_time, maximal_backoff_time, queue_run_delay,
// maximal_queue_lifetime, bounce_queue_lifetime, bounce_size_limit,
// double_bounce_sender, 2bounce_notice_recipient, bounce_notice_recipient,
// notify_classes.
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
