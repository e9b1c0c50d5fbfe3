// Escaping untrusted text into file names. See file_key.hpp.
#include "lib/login/file_key.hpp"

#include <cctype>
#include <cstdio>

namespace postern::login {

std::string file_key(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    // A leading '.' is escaped too: no "." or ".." entries, no hidden files.
    if (std::isalnum(c) || ((c == '.' && !out.empty()) || c == '-' || c == '_' || c == '@')) {
      out.push_back(char(c));
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out.substr(0, 200);
}

}  // namespace postern::login
