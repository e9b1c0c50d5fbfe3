// Read side of the mail store for POP3: a mailbox (mbox or Maildir) as a
// numbered list of messages with sizes and stable UIDLs, message text in
// network form, and deletion at the end of a session. Runs in pop3d after
// login, with the mailbox owner's uid/gid only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::mailstore {

struct MailLocation {
  enum class Format { mbox, maildir };
  Format format = Format::maildir;
  std::string path;  // mbox: the INBOX file; maildir: the Maildir folder
  // IMAP folders: mbox: the folder holding the other mbox files (~/mail);
  // maildir: the Maildir root (same as path). Empty: derived from path.
  std::string root;
};

// Dovecot's mail_location ("mbox:~/mail:INBOX=/var/mail/%u",
// "maildir:~/Maildir"), with %variables and ~ expanded for this user. Empty:
// ~/Maildir when it exists, else <spool_dir>/<user>. Error for an unknown format.
Result<MailLocation> resolve_mail_location(const std::string& setting, const std::string& user,
                                           const std::string& home, const std::string& spool_dir);

struct MessageInfo {
  std::string uidl;   // stable across sessions; unique in the mailbox
  uint64_t size = 0;  // octets as sent (CRLF line ends)
  uint64_t offset = 0, length = 0;  // mbox: the message's bytes after its From_ line
  std::string file;   // maildir: the file name, relative to the Maildir
  unsigned long uid = 0;          // IMAP UID when known (dovecot-uidlist, X-UID), else 0
  unsigned long uidvalidity = 0;  // the folder's UIDVALIDITY when known, else 0
};

class MailboxReader {
 public:
  virtual ~MailboxReader() = default;
  const std::vector<MessageInfo>& messages() const { return messages_; }
  // The message with CRLF line ends (not dot-stuffed).
  virtual Result<std::string> read(size_t index) = 0;
  // Deletes the messages flagged in `deleted` (one flag per message).
  virtual Status expunge(const std::vector<bool>& deleted) = 0;

 protected:
  std::vector<MessageInfo> messages_;
};

enum class OpenError { none, in_use, failed };

// Opens the mailbox for one POP3 session and holds a session lock (flock) on
// it until destroyed: a second session gets OpenError::in_use. A missing
// mailbox is an empty one.
Result<std::unique_ptr<MailboxReader>> open_mailbox(const MailLocation& location, OpenError& why);

}  // namespace postern::mailstore
