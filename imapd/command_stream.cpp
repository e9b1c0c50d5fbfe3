// Framing IMAP commands from the client. See command_stream.hpp.
#include "imapd/command_stream.hpp"

namespace postern::imapd {

CommandStream::Next CommandStream::next() {
  while (true) {
    if (!pending_.empty()) {
      auto step = reader_.feed(pending_);
      pending_.erase(0, step.consumed);
      if (auto* c = std::get_if<imap::Command>(&step.outcome)) return {Kind::command, std::move(*c), {}};
      if (auto* e = std::get_if<imap::ReadError>(&step.outcome)) return {Kind::error, {}, std::move(*e)};
      if (std::holds_alternative<imap::LiteralWanted>(step.outcome)) {
        if (!io_.write("+ OK\r\n")) return {};
        continue;
      }
      if (step.consumed > 0 || !pending_.empty()) continue;
    }
    if (!io_.read_chunk(pending_)) return {};
  }
}

std::optional<std::string> CommandStream::raw_line(bool& too_long) {
  reader_.expect_line();
  while (true) {
    if (!pending_.empty()) {
      auto step = reader_.feed(pending_);
      pending_.erase(0, step.consumed);
      if (auto* r = std::get_if<imap::RawLine>(&step.outcome)) {
        too_long = r->too_long;
        return std::move(r->text);
      }
      if (step.consumed > 0 || !pending_.empty()) continue;
    }
    if (!io_.read_chunk(pending_)) return std::nullopt;
  }
}

}  // namespace postern::imapd
