// Flag names, keyword validity, flag lists of STORE and APPEND.
#include "lib/imap/flags.hpp"

#include <cstring>

#include "lib/base/strings.hpp"

namespace postern::imap {

namespace {

struct Named {
  unsigned bit;
  std::string_view name;
};
constexpr Named kSystem[] = {{flag::answered, "\\Answered"}, {flag::flagged, "\\Flagged"},
                             {flag::deleted, "\\Deleted"},   {flag::seen, "\\Seen"},
                             {flag::draft, "\\Draft"},       {flag::recent, "\\Recent"}};

// Adds one flag atom to `out`; the BAD text on error.
std::optional<std::string> add_flag(const Arg& arg, FlagList& out) {
  if (!arg.is_atom()) return "Invalid flag: " + describe(arg) + " (flags are atoms)";
  const std::string& text = arg.text;
  if (!text.empty() && text[0] == '\\') {
    unsigned bit = system_flag_bit(text);
    if (bit == flag::recent) return std::string("\\Recent cannot be set by a client");
    if (bit == 0) return "Invalid system flag " + shown(text);
    out.system |= bit;
    return std::nullopt;
  }
  if (!valid_keyword(text)) return "Invalid keyword '" + shown(text) + "'";
  for (const auto& k : out.keywords)
    if (iequals(k, text)) return std::nullopt;
  out.keywords.push_back(text);
  return std::nullopt;
}

}  // namespace

unsigned system_flag_bit(std::string_view name) {
  for (const auto& f : kSystem)
    if (iequals(f.name, name)) return f.bit;
  return 0;
}

std::string_view system_flag_name(unsigned bit) {
  for (const auto& f : kSystem)
    if (f.bit == bit) return f.name;
  return {};
}

bool valid_keyword(std::string_view keyword) {
  if (keyword.empty() || keyword.size() > 255) return false;
  for (char ch : keyword) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::strchr("(){%*\"\\]", c) != nullptr) return false;
  }
  return true;
}

Parsed<FlagList> parse_flag_list(const Arg& list) {
  if (!list.is_list()) return syntax_error("Expected a flag list in parentheses, got " + describe(list));
  FlagList out;
  for (const auto& item : list.items)
    if (auto error = add_flag(item, out)) return syntax_error(*error);
  return out;
}

Parsed<FlagList> parse_store_flags(Args args) {
  if (args.empty()) return syntax_error("Missing flags");
  if (args.size() == 1 && args[0].is_list()) return parse_flag_list(args[0]);
  FlagList out;
  for (const auto& item : args)
    if (auto error = add_flag(item, out)) return syntax_error(*error);
  return out;
}

std::string format_flag_list(unsigned system, const std::vector<std::string>& keywords) {
  std::string out = "(";
  for (const auto& f : kSystem) {
    if ((system & f.bit) == 0) continue;
    if (out.size() > 1) out += ' ';
    out += f.name;
  }
  for (const auto& k : keywords) {
    if (out.size() > 1) out += ' ';
    out += k;
  }
  out += ')';
  return out;
}

}  // namespace postern::imap
