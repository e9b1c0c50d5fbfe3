// What the Maildir and mbox stores share: LIST attributes (children,
// special use, subscribed), special-use folder names, subscription edits.
// Internal to lib/mailstore.
#pragma once

#include <string>
#include <vector>

#include "lib/mailstore/mail_store.hpp"

namespace postern::mailstore {

// kSent/kDrafts/kTrash/kJunk for the names clients and Dovecot's defaults
// use ("Sent", "Sent Messages", "Trash", "Deleted Messages", "Junk",
// "Spam", ...), else 0. Top level only.
uint16_t special_use_of(const std::string& name);

// Adds levels that exist only as parents (kNoSelect), sets kHasChildren /
// kHasNoChildren (unless kNoInferiors), special use and kSubscribed, and
// sorts: INBOX first, then by name with parents before children.
void finish_list(std::vector<ListEntry>& entries, const std::vector<std::string>& subscribed);

// Creates (and subscribes) Sent, Drafts, Trash and Junk where no folder has
// that use yet.
Status ensure_special_use_folders(MailStore& store);

// The subscription list with `from` (and its children) renamed to `to`.
std::vector<std::string> rename_subscriptions(std::vector<std::string> subs, const std::string& from,
                                              const std::string& to);

}  // namespace postern::mailstore
