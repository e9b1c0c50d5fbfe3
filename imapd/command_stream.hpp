// Commands from one IMAP client: bytes from ClientIo through lib/imap's
// CommandReader, with the "+ OK" continuation for synchronizing literals,
// raw lines for AUTHENTICATE and IDLE, and the bytes read past the current
// command kept for the next one (pipelining). Runs in imapd's login process
// (mail_owner) and mail process (the mailbox owner).
#pragma once

#include <string>

#include "lib/imap/command_reader.hpp"
#include "lib/login/client_io.hpp"

namespace postern::imapd {

class CommandStream {
 public:
  CommandStream(login::ClientIo& io, imap::ReaderLimits limits) : io_(io), reader_(limits) {}

  enum class Kind { command, error, closed };
  struct Next {
    Kind kind = Kind::closed;
    imap::Command command;
    imap::ReadError error;
  };
  // Blocks until a whole command (literals included), a framing error or
  // the end of the connection.
  Next next();
  // One raw line (AUTHENTICATE responses, IDLE's DONE); nullopt when the
  // client went away. `too_long` is set for a line over the limit.
  std::optional<std::string> raw_line(bool& too_long);
  // Client bytes already read but not yet used.
  bool has_pending() const { return !pending_.empty(); }
  // Hands the unused bytes over (to the mail process) and forgets them.
  std::string take_pending() { return std::exchange(pending_, {}); }
  // STARTTLS: nothing the client sent before the handshake may count.
  void discard_pending() {
    pending_.clear();
    reader_.reset();
  }

 private:
  login::ClientIo& io_;
  imap::CommandReader reader_;
  std::string pending_;
};

}  // namespace postern::imapd
