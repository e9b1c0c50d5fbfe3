// Dovecot's %variables in settings (%u, %n, %d, %h, %s, %r, %l, %Lu, %{user}),
// expanded per request. Pure; used by auth and pop3d.
#pragma once

#include <string>
#include <string_view>

namespace postern::auth {

struct Vars {
  std::string user;     // %u: user@domain or user
  std::string home;     // %h
  std::string service;  // %s: pop3, imap, smtp
  std::string rip;      // %r
  std::string lip;      // %l
};

// Unknown variables are kept as written, so a typo is visible in logs.
std::string expand_vars(std::string_view text, const Vars& vars);

}  // namespace postern::auth
