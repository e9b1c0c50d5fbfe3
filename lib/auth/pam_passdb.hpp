// passdb pam: verifies a password through libpam (the stock Debian
// auth-system.conf.ext uses it). Runs in the auth daemon, as root.
#pragma once

#include <memory>
#include <string>

#include "lib/auth/passdb.hpp"

namespace postern::auth {

// args as Dovecot: "[session=yes] [setcred=yes] [failure_show_msg=yes]
// [max_requests=N] [service]"; the service defaults to "dovecot", %s = the
// protocol ("pop3", "smtp").
std::unique_ptr<Passdb> make_pam_passdb(const std::string& args);

}  // namespace postern::auth
