// RFC 5321 envelope paths: "<local@domain>", "<>", source routes, quoted local
// parts, address literals, and RFC 6531 UTF-8 addresses. Pure syntax, no
// policy. Used by smtpd and lmtpd (as mail_owner), and by sendmail for -f.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::smtp {

struct PathOptions {
  // strict_rfc821_envelopes: require "<...>", full RFC 5321 syntax, a domain
  // and the RFC length limits. Off (Postfix's default) also accepts a missing
  // "<>", an unqualified address (cleanup appends $myorigin), empty atoms
  // ("a..b@x", seen in the wild), '_' in domains, and long local parts.
  bool strict = false;
};

struct Path {
  bool null = false;        // "<>"
  std::string address;      // "local@domain" as sent (quotes kept), source route dropped; "" for <>
  std::string local_part;   // as sent, quotes kept
  std::string domain;       // "example.com", "[192.0.2.1]", "[IPv6:2001:db8::1]"; "" when unqualified
  bool utf8 = false;        // contains non-ASCII; valid only in an SMTPUTF8 transaction
};

// Parses the path at the start of `text` (what follows "FROM:" or "TO:").
// On success *rest receives the text after the path (ESMTP parameters).
// nullopt means a syntax error: the caller answers 501 5.1.7 / 5.1.3.
std::optional<Path> parse_path(std::string_view text, const PathOptions& options, std::string_view* rest);

// Pieces, exposed for ORCPT, VRFY and tests.
bool valid_domain(std::string_view domain, bool lenient);
bool valid_address_literal(std::string_view literal);  // with the brackets
bool valid_utf8(std::string_view s);                   // well-formed, no overlongs or surrogates

}  // namespace postern::smtp
