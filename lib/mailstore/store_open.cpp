// open_mail_store(): picks the Maildir or mbox store for a mail_location.
// Runs in imapd's mail process as the mailbox owner.
#include "lib/mailstore/mail_store.hpp"

namespace postern::mailstore {

Result<std::unique_ptr<MailStore>> open_mail_store(const MailLocation& location) {
  (void)location;
  // First commit of the interface: the Maildir and mbox stores follow.
  return Error{"IMAP mail store not available yet"};
}

}  // namespace postern::mailstore
