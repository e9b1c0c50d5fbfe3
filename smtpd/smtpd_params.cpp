// SmtpdParams from main.cf. Runs in smtpd (post-drop) as mail_owner.
#include "smtpd/smtpd_params.hpp"

#include <cctype>

#include "lib/config/config.hpp"
#include "lib/config/host_defaults.hpp"

namespace postern::smtpd {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

SmtpdParams SmtpdParams::from_config(const config::Config& c) {
  SmtpdParams p;
  p.myhostname = c.get("myhostname");
  p.banner = c.get("smtpd_banner");
  p.timeout = static_cast<double>(c.get_time_seconds("smtpd_timeout"));
  p.recipient_limit = static_cast<int>(c.get_int("smtpd_recipient_limit"));
  p.soft_error_limit = static_cast<int>(c.get_int("smtpd_soft_error_limit"));
  p.hard_error_limit = static_cast<int>(c.get_int("smtpd_hard_error_limit"));
  p.junk_command_limit = static_cast<int>(c.get_int("smtpd_junk_command_limit"));
  p.error_sleep = static_cast<double>(c.get_time_seconds("smtpd_error_sleep_time"));
  // Postern's defaults (VRFY off, bare newlines rejected, mynetworks_style
  // host) live in the parameter table, so postconf -d says what smtpd does.
  p.disable_vrfy = c.get_bool("disable_vrfy_command");
  p.message_size_limit = static_cast<std::uint64_t>(c.get_size("message_size_limit"));
  p.queue_minfree = static_cast<std::uint64_t>(c.get_size("queue_minfree"));
  p.smtputf8_enable = lower(c.get("smtputf8_enable")) != "no";
  p.strict_rfc821_envelopes = c.get_bool("strict_rfc821_envelopes");
  // smtpd_forbid_bare_newline: Postfix 3.9's values normalize|reject|no
  // (Postfix 3.7's boolean "yes" means normalize).
  {
    std::string v = lower(c.get("smtpd_forbid_bare_newline"));
    p.bare_newline = v == "reject"                 ? BareNewline::reject
                     : (v == "no" || v == "false") ? BareNewline::off
                                                   : BareNewline::normalize;
  }
  p.bare_newline_code = static_cast<int>(c.get_int("smtpd_forbid_bare_newline_reject_code"));

  std::vector<std::string> networks = c.get_list("mynetworks");
  if (!c.is_set("mynetworks")) {
    networks.clear();
    std::string computed = config::default_mynetworks(c);
    std::string item;
    for (char ch : computed + " ") {
      if (ch == ' ' || ch == ',') {
        if (!item.empty()) networks.push_back(item);
        item.clear();
      } else {
        item += ch;
      }
    }
  }
  Networks mynetworks = Networks::parse(networks, "mynetworks");
  std::vector<std::string> exclusions = c.get_list("smtpd_forbid_bare_newline_exclusions");
  p.bare_newline_exclusions = c.is_set("smtpd_forbid_bare_newline_exclusions")
                                  ? Networks::parse(exclusions, "smtpd_forbid_bare_newline_exclusions")
                                  : mynetworks;  // shares mynetworks' tables
  p.policy = PolicySettings::from_config(c, std::move(mynetworks));
  p.helo_required = c.get_bool("smtpd_helo_required");
  p.peername_lookup = c.get_bool("smtpd_peername_lookup");
  p.peername_lookup_timeout = static_cast<double>(c.get_time_seconds("smtpd_peername_lookup_timeout"));
  for (auto& k : c.get_list("smtpd_discard_ehlo_keywords")) {
    std::string u = k;
    for (auto& ch : u) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    p.discard_ehlo_keywords.push_back(u);
  }
  p.local_recipient_maps = c.get("local_recipient_maps");
  p.recipient_delimiter = c.get("recipient_delimiter");
  p.unknown_local_recipient_code = static_cast<int>(c.get_int("unknown_local_recipient_reject_code"));
  p.myorigin = c.get("myorigin");
  p.cleanup = cleanup::Params::from_config(c);
  p.notify = bounce::NotifyPolicy::from_config(c);
  p.history_flush_threshold = static_cast<int>(c.get_int("smtpd_history_flush_threshold"));
  p.mail_name = c.get("mail_name");

  std::string level = lower(c.get("smtpd_tls_security_level"));
  if (level.empty()) level = c.get_bool("smtpd_enforce_tls") ? "encrypt" : c.get_bool("smtpd_use_tls") ? "may" : "none";
  p.tls_level = level == "encrypt" ? TlsLevel::encrypt : level == "may" ? TlsLevel::may : TlsLevel::none;
  p.tls_cert_file = c.get("smtpd_tls_cert_file");
  p.tls_key_file = c.get("smtpd_tls_key_file");
  if (p.tls_key_file.empty()) p.tls_key_file = p.tls_cert_file;
  auto chain = c.get_list("smtpd_tls_chain_files");
  if (!chain.empty()) p.tls_chain_file = chain.front();
  p.tls_auth_only = c.get_bool("smtpd_tls_auth_only");
  p.tls_wrappermode = c.get_bool("smtpd_tls_wrappermode");
  p.tls_received_header = c.get_bool("smtpd_tls_received_header");
  p.starttls_timeout = static_cast<double>(c.get_time_seconds("smtpd_starttls_timeout"));

  p.sasl_enable = c.get_bool("smtpd_sasl_auth_enable");
  p.sasl_type = lower(c.get("smtpd_sasl_type"));
  p.sasl_path = c.get("smtpd_sasl_path");
  if (!p.sasl_path.empty() && p.sasl_path.front() != '/')
    p.sasl_path = c.get("queue_directory") + "/" + p.sasl_path;
  p.sasl_service = c.get("smtpd_sasl_service");
  for (auto& o : c.get_list("smtpd_sasl_security_options")) p.sasl_security_options.push_back(lower(o));
  for (auto& o : c.get_list("smtpd_sasl_tls_security_options")) p.sasl_tls_security_options.push_back(lower(o));
  p.broken_sasl_auth_clients = c.get_bool("broken_sasl_auth_clients");
  p.sasl_authenticated_header = c.get_bool("smtpd_sasl_authenticated_header");
  p.sasl_response_limit = static_cast<std::size_t>(c.get_int("smtpd_sasl_response_limit"));
  return p;
}

}  // namespace postern::smtpd
