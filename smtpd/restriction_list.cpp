// RestrictionList (see restriction_list.hpp). In smtpd, as mail_owner.
#include "smtpd/restriction_list.hpp"

#include <algorithm>
#include <array>

#include "lib/base/strings.hpp"
#include "lib/maps/table.hpp"

namespace postern::smtpd {
namespace {

constexpr std::array kKnown = {
    "permit", "reject", "defer", "permit_mynetworks", "permit_sasl_authenticated", "permit_auth_destination",
    "reject_unauth_destination", "defer_unauth_destination", "reject_unlisted_recipient",
    "reject_unlisted_sender", "reject_invalid_helo_hostname", "reject_non_fqdn_helo_hostname",
    "reject_unknown_helo_hostname", "reject_non_fqdn_sender", "reject_non_fqdn_recipient",
    "reject_unknown_sender_domain", "reject_unknown_recipient_domain", "reject_unknown_client_hostname",
    "reject_unknown_reverse_client_hostname", "reject_unauth_pipelining", "check_client_access",
    "check_reverse_client_hostname_access",
    "check_helo_access", "check_sender_access", "check_recipient_access", "warn_if_reject",
    "reject_sender_login_mismatch", "reject_authenticated_sender_login_mismatch",
    "reject_unauthenticated_sender_login_mismatch", "permit_tls_all_clientcerts", "reject_plaintext_session",
    "check_policy_service", "reject_rbl_client", "reject_rhsbl_client", "reject_rhsbl_sender", "reject_rhsbl_helo",
    "reject_rhsbl_recipient", "reject_rhsbl_reverse_client", "permit_dnswl_client", "permit_rhswl_client",
    "check_sender_mx_access", "check_sender_ns_access", "check_recipient_mx_access", "check_recipient_ns_access",
    "check_client_mx_access", "check_client_ns_access", "check_helo_mx_access", "check_helo_ns_access",
    "permit_mx_backup", "defer_if_permit", "defer_if_reject"};

constexpr std::array kIgnored = {"reject_unverified_sender", "reject_unverified_recipient",
                                 "reject_multi_recipient_bounce"};

constexpr std::array kWithArgument = {
    "check_client_access", "check_reverse_client_hostname_access", "check_helo_access", "check_sender_access", "check_recipient_access",
    "check_policy_service", "reject_rbl_client", "reject_rhsbl_client", "reject_rhsbl_sender",
    "reject_rhsbl_helo", "reject_rhsbl_recipient", "reject_rhsbl_reverse_client", "permit_dnswl_client",
    "permit_rhswl_client", "check_sender_mx_access", "check_sender_ns_access", "check_recipient_mx_access",
    "check_recipient_ns_access", "check_client_mx_access", "check_client_ns_access", "check_helo_mx_access",
    "check_helo_ns_access"};

template <std::size_t N>
bool in(const std::array<const char*, N>& set, std::string_view name) {
  return std::any_of(set.begin(), set.end(), [&](const char* s) { return name == s; });
}

// The names of old tutorials, as Postfix still accepts them.
std::string canonical(std::string name) {
  if (name == "reject_invalid_hostname") return "reject_invalid_helo_hostname";
  if (name == "reject_non_fqdn_hostname") return "reject_non_fqdn_helo_hostname";
  if (name == "reject_unknown_hostname") return "reject_unknown_helo_hostname";
  if (name == "reject_unknown_client") return "reject_unknown_client_hostname";
  if (name == "check_relay_domains") return "reject_unauth_destination";
  return name;
}

}  // namespace

bool is_known_restriction(std::string_view name) { return in(kKnown, name); }
bool is_ignored_restriction(std::string_view name) { return in(kIgnored, name); }
bool takes_argument(std::string_view name) { return in(kWithArgument, name); }

RestrictionList RestrictionList::parse(std::string_view text, const std::set<std::string, std::less<>>& classes) {
  RestrictionList list;
  // split_table_list keeps "inline:{ a=b, c=d }" whole.
  std::vector<std::string> words = maps::split_table_list(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string name = canonical(to_lower(words[i]));
    if (classes.count(words[i]) != 0 && !is_known_restriction(name)) {
      list.items.push_back(Restriction{words[i], "", true});
      continue;
    }
    if (!is_known_restriction(name) && !is_ignored_restriction(name)) {
      if (list.error.empty()) list.error = "unknown smtpd restriction: \"" + words[i] + "\"";
      continue;
    }
    Restriction r{name, ""};
    if (takes_argument(name)) {
      if (i + 1 >= words.size()) {
        if (list.error.empty()) list.error = "restriction " + name + " needs an argument";
        continue;
      }
      r.arg = words[++i];
      if (((name.starts_with("check_") && name.ends_with("_access")) || name == "check_policy_service") &&
          r.arg.find(':') == std::string::npos && list.error.empty())
        list.error = name + ": \"" + r.arg + "\" is not a type:name table";
    }
    list.items.push_back(std::move(r));
  }
  return list;
}

bool RestrictionList::has(std::string_view name) const {
  return std::any_of(items.begin(), items.end(), [&](const Restriction& r) { return r.name == name; });
}

bool RestrictionList::has_relay_guard() const {
  // Postfix: "specify at least one working instance of: reject_unauth_destination,
  // defer_unauth_destination, reject, defer, defer_if_permit or check_relay_domains".
  return has("reject_unauth_destination") || has("defer_unauth_destination") || has("reject") || has("defer") ||
         has("defer_if_permit");
}

}  // namespace postern::smtpd
