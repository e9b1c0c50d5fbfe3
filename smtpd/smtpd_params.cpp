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
  return p;
}

}  // namespace postern::smtpd
