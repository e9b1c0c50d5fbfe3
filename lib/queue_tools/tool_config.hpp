// The queue settings every queue command needs (queue_directory and the hash
// layout), read from main.cf, and the -c / MAIL_CONFIG rule for set-group-ID
// commands. Used by sendmail, postdrop, postqueue, postsuper, postcat and
// pickup, with whatever privilege each has.
#pragma once

#include <string>

#include "lib/config/config.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::queue_tools {

// queue_directory, hash_queue_depth, hash_queue_names. Throws ConfigError.
queue::QueueLayout layout_from_config(const config::Config& config);

// Owners of the queue folders: mail_owner (never root) and setgid_group.
// An unknown user or group is an error naming the parameter.
Result<queue::Ownership> ownership_from_config(const config::Config& config);

// The configuration directory for a command that may run set-group-ID
// (postdrop, postqueue). Like config::resolve_config_dir(), but when the
// process is set-group-ID and the caller is not root, a directory other than
// the compiled-in default must be listed in the default main.cf's
// alternate_config_directories (Postfix's rule): otherwise a user could
// point a privileged program at a main.cf of their own. Throws ConfigError.
std::string privileged_config_dir(const std::string& from_option);

}  // namespace postern::queue_tools
