// Turning errno into an Error with a readable message.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace postern {

// strerror(err) without the thread-safety problems of strerror().
std::string errno_text(int err);

// Error{"<what>: <strerror(errno)>", errno} for the current errno.
Error sys_error(std::string_view what);
Error sys_error(std::string_view what, int err);

}  // namespace postern
