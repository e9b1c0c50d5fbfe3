// Fuzz target: the strict queue file parser. A damaged file must give an
// error, never a crash; a parsed file's offsets must lie inside the input.
#include <stddef.h>
#include <stdint.h>

#include <string_view>

#include "lib/queue/queue_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = postern::queue::parse_queue_file(input);
  if (parsed.ok()) {
    if (parsed->content_offset + parsed->content_size > size) __builtin_trap();
    for (const auto& r : parsed->envelope.recipients)
      if (r.done_offset >= size) __builtin_trap();
  }
  return 0;
}
