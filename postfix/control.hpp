// The `postfix` command's actions on a running (or not running) master:
// start, start-fg, stop, abort, reload, status. Messages and exit codes are
// Postfix's ("postfix/postfix-script: starting the Postfix mail system").
#pragma once

#include <string>

#include "lib/config/config.hpp"

namespace postern::postfix_cmd {

int start(const config::Config& config, bool foreground);
int stop(const config::Config& config, bool abort);
int reload(const config::Config& config);
int status(const config::Config& config);

}  // namespace postern::postfix_cmd
