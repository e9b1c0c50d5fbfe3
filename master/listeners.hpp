// Opening a service's listening endpoints: inet sockets per inet_interfaces
// and inet_protocols, UNIX sockets and FIFOs under the queue directory.
// Master opens them all (it may need root for port 25) and hands them down.
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/config/config.hpp"
#include "master/service_spec.hpp"

namespace postern::master {

struct Endpoint {
  std::string description;  // "127.0.0.1:2525", "private/smtp", ... for logs and reload
};

struct OpenedListeners {
  std::vector<UniqueFd> fds;
  std::string identity;  // what they listen on; equal identity = reusable on reload
};

// What `spec` would listen on (addresses resolved), without opening anything.
Result<std::string> listener_identity(const config::Config& config, const ServiceSpec& spec);
Result<OpenedListeners> open_listeners(const config::Config& config, const ServiceSpec& spec);

// Where a unix/fifo service lives: <queue_directory>/{private,public}/<name>.
std::string local_endpoint_path(const config::Config& config, const config::MasterEntry& entry);

}  // namespace postern::master
