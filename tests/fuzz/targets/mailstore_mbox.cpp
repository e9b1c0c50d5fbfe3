// Fuzz target: an mbox file through the IMAP store's parser, and each of
// its messages through the Status/X-Status rewrite. Nothing may crash, every
// span must lie inside the input and in order, and a rewritten message must
// parse back as one message with the same identity (so it keeps its UID)
// and the flags written.
#include <stddef.h>
#include <stdint.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/mailstore/mbox_parse.hpp"

using namespace postern::mailstore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_mbox(text);
  if (!parsed) return 0;
  uint64_t last_end = 0;
  for (const auto& m : parsed->messages) {
    if (m.from != last_end || m.from > m.body || m.body > m.end || m.body + m.length > m.end || m.end > size)
      std::abort();
    last_end = m.end;
    Flags flags = Flags(size ? data[0] & 0x1F : 0);
    std::string_view entry = text.substr(m.from, m.end - m.from);
    std::string rewritten = mbox_entry_with_flags(entry, flags, {"Work"});
    if (rewritten == entry) continue;
    auto again = parse_mbox(rewritten);
    if (!again || again->messages.size() != 1) std::abort();
    if (again->messages[0].identity != m.identity || again->messages[0].flags != flags) std::abort();
  }
  if (!parsed->messages.empty() && last_end != size) std::abort();
  return 0;
}
