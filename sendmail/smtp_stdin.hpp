// sendmail -bs: a small SMTP server on standard input/output for local
// programs that speak SMTP to sendmail (Postfix runs smtpd for this; Postern
// keeps it in sendmail so no network daemon is involved). Each accepted
// message goes to postdrop like any other local submission. Runs as the
// invoking user.
#pragma once

#include <cstdint>
#include <string>

#include "sendmail/submit.hpp"

namespace postern::sendmail {

struct SmtpStdinOptions {
  std::string myhostname;
  std::string mail_name = "Postfix";
  std::uint64_t message_size_limit = 0;
  PostdropCommand postdrop;
};

// Serves one session; returns the exit status (0 after QUIT or EOF).
int serve_smtp_stdin(int in_fd, int out_fd, const SmtpStdinOptions& options);

}  // namespace postern::sendmail
