// smtpd's settings, read once from main.cf (+ master.cf -o) at start-up and
// passed by const reference; no globals. Runs in smtpd as mail_owner.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lib/bounce/notify_policy.hpp"
#include "lib/cleanup/cleanup.hpp"
#include "smtpd/access_policy.hpp"
#include "smtpd/networks.hpp"

namespace postern::config {
class Config;
}

namespace postern::smtpd {

enum class BareNewline { off, normalize, reject };
enum class TlsLevel { none, may, encrypt };

struct SmtpdParams {
  std::string myhostname;
  std::string banner;          // smtpd_banner, expanded
  double timeout = 300;        // smtpd_timeout
  int recipient_limit = 1000;  // smtpd_recipient_limit
  int soft_error_limit = 10;   // smtpd_soft_error_limit
  int hard_error_limit = 20;   // smtpd_hard_error_limit
  int junk_command_limit = 100;  // smtpd_junk_command_limit: NOOP, VRFY, RSET before they count as errors
  double error_sleep = 1;      // smtpd_error_sleep_time
  bool disable_vrfy = true;    // disable_vrfy_command (Postern default: yes)
  std::uint64_t message_size_limit = 10240000;
  std::uint64_t queue_minfree = 0;
  bool smtputf8_enable = true;
  bool strict_rfc821_envelopes = false;
  BareNewline bare_newline = BareNewline::reject;  // smtpd_forbid_bare_newline
  int bare_newline_code = 550;                     // smtpd_forbid_bare_newline_reject_code
  Networks bare_newline_exclusions;                // smtpd_forbid_bare_newline_exclusions
  std::vector<std::string> discard_ehlo_keywords;  // smtpd_discard_ehlo_keywords, upper case
  PolicySettings policy;                           // restrictions, mynetworks, relay_domains, codes
  bool helo_required = false;                      // smtpd_helo_required
  bool peername_lookup = true;                     // smtpd_peername_lookup
  double peername_lookup_timeout = 5;              // smtpd_peername_lookup_timeout (Postern)
  std::string local_recipient_maps;                // expanded; empty: no check
  std::string recipient_delimiter;
  int unknown_local_recipient_code = 550;  // unknown_local_recipient_reject_code
  std::string myorigin;
  cleanup::Params cleanup;

  // Postmaster transcripts (notify_classes, *_notice_recipient): when a
  // session's errors are of a class asked for. The transcript is sent and
  // restarted at EHLO, RSET or end of message once it holds more than
  // smtpd_history_flush_threshold lines.
  bounce::NotifyPolicy notify;
  int history_flush_threshold = 100;
  std::string mail_name = "Postern";

  // TLS (smtpd_tls_*): the certificate is loaded before the privilege drop.
  TlsLevel tls_level = TlsLevel::none;  // smtpd_tls_security_level (or smtpd_use_tls/smtpd_enforce_tls)
  std::string tls_cert_file, tls_key_file;
  std::string tls_chain_file;  // first of smtpd_tls_chain_files (key and certificates in one file)
  bool tls_auth_only = false;
  bool tls_wrappermode = false;
  bool tls_received_header = false;
  double starttls_timeout = 300;

  // SASL (smtpd_sasl_*), through the Dovecot auth protocol.
  bool sasl_enable = false;
  std::string sasl_type;
  std::string sasl_path;  // absolute: private/auth is under queue_directory
  std::string sasl_service = "smtp";
  std::vector<std::string> sasl_security_options, sasl_tls_security_options;  // lower case
  bool broken_sasl_auth_clients = false;
  bool sasl_authenticated_header = false;
  std::size_t sasl_response_limit = 12288;

  static SmtpdParams from_config(const config::Config& config);
};

}  // namespace postern::smtpd
