// The agent side of one qmgr connection, shared by every delivery agent
// (local, smtp, lmtp): the hello, then requests one after another, each read
// within a deadline, decoded strictly and answered with the agent's reply.
// A connection carries up to the number of requests the hello announced, so
// qmgr need not connect and wait for a hello per delivery. Runs in the agent
// (local: root; smtp/lmtp: mail_owner).
#pragma once

#include <functional>

#include "lib/ipc/delivery_proto.hpp"

namespace postern::ipc {

// Serves the connection on `fd` until qmgr closes it or `max_requests`
// requests are answered; returns how many were answered. A request that
// cannot be read or decoded is logged and ends the connection unanswered
// (qmgr defers it); else `deliver` is called and its reply sent.
long long serve_delivery(int fd, const std::function<DeliveryReply(const DeliveryRequest&)>& deliver,
                         long long max_requests = 1);

}  // namespace postern::ipc
