// The smtp/lmtp delivery agent's parameters, read once at start into a plain
// struct. The lmtp personality reads the lmtp_* names where Postfix has them.
// Runs in smtp/lmtp (mail_owner).
#pragma once

#include <string>
#include <vector>

#include "lib/config/config.hpp"

namespace postern::smtp {

struct SmtpParams {
  bool lmtp = false;
  std::string prefix;          // "smtp" or "lmtp": for log words and parameter names
  std::string myhostname;
  std::string helo_name;       // smtp_helo_name / lmtp_lhlo_name
  int default_port = 25;       // lmtp: lmtp_tcp_port (24)
  int connect_timeout = 30;
  int helo_timeout = 300;
  int mail_timeout = 300;
  int rcpt_timeout = 300;
  int data_init_timeout = 120;
  int data_xfer_timeout = 180;
  int data_done_timeout = 600;
  int quit_timeout = 300;
  bool skip_5xx_greeting = true;
  bool disable_mime_conversion = false;  // disable_mime_output_conversion: send 8-bit as it is
  // smtp_fallback_relay: tried after every server of the recipient's own
  // domain failed (not for relayhost or transport next hops).
  std::vector<std::string> fallback_relay;
  std::string address_preference = "any";  // smtp_address_preference: ipv4, ipv6, any
  bool use_ipv4 = true;                    // inet_protocols
  bool use_ipv6 = true;
  // Local source addresses: *_bind_address(6), or the one non-loopback
  // address of that family in inet_interfaces (Postfix's rule). Empty: the
  // kernel chooses. enforce: defer instead of connecting unbound when the
  // address cannot be used.
  std::string bind_address;
  std::string bind_address6;
  bool bind_enforce = false;
  std::string tls_level;       // none, may, encrypt, verify, secure
  std::string tls_ca_file;
  std::string tls_ca_path;
  bool sasl_enable = false;
  std::string sasl_password_maps;
  std::vector<std::string> sasl_security_options;      // without TLS
  std::vector<std::string> sasl_tls_security_options;  // over TLS
  std::vector<std::string> resolver_servers;           // dns_resolver_addresses
};

// Throws config::ConfigError-like std::runtime_error for a bad value (a
// fatal configuration error at start).
SmtpParams load_params(const config::Config& config, bool lmtp);

}  // namespace postern::smtp
