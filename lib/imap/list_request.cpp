// LIST/LSUB arguments and "*"/"%" pattern matching.
#include "lib/imap/list_request.hpp"

#include <algorithm>
#include <vector>

#include "lib/base/strings.hpp"
#include "lib/imap/mutf7.hpp"

namespace postern::imap {

namespace {

// list-mailbox: an atom (wildcards allowed) or a string.
std::optional<std::string> pattern_text(const Arg& arg) {
  if (arg.is_list()) return std::nullopt;
  return arg.text;
}

std::optional<ParseError> selection_options(const Arg& list, ListRequest& out) {
  for (const auto& opt : list.items) {
    if (opt.is_atom("SUBSCRIBED")) out.select_subscribed = true;
    else if (opt.is_atom("REMOTE")) out.select_remote = true;
    else if (opt.is_atom("RECURSIVEMATCH")) out.select_recursive_match = true;
    else if (opt.is_atom("SPECIAL-USE")) out.select_special_use = true;
    else return syntax_error("LIST: unknown selection option " + describe(opt));
  }
  // RFC 5258 3: RECURSIVEMATCH alone is an error.
  if (out.select_recursive_match && !out.select_subscribed && !out.select_special_use)
    return syntax_error("LIST: RECURSIVEMATCH needs another selection option");
  return std::nullopt;
}

std::optional<ParseError> return_options(const Arg& list, ListRequest& out) {
  if (!list.is_list()) return syntax_error("LIST: RETURN needs a list of options");
  for (size_t i = 0; i < list.items.size(); ++i) {
    const Arg& opt = list.items[i];
    if (opt.is_atom("SUBSCRIBED")) out.return_subscribed = true;
    else if (opt.is_atom("CHILDREN")) out.return_children = true;
    else if (opt.is_atom("SPECIAL-USE")) out.return_special_use = true;
    else if (opt.is_atom("STATUS") && i + 1 < list.items.size()) {
      auto items = parse_status_items(list.items[++i]);
      if (!items) return items.error();
      out.return_status = std::move(*items);
    } else {
      return syntax_error("LIST: unknown return option " + describe(opt));
    }
  }
  return std::nullopt;
}

char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string decoded_or_raw(std::string_view s) {
  auto d = mutf7_decode(s);
  return d ? std::move(d).value() : std::string(s);
}

}  // namespace

Parsed<ListRequest> parse_list(Args args, bool lsub) {
  ListRequest out;
  const char* name = lsub ? "LSUB" : "LIST";
  size_t pos = 0;
  if (!lsub && pos < args.size() && args[pos].is_list()) {
    if (auto error = selection_options(args[pos], out)) return *error;
    out.extended = true;
    ++pos;
  }
  if (args.size() - pos < 2) return syntax_error(std::string(name) + " needs a reference and a mailbox pattern");
  auto reference = args[pos].astring();
  if (!reference) return syntax_error(std::string(name) + ": invalid reference");
  out.reference = std::string(*reference);
  ++pos;
  const Arg& patterns = args[pos++];
  if (patterns.is_list()) {
    if (lsub || patterns.items.empty()) return syntax_error(std::string(name) + ": invalid mailbox pattern");
    for (const auto& p : patterns.items) {
      auto text = pattern_text(p);
      if (!text) return syntax_error("LIST: invalid mailbox pattern");
      out.patterns.push_back(std::move(*text));
    }
    out.extended = true;
  } else {
    out.patterns.push_back(*pattern_text(patterns));
  }
  if (pos < args.size()) {
    if (lsub || !args[pos].is_atom("RETURN") || pos + 2 != args.size())
      return syntax_error(std::string(name) + ": unexpected argument " + describe(args[pos]));
    if (auto error = return_options(args[pos + 1], out)) return *error;
    out.extended = true;
  }
  return out;
}

ListPattern::ListPattern(std::string_view reference, std::string_view pattern, char separator)
    : separator_(separator) {
  std::string ref = decoded_or_raw(reference);
  std::string pat = decoded_or_raw(pattern);
  // An absolute pattern (starting with the separator) ignores the reference's
  // trailing separator so "a/" + "/b" does not become "a//b".
  if (!ref.empty() && ref.back() == separator && !pat.empty() && pat.front() == separator) ref.pop_back();
  std::string combined = ref + pat;
  // Runs of wildcards collapse: any run holding "*" is "*", else "%".
  for (size_t i = 0; i < combined.size(); ++i) {
    char c = combined[i];
    if (c != '*' && c != '%') {
      pattern_.push_back(c);
      continue;
    }
    bool star = false;
    while (i < combined.size() && (combined[i] == '*' || combined[i] == '%')) star |= combined[i++] == '*';
    --i;
    pattern_.push_back(star ? '*' : '%');
  }
}

bool ListPattern::matches(std::string_view name) const {
  // The leading "INBOX" component of a name compares without case.
  size_t inbox_end = 0;
  if (name.size() >= 5 && iequals(name.substr(0, 5), "INBOX") && (name.size() == 5 || name[5] == separator_))
    inbox_end = 5;
  auto same = [&](char p, size_t at) {
    char c = name[at];
    if (at < inbox_end) return ascii_upper(p) == ascii_upper(c);
    return p == c;
  };
  // reach[k]: the pattern prefix read so far can end just before name[k].
  const size_t n = name.size();
  std::vector<char> reach(n + 1, 0), next(n + 1, 0);
  reach[0] = 1;
  for (char p : pattern_) {
    std::fill(next.begin(), next.end(), 0);
    if (p == '*') {
      bool on = false;
      for (size_t k = 0; k <= n; ++k) {
        on = on || reach[k];
        next[k] = on;
      }
    } else if (p == '%') {
      bool on = false;
      for (size_t k = 0; k <= n; ++k) {
        on = on || reach[k];
        next[k] = on;
        if (k < n && name[k] == separator_) on = false;  // % never crosses a separator
      }
    } else {
      bool any = false;
      for (size_t k = 0; k < n; ++k)
        if (reach[k] && same(p, k)) {
          next[k + 1] = 1;
          any = true;
        }
      if (!any) return false;
    }
    reach.swap(next);
  }
  return reach[n] != 0;
}

}  // namespace postern::imap
