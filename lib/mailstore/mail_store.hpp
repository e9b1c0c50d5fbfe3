// The IMAP side of the mail store: one user's folders (LIST, CREATE, DELETE,
// RENAME, SUBSCRIBE, STATUS, APPEND, special-use folders) and opening one as
// a Folder. Runs in imapd's mail process as the mailbox owner.
//
// Names are UTF-8 with "/" as the hierarchy separator ("INBOX", "Work/2024");
// imapd converts from and to modified UTF-7 on the wire. "INBOX" is matched
// case-insensitively and always exists.
//
// Maildir (Maildir++ layout, as Dovecot's default): INBOX is the Maildir
// root, folder "a/b" is the directory ".a.b" below it, with the name stored
// on disk in modified UTF-7 as Dovecot does. A '.' inside a name is refused
// (it is Maildir++'s own separator). Subscriptions are kept in the root's
// "subscriptions" file, as Dovecot keeps them.
//
// mbox ("mbox:~/mail:INBOX=/var/mail/%u"): INBOX is the spool file local
// delivery appends to, other folders are files below the root (~/mail),
// folders with children are directories. See docs/imapd-storage.md.
//
// Errors: Error::sys_errno tells imapd which response code to send —
// ENOENT: no such folder ([NONEXISTENT]); EEXIST: it exists already
// ([ALREADYEXISTS]); EINVAL: not a valid name; EPERM: not allowed (deleting
// INBOX, renaming onto INBOX); ENOSPC/EDQUOT: over quota ([OVERQUOTA]);
// anything else: a server-side failure ([SERVERBUG]/[UNAVAILABLE]).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/mailstore/folder.hpp"
#include "lib/mailstore/mailstore.hpp"

namespace postern::mailstore {

// LIST attributes (RFC 3501, RFC 3348 CHILDREN, RFC 6154 SPECIAL-USE).
enum ListAttr : uint16_t {
  kNoSelect = 1,        // a hierarchy level only (no messages can be stored)
  kHasChildren = 2,
  kHasNoChildren = 4,
  kNoInferiors = 8,     // cannot have children (an mbox file folder)
  kSent = 16,
  kDrafts = 32,
  kTrash = 64,
  kJunk = 128,
  kSubscribed = 256,    // for LSUB / LIST (SUBSCRIBED)
};

struct ListEntry {
  std::string name;     // UTF-8, "/" separated
  uint16_t attrs = 0;   // ListAttr bits
};

struct FolderStatus {
  uint32_t messages = 0;
  uint32_t recent = 0;
  uint32_t uidnext = 1;
  uint32_t uidvalidity = 0;
  uint32_t unseen = 0;  // messages without \Seen
  uint64_t highest_modseq = 1;
};

struct AppendResult {
  uint32_t uidvalidity = 0;
  uint32_t uid = 0;
};

class MailStore {
 public:
  virtual ~MailStore() = default;

  // Every folder with its attributes, INBOX first, parents before children;
  // levels that exist only as parents of real folders are listed with
  // kNoSelect. imapd applies the LIST pattern.
  virtual Result<std::vector<ListEntry>> list() = 0;
  virtual bool exists(const std::string& name) = 0;

  // CREATE: makes the folder (and missing parents, which are real folders in
  // Maildir++). A trailing "/" only announces the intent to create children.
  virtual Status create(const std::string& name) = 0;
  // DELETE: removes the folder and its messages; its children stay (a folder
  // with children becomes \Noselect in mbox, is removed in Maildir++ where a
  // child does not need its parent).
  virtual Status remove(const std::string& name) = 0;
  // RENAME: moves the folder and all its children. Renaming INBOX moves its
  // messages into a new folder `to` and leaves INBOX empty (RFC 3501 6.3.5).
  // Subscriptions follow the rename.
  virtual Status rename(const std::string& from, const std::string& to) = 0;

  virtual Result<std::vector<std::string>> subscriptions() = 0;
  virtual Status subscribe(const std::string& name) = 0;
  virtual Status unsubscribe(const std::string& name) = 0;

  // Creates Sent, Drafts, Trash and Junk (and subscribes them) when none of
  // the folders is marked with that use; cheap when they exist. Called at
  // login.
  virtual Status ensure_special_use() = 0;

  // STATUS without opening the folder (from the index; does not claim \Recent).
  virtual Result<FolderStatus> status(const std::string& name) = 0;

  // APPEND: stores `message` (any line ends; kept as given) with the flags,
  // keywords and internal date (seconds since the epoch; nullopt: now).
  virtual Result<AppendResult> append(const std::string& name, std::string_view message, Flags flags,
                                      const std::vector<std::string>& keywords,
                                      std::optional<int64_t> internal_date) = 0;

  // SELECT (read_only = false) or EXAMINE (true).
  virtual Result<std::unique_ptr<Folder>> open_folder(const std::string& name, bool read_only) = 0;
};

// The store for one user's mail_location (see resolve_mail_location()).
// Makes the Maildir root (tmp/ new/ cur/) or the mbox root folder when
// missing.
Result<std::unique_ptr<MailStore>> open_mail_store(const MailLocation& location);

// A folder name that may be used: non-empty UTF-8 without control
// characters, no empty level ("a//b", "/a"), no "." or ".." level, and no
// '.' at all in Maildir++. nullopt when valid, else the reason.
std::optional<std::string> invalid_folder_name(const std::string& name, MailLocation::Format format);

}  // namespace postern::mailstore
