// mail_location parsing and the mailbox opener. Runs in pop3d as the owner.
#include "lib/mailstore/mailstore.hpp"

#include <sys/stat.h>

#include "lib/auth/vars.hpp"
#include "lib/base/strings.hpp"
#include "lib/mailstore/mailstore_readers.hpp"

namespace postern::mailstore {
namespace {

std::string expand(const std::string& s, const std::string& user, const std::string& home) {
  std::string out = auth::expand_vars(s, auth::Vars{user, home, "", "", ""});
  if (out == "~") return home;
  if (out.starts_with("~/")) return home + out.substr(1);
  return out;
}

bool is_dir(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

Result<MailLocation> resolve_mail_location(const std::string& setting, const std::string& user,
                                           const std::string& home, const std::string& spool_dir) {
  MailLocation loc;
  std::string s(trim(setting));
  if (s.empty()) {
    if (!home.empty() && is_dir(home + "/Maildir"))
      return MailLocation{MailLocation::Format::maildir, home + "/Maildir", home + "/Maildir"};
    return MailLocation{MailLocation::Format::mbox, spool_dir + "/" + user, home.empty() ? "" : home + "/mail"};
  }
  auto colon = s.find(':');
  std::string format = to_lower(s.substr(0, colon));
  std::vector<std::string> parts;
  if (colon != std::string::npos) parts = split(s.substr(colon + 1), ":");
  std::string root = parts.empty() ? "" : expand(parts[0], user, home);
  std::string inbox;
  for (size_t i = 1; i < parts.size(); ++i)
    if (istarts_with(parts[i], "INBOX=")) inbox = expand(parts[i].substr(6), user, home);
  if (format == "maildir") {
    loc.format = MailLocation::Format::maildir;
    loc.path = !inbox.empty() ? inbox : (root.empty() ? home + "/Maildir" : root);
    loc.root = root.empty() ? loc.path : root;
    return loc;
  }
  if (format == "mbox") {
    loc.format = MailLocation::Format::mbox;
    loc.path = !inbox.empty() ? inbox : spool_dir + "/" + user;
    loc.root = !root.empty() ? root : (home.empty() ? "" : home + "/mail");
    return loc;
  }
  return Error{"mail_location: unsupported mailbox format \"" + format + "\" (mbox and maildir are)"};
}

Result<std::unique_ptr<MailboxReader>> open_mailbox(const MailLocation& location, OpenError& why) {
  if (location.format == MailLocation::Format::mbox) return open_mbox(location.path, why);
  return open_maildir(location.path, why);
}

}  // namespace postern::mailstore
