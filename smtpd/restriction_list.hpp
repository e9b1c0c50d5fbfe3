// A parsed smtpd_*_restrictions list: each word a known restriction (legacy
// names mapped to today's: reject_invalid_hostname -> reject_invalid_helo_hostname,
// ...), "check_*_access type:name" with its table. An unknown name makes
// the list broken: evaluating it answers 451 4.3.5, as Postfix does.
// Pure; in smtpd, as mail_owner.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtpd {

struct Restriction {
  std::string name;  // canonical name
  std::string arg;   // table or domain for the restrictions that take one
  bool is_class = false;  // a smtpd_restriction_classes name, evaluated as its list
};

struct RestrictionList {
  std::vector<Restriction> items;
  std::string error;  // "unknown smtpd restriction: \"x\"" etc.; empty when fine

  // `text`: the parameter value after $name expansion ("a, b c").
  // `classes`: the smtpd_restriction_classes names, accepted as restrictions.
  static RestrictionList parse(std::string_view text, const std::set<std::string, std::less<>>& classes = {});
  bool broken() const { return !error.empty(); }
  bool has(std::string_view name) const;
  // Contains a rule that stops mail to foreign domains (Postfix's safety net
  // for smtpd_relay_restrictions / smtpd_recipient_restrictions).
  bool has_relay_guard() const;
};

// Known and implemented (not the placeholders that are accepted and ignored).
bool is_known_restriction(std::string_view name);
// Accepted so that tutorial configurations load, but not implemented:
// logged once and treated as DUNNO (reject_unverified_*, which needs
// Postfix's verify service).
bool is_ignored_restriction(std::string_view name);
// Restrictions that take the next word as their argument.
bool takes_argument(std::string_view name);

}  // namespace postern::smtpd
