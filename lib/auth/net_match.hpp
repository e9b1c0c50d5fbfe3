// Address-in-network checks for login_trusted_networks and "from localhost".
// Pure; used by auth and pop3d.
#pragma once

#include <string>
#include <string_view>

namespace postern::auth {

// True when `ip` (text) is in one of the networks ("192.168.1.0/24 10.0.0.1 ::1/128").
bool ip_in_networks(std::string_view ip, std::string_view networks);
bool is_loopback(std::string_view ip);

}  // namespace postern::auth
