// MboxStore: "mbox:~/mail:INBOX=/var/mail/%u" — INBOX is the spool file
// local delivers to, other folders are mbox files below the root (a folder
// with children is a directory and holds no mail: \Noselect; a file cannot
// have children: \NoInferiors). Names on disk are modified UTF-7, as
// Dovecot keeps them. Indexes live in <root>/.imap/<name>/. Internal to
// lib/mailstore; runs in imapd's mail process as the mailbox owner.
#pragma once

#include <memory>
#include <string>

#include "lib/mailstore/mail_store.hpp"

namespace postern::mailstore {

Result<std::unique_ptr<MailStore>> open_mbox_store(const std::string& root, const std::string& inbox);

}  // namespace postern::mailstore
