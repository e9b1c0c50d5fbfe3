// CAPABILITY texts. See capabilities.hpp.
#include "imapd/capabilities.hpp"

namespace postern::imapd {
namespace {
// Shared by both states: everything that works before login too.
constexpr const char* kCommon = "IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+";
// After login (RFC 4315, 6851, 2342, 3691, 3348, 6154, 4731).
constexpr const char* kMail = " UIDPLUS MOVE NAMESPACE UNSELECT CHILDREN SPECIAL-USE ESEARCH";
}  // namespace

std::string pre_login_capabilities(const PreLoginState& s) {
  std::string out = kCommon;
  if (s.tls_available && !s.secured) out += " STARTTLS";
  if (!s.plaintext_allowed) out += " LOGINDISABLED";
  if (s.auth_allowed && s.mechanisms)
    for (const auto& [name, plaintext] : *s.mechanisms)
      if (s.plaintext_allowed || !plaintext) out += " AUTH=" + name;
  return out;
}

std::string post_login_capabilities(const std::string& setting) {
  std::string ours = std::string(kCommon) + kMail;
  if (setting.empty()) return ours;
  if (setting[0] == '+') return ours + " " + setting.substr(1);
  return setting;
}

}  // namespace postern::imapd
