// Test helpers: run wire text through a CommandReader whole, byte by byte,
// or in chunks, and collect the outcomes in order.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/imap/command_reader.hpp"

namespace postern::imap::test {

using Outcome = CommandReader::Outcome;

// Feeds `wire` in pieces of `chunk` bytes (0: all at once); returns every
// non-empty outcome. Stops feeding a piece when the reader makes no progress.
inline std::vector<Outcome> run(CommandReader& reader, std::string_view wire, size_t chunk = 0) {
  std::vector<Outcome> out;
  size_t pos = 0;
  while (pos < wire.size()) {
    size_t len = chunk == 0 ? wire.size() - pos : std::min(chunk, wire.size() - pos);
    std::string_view piece = wire.substr(pos, len);
    while (!piece.empty()) {
      auto step = reader.feed(piece);
      if (step.consumed == 0 && std::holds_alternative<std::monostate>(step.outcome)) {
        throw std::runtime_error("reader made no progress");
      }
      piece.remove_prefix(step.consumed);
      pos += step.consumed;
      if (!std::holds_alternative<std::monostate>(step.outcome)) out.push_back(std::move(step.outcome));
    }
  }
  return out;
}

inline std::vector<Outcome> run(std::string_view wire, size_t chunk = 0, ReaderLimits limits = {}) {
  CommandReader reader(limits);
  return run(reader, wire, chunk);
}

// Exactly one Command from `wire` (continuations for literals allowed).
inline Command one_command(std::string_view wire) {
  auto outs = run(wire);
  std::vector<Command> commands;
  for (auto& o : outs) {
    if (auto* c = std::get_if<Command>(&o)) commands.push_back(std::move(*c));
    if (auto* e = std::get_if<ReadError>(&o)) throw std::runtime_error("unexpected error: " + e->text);
  }
  if (commands.size() != 1) throw std::runtime_error("expected one command, got " + std::to_string(commands.size()));
  return commands[0];
}

// The ReadError from `wire` (the first outcome must be one).
inline ReadError one_error(std::string_view wire, ReaderLimits limits = {}) {
  auto outs = run(wire, 0, limits);
  for (auto& o : outs)
    if (auto* e = std::get_if<ReadError>(&o)) return *e;
  throw std::runtime_error("expected an error");
}

// Args of "a CMD <args>\r\n".
inline std::vector<Arg> args_of(std::string_view args_text) {
  return one_command("a X " + std::string(args_text) + "\r\n").args;
}

}  // namespace postern::imap::test
