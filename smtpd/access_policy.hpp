// smtpd's access control: the smtpd_*_restrictions lists evaluated as
// Postfix does (each list on its own: PERMIT ends that list, REJECT/DEFER
// ends the command; with smtpd_delay_reject the client, helo and sender
// lists run at RCPT time), mynetworks, relay_domains, access(5) tables and
// the safety net that refuses mail to foreign domains when no relay rule is
// configured (never an open relay). Synchronous: a check that needs DNS (or
// a policy server's answer) returns Verdict::pending with its question; the
// session asks on the event loop and runs the check again with the answer
// in DnsFacts. The restrictions that ask outside smtpd (check_policy_service,
// DNS lists, MX/NS access, permit_mx_backup) are in access_policy_remote.cpp.
// In smtpd, as mail_owner.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/bounce/notify_policy.hpp"
#include "lib/cleanup/message_actions.hpp"
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

struct AccessAction;

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
  // For check_policy_service requests.
  std::string protocol_name = "SMTP";           // SMTP / ESMTP
  std::string instance;                         // the same for every request of one transaction
  std::string queue_id;
  int recipient_count = 0;                      // accepted so far
  std::uint64_t size = 0;                       // MAIL SIZE=, then the message size
  std::string tls_protocol, tls_cipher;
  int tls_bits = 0;
};

struct DnsQuestion {
  enum class Kind {
    host,            // A/AAAA/MX exist (reject_unknown_helo_hostname)
    mail_domain,     // MX/A/AAAA exist (reject_unknown_*_domain)
    addresses,       // A records of a DNS list query: values are the addresses
    txt,             // TXT records: values are the strings
    mx_hosts,        // MX records: values are "preference host", by preference
    ns_hosts,        // NS records: values are the host names
    host_addresses,  // A and AAAA: values are the addresses
    policy,          // not DNS: a policy server's answer; name is "service\nrequest", value the action
  } kind = Kind::host;
  std::string name;
  auto operator<=>(const DnsQuestion&) const = default;
};
enum class DnsAnswer { found, not_found, temp_fail, unavailable };
struct DnsFact {
  DnsAnswer answer = DnsAnswer::not_found;
  std::vector<std::string> values;  // see DnsQuestion::Kind
  DnsFact() = default;
  DnsFact(DnsAnswer a, std::vector<std::string> v = {}) : answer(a), values(std::move(v)) {}  // NOLINT
};
using DnsFacts = std::map<DnsQuestion, DnsFact>;

struct Verdict {
  enum class Kind { pass, reject, pending };
  Kind kind = Kind::pass;
  smtp::Reply reply;                    // reject
  // notify_classes class of the rejection (lib/bounce kNotify* bits):
  // policy, software (configuration error), data (a table lookup failed),
  // bounce (unknown local recipient, as Postfix's check_rcpt_maps).
  unsigned error_class = 0;
  std::optional<DnsQuestion> question;  // pending
  // Log lines that do not change the answer: {"reject_warning", "554 5.7.1 ..."}, {"warn", "text"},
  // {"hold", "<a@b>: Sender address triggers HOLD action"}, {"info", ...}, ...
  std::vector<std::pair<std::string, std::string>> notes;
  // HOLD, DISCARD, REDIRECT, BCC, PREPEND, FILTER found on the way: for the
  // message, when the command is accepted.
  cleanup::MessageActions actions;
};

// Verdict::error_class values, the notify_classes bits of lib/bounce.
inline constexpr unsigned kErrorPolicy = bounce::kNotifyPolicy;
inline constexpr unsigned kErrorSoftware = bounce::kNotifySoftware;
inline constexpr unsigned kErrorData = bounce::kNotifyData;
inline constexpr unsigned kErrorBounce = bounce::kNotifyBounce;

struct PolicyCodes {
  int reject = 554, defer = 450, relay_domains = 554, access_map_reject = 554, access_map_defer = 450;
  int invalid_hostname = 501, non_fqdn = 504, unknown_hostname = 450, unknown_address = 450;
  int unknown_client = 450, plaintext = 450, maps_rbl_reject = 554;
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
  // smtpd_restriction_classes: name -> its list (the parameter of that name).
  std::map<std::string, RestrictionList, std::less<>> classes;
  std::set<std::string, std::less<>> class_names;
  std::string policy_default_action = "451 4.3.5 Server configuration problem";
  std::string policy_context;              // smtpd_policy_service_policy_context
  std::string rbl_reply_maps;              // expanded
  std::string default_rbl_reply;           // unexpanded: $rbl_* are filled in per reply
  Networks mx_backup_networks;             // permit_mx_backup_networks
  std::vector<std::string> my_addresses;   // inet_interfaces + proxy_interfaces, for permit_mx_backup
  std::string myhostname;

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
  Step message_action(const AccessAction& a, const std::string& reply_name, const std::string& reply_class,
                      Frame& f);
  Step reject_with(Frame& f, smtp::Reply reply, unsigned error_class = kErrorPolicy);
  maps::Table* table(const std::string& spec, std::string* error);
  Step dns(Frame& f, DnsQuestion q, DnsAnswer* answer);
  const DnsFact* fact(Frame& f, DnsQuestion q);  // null: pending (the verdict says so)
  // access_policy_remote.cpp
  Step run_policy_service(const Restriction& r, Frame& f, int depth);
  Step run_dnsbl(const Restriction& r, Frame& f);
  Step run_server_access(const Restriction& r, Frame& f, int depth);
  Step run_mx_backup(Frame& f);
  smtp::Reply rbl_reply(Frame& f, const std::string& domain, const std::string& cls, const std::string& what,
                        const std::string& reason);

  PolicySettings settings_;
  LocalRecipientCheck& local_recipients_;
  std::map<std::string, std::unique_ptr<maps::Table>> tables_;
  std::optional<maps::TableList> login_maps_;
  std::optional<maps::TableList> rbl_reply_maps_;
};

// Postfix's generic wording: "<name>: Class rejected: text", the enhanced
// code's class following the reply code (4.x.x for 4NN).
smtp::Reply restriction_reply(int code, std::string_view enhanced, std::string_view name,
                              std::string_view reply_class, std::string_view text);
bool valid_hostname(std::string_view name);      // RFC 1035 letters/digits/hyphen labels, or [address literal]
bool fqdn_hostname(std::string_view name);       // valid and dotted (literals count)

}  // namespace postern::smtpd
