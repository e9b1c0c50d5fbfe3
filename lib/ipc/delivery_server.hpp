// The agent side of one qmgr connection, shared by every delivery agent
// (local, smtp, lmtp): the hello, one request read within a deadline and
// decoded strictly, the agent's reply written back. Runs in the agent (local:
// root; smtp/lmtp: mail_owner).
#pragma once

#include <functional>

#include "lib/ipc/delivery_proto.hpp"

namespace postern::ipc {

// Handles the connection on `fd` to completion: a request that cannot be
// read or decoded is logged and answered with nothing (qmgr defers); else
// `deliver` is called and its reply sent.
void serve_delivery(int fd, const std::function<DeliveryReply(const DeliveryRequest&)>& deliver);

}  // namespace postern::ipc
