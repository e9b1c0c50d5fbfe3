// Postfix's user access lists: authorized_submit_users (sendmail, postdrop),
// authorized_mailq_users and authorized_flush_users (postqueue). Runs in
// those commands as the invoking user (postdrop/postqueue set-group-ID).
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/config/config.hpp"

namespace postern::queue_tools {

// Matches `user` (a login name) against a Postfix string list: entries
// separated by commas or spaces, tried in order; a plain name matches itself,
// "type:table" matches when the table finds the name (static:anyone finds
// every name), "!entry" makes a match a refusal. No match: refused.
// An Error means a table could not be opened or read: the caller must not
// guess, it stops (Postfix: fatal).
Result<bool> user_in_list(std::string_view list, std::string_view user);

// Checks main.cf `parameter` for the real uid. Root always passes, and
// mail_owner too when `owner_passes` (postqueue). Returns "" when allowed,
// else the text to report, as Postfix words it: "User bob(1000) is not
// allowed to <what>", or the table error.
std::string check_user_access(const config::Config& config, std::string_view parameter, bool owner_passes,
                              std::string_view what);

// The login name of uid, or the number when it has none.
std::string user_name_of(unsigned uid);

}  // namespace postern::queue_tools
