// Fuzz target: the attribute protocol between Postern's processes. Whatever
// the bytes, parsing must not crash; a list that parses must survive
// encode -> parse unchanged, and the typed delivery decoders must accept or
// refuse it without crashing.
#include <stddef.h>
#include <stdint.h>

#include <string_view>

#include "lib/ipc/attr.hpp"
#include "lib/ipc/delivery_proto.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace postern::ipc;

  // Any value escapes to something that unescapes back to itself.
  auto escaped = escape_value(input);
  auto back = unescape_value(escaped);
  if (!back || *back != input) __builtin_trap();
  (void)unescape_value(input);

  auto parsed = AttrReader::parse(input);
  if (!parsed) return 0;
  auto again = AttrReader::parse(encode(*parsed));
  if (!again || again->items() != parsed->items()) __builtin_trap();
  (void)decode_request(*parsed);
  (void)decode_reply(*parsed);
  return 0;
}
