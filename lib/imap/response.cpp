// Status responses, astrings and UIDPLUS response codes.
#include "lib/imap/response.hpp"

#include <cstring>

#include "lib/base/strings.hpp"
#include "lib/mime/imap_string.hpp"

namespace postern::imap {

std::string status_response(std::string_view tag, std::string_view status, std::string_view code,
                            std::string_view text) {
  std::string out;
  out.reserve(tag.size() + status.size() + code.size() + text.size() + 8);
  out.append(tag).append(" ").append(status);
  if (!code.empty()) out.append(" [").append(code).append("]");
  // A response text is one line: CR or LF in it would start a forged response.
  out.push_back(' ');
  for (char c : text) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  out.append("\r\n");
  return out;
}

std::string astring(std::string_view value) {
  bool atom = !value.empty() && !iequals(value, "NIL");
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || std::strchr("(){%*\"\\", c) != nullptr) atom = false;
  }
  return atom ? std::string(value) : mime::imap_string(value);
}

std::string copyuid_code(uint32_t uidvalidity, std::string_view source_set, std::string_view dest_set) {
  return "COPYUID " + std::to_string(uidvalidity) + " " + std::string(source_set) + " " + std::string(dest_set);
}

std::string appenduid_code(uint32_t uidvalidity, uint32_t uid) {
  return "APPENDUID " + std::to_string(uidvalidity) + " " + std::to_string(uid);
}

}  // namespace postern::imap
