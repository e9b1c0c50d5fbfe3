// MaildirStore: a user's Maildir++ tree as IMAP folders. INBOX is the
// Maildir root, "a/b" is ".a.b" (levels in modified UTF-7). Internal to
// lib/mailstore; runs in imapd's mail process as the mailbox owner.
#pragma once

#include <memory>
#include <string>

#include "lib/mailstore/mail_store.hpp"

namespace postern::mailstore {

Result<std::unique_ptr<MailStore>> open_maildir_store(const std::string& root);

}  // namespace postern::mailstore
