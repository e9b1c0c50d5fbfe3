// Command-line dispatch: line limits, the bare <LF> rule for commands, the
// parser's rejections, then the handler for the verb. In smtpd, mail_owner.
#include "lib/smtp/reply.hpp"
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {
namespace {

// The verb a rejected line was meant to be, for the disconnect counts.
bool guess_verb(std::string_view line, smtp::Verb* verb) {
  auto sp = line.find_first_of(" \t");
  std::string word(line.substr(0, sp));
  for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (int v = 0; v <= static_cast<int>(smtp::Verb::auth); ++v) {
    if (word == smtp::verb_name(static_cast<smtp::Verb>(v))) {
      *verb = static_cast<smtp::Verb>(v);
      return true;
    }
  }
  return false;
}

bool bare_lf_excluded(const Session& s) {
  return s.params().bare_newline_exclusions.contains(s.client().address);
}

// smtpd_tls_security_level = encrypt: only HELO/EHLO, STARTTLS, NOOP, RSET
// and QUIT before TLS.
bool needs_tls_first(const Session& s, smtp::Verb verb) {
  if (s.params().tls_level != TlsLevel::encrypt || s.tls_active()) return false;
  switch (verb) {
    case smtp::Verb::helo:
    case smtp::Verb::ehlo:
    case smtp::Verb::starttls:
    case smtp::Verb::noop:
    case smtp::Verb::rset:
    case smtp::Verb::quit:
    case smtp::Verb::lhlo:
      return false;
    default:
      return true;
  }
}

}  // namespace

void dispatch_line(Session& s, const smtp::Line& line, smtp::Verb verb, bool known);

void handle_line(Session& s, const smtp::Line& line) {
  smtp::Verb verb{};
  const bool known = guess_verb(line.text, &verb) && verb != smtp::Verb::lhlo;
  dispatch_line(s, line, verb, known);
  // A restriction waits for DNS: the same line is handled again with the answer.
  if (s.dns_pending()) s.suspend_for_dns(line, known, verb);
}

void dispatch_line(Session& s, const smtp::Line& line, smtp::Verb verb, bool known) {
  if (known) {
    s.note_verb(verb);
  } else {
    s.note_unknown();
  }
  if (line.too_long) {
    // RFC 5321 4.5.3.1.4: 512 octets. Postfix would truncate; we refuse.
    s.reply(500, "5.5.2", "Error: line too long");
    return;
  }
  if (line.bare_lf && s.params().bare_newline == BareNewline::reject && !bare_lf_excluded(s)) {
    s.reply(smtp::bare_lf_reply(s.params().bare_newline_code, s.params().myhostname));
    return;
  }
  auto parsed = smtp::parse_command(line.text, s.command_options());
  if (auto* r = std::get_if<smtp::Reply>(&parsed)) {
    const smtp::Reply& reply = *r;
    s.reply(reply);
    return;
  }
  const auto& cmd = std::get<smtp::Command>(parsed);
  if (needs_tls_first(s, cmd.verb)) {
    s.note_error(kErrorPolicy);
    return s.reply(530, "5.7.0", "Must issue a STARTTLS command first");
  }
  const bool junk = cmd.verb == smtp::Verb::noop || cmd.verb == smtp::Verb::vrfy || cmd.verb == smtp::Verb::rset;
  if (junk) {
    s.set_stage_name(cmd.verb == smtp::Verb::noop ? "NOOP" : cmd.verb == smtp::Verb::vrfy ? "VRFY" : "RSET");
    if (!s.count_junk_command()) return;  // 421 already sent
  }
  switch (cmd.verb) {
    case smtp::Verb::helo:
    case smtp::Verb::ehlo:
      s.set_stage_name(cmd.verb == smtp::Verb::helo ? "HELO" : "EHLO");
      return cmd_helo(s, cmd);
    case smtp::Verb::mail:
      s.set_stage_name("MAIL");
      return cmd_mail(s, cmd);
    case smtp::Verb::rcpt:
      s.set_stage_name("RCPT");
      return cmd_rcpt(s, cmd);
    case smtp::Verb::data:
      s.set_stage_name("DATA");
      return cmd_data(s, cmd);
    case smtp::Verb::bdat:
      s.set_stage_name("BDAT");
      return cmd_bdat(s, cmd);
    case smtp::Verb::rset:
      s.set_stage_name("RSET");
      return cmd_rset(s, cmd);
    case smtp::Verb::noop:
      s.set_stage_name("NOOP");
      return cmd_noop(s, cmd);
    case smtp::Verb::quit:
      s.set_stage_name("QUIT");
      return cmd_quit(s, cmd);
    case smtp::Verb::vrfy:
      s.set_stage_name("VRFY");
      return cmd_vrfy(s, cmd);
    case smtp::Verb::help:
      s.set_stage_name("HELP");
      return cmd_help(s, cmd);
    case smtp::Verb::starttls:
      s.set_stage_name("STARTTLS");
      return cmd_starttls(s, cmd);
    case smtp::Verb::auth:
      s.set_stage_name("AUTH");
      return cmd_auth(s, cmd);
    case smtp::Verb::lhlo:
      s.set_stage_name("UNKNOWN");
      return s.reply(500, "5.5.2", "Error: command not recognized");
  }
}

}  // namespace postern::smtpd
