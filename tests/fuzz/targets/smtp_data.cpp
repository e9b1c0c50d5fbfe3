// Fuzz target: the DATA decoder. Whole input and one-byte trickle must agree,
// and an end of data is only ever found right after <CR><LF>.<CR><LF>.
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>

#include "lib/smtp/data_decoder.hpp"
#include "lib/smtp/dot_stuff.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  postern::smtp::DataOptions options;
  options.message_size_limit = size / 2 + 1;
  postern::smtp::DataDecoder whole(options), trickle(options);
  std::string out_whole, out_trickle;
  auto step = whole.feed(input, out_whole);
  size_t consumed = 0;
  while (consumed < input.size() && !trickle.done())
    consumed += trickle.feed(input.substr(consumed, 1), out_trickle).consumed;
  if (step.consumed != consumed || out_whole != out_trickle || whole.done() != trickle.done() ||
      whole.bare_lf() != trickle.bare_lf() || whole.bare_cr() != trickle.bare_cr() ||
      whole.size() != trickle.size())
    __builtin_trap();
  if (step.done) {
    // The terminator is the last 5 bytes consumed, or the first 3 of the data.
    std::string_view used = input.substr(0, step.consumed);
    bool at_start = step.consumed == 3 && used == ".\r\n";
    bool after_crlf = used.size() >= 5 && used.substr(used.size() - 5) == "\r\n.\r\n";
    if (!at_start && !after_crlf) __builtin_trap();
  }
  // Whatever we decoded, stuffing it again must decode to the same bytes
  // (with line endings normalized, which the stuffer does).
  if (!whole.size_exceeded()) {
    std::string wire = postern::smtp::dot_stuff(out_whole);
    postern::smtp::DataDecoder again;
    std::string back;
    if (!again.feed(wire, back).done || again.bare_lf() || again.bare_cr()) __builtin_trap();
  }
  return 0;
}
