// Parses the argv that master gives a daemon (see master_proto.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::service {

struct ServerArgs {
  std::string program;   // basename of argv[0], e.g. "smtpd"
  std::string service;   // master.cf service name, e.g. "submission"
  std::string type;      // inet, unix, fifo, ...
  std::string config_dir;  // empty: resolve_config_dir("")
  int listen_count = 0;
  int generation = 0;
  bool unprivileged = false;
  bool chroot = false;
  bool stand_alone = false;
  int verbose = 0;
  std::vector<std::pair<std::string, std::string>> overrides;  // -o name=value
  std::vector<std::string> args;  // after "--": the rest of the master.cf line
};

Result<ServerArgs> parse_server_args(int argc, char** argv);

}  // namespace postern::service
