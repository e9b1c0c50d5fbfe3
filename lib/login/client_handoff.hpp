// After login: how the client reaches the mail process. A plain connection
// is handed over — the login process passes the client socket itself to the
// mail process (SCM_RIGHTS) and leaves — so commands and responses go
// straight between client and mail process, as with Dovecot's post-login
// processes. Otherwise every round trip crossed the login process's relay:
// two more process wake-ups, reads and writes per command, which made POP3
// RETR of small messages slower than Dovecot's. A TLS session keeps the
// relay (its TLS state lives in the login process), and so does a client
// that already pipelined bytes the login process has read.
// Runs in pop3d/imapd login (mail_owner) and mail (mailbox owner) processes.
#pragma once

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/login/client_io.hpp"

namespace postern::login {

enum class Handoff {
  handed_over,  // the mail process owns the client now: stop talking to it
  relay,        // the caller relays between `io` and the mail process
  failed,       // the mail process is gone
};

// Login process: right after the root parent's OK, before anything else
// goes to the mail process on `mail_fd`.
Handoff offer_client(ClientIo& io, int mail_fd);

// Mail process: the login process's answer on `login_fd`. The client socket
// when it was handed over; an empty UniqueFd when the login process relays
// through `login_fd`; an error when the login process went away.
Result<UniqueFd> accept_client(int login_fd);

}  // namespace postern::login
