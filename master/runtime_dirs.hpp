// The queue folders master needs before it can listen (private/, public/,
// pid/ and the rest), created or repaired with Postfix's owners and modes
// from lib/queue's one folder table — what Postfix's `postfix start` does
// through its check step.
#pragma once

#include "lib/base/result.hpp"
#include "lib/config/config.hpp"

namespace postern::master {

Status ensure_runtime_dirs(const config::Config& config);

}  // namespace postern::master
