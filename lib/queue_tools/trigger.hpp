// Wake-up requests to a trigger service (pickup, qmgr) through its endpoint in
// public/: a FIFO (Postfix's classic "fifo" type) or a UNIX stream socket
// ("unix" type). Sent by postdrop (setgid postdrop), postqueue and postsuper.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace postern::queue_tools {

// qmgr request bytes, as Postfix's qmgr understands them.
inline constexpr char kQmgrScanIncoming = 'I';
inline constexpr char kQmgrScanDeferred = 'D';
inline constexpr char kQmgrScanAll = 'A';    // ignore deferred files' retry times
inline constexpr char kQmgrFlushDead = 'F';  // forget "dead destination" state
inline constexpr char kWakeup = 'W';

// Writes `requests` to the service endpoint at `path` without blocking: an
// endpoint that is missing or has no reader (the service does not run) is an
// Error the caller may ignore; mail stays queued and the next periodic
// wake-up finds it.
Status send_trigger(const std::string& path, std::string_view requests);

}  // namespace postern::queue_tools
