// Fuzz target: POP3 command lines and the response helpers pop3d applies to
// message text. Nothing may crash; a parsed keyword is 3-4 upper-case
// letters; dot-stuffed output never holds a line that is just "." before
// the terminator, so a client cannot be made to see the message end early.
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>

#include "lib/pop3/pop3_command.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace postern::pop3;

  if (auto command = parse_command(input)) {
    const auto& k = command->keyword;
    if (k.size() < 3 || k.size() > 4) __builtin_trap();
    for (char c : k)
      if (c < 'A' || c > 'Z') __builtin_trap();
    for (const auto& arg : command->args) (void)parse_number(arg);
  }
  (void)parse_number(input);

  std::string stuffed = dot_stuff(input);
  if (stuffed.size() < 3 || stuffed.compare(stuffed.size() - 3, 3, ".\r\n") != 0) __builtin_trap();
  std::string_view body(stuffed.data(), stuffed.size() - 3);
  if (body.find("\r\n.\r\n") != std::string_view::npos || body.rfind(".\r\n", 0) == 0) __builtin_trap();
  (void)top_of(input, size % 7);
  return 0;
}
