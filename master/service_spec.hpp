// ServiceSpec: one master.cf entry resolved against main.cf — which program
// to run, how many processes at most, with what arguments — or the reason it
// is not run (Postfix services Postern folds into others or lacks).
#pragma once

#include <string>
#include <vector>

#include "lib/config/config.hpp"
#include "lib/config/master_cf.hpp"
#include "master/socket_permissions.hpp"

namespace postern::master {

struct ServiceSpec {
  config::MasterEntry entry;
  std::string key;             // "smtp/inet": unique in master.cf
  std::string path;            // daemon_directory/command
  int maxproc = 0;             // 0: no limit
  std::vector<std::string> child_args;  // -o and the entry's own args, for argv
  SocketPermissions socket_permissions;  // unix: dovecot.conf's unix_listener mode/user/group
};

struct ServicePlan {
  std::vector<ServiceSpec> run;
  std::vector<std::string> notes;  // one line per entry not run, logged once
};

// Decides, for each master.cf entry, whether master runs it.
ServicePlan plan_services(const config::Config& config, const config::MasterCf& master_cf);

}  // namespace postern::master
