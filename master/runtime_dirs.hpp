// The folders master itself needs before it can listen: the queue directory
// with pid/, private/ (UNIX sockets of internal services) and public/
// (sockets and FIFOs local users may reach, guarded by setgid_group).
#pragma once

#include "lib/base/result.hpp"
#include "lib/config/config.hpp"

namespace postern::master {

Status ensure_runtime_dirs(const config::Config& config);

}  // namespace postern::master
