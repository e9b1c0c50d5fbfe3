// The client connection of one POP3 session process: plain or TLS, line
// reads with a length bound and a deadline, and STARTTLS that throws away
// anything the client pipelined before the handshake. Runs in a pop3d
// session process (pre-login: mail_owner; after login: the mailbox owner).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "lib/base/unique_fd.hpp"
#include "lib/tls/tls_server.hpp"

namespace postern::pop3d {

class ClientIo {
 public:
  explicit ClientIo(int fd) : fd_(fd) {}

  enum class ReadStatus { line, too_long, closed };
  // Reads one line (without CRLF). A line longer than `max` is discarded
  // up to its end and reported as too_long.
  ReadStatus read_line(std::string& line, size_t max);
  bool write(const std::string& text);
  void set_timeout(int seconds);

  // Handshake now; buffered plaintext is discarded first (RFC 2595: no
  // command injection across STLS).
  bool start_tls(const tls::TlsContext& ctx, std::string& error);
  // After login: copies bytes both ways between the client and `other`
  // (the mail process), starting with anything the client pipelined, until
  // either side closes or 10 minutes pass without traffic.
  void relay(int other);
  bool secured() const { return tls_ != nullptr; }
  std::string tls_description() const { return tls_ ? tls_->description() : ""; }

 private:
  long read_some(char* buf, size_t size);
  int fd_;
  std::unique_ptr<tls::TlsStream> tls_;
  std::string buffer_;
};

}  // namespace postern::pop3d
