// How a logged-in client moves from the login process (mail_owner) to the
// mail process (the mailbox owner), over the socketpair the root process
// made for them. A plaintext client's socket itself is passed (SCM_RIGHTS)
// with the bytes the login process read but did not use, and the login
// process ends: an idle session is one process, as in Dovecot. A TLS
// client stays with the login process, which relays (it holds the TLS
// state), as Dovecot's login processes proxy TLS sessions.
//
// On the socketpair: one header (kind 'C' + the client's socket, or 'R'
// for a relay; then the preamble's length, 4 bytes, network order), the
// preamble, and for 'R' the relayed stream.
#pragma once

#include <string>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::login {

class ClientIo;

// What the mail process serves: the client's socket (or the relay) and
// what the client sent that nobody has read yet.
struct HandedClient {
  UniqueFd fd;
  std::string pending;
  bool relayed = false;
};

// Login side: `preamble` first (what the mail process must read before any
// client input), then the client's unread bytes. Returns when the client
// has gone to the mail process (plaintext) or the relay has ended (TLS).
void hand_over_client(ClientIo& io, int mail_fd, std::string preamble, int relay_idle_seconds);

// Mail side: waits for the login process's hand-over on `fd` (taking it).
Result<HandedClient> receive_client(UniqueFd fd);

}  // namespace postern::login
