// The showq client stub: lets postqueue (any local user, set-group-ID
// postdrop to reach public/) list the queue through the showq daemon.
#pragma once

#include <chrono>
#include <string>

#include "lib/base/result.hpp"
#include "lib/queue_tools/showq_protocol.hpp"

namespace postern::queue_tools {

struct ShowqReply {
  bool refused = false;  // showq answered "error: ..." (text holds it, prefix removed)
  std::string text;      // otherwise the report, as mailq / postqueue -j print it
};

// Connects to the UNIX socket at `endpoint`, sends the request and reads the
// whole answer, within `deadline` in total. An Error means the service is
// unreachable or the exchange failed: Postfix's "mail system is down".
Result<ShowqReply> query_showq(const std::string& endpoint, ShowqRequest request,
                               std::chrono::milliseconds deadline);

}  // namespace postern::queue_tools
