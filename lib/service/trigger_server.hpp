// The trigger skeleton: a persistent event-loop daemon woken by one-byte
// requests on its FIFO or UNIX-socket endpoint (pickup, qmgr). Master writes
// 'W' at the master.cf wakeup interval; other programs write their own codes
// (e.g. postqueue -f asks qmgr to flush). The daemon owns the loop, so it can
// add its own timers and sockets to it.
//
// On reload or stop (EOF on the status channel) the skeleton calls on_stop;
// the daemon finishes what it must and calls loop.stop() (the default, when
// on_stop is empty, stops at once).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "lib/net/event_loop.hpp"
#include "lib/service/daemon_context.hpp"

namespace postern::service {

struct TriggerServerHooks {
  std::function<void(DaemonContext&)> pre_drop;                    // optional, as root
  std::function<void(DaemonContext&, net::EventLoop&)> post_drop;  // optional
  // The request bytes received (each byte one request; "" once at start-up,
  // so the daemon scans its queue without waiting for the first wakeup).
  std::function<void(std::string_view requests)> on_trigger;
  std::function<void(net::EventLoop&)> on_stop;  // optional
};

int run_trigger_server(int argc, char** argv, TriggerServerHooks hooks);

// Master's wakeup request byte, also used for a socket client that
// connected but sent nothing.
inline constexpr char kWakeupRequest = 'W';

// The request bytes waiting on a trigger listener: all of a FIFO's, or one
// accepted UNIX-socket client's, waiting for it up to a second since a
// client connects before it writes. Never empty for a socket client.
std::string receive_trigger(int listen_fd, const std::string& type);
// receive_trigger(), then the requests of every other client already
// waiting, in order, as one string: triggers that queued up while the
// daemon was busy (qmgr delivering a batch) are handled once.
std::string receive_triggers(int listen_fd, const std::string& type);

}  // namespace postern::service
