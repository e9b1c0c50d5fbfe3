// Serving one qmgr connection in smtp/lmtp: hello, request, the delivery to
// the next hop's servers in order, the Postfix status line, the reply.
// Runs in smtp/lmtp (mail_owner).
#pragma once

#include <optional>
#include <random>

#include "lib/config/config.hpp"
#include "lib/dns/resolver.hpp"
#include "lib/ipc/delivery_proto.hpp"
#include "lib/maps/table.hpp"
#include "lib/queue/queue_reader.hpp"
#include "lib/tls/tls_client.hpp"
#include "smtp/session.hpp"
#include "smtp/smtp_params.hpp"

namespace postern::smtp {

class Agent {
 public:
  // Throws std::runtime_error for a configuration that cannot work (bad
  // resolver list, unreadable CA file): fatal at start.
  Agent(const config::Config& config, bool lmtp);
  // Handles one client connection to completion; errors are logged.
  // Serves qmgr's requests on `fd`, at most `max_requests`; returns how many.
  long long serve(int fd, long long max_requests);
  // After a chroot to queue_directory: qmgr still names queue files by
  // their full path, which now lives under "/".
  void set_chroot_prefix(std::string prefix) { chroot_prefix_ = std::move(prefix); }

 private:
  ipc::DeliveryReply deliver(const ipc::DeliveryRequest& request, const queue::QueueReader& queue);
  std::optional<Credentials> credentials_for(const std::string& nexthop, const Candidate& server,
                                             std::string& temp_error);
  // Tries `servers` in order until one takes the transaction (or refuses
  // it); one Outcome per recipient. `relay` is set to the last server tried.
  std::vector<Outcome> try_servers(const ipc::DeliveryRequest& request, const queue::QueueReader& queue,
                                   const std::string& nexthop, const std::vector<Candidate>& servers,
                                   std::string& relay);
  void log_status(const ipc::DeliveryRequest& request, const ipc::RequestRecipient& rcpt, const std::string& relay,
                  double connected, const std::string& dsn, const std::string& status, const std::string& reason) const;

  SmtpParams params_;
  dns::BlockingResolver resolver_;
  std::optional<tls::TlsClientContext> tls_;
  maps::TableList sasl_passwords_;
  std::string sasl_error_;
  std::mt19937 random_;
  std::string chroot_prefix_;
};

}  // namespace postern::smtp
