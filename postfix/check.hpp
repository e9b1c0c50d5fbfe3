// `postfix check` and `postfix set-permissions`: configuration syntax
// (file:line), the queue folders, and unsafe owners or permissions.
#pragma once

#include "lib/config/config.hpp"

namespace postern::postfix_cmd {

enum class CheckMode {
  fatal_only,  // before start/reload: configuration errors only
  full,        // postfix check: also owners and permissions (warnings)
};

// Returns 0 when nothing fatal was found; problems are logged.
int check_configuration(const config::Config& config, CheckMode mode);
// Creates missing folders and sets Postfix's owners and modes; as root only.
int set_permissions(const config::Config& config);

}  // namespace postern::postfix_cmd
