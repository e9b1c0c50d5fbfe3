// Fuzz target: the 8BITMIME to 7BIT downgrade (smtp agent) and the
// quoted-printable encoder. Nothing may crash; QP output is 7-bit with lines
// of at most 76 characters and decodes back to the input (line ends as
// CRLF); a message without 8-bit bytes stays without them.
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>

#include "lib/mime/decode.hpp"
#include "lib/mime/downgrade.hpp"

using namespace postern::mime;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);

  std::string qp = encode_quoted_printable(raw);
  if (has_8bit(qp)) __builtin_trap();
  size_t line_start = 0;
  for (size_t i = 0; i <= qp.size(); ++i) {
    if (i == qp.size() || qp[i] == '\n') {
      size_t length = i - line_start;
      if (i > line_start && qp[i - 1] == '\r') --length;
      if (length > 76) __builtin_trap();
      line_start = i + 1;
    }
  }
  std::string expected;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;  // the LF adds the CRLF
    if (raw[i] == '\n') expected += "\r\n";
    else expected += raw[i];
  }
  if (decode_quoted_printable(qp) != expected) __builtin_trap();

  auto converted = downgrade_to_7bit(raw);
  if (converted && !has_8bit(raw) && has_8bit(*converted)) __builtin_trap();
  return 0;
}
