// The format-specific openers behind open_mailbox(). Internal to lib/mailstore.
#pragma once

#include <memory>
#include <string>

#include "lib/mailstore/mailstore.hpp"

namespace postern::mailstore {

Result<std::unique_ptr<MailboxReader>> open_mbox(const std::string& path, OpenError& why);
Result<std::unique_ptr<MailboxReader>> open_maildir(const std::string& path, OpenError& why);

}  // namespace postern::mailstore
