// smtpd's access control: the smtpd_*_restrictions lists evaluated as
// Postfix does (each list on its own: PERMIT ends that list, REJECT/DEFER
// ends the command; with smtpd_delay_reject the client, helo and sender
// lists run at RCPT time), mynetworks, relay_domains, access(5) tables and
// the safety net that refuses mail to foreign domains when no relay rule is
// configured (never an open relay). Synchronous: a check that needs DNS
// returns Verdict::pending with its question; the session resolves it on the
// event loop and asks again with the answer in DnsFacts.
// In smtpd, as mail_owner.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/bounce/notify_policy.hpp"
#include "lib/maps/table.hpp"
#include "lib/smtp/reply.hpp"
#include "smtpd/domain_list.hpp"
#include "smtpd/networks.hpp"
#include "smtpd/recipient_check.hpp"
#include "smtpd/restriction_list.hpp"

namespace postern::config {
class Config;
}

namespace postern::smtpd {

enum class Stage { client, helo, sender, recipient, data, end_of_data };

// What the checks look at.
struct CheckInput {
  std::string client_name = "unknown";          // forward-confirmed name, or "unknown"
  std::string reverse_name = "unknown";         // PTR name (not confirmed), or "unknown"
  bool client_name_tempfail = false;            // the lookup failed temporarily
  std::string client_address;
  std::string helo;                             // empty: no HELO/EHLO yet
  std::optional<std::string> sender;            // after MAIL ("" is <>)
  std::optional<std::string> recipient;         // at RCPT
  std::string sasl_username, sasl_method;
  bool tls = false;
  bool unauth_pipelining = false;               // input arrived before our last reply was sent
};

struct DnsQuestion {
  enum class Kind { host, mail_domain } kind = Kind::host;  // host: A/AAAA/MX; mail_domain: MX/A/AAAA
  std::string name;
  auto operator<=>(const DnsQuestion&) const = default;
};
enum class DnsAnswer { found, not_found, temp_fail, unavailable };
using DnsFacts = std::map<DnsQuestion, DnsAnswer>;

struct Verdict {
  enum class Kind { pass, reject, pending };
  Kind kind = Kind::pass;
  smtp::Reply reply;                    // reject
  // notify_classes class of the rejection (lib/bounce kNotify* bits):
  // policy, software (configuration error), data (a table lookup failed),
  // bounce (unknown local recipient, as Postfix's check_rcpt_maps).
  unsigned error_class = 0;
  std::optional<DnsQuestion> question;  // pending
  // Log lines that do not change the answer: {"reject_warning", "554 5.7.1 ..."}, {"warn", "text"}.
  std::vector<std::pair<std::string, std::string>> notes;
};

// Verdict::error_class values, the notify_classes bits of lib/bounce.
inline constexpr unsigned kErrorPolicy = bounce::kNotifyPolicy;
inline constexpr unsigned kErrorSoftware = bounce::kNotifySoftware;
inline constexpr unsigned kErrorData = bounce::kNotifyData;
inline constexpr unsigned kErrorBounce = bounce::kNotifyBounce;

struct PolicyCodes {
  int reject = 554, defer = 450, relay_domains = 554, access_map_reject = 554, access_map_defer = 450;
  int invalid_hostname = 501, non_fqdn = 504, unknown_hostname = 450, unknown_address = 450;
  int unknown_client = 450, plaintext = 450;
};

struct PolicySettings {
  RestrictionList client, helo, sender, relay, recipient, data, end_of_data;
  bool delay_reject = true;
  bool reject_unlisted_recipient = true;  // smtpd_reject_unlisted_recipient
  bool reject_unlisted_sender = false;    // smtpd_reject_unlisted_sender
  Networks mynetworks;
  DomainList mydestination, relay_domains, virtual_domains;
  std::string sender_login_maps;  // smtpd_sender_login_maps, expanded
  std::string null_access_key = "<>";
  PolicyCodes codes;

  static PolicySettings from_config(const config::Config& config, Networks mynetworks);
};

class AccessPolicy {
 public:
  AccessPolicy(PolicySettings settings, LocalRecipientCheck& local_recipients);

  // Runs the lists due at `stage` (see header comment) and, at RCPT, the
  // implicit reject_unlisted_recipient. Logs configuration errors.
  Verdict check(Stage stage, const CheckInput& input, const DnsFacts& facts);

  const PolicySettings& settings() const { return settings_; }
  bool local_domain(std::string_view domain) const;
  // The recipient's domain is ours (local, relay_domains, virtual) and it has no routing.
  bool authorized_destination(std::string_view recipient) const;

 private:
  struct Frame;
  enum class Step { dunno, permit, stop };
  Step run_list(const RestrictionList& list, Frame& f, int depth);
  Step run_one(const Restriction& r, Frame& f, int depth);
  Step run_access(const Restriction& r, Frame& f, int depth);
  Step act(const std::string& value, const std::string& reply_name, const std::string& reply_class, Frame& f,
           int depth);
  Step reject_with(Frame& f, smtp::Reply reply, unsigned error_class = kErrorPolicy);
  maps::Table* table(const std::string& spec, std::string* error);
  Step dns(Frame& f, DnsQuestion q, DnsAnswer* answer);

  PolicySettings settings_;
  LocalRecipientCheck& local_recipients_;
  std::map<std::string, std::unique_ptr<maps::Table>> tables_;
  std::optional<maps::TableList> login_maps_;
  std::map<std::string, bool> warned_;  // "not implemented" warnings, once per process
};

// Postfix's generic wording: "<name>: Class rejected: text", the enhanced
// code's class following the reply code (4.x.x for 4NN).
smtp::Reply restriction_reply(int code, std::string_view enhanced, std::string_view name,
                              std::string_view reply_class, std::string_view text);
bool valid_hostname(std::string_view name);      // RFC 1035 letters/digits/hyphen labels, or [address literal]
bool fqdn_hostname(std::string_view name);       // valid and dotted (literals count)

}  // namespace postern::smtpd
