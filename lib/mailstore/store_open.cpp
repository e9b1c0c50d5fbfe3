// open_mail_store(): picks the Maildir or mbox store for a mail_location.
// Runs in imapd's mail process as the mailbox owner.
#include "lib/mailstore/mail_store.hpp"
#include "lib/mailstore/maildir_store.hpp"
#include "lib/mailstore/mbox_store.hpp"

namespace postern::mailstore {

Result<std::unique_ptr<MailStore>> open_mail_store(const MailLocation& location) {
  if (location.format == MailLocation::Format::maildir)
    return open_maildir_store(location.root.empty() ? location.path : location.root);
  return open_mbox_store(location.root, location.path);
}

}  // namespace postern::mailstore
