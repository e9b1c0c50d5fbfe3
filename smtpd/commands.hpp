// The SMTP command handlers, one file each (cmd_*.cpp), and the dispatcher
// that parses a command line and calls them. Runs in smtpd as mail_owner.
#pragma once

#include "lib/cleanup/cleanup.hpp"
#include "lib/smtp/command.hpp"
#include "lib/smtp/line_reader.hpp"

namespace postern::smtpd {

class Session;

// One command line from the client: limits, bare <LF> policy, parse, dispatch.
void handle_line(Session& session, const smtp::Line& line);

void cmd_helo(Session& session, const smtp::Command& command);  // HELO and EHLO
void cmd_mail(Session& session, const smtp::Command& command);
void cmd_rcpt(Session& session, const smtp::Command& command);
void cmd_data(Session& session, const smtp::Command& command);
void cmd_bdat(Session& session, const smtp::Command& command);
void cmd_rset(Session& session, const smtp::Command& command);
void cmd_noop(Session& session, const smtp::Command& command);
void cmd_quit(Session& session, const smtp::Command& command);
void cmd_vrfy(Session& session, const smtp::Command& command);
void cmd_help(Session& session, const smtp::Command& command);
void cmd_starttls(Session& session, const smtp::Command& command);
void cmd_auth(Session& session, const smtp::Command& command);

// Called by the session when the DATA terminator / a whole BDAT chunk arrived.
void end_of_data(Session& session);
void end_of_chunk(Session& session);

// Shared by DATA and BDAT LAST: checks the decoder's findings, commits
// through cleanup and answers 250 with the queue ID, or the rejection.
void deliver_message(Session& session, bool bare_lf, std::uint64_t longest_line, bool size_exceeded,
                     smtp::Verb verb);
// The reply once the queue file is durable (or the commit failed).
void answer_message(Session& session, const cleanup::Outcome& outcome, smtp::Verb verb, std::uint64_t bdat_size);

}  // namespace postern::smtpd
