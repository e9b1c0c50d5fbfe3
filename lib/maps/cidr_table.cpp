// cidr: tables (cidr_table(5)): IPv4 and IPv6 network/prefix patterns tried
// in file order, with "!" and if/endif. Any process.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "lib/base/strings.hpp"
#include "lib/maps/pattern_rules.hpp"
#include "lib/maps/source_text.hpp"
#include "lib/maps/table_types.hpp"

namespace postern::maps {

namespace {

struct Address {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  int bits() const { return family == AF_INET ? 32 : 128; }
};

// "1.2.3.4", "2001:db8::1" -> binary; nullopt for anything else. Only
// table patterns may be written inside "[]" (lookup keys never are).
std::optional<Address> parse_address(std::string_view text, bool allow_brackets = false) {
  if (allow_brackets && text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  std::string s(text);
  Address a;
  if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    return a;
  }
  return std::nullopt;
}

bool same_prefix(const Address& a, const Address& b, int prefix) {
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a.bytes.data(), b.bytes.data(), size_t(full)) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a.bytes[full] & mask) == (b.bytes[full] & mask);
}

struct Network {
  Address net;
  int prefix = 0;
  bool match(const std::optional<Address>& key, Captures*) const {
    return key && key->family == net.family && same_prefix(*key, net, prefix);
  }
};

std::optional<Network> parse_network(std::string_view text, std::string& error) {
  size_t slash = text.find('/');
  auto addr = parse_address(text.substr(0, slash), true);
  if (!addr) {
    error = "bad net/mask pattern: \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  Network n{*addr, addr->bits()};
  if (slash != std::string_view::npos) {
    auto p = parse_long(text.substr(slash + 1));
    if (!p || *p < 0 || *p > addr->bits()) {
      error = "bad net/mask pattern: \"" + std::string(text) + "\"";
      return std::nullopt;
    }
    n.prefix = int(*p);
    Address zeroed{};
    zeroed.family = addr->family;
    for (int i = 0; i < n.prefix; ++i)
      if (addr->bytes[i / 8] & (0x80 >> (i % 8))) zeroed.bytes[i / 8] |= static_cast<unsigned char>(0x80 >> (i % 8));
    if (zeroed.bytes != addr->bytes) {
      char buf[INET6_ADDRSTRLEN];
      ::inet_ntop(addr->family, zeroed.bytes.data(), buf, sizeof buf);
      error = "non-null host address bits in \"" + std::string(text) + "\", perhaps you should use \"" + buf + "/" +
              std::to_string(n.prefix) + "\" instead";
      return std::nullopt;
    }
  }
  return n;
}

class CidrTable : public Table {
 public:
  explicit CidrTable(std::string spec) { spec_ = std::move(spec); }
  LookupResult lookup(std::string_view key) override {
    auto r = rules_.find(parse_address(key), key);
    return r ? LookupResult::found(std::move(*r)) : LookupResult::not_found();
  }
  PatternRules<Network> rules_;
  std::vector<Diagnostic>& diags() { return diagnostics_; }
};

}  // namespace

Result<TablePtr> open_cidr_table(const std::string& name, const std::string& spec, const OpenFlags&) {
  std::string label;
  auto text = pattern_source(name, spec, label);
  if (!text) return text.error();
  label = "cidr map " + label;
  auto t = std::make_unique<CidrTable>(spec);
  auto& diags = t->diags();
  for (auto& ll : logical_lines(*text, label, diags)) {
    auto warn = [&](const std::string& m) { diags.push_back({label, ll.line, m}); };
    std::string_view s = trim(ll.text);
    auto first_word = [&] { return s.substr(0, std::min(s.size(), size_t(std::find_if(s.begin(), s.end(), is_space) - s.begin()))); };
    if (iequals(first_word(), "endif")) {
      if (!trim(s.substr(5)).empty()) warn("ignoring extra text after ENDIF");
      if (!t->rules_.add_endif()) warn("ignoring ENDIF without matching IF");
      continue;
    }
    bool is_if = iequals(first_word(), "if");
    if (is_if) s = trim_left(s.substr(2));
    bool negate = !s.empty() && s[0] == '!';
    if (negate) s = trim_left(s.substr(1));
    std::string_view pattern = first_word();
    std::string_view result = trim(s.substr(pattern.size()));
    std::string error;
    auto net = parse_network(pattern, error);
    if (!net) {
      warn(error.empty() ? "bad net/mask pattern" : error);
      continue;
    }
    if (is_if) {
      if (!result.empty()) warn("ignoring extra text after IF");
      t->rules_.add_if(*net, negate, ll.line);
      continue;
    }
    if (result.empty()) {
      warn("no lookup result: \"" + std::string(pattern) + "\"");
      continue;
    }
    // CIDR results are literal; the shared engine expands $n, so protect '$'.
    std::string literal;
    for (char c : result) literal += c == '$' ? std::string("$$") : std::string(1, c);
    t->rules_.add_rule(*net, negate, std::nullopt, literal, ll.line);
  }
  for (int l : t->rules_.finish()) diags.push_back({label, l, "IF has no matching ENDIF"});
  return TablePtr(std::move(t));
}

}  // namespace postern::maps
