// DNS block and allow lists, the pure part: "domain=filter" sites, the
// query names (reversed client address, or a domain, under the list's
// domain), result filters and the rbl reply template ($rbl_code, $rbl_class,
// $rbl_what, $rbl_domain, ${rbl_reason?; $rbl_reason}, ...). Pure; in smtpd,
// as mail_owner.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lib/smtp/reply.hpp"

namespace postern::smtpd {

struct DnsblSite {
  std::string domain;  // "zen.example.org"
  std::string filter;  // "127.0.0.[2..11]"; empty: any answer counts
};
// "domain" or "domain=d.d.d.d".
DnsblSite parse_dnsbl_site(std::string_view argument);

// Postfix's result filter: four dot-separated octet patterns, each a number
// or "[...]" holding numbers and "a..b" ranges separated by ';'
// ("127.0.0.[2;4..6]"). An empty filter matches every address; a filter
// that cannot be parsed matches nothing.
bool dnsbl_filter_matches(std::string_view filter, std::string_view address);
// Syntax check for start-up warnings.
bool valid_dnsbl_filter(std::string_view filter);

// "192.0.2.1" + "bl.example" -> "1.2.0.192.bl.example"; IPv6 as reversed
// nibbles. nullopt for something that is not an address.
std::optional<std::string> dnsbl_address_query(std::string_view address, std::string_view domain);
// "example.com" + "rhsbl.example" -> "example.com.rhsbl.example" (trailing
// dots dropped, lower case). nullopt for an empty name or an address literal.
std::optional<std::string> dnsbl_domain_query(std::string_view name, std::string_view domain);

// Expands `$name`, `${name}`, `${name?text}` (text when name is non-empty)
// and `${name:text}` (text when name is empty) in `templ`; text is expanded
// in turn. Unknown names are empty; "$$" is "$".
std::string expand_reply_template(std::string_view templ, const std::map<std::string, std::string>& vars);
// "554 5.7.1 text" / "554 text" -> a reply; the enhanced code defaults to
// X.7.1. nullopt when the text does not start with a 4NN or 5NN code.
std::optional<smtp::Reply> parse_template_reply(std::string_view text);

}  // namespace postern::smtpd
