// The kernel's host name (gethostname), as written into lock files and
// Maildir file names; "localhost" when it cannot be read.
#pragma once

#include <string>

namespace postern {

std::string host_name();

}  // namespace postern
