// User and group ids from configuration text, which may name an account
// ("vmail") or give its number ("5000"), as Dovecot's uid=/gid= and
// unix_listener user=/group= settings allow. Lookups go through NSS.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

namespace postern {

// A non-negative number is taken as is; otherwise the account database is
// asked. Nothing when the name is unknown or the lookup fails.
std::optional<uid_t> uid_from_text(const std::string& text);
std::optional<gid_t> gid_from_text(const std::string& text);

}  // namespace postern
