// The "subscriptions" file as Dovecot keeps it in the mail root: version 2
// is "V\t2\n\n" then one name per line with its levels separated by TAB;
// version 1 files (one name per line, '/' or '.' separated) are read too.
// Internal to lib/mailstore; pure except the file helpers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::mailstore {

// Names with "/" between levels; `v1_separator` is the separator a version
// 1 file used ('.' for Maildir++, '/' for mbox).
std::vector<std::string> parse_subscriptions(std::string_view text, char v1_separator);
std::string format_subscriptions(const std::vector<std::string>& names);

Result<std::vector<std::string>> read_subscriptions(const std::string& root, char v1_separator);
Status write_subscriptions(const std::string& root, const std::vector<std::string>& names);

}  // namespace postern::mailstore
