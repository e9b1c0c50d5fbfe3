// One connection of the smtp/lmtp agent to a server: connect with a
// deadline, line-oriented replies with a per-command timeout, and the
// STARTTLS upgrade. Blocking I/O bounded by SO_RCVTIMEO/SO_SNDTIMEO (the
// agent does one delivery at a time). Runs in smtp/lmtp (mail_owner).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/smtp_client/client_reply.hpp"
#include "lib/tls/tls_client.hpp"

namespace postern::smtp {

// Local addresses for outgoing connections (smtp_bind_address,
// smtp_bind_address6; empty: the kernel chooses). One that cannot be bound
// is logged and skipped, or with `enforce` fails the connection
// (smtp_bind_address_enforce).
struct SourceAddress {
  std::string ipv4;
  std::string ipv6;
  bool enforce = false;
};

class Peer {
 public:
  // address: numeric IPv4/IPv6. Errors read like Postfix's
  // "connect to host[addr]:port: Connection refused" (the caller adds the name).
  // source: the local address of the server's family to bind first.
  static Result<Peer> connect_inet(const std::string& address, int port, int timeout_seconds,
                                   const SourceAddress& source);
  // How an enforced source address that could not be bound begins its error.
  static constexpr std::string_view kBindFailure = "server configuration error";
  static Result<Peer> connect_unix(const std::string& path, int timeout_seconds);

  // The limit for the next reads and writes (per command, as Postfix's
  // smtp_*_timeout).
  void set_timeout(int seconds);
  Result<ServerReply> read_reply();
  Status write(std::string_view data);
  Status start_tls(const tls::TlsClientContext& ctx, const std::string& server_name, const std::string& verify_name);
  bool tls_active() const { return tls_.has_value(); }
  const tls::TlsClientStream* tls() const { return tls_ ? &*tls_ : nullptr; }

 private:
  explicit Peer(UniqueFd fd) : fd_(std::move(fd)) {}
  Result<std::string> read_line();
  UniqueFd fd_;
  std::optional<tls::TlsClientStream> tls_;
  std::string input_;
};

}  // namespace postern::smtp
