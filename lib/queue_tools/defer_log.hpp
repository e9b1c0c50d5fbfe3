// Deferral reasons for mailq: the per-message log in defer/ (hashed like
// deferred/), in Postfix's bounce-log form: "name=value" lines, one record
// per recipient, records separated by an empty line; mailq uses `recipient`
// and `reason`. Read by postqueue as root or mail_owner.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "lib/queue/queue_layout.hpp"

namespace postern::queue_tools {

// recipient -> reason, last record wins. Empty when there is no log.
std::map<std::string, std::string> parse_defer_log(std::string_view text);
std::map<std::string, std::string> read_defer_log(const queue::QueueLayout& layout, std::string_view id);

}  // namespace postern::queue_tools
