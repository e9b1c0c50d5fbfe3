// parse_access_action (see access_action.hpp). In smtpd, as mail_owner.
#include "smtpd/access_action.hpp"

#include <cctype>

#include "lib/base/strings.hpp"

namespace postern::smtpd {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "5.7.1" / "4.1.8" at the start of a text.
bool is_enhanced(std::string_view w) {
  if (w.size() < 5 || (w[0] != '2' && w[0] != '4' && w[0] != '5') || w[1] != '.') return false;
  std::size_t dots = 0;
  for (char c : w.substr(2)) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 1 && w.back() != '.' && w[2] != '.';
}

}  // namespace

AccessAction parse_access_action(std::string_view value) {
  AccessAction a;
  std::string_view v = trim(value);
  std::size_t sp = v.find_first_of(" \t");
  std::string word = to_upper(v.substr(0, sp));
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : trim(v.substr(sp));
  if (word == "OK" || word == "PERMIT" || (all_digits(v) && v.size() != 3)) {
    a.kind = AccessAction::Kind::permit;
  } else if (word == "DUNNO") {
    a.kind = AccessAction::Kind::dunno;
  } else if (word == "REJECT") {
    a.kind = AccessAction::Kind::reject;
    a.text = std::string(rest);
  } else if (word == "DEFER") {
    a.kind = AccessAction::Kind::defer;
    a.text = std::string(rest);
  } else if (word == "DEFER_IF_PERMIT" || word == "DEFER_IF_REJECT") {
    a.kind = word == "DEFER_IF_PERMIT" ? AccessAction::Kind::defer_if_permit : AccessAction::Kind::defer_if_reject;
    a.text = std::string(rest);
  } else if (word == "WARN") {
    a.kind = AccessAction::Kind::warn;
    a.text = std::string(rest);
  } else if (word.size() == 3 && all_digits(word) && (word[0] == '4' || word[0] == '5')) {
    a.kind = AccessAction::Kind::reply;
    a.code = std::stoi(word);
    std::size_t sp2 = rest.find_first_of(" \t");
    std::string_view first = rest.substr(0, sp2);
    if (is_enhanced(first) && first[0] == word[0]) {
      a.enhanced = std::string(first);
      rest = sp2 == std::string_view::npos ? std::string_view{} : trim(rest.substr(sp2));
    }
    a.text = std::string(rest);
  } else if (word == "HOLD" || word == "DISCARD" || word == "REDIRECT" || word == "BCC" || word == "PREPEND" ||
             word == "FILTER" || word == "INFO") {
    using K = AccessAction::Kind;
    a.kind = word == "HOLD"       ? K::hold
             : word == "DISCARD"  ? K::discard
             : word == "REDIRECT" ? K::redirect
             : word == "BCC"      ? K::bcc
             : word == "PREPEND"  ? K::prepend
             : word == "FILTER"   ? K::filter
                                  : K::info;
    a.text = std::string(rest);
  } else {
    a.kind = AccessAction::Kind::restrictions;
    a.text = std::string(v);
  }
  return a;
}

}  // namespace postern::smtpd
