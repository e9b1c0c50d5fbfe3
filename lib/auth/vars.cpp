// %variable expansion for Dovecot settings (mail_location, passwd-file paths,
// userdb templates). Pure; runs in auth and pop3d.
#include "lib/auth/vars.hpp"

#include "lib/base/strings.hpp"

namespace postern::auth {
namespace {

std::string value_of(std::string_view name, const Vars& v, bool& known) {
  known = true;
  auto at = v.user.find('@');
  if (name == "u" || name == "user") return v.user;
  if (name == "n" || name == "username") return at == std::string::npos ? v.user : v.user.substr(0, at);
  if (name == "d" || name == "domain") return at == std::string::npos ? "" : v.user.substr(at + 1);
  if (name == "h" || name == "home") return v.home;
  if (name == "s" || name == "service") return v.service;
  if (name == "r" || name == "rip") return v.rip;
  if (name == "l" || name == "lip") return v.lip;
  known = false;
  return "";
}

}  // namespace

std::string expand_vars(std::string_view text, const Vars& vars) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%' || i + 1 >= text.size()) {
      out.push_back(text[i]);
      continue;
    }
    size_t start = i;
    ++i;
    if (text[i] == '%') {
      out.push_back('%');
      continue;
    }
    char modifier = 0;
    if (text[i] == 'L' || text[i] == 'U') {
      modifier = text[i];
      if (++i >= text.size()) {
        out.append(text.substr(start));
        break;
      }
    }
    std::string_view name;
    if (text[i] == '{') {
      auto close = text.find('}', i);
      if (close == std::string_view::npos) {
        out.append(text.substr(start));
        break;
      }
      name = text.substr(i + 1, close - i - 1);
      i = close;
    } else {
      name = text.substr(i, 1);
    }
    bool known = false;
    std::string v = value_of(name, vars, known);
    if (!known) {
      out.append(text.substr(start, i - start + 1));
      continue;
    }
    if (modifier == 'L') v = to_lower(v);
    if (modifier == 'U') v = to_upper(v);
    out += v;
  }
  return out;
}

}  // namespace postern::auth
