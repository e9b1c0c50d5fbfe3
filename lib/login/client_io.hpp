// The client connection of one POP3 or IMAP session process: plain or TLS,
// line reads with a length bound and a deadline, exact reads (IMAP
// literals), and STARTTLS that throws away anything the client pipelined
// before the handshake. Runs in a pop3d/imapd session process (pre-login:
// mail_owner; after login: the mailbox owner).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "lib/base/unique_fd.hpp"
#include "lib/tls/tls_server.hpp"

namespace postern::login {

class ClientIo {
 public:
  // `pending`: what the client sent that was read by another process
  // (the login process, before the hand-over); it is read first.
  explicit ClientIo(int fd, std::string pending = {}) : fd_(fd), buffer_(std::move(pending)) {}

  enum class ReadStatus { line, too_long, closed };
  // Reads one line (without CRLF). A line longer than `max` is discarded
  // up to its end and reported as too_long.
  ReadStatus read_line(std::string& line, size_t max);
  // Appends exactly `n` bytes to `out`; false when the client went away.
  bool read_exact(std::string& out, size_t n);
  // Appends whatever the client has sent (buffered bytes first, else one
  // read); false when the client went away or the deadline passed.
  bool read_chunk(std::string& out);
  // Reads and throws away `n` bytes (a literal we refused); false at EOF.
  bool skip(size_t n);
  // Waits until client input is ready (buffered, TLS-pending or readable)
  // or `other` (>= 0) is readable, for at most `timeout_ms`. Returns 1 for
  // the client, 2 for `other`, 0 on timeout, -1 on error.
  int wait_input(int other, int timeout_ms);
  bool write(const std::string& text);
  void set_timeout(int seconds);

  // Handshake now; buffered plaintext is discarded first (RFC 2595: no
  // command injection across STARTTLS).
  bool start_tls(const tls::TlsContext& ctx, std::string& error);
  // After login: copies bytes both ways between the client and `other`
  // (the mail process), starting with anything the client pipelined, until
  // either side closes or `idle_seconds` pass without traffic.
  void relay(int other, int idle_seconds = 600);
  // Takes what was read from the client and not consumed yet.
  std::string take_buffered() { return std::exchange(buffer_, {}); }
  bool secured() const { return tls_ != nullptr; }
  std::string tls_description() const { return tls_ ? tls_->description() : ""; }
  int fd() const { return fd_; }
  // Bytes read from and written to the client so far (for logout lines).
  size_t bytes_in() const { return in_; }
  size_t bytes_out() const { return out_; }

 private:
  long read_some(char* buf, size_t size);
  int fd_;
  std::unique_ptr<tls::TlsStream> tls_;
  std::string buffer_;
  size_t in_ = 0, out_ = 0;
};

}  // namespace postern::login
