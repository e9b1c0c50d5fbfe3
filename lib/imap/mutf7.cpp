// Mailbox names on the wire: lib/base's modified UTF-7 with IMAP's error
// texts, control characters refused, INBOX in any case.
#include "lib/imap/mutf7.hpp"

#include "lib/base/mutf7.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/utf8.hpp"

namespace postern::imap {

Parsed<std::string> mutf7_decode(std::string_view wire) {
  auto decoded = postern::mutf7_decode(wire);
  if (!decoded) return syntax_error("Invalid mailbox name: " + decoded.error().message);
  return std::move(*decoded);
}

Parsed<std::string> mutf7_encode(std::string_view utf8) {
  auto encoded = postern::mutf7_encode(utf8);
  if (!encoded) return syntax_error("Invalid UTF-8 in mailbox name");
  return std::move(*encoded);
}

Parsed<std::string> mailbox_from_wire(std::string_view wire, char separator) {
  auto name = mutf7_decode(wire);
  if (!name) return name;
  for (char ch : *name) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return syntax_error("Invalid mailbox name: control character");
  }
  std::string& n = *name;
  if (n.size() >= 5 && iequals(std::string_view(n).substr(0, 5), "INBOX") && (n.size() == 5 || n[5] == separator))
    n.replace(0, 5, "INBOX");
  return name;
}

std::string mailbox_to_wire(std::string_view utf8) {
  auto encoded = mutf7_encode(utf8);
  if (encoded) return std::move(encoded).value();
  // Not valid UTF-8 (a name made outside IMAP): encode the valid stretches
  // and pass the rest through so the client still sees something.
  std::string out;
  size_t i = 0;
  while (i < utf8.size()) {
    size_t n = utf8_sequence(utf8, i);
    if (n) {
      auto part = mutf7_encode(utf8.substr(i, n));
      out += part ? *part : std::string(utf8.substr(i, n));
      i += n;
    } else {
      out.push_back(utf8[i]);
      ++i;
    }
  }
  return out;
}

}  // namespace postern::imap
