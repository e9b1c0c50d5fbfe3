// SMTP server command grammar: one parsed command line, or the reply that
// rejects it (code, RFC 3463 enhanced code and text, worded as Postfix words
// them). Pure syntax, no session state or policy. Used by smtpd and lmtpd
// (as mail_owner).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "lib/smtp/address.hpp"
#include "lib/smtp/reply.hpp"

namespace postern::smtp {

enum class Verb { helo, ehlo, lhlo, mail, rcpt, data, bdat, rset, noop, quit, vrfy, help, starttls, auth };

enum class Body { unspecified, seven_bit, eight_bit_mime, binary_mime };
enum class Ret { unspecified, full, hdrs };

// RFC 3461 NOTIFY; 0 means "not given" (the default applies later).
enum NotifyFlags : unsigned {
  notify_never = 1,
  notify_success = 2,
  notify_failure = 4,
  notify_delay = 8,
};

struct MailParams {
  std::optional<std::uint64_t> size;  // SIZE=, RFC 1870
  Body body = Body::unspecified;      // BODY=7BIT|8BITMIME|BINARYMIME
  bool smtputf8 = false;              // SMTPUTF8, RFC 6531
  Ret ret = Ret::unspecified;         // RET=FULL|HDRS
  std::optional<std::string> envid;   // ENVID=, xtext-decoded
  std::optional<std::string> auth;    // AUTH=, xtext-decoded ("<>" kept as "<>")
};

struct RcptParams {
  unsigned notify = 0;                // NotifyFlags
  std::optional<std::string> orcpt_type;  // "rfc822", "utf-8", as sent
  std::optional<std::string> orcpt;       // the original address, xtext-decoded
};

struct Command {
  Verb verb = Verb::noop;
  std::string argument;   // HELO/EHLO/LHLO domain, VRFY/HELP/NOOP text, AUTH mechanism
  std::string initial_response;  // AUTH's optional second word
  Path path;              // MAIL reverse-path, RCPT forward-path
  MailParams mail;
  RcptParams rcpt;
  std::uint64_t bdat_size = 0;
  bool bdat_last = false;
};

struct CommandOptions {
  bool strict_rfc821_envelopes = false;  // see PathOptions::strict
  bool smtputf8_enable = true;           // SMTPUTF8 advertised; MAIL may ask for it
  bool smtputf8_transaction = false;     // for RCPT: MAIL had SMTPUTF8
  bool dsn_enable = true;                // RET, ENVID, NOTIFY, ORCPT accepted
  std::uint64_t message_size_limit = 0;  // 0 = unlimited; SIZE= above it gets 552 5.3.4
};

using ParsedCommand = std::variant<Command, Reply>;

// Parses one command line (no line ending). Returns the Command, or the Reply
// that rejects it, e.g. {501, "5.1.7", "Bad sender address syntax"},
// {555, "5.5.4", "Unsupported option: FOO=1"}, {500, "5.5.2", "Error: command not recognized"}.
ParsedCommand parse_command(std::string_view line, const CommandOptions& options);

const char* verb_name(Verb verb);

}  // namespace postern::smtp
