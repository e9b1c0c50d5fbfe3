// What the Maildir and mbox stores share: name clean-up and the checks
// CREATE, DELETE and RENAME make, LIST attributes (children, special use,
// subscribed), special-use folder names, subscription edits.
// Internal to lib/mailstore.
#pragma once

#include <string>
#include <vector>

#include "lib/mailstore/mail_store.hpp"

namespace postern::mailstore {

// "a/" (CREATE's "children will follow") -> "a"; INBOX spelled canonically.
std::string clean_folder_name(const std::string& raw);

Error no_such_folder(const std::string& name);

// A valid name in `format`, else EINVAL with the reason.
Status check_folder_name(const std::string& name, MailLocation::Format format);

// CREATE's checks: a valid name that does not exist yet.
Status check_create(const std::string& name, MailLocation::Format format, bool exists);

// RENAME's checks, in order: valid names, not onto INBOX, the source
// exists, the target does not, not into itself.
Status check_rename(const std::string& from, const std::string& to, MailLocation::Format format, bool from_exists,
                    bool to_exists);

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
