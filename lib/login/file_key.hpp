// File names made from untrusted text (user names, addresses) for the small
// state files of the login services (userip_limit, login_delay): anything
// outside [A-Za-z0-9.-_@] is hex-escaped as %XX, so a name never leaves its
// folder or starts with a dot. Runs in a connection root process.
#pragma once

#include <string>
#include <string_view>

namespace postern::login {

// At most 200 characters (longer text is cut after escaping).
std::string file_key(std::string_view text);

}  // namespace postern::login
