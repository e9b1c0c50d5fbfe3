// Fuzz target: IMAP command streams through the CommandReader (in chunk
// sizes taken from the input, with small limits), then every typed parser
// on each command's arguments; mailbox names through modified UTF-7 both
// ways, LIST patterns and date-times. Nothing may crash, hang or read out
// of bounds, and the properties below must hold.
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/imap/command_args.hpp"
#include "lib/imap/command_reader.hpp"
#include "lib/imap/date_time.hpp"
#include "lib/imap/fetch_request.hpp"
#include "lib/imap/list_request.hpp"
#include "lib/imap/mutf7.hpp"
#include "lib/imap/search_key.hpp"
#include "lib/imap/sequence_set.hpp"

using namespace postern::imap;

namespace {

void check_name(std::string_view wire) {
  auto decoded = mutf7_decode(wire);
  if (decoded) {
    // Strict decoding means one spelling per name: encoding gives it back.
    auto again = mutf7_encode(*decoded);
    if (!again || *again != wire) __builtin_trap();
  }
  auto encoded = mutf7_encode(wire);
  if (encoded) {
    auto back = mutf7_decode(*encoded);
    if (!back || *back != wire) __builtin_trap();
  }
  (void)mailbox_to_wire(wire);
  (void)mailbox_from_wire(wire);
}

void check_atom(const Arg& arg) {
  if (arg.is_list()) {
    for (const auto& item : arg.items) check_atom(item);
    return;
  }
  auto set = SequenceSet::parse(arg.text, true);
  if (set) {
    for (uint32_t star : {0u, 1u, 7u, 0xffffffffu}) {
      auto ranges = set->resolve(star);
      for (size_t i = 0; i < ranges.size(); ++i) {
        if (ranges[i].first == 0 || ranges[i].first > ranges[i].last) __builtin_trap();
        if (i > 0 && ranges[i].first <= ranges[i - 1].last) __builtin_trap();
      }
      (void)set->contains(3, star);
    }
    auto again = SequenceSet::parse(set->to_string(), true);
    if (!again || again->to_string() != set->to_string()) __builtin_trap();
  }
  (void)parse_fetch_item(arg.text);
  check_name(arg.text);
  if (auto when = parse_date_time(arg.text)) {
    if (parse_date_time(format_date_time(*when, -420)) != *when) __builtin_trap();
  }
  if (auto date = parse_date(arg.text)) {
    if (Date::from_days(date->days()) != *date) __builtin_trap();
  }
  ListPattern pattern(arg.text, "%/*", '/');
  (void)pattern.matches(arg.text);
  ListPattern reverse("", "INBOX/%", '/');
  (void)reverse.matches(arg.text);
}

void check_command(Command& cmd) {
  Args args = cmd.args;
  if (!args.empty()) {
    FetchOptions fetch_options;
    fetch_options.condstore = cmd.tag.size() % 2 == 0;
    (void)parse_fetch(args.subspan(1), fetch_options);
  }
  SearchOptions search_options;
  search_options.searchres = cmd.name.size() % 2 == 0;
  search_options.condstore = !search_options.searchres;
  (void)parse_search(args, search_options);
  (void)parse_store(args);
  (void)parse_list(args, false);
  (void)parse_list(args, true);
  (void)parse_status(args);
  (void)parse_copy(args, true);
  (void)parse_select(args);
  (void)parse_rename(args);
  (void)parse_login(args);
  (void)parse_authenticate(args);
  (void)parse_enable(args);
  (void)parse_id(args);
  (void)parse_uid_expunge(args);
  for (const auto& arg : args) check_atom(arg);
  (void)parse_append(std::vector<Arg>(cmd.args));
}

// A rendering of one outcome, to compare runs fed in different splits.
void render(const Arg& arg, std::string& out) {
  out += static_cast<char>('0' + static_cast<int>(arg.kind));
  out += arg.literal ? 'L' : '-';
  out += std::to_string(arg.text.size()) + ":" + arg.text;
  out += "(" + std::to_string(arg.items.size());
  for (const auto& item : arg.items) render(item, out);
  out += ")";
}

std::string render(const CommandReader::Outcome& outcome) {
  std::string out;
  if (const auto* cmd = std::get_if<Command>(&outcome)) {
    out = "C" + cmd->tag + " " + cmd->name + (cmd->uid ? " U" : " -");
    for (const auto& arg : cmd->args) render(arg, out);
  } else if (const auto* error = std::get_if<ReadError>(&outcome)) {
    out = "E" + error->tag + (error->close ? " c " : " - ") + error->text;
  } else if (const auto* wanted = std::get_if<LiteralWanted>(&outcome)) {
    out = "+" + std::to_string(wanted->size);
  } else if (const auto* raw = std::get_if<RawLine>(&outcome)) {
    out = "R" + raw->text + (raw->too_long ? "!" : "");
  }
  return out;
}

// Runs the stream in pieces of `chunk` octets (0: as much as the reader
// takes), checking the reader's promises; returns the rendered outcomes.
std::vector<std::string> run(std::string_view input, size_t chunk, bool raw_first, bool parse) {
  ReaderLimits limits;
  limits.max_line = 512;
  limits.max_literal = 1024;
  limits.max_command = 4096;
  limits.max_other_command = 2048;
  limits.max_depth = 12;
  CommandReader reader(limits);
  if (raw_first) reader.expect_line();
  std::vector<std::string> outcomes;
  size_t budget = 4 * input.size() + 64;  // progress is guaranteed, so this is never reached
  while (!input.empty()) {
    std::string_view piece = chunk ? input.substr(0, chunk) : input;
    auto step = reader.feed(piece);
    if (step.consumed > piece.size()) __builtin_trap();
    if (step.consumed == 0 && std::holds_alternative<std::monostate>(step.outcome)) __builtin_trap();
    if (--budget == 0) __builtin_trap();
    input.remove_prefix(step.consumed);
    if (!std::holds_alternative<std::monostate>(step.outcome)) outcomes.push_back(render(step.outcome));
    if (auto* cmd = std::get_if<Command>(&step.outcome)) {
      if (cmd->tag.empty() || cmd->name.empty()) __builtin_trap();
      if (parse) check_command(*cmd);
    } else if (auto* error = std::get_if<ReadError>(&step.outcome)) {
      if (error->text.empty() || error->tag.empty()) __builtin_trap();
    } else if (auto* wanted = std::get_if<LiteralWanted>(&step.outcome)) {
      if (wanted->size > limits.max_literal) __builtin_trap();
      if (wanted->size % 5 == 4) reader.reject_literal();
    }
    if (reader.buffered() > limits.max_command + limits.max_line + 1) __builtin_trap();
  }
  return outcomes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the chunk size and whether a raw line comes first.
  size_t chunk = 1 + data[0] % 16;
  bool raw_first = (data[0] & 0x80) != 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto split = run(input, chunk, raw_first, true);
  // Framing must not depend on how the bytes were split.
  if (run(input, 0, raw_first, false) != split) __builtin_trap();
  return 0;
}
