// Arg accessors: astring, numbers, NIL. Pure.
#include "lib/imap/command.hpp"

#include <limits>

#include "lib/base/strings.hpp"

namespace postern::imap {

namespace {

std::optional<uint64_t> digits(std::string_view s, uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

bool Arg::is_nil() const { return is_atom("NIL"); }

bool Arg::is_atom(std::string_view upper) const { return kind == Kind::atom && iequals(text, upper); }

std::optional<std::string_view> Arg::astring() const {
  if (kind == Kind::list) return std::nullopt;
  return std::string_view(text);
}

std::optional<uint32_t> Arg::number() const {
  if (kind != Kind::atom) return std::nullopt;
  auto v = digits(text, std::numeric_limits<uint32_t>::max());
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

std::optional<uint32_t> Arg::nz_number() const {
  auto v = number();
  if (!v || *v == 0) return std::nullopt;
  return v;
}

std::optional<uint64_t> Arg::number64() const {
  if (kind != Kind::atom) return std::nullopt;
  // RFC 7162 mod-sequence-value: up to 2^63-1.
  return digits(text, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
}

Arg Arg::atom(std::string text) {
  Arg a;
  a.kind = Kind::atom;
  a.text = std::move(text);
  return a;
}

Arg Arg::string(std::string text, bool literal) {
  Arg a;
  a.kind = Kind::string;
  a.text = std::move(text);
  a.literal = literal;
  return a;
}

Arg Arg::list(std::vector<Arg> items) {
  Arg a;
  a.kind = Kind::list;
  a.items = std::move(items);
  return a;
}

std::string describe(const Arg& arg) {
  switch (arg.kind) {
    case Arg::Kind::atom:
      return arg.text.size() > 40 ? "atom " + arg.text.substr(0, 40) + "..." : "atom " + arg.text;
    case Arg::Kind::string:
      return arg.literal ? "literal" : "quoted string";
    case Arg::Kind::list:
      return "list";
  }
  return "argument";
}

}  // namespace postern::imap
