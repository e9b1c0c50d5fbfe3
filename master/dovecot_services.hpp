// The services dovecot.conf asks for (protocols, service listeners): pop3d
// on 110/995, imapd on 143/993 and the auth socket, as extra ServiceSpecs next to master.cf's,
// so no master.cf entry is needed and `postfix reload` applies changes.
// Runs in master (root) at start and reload.
#pragma once

#include "lib/config/config.hpp"
#include "master/service_spec.hpp"

namespace postern::master {

// Appends to plan.run what dovecot.conf (main.cf's dovecot_config_file)
// enables, and a note for what it cannot run. A missing file (not named in
// main.cf) adds nothing; a broken one adds a note naming file and line.
void plan_dovecot_services(const config::Config& config, ServicePlan& plan);

// The error (file, line) that makes dovecot.conf unusable, or "" when it is
// usable or absent. A reload that would get an error keeps the old services.
std::string dovecot_conf_error(const config::Config& config);

}  // namespace postern::master
