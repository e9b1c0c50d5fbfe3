// SMTP command-line parser. Runs in smtpd and lmtpd (as mail_owner), on
// untrusted input: every path returns a Command or a Reply, never throws.
#include <charconv>

#include "lib/base/strings.hpp"
#include "lib/smtp/command.hpp"
#include "lib/smtp/esmtp_params.hpp"

namespace postern::smtp {
namespace {

struct VerbName {
  const char* name;
  Verb verb;
};
constexpr VerbName kVerbs[] = {
    {"HELO", Verb::helo}, {"EHLO", Verb::ehlo}, {"LHLO", Verb::lhlo},     {"MAIL", Verb::mail},
    {"RCPT", Verb::rcpt}, {"DATA", Verb::data}, {"BDAT", Verb::bdat},     {"RSET", Verb::rset},
    {"NOOP", Verb::noop}, {"QUIT", Verb::quit}, {"VRFY", Verb::vrfy},     {"HELP", Verb::help},
    {"STARTTLS", Verb::starttls},               {"AUTH", Verb::auth},
};

Reply reply(int code, const char* enhanced, std::string text) { return Reply{code, enhanced, std::move(text)}; }

// Strips the case-insensitive `keyword` ("FROM:") from the front of s.
bool take_keyword(std::string_view& s, std::string_view keyword) {
  if (!istarts_with(s, keyword)) return false;
  s.remove_prefix(keyword.size());
  return true;
}

// What MAIL and RCPT share: "FROM:" / "TO:", the space after it that
// Postfix accepts unless strict_rfc821_envelopes ("MAIL FROM: <a@b>"), and
// the path. Without a path, `error` is the reply (`usage` or `bad`).
struct PathArgument {
  std::optional<Path> path;
  std::string_view rest;  // the ESMTP parameters after the path
  Reply error;
};

PathArgument take_path_argument(std::string_view args, std::string_view keyword, const CommandOptions& options,
                                const Reply& usage, const Reply& bad) {
  PathArgument arg;
  arg.error = usage;
  if (!take_keyword(args, keyword)) return arg;
  if (!args.empty() && args.front() == ' ') {
    if (options.strict_rfc821_envelopes) {
      arg.error = bad;
      return arg;
    }
    args = trim_left(args);
  }
  if (args.empty()) return arg;
  arg.path = parse_path(args, PathOptions{options.strict_rfc821_envelopes}, &arg.rest);
  if (!arg.path) arg.error = bad;
  return arg;
}

ParsedCommand parse_mail(std::string_view args, const CommandOptions& options, Command cmd) {
  const Reply usage = reply(501, "5.5.4", "Syntax: MAIL FROM:<address>");
  const Reply bad = reply(501, "5.1.7", "Bad sender address syntax");
  PathArgument arg = take_path_argument(args, "FROM:", options, usage, bad);
  if (!arg.path) return arg.error;
  std::optional<Path>& path = arg.path;
  std::string_view rest = arg.rest;
  if (options.strict_rfc821_envelopes && !path->null && path->domain.empty()) return bad;
  if (auto err = detail::parse_mail_params(rest, options, cmd.mail)) return *err;
  if (path->utf8 && !cmd.mail.smtputf8)
    return reply(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address");
  cmd.path = std::move(*path);
  return cmd;
}

ParsedCommand parse_rcpt(std::string_view args, const CommandOptions& options, Command cmd) {
  const Reply usage = reply(501, "5.5.4", "Syntax: RCPT TO:<address>");
  const Reply bad = reply(501, "5.1.3", "Bad recipient address syntax");
  PathArgument arg = take_path_argument(args, "TO:", options, usage, bad);
  if (!arg.path) return arg.error;
  std::optional<Path>& path = arg.path;
  std::string_view rest = arg.rest;
  if (path->null) return bad;
  // RFC 5321 4.1.1.3: "RCPT TO:<Postmaster>" needs no domain, even when strict.
  if (options.strict_rfc821_envelopes && path->domain.empty() && !iequals(path->local_part, "postmaster"))
    return bad;
  if (auto err = detail::parse_rcpt_params(rest, options, cmd.rcpt)) return *err;
  if (path->utf8 && !options.smtputf8_transaction)
    return reply(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address");
  cmd.path = std::move(*path);
  return cmd;
}

ParsedCommand parse_bdat(std::string_view args, Command cmd) {
  // A broken BDAT leaves us unable to tell where the chunk ends, so Postfix
  // answers 521 and disconnects; so do we.
  const Reply usage = reply(521, "5.5.4", "Syntax: BDAT count [LAST]");
  auto words = split(args, " \t");
  if (words.empty() || words.size() > 2) return usage;
  const std::string& n = words[0];
  auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), cmd.bdat_size);
  if (ec != std::errc() || end != n.data() + n.size()) return usage;
  if (words.size() == 2) {
    if (!iequals(words[1], "LAST")) return usage;
    cmd.bdat_last = true;
  }
  return cmd;
}

bool has_bad_bytes(std::string_view line) {
  for (char ch : line) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 32 && c != '\t') || c == 127) return true;
  }
  return false;
}

}  // namespace

const char* verb_name(Verb verb) {
  for (const auto& v : kVerbs)
    if (v.verb == verb) return v.name;
  return "?";
}

ParsedCommand parse_command(std::string_view line, const CommandOptions& options) {
  line = trim_right(line);
  line = trim_left(line);
  if (has_bad_bytes(line)) return reply(500, "5.5.2", "Error: bad syntax");
  if (!valid_utf8(line)) return reply(500, "5.5.2", "Error: bad UTF-8 syntax");

  size_t sp = line.find_first_of(" \t");
  std::string_view word = line.substr(0, sp);
  std::string_view args = sp == std::string_view::npos ? std::string_view{} : trim_left(line.substr(sp));
  Command cmd;
  bool known = false;
  for (const auto& v : kVerbs) {
    if (iequals(word, v.name)) {
      cmd.verb = v.verb;
      known = true;
      break;
    }
  }
  if (!known) return reply(500, "5.5.2", "Error: command not recognized");

  switch (cmd.verb) {
    case Verb::helo:
    case Verb::ehlo:
    case Verb::lhlo:
      // Postfix sends these two without an enhanced status code.
      if (args.empty()) return reply(501, "", std::string("Syntax: ") + verb_name(cmd.verb) + " hostname");
      cmd.argument = std::string(args);
      return cmd;
    case Verb::mail:
      return parse_mail(args, options, std::move(cmd));
    case Verb::rcpt:
      return parse_rcpt(args, options, std::move(cmd));
    case Verb::bdat:
      return parse_bdat(args, std::move(cmd));
    case Verb::data:
    case Verb::rset:
    case Verb::starttls:
      if (!args.empty()) return reply(501, "5.5.4", std::string("Syntax: ") + verb_name(cmd.verb));
      return cmd;
    case Verb::vrfy:
      if (args.empty()) return reply(501, "5.5.4", "Syntax: VRFY address");
      cmd.argument = std::string(args);
      return cmd;
    case Verb::auth: {
      auto words = split(args, " \t");
      if (words.empty() || words.size() > 2) return reply(501, "5.5.4", "Syntax: AUTH mechanism");
      cmd.argument = to_upper(words[0]);
      if (words.size() == 2) cmd.initial_response = words[1];
      return cmd;
    }
    case Verb::noop:
    case Verb::quit:
    case Verb::help:
      cmd.argument = std::string(args);
      return cmd;
  }
  return reply(500, "5.5.2", "Error: command not recognized");
}

}  // namespace postern::smtp
