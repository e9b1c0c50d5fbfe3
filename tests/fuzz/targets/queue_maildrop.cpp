// Fuzz target: maildrop files as pickup and postdrop check them (untrusted
// user input): the strict parser, then check_maildrop(). Any input must give
// an answer, never a crash; an accepted file must re-encode to a stream the
// parser accepts again with the same envelope.
// fuzz-deps: postern::queue_tools postern::queue postern::config postern::base
#include <stddef.h>
#include <stdint.h>

#include <string_view>

#include "lib/queue/queue_file.hpp"
#include "lib/queue_tools/maildrop.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = postern::queue::parse_queue_file(input);
  if (!parsed.ok()) return 0;
  if (!postern::queue_tools::check_maildrop(*parsed, 1u << 20).ok()) return 0;
  auto content = input.substr(parsed->content_offset, parsed->content_size);
  auto again = postern::queue::parse_queue_file(postern::queue_tools::encode_maildrop(parsed->envelope, content));
  if (!again.ok() || again->envelope.sender != parsed->envelope.sender ||
      again->envelope.recipients.size() != parsed->envelope.recipients.size() || again->content_size != content.size())
    __builtin_trap();
  return 0;
}
