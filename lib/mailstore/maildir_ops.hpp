// Maildir building blocks shared by MaildirFolder and MaildirStore: a
// consistent scan of new/ and cur/, UID assignment under the uidlist lock,
// keyword letters, and adding messages (APPEND, COPY). Internal to
// lib/mailstore; runs as the mailbox owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/mailstore/folder.hpp"
#include "lib/mailstore/uidlist_file.hpp"

namespace postern::mailstore {

// base name -> file relative to the folder ("new/<name>", "cur/<name>").
using MaildirFiles = std::unordered_map<std::string, std::string>;

// Reads new/ then cur/ (a message moving new/ -> cur/ meanwhile is seen in
// one of them) and repeats while cur/ changed during the scan, so a message
// renamed for a flag change is never missed.
Result<MaildirFiles> scan_maildir(const std::string& dir);

// The current file of `base` (after someone renamed it), or nullopt.
std::optional<std::string> find_maildir_file(const std::string& dir, const std::string& base);

// A UIDVALIDITY for a new folder below `root`: the current time, raised
// above the last one handed out there ("postern-uidvalidity"), so a folder
// deleted and made again in the same second still gets a new one.
uint32_t next_uidvalidity(const std::string& root);

// Under `lock`: reads dovecot-uidlist (making a new one when missing, with
// a UIDVALIDITY from next_uidvalidity(root)), gives the next UIDs to
// `bases` that have none (in the order given), drops entries below
// `drop_below` whose file is not in `present` (a complete scan that began
// after those UIDs were given; later ones may name files the scan could not
// see), and writes it back when it changed. Returns the list as written.
Result<UidList> assign_uids(UidListLock& lock, const std::string& dir, const std::string& root,
                            const std::vector<std::string>& bases, const MaildirFiles* present,
                            uint32_t drop_below = 0);

// Letters for `keywords` in the folder's dovecot-keywords, adding new ones
// under `lock` (taken here when null and needed). Error ENOSPC: more than 26.
Result<std::string> keyword_letters(const std::string& dir, const std::vector<std::string>& keywords,
                                    std::vector<std::string>& known, UidListLock* lock);

struct NewMessage {
  std::string link_from;     // an existing message file to hard-link (COPY), or
  std::string_view content;  // the bytes to store (APPEND)
  Flags flags = 0;
  std::vector<std::string> keywords;
  std::optional<int64_t> internal_date;  // nullopt: now (or the linked file's)
};

struct AddResult {
  uint32_t uidvalidity = 0;
  std::vector<uint32_t> uids;  // one per message, in order
};

// Stores the messages in the Maildir folder `dir` (tmp/ -> cur/ with their
// flags in the name) and gives them UIDs. `root` is the store's root for
// next_uidvalidity().
Result<AddResult> add_to_maildir(const std::string& dir, const std::string& root,
                                 const std::vector<NewMessage>& messages);

}  // namespace postern::mailstore
