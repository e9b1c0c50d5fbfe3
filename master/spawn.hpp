// Forking a child for a service with master's descriptor contract in place
// (lib/service/master_proto.hpp).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "master/service_spec.hpp"

namespace postern::master {

struct SpawnedChild {
  pid_t pid = -1;
  UniqueFd status;  // master's end of the status channel
};

// `listen_fds` are master's (close-on-exec) listener descriptors for the service.
Result<SpawnedChild> spawn_child(const ServiceSpec& spec, const std::vector<int>& listen_fds,
                                 const std::string& config_dir, int generation);

}  // namespace postern::master
