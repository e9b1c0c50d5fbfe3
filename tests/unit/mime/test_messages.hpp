// Test helper: messages written with "\n" in the source, turned into the
// CRLF form imapd hands to lib/mime.
#pragma once

#include <string>
#include <string_view>

namespace postern::mime::testing {

inline std::string crlf(std::string_view lf) {
  std::string out;
  out.reserve(lf.size() + lf.size() / 20);
  for (char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

}  // namespace postern::mime::testing
