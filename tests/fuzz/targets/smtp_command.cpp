// Fuzz target: SMTP command lines through the line reader and the command
// parser, strict and lenient. Nothing may crash or read out of bounds.
#include <stddef.h>
#include <stdint.h>

#include <string_view>

#include "lib/smtp/command.hpp"
#include "lib/smtp/line_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  postern::smtp::LineReader reader(512);
  postern::smtp::CommandOptions lenient;
  postern::smtp::CommandOptions strict;
  strict.strict_rfc821_envelopes = true;
  strict.smtputf8_transaction = true;
  strict.message_size_limit = 1000;
  while (!input.empty()) {
    auto step = reader.feed(input);
    if (step.consumed == 0) __builtin_trap();  // must always make progress
    input.remove_prefix(step.consumed);
    if (!step.line) continue;
    for (const auto* options : {&lenient, &strict}) {
      auto parsed = postern::smtp::parse_command(step.line->text, *options);
      if (auto* reply = std::get_if<postern::smtp::Reply>(&parsed)) {
        if (reply->code < 500 || reply->code > 599) __builtin_trap();
        (void)reply->wire();
      }
    }
  }
  return 0;
}
