// AccessPolicy (see access_policy.hpp). In smtpd, as mail_owner.
#include "smtpd/access_policy.hpp"

#include <cctype>
#include <cstdlib>

#include "lib/base/strings.hpp"
#include "lib/config/config.hpp"
#include "lib/log/log.hpp"
#include "smtpd/access_action.hpp"
#include "smtpd/access_frame.hpp"
#include "smtpd/access_keys.hpp"

namespace postern::smtpd {
namespace {

constexpr int kMaxDepth = 8;  // access results naming restrictions that name tables ...

const smtp::Reply kConfigError{451, "4.3.5", "Server configuration error"};

}  // namespace

smtp::Reply restriction_reply(int code, std::string_view enhanced, std::string_view name,
                              std::string_view reply_class, std::string_view text) {
  std::string dsn(enhanced);
  if (!dsn.empty()) dsn[0] = static_cast<char>('0' + code / 100);
  std::string t;
  if (!name.empty()) t = "<" + std::string(name) + ">: ";
  if (!reply_class.empty()) t += std::string(reply_class) + " rejected: ";
  t += text;
  return smtp::Reply{code, dsn, t};
}

bool valid_hostname(std::string_view name) {
  if (is_literal(name)) {
    std::string inner(name.substr(1, name.size() - 2));
    if (istarts_with(inner, "ipv6:")) inner = inner.substr(5);
    return !inner.empty() && inner.find_first_not_of("0123456789abcdefABCDEF.:") == std::string::npos;
  }
  if (name.empty() || name.size() > 255) return false;
  std::string_view n = name;
  if (n.back() == '.') n.remove_suffix(1);
  if (n.empty() || n.front() == '.' || n.find("..") != std::string_view::npos) return false;
  bool all_numeric = true;
  for (const auto& label : split(n, ".")) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
      if (!std::isdigit(static_cast<unsigned char>(c))) all_numeric = false;
    }
  }
  return !n.empty() && !all_numeric;  // a bare dotted quad must be written as [1.2.3.4]
}

bool fqdn_hostname(std::string_view name) {
  if (!valid_hostname(name)) return false;
  if (is_literal(name)) return true;
  std::string_view n = name;
  if (n.back() == '.') n.remove_suffix(1);
  return n.find('.') != std::string_view::npos;
}

PolicySettings PolicySettings::from_config(const config::Config& c, Networks mynetworks) {
  PolicySettings s;
  for (const auto& name : c.get_list("smtpd_restriction_classes")) s.class_names.insert(name);
  for (const auto& name : s.class_names) s.classes[name] = RestrictionList::parse(c.get(name), s.class_names);
  auto parse = [&](const char* name) { return RestrictionList::parse(c.get(name), s.class_names); };
  s.client = parse("smtpd_client_restrictions");
  s.helo = parse("smtpd_helo_restrictions");
  s.sender = parse("smtpd_sender_restrictions");
  s.relay = parse("smtpd_relay_restrictions");
  s.recipient = parse("smtpd_recipient_restrictions");
  // compatibility_level 0 (a main.cf that never set it): smtpd_relay_restrictions
  // defaults to empty, so smtpd_recipient_restrictions keeps its Postfix 2
  // default, which carries the relay rule.
  if (!c.is_set("smtpd_recipient_restrictions") && std::atof(c.get("compatibility_level").c_str()) < 1)
    s.recipient = RestrictionList::parse("permit_mynetworks, reject_unauth_destination");
  s.data = parse("smtpd_data_restrictions");
  s.end_of_data = parse("smtpd_end_of_data_restrictions");
  s.delay_reject = c.get_bool("smtpd_delay_reject");
  s.reject_unlisted_recipient = c.get_bool("smtpd_reject_unlisted_recipient");
  s.reject_unlisted_sender = c.get_bool("smtpd_reject_unlisted_sender");
  s.mynetworks = std::move(mynetworks);
  s.mydestination = DomainList(c.get_list("mydestination"), "mydestination", false);
  s.relay_domains = DomainList(c.get_list("relay_domains"), "relay_domains", true);
  std::vector<std::string> virt = c.get_list("virtual_alias_domains");
  for (auto& d : c.get_list("virtual_mailbox_domains")) virt.push_back(d);
  s.virtual_domains = DomainList(virt, "virtual_*_domains", false);
  s.sender_login_maps = c.get("smtpd_sender_login_maps");
  s.null_access_key = c.get("smtpd_null_access_lookup_key");
  auto code = [&c](const char* name) { return static_cast<int>(c.get_int(name)); };
  s.codes.reject = code("reject_code");
  s.codes.defer = code("defer_code");
  s.codes.relay_domains = code("relay_domains_reject_code");
  s.codes.access_map_reject = code("access_map_reject_code");
  s.codes.access_map_defer = code("access_map_defer_code");
  s.codes.invalid_hostname = code("invalid_hostname_reject_code");
  s.codes.non_fqdn = code("non_fqdn_reject_code");
  s.codes.unknown_hostname = code("unknown_hostname_reject_code");
  s.codes.unknown_address = code("unknown_address_reject_code");
  s.codes.unknown_client = code("unknown_client_reject_code");
  s.codes.plaintext = code("plaintext_reject_code");
  s.codes.maps_rbl_reject = code("maps_rbl_reject_code");
  s.policy_default_action = c.get("smtpd_policy_service_default_action");
  s.policy_context = c.get("smtpd_policy_service_policy_context");
  s.rbl_reply_maps = c.get("rbl_reply_maps");
  s.default_rbl_reply = c.raw_value("default_rbl_reply");
  s.mx_backup_networks = Networks::parse(c.get_list("permit_mx_backup_networks"), "permit_mx_backup_networks");
  s.my_addresses = local_interface_addresses(c.get_list("inet_interfaces"), c.get_list("proxy_interfaces"));
  s.myhostname = to_lower(c.get("myhostname"));
  return s;
}

AccessPolicy::AccessPolicy(PolicySettings settings, LocalRecipientCheck& local_recipients)
    : settings_(std::move(settings)), local_recipients_(local_recipients) {
  const std::pair<const char*, const RestrictionList*> lists[] = {
      {"smtpd_client_restrictions", &settings_.client},     {"smtpd_helo_restrictions", &settings_.helo},
      {"smtpd_sender_restrictions", &settings_.sender},     {"smtpd_relay_restrictions", &settings_.relay},
      {"smtpd_recipient_restrictions", &settings_.recipient}, {"smtpd_data_restrictions", &settings_.data},
      {"smtpd_end_of_data_restrictions", &settings_.end_of_data}};
  auto inspect = [](const char* name, const RestrictionList& list) {
    if (list.broken()) log::warning("%s: %s", name, list.error.c_str());
    for (const auto& r : list.items) {
      if (r.name.starts_with("reject_unverified_"))
        log::warning("%s: %s needs Postfix's verify service, which Postern does not have; ignored (DUNNO)", name,
                     r.name.c_str());
      else if (is_ignored_restriction(r.name))
        log::warning("%s: %s is not implemented in Postern yet; ignored (DUNNO)", name, r.name.c_str());
      warn_remote_restriction(name, r);
    }
  };
  for (const auto& [name, list] : lists) inspect(name, *list);
  for (const auto& [name, list] : settings_.classes) inspect(name.c_str(), list);
}

bool AccessPolicy::local_domain(std::string_view domain) const {
  std::string d = to_lower(domain);
  while (!d.empty() && d.back() == '.') d.pop_back();
  return d.empty() || settings_.mydestination.contains(d);
}

bool AccessPolicy::authorized_destination(std::string_view recipient) const {
  // Sender-specified routing (user%host@us, host!user@us, @a:b@us) would be
  // relayed after rewriting: never ours to accept from strangers.
  std::string local = local_part_of(recipient);
  if (local.find_first_of("@!%") != std::string::npos) return false;
  std::string d = domain_of(recipient);
  if (recipient.find('@') == std::string_view::npos) return true;  // unqualified: local
  return local_domain(d) || settings_.relay_domains.contains(d) || settings_.virtual_domains.contains(d);
}

maps::Table* AccessPolicy::table(const std::string& spec, std::string* error) {
  auto it = tables_.find(spec);
  if (it != tables_.end()) return it->second.get();
  std::string name = spec;
  while (istarts_with(name, "proxy:")) name.erase(0, 6);
  auto opened = maps::open_table(name);
  if (!opened) {
    *error = opened.error().message;
    return nullptr;
  }
  return tables_.emplace(spec, std::move(*opened)).first->second.get();
}

AccessPolicy::Step AccessPolicy::reject_with(Frame& f, smtp::Reply reply, unsigned error_class) {
  if (f.warn_next) {
    f.warn_next = false;
    f.verdict.notes.emplace_back("reject_warning", std::to_string(reply.code) + " " + reply.enhanced + " " + reply.text);
    return Step::dunno;
  }
  f.verdict.kind = Verdict::Kind::reject;
  f.verdict.reply = std::move(reply);
  f.verdict.error_class = error_class;
  return Step::stop;
}

AccessPolicy::Step AccessPolicy::dns(Frame& f, DnsQuestion q, DnsAnswer* answer) {
  auto it = f.facts.find(q);
  if (it == f.facts.end()) {
    f.verdict.kind = Verdict::Kind::pending;
    f.verdict.question = std::move(q);
    return Step::stop;
  }
  *answer = it->second.answer;
  return Step::dunno;
}

const DnsFact* AccessPolicy::fact(Frame& f, DnsQuestion q) {
  auto it = f.facts.find(q);
  if (it != f.facts.end()) return &it->second;
  f.verdict.kind = Verdict::Kind::pending;
  f.verdict.question = std::move(q);
  return nullptr;
}

AccessPolicy::Step AccessPolicy::act(const std::string& value, const std::string& reply_name,
                                     const std::string& reply_class, Frame& f, int depth) {
  AccessAction a = parse_access_action(value);
  const auto& codes = settings_.codes;
  switch (a.kind) {
    case AccessAction::Kind::permit:
      f.warn_next = false;
      return Step::permit;
    case AccessAction::Kind::dunno:
      return Step::dunno;
    case AccessAction::Kind::reject:
      return reject_with(f, restriction_reply(codes.access_map_reject, "5.7.1", reply_name, reply_class,
                                              a.text.empty() ? "Access denied" : a.text));
    case AccessAction::Kind::defer:
      return reject_with(f, restriction_reply(codes.access_map_defer, "4.7.1", reply_name, reply_class,
                                              a.text.empty() ? "Access denied" : a.text));
    case AccessAction::Kind::reply:
      return reject_with(f, restriction_reply(a.code, a.enhanced.empty() ? "5.7.1" : a.enhanced, reply_name,
                                              reply_class, a.text.empty() ? "Access denied" : a.text));
    case AccessAction::Kind::warn:
      f.verdict.notes.emplace_back("warn", "<" + reply_name + ">: " + a.text);
      return Step::dunno;
    case AccessAction::Kind::hold:
    case AccessAction::Kind::discard:
    case AccessAction::Kind::redirect:
    case AccessAction::Kind::bcc:
    case AccessAction::Kind::prepend:
    case AccessAction::Kind::filter:
    case AccessAction::Kind::info:
      return message_action(a, reply_name, reply_class, f);
    case AccessAction::Kind::defer_if_permit:
    case AccessAction::Kind::defer_if_reject: {
      auto& slot = a.kind == AccessAction::Kind::defer_if_permit ? f.defer_if_permit : f.defer_if_reject;
      if (!slot)
        slot = restriction_reply(codes.access_map_defer, "4.7.1", reply_name, reply_class,
                                 a.text.empty() ? "Access denied" : a.text);
      return Step::dunno;
    }
    case AccessAction::Kind::restrictions: {
      RestrictionList nested = RestrictionList::parse(a.text, settings_.class_names);
      if (nested.broken()) {
        log::warning("access table result \"%s\": %s", a.text.c_str(), nested.error.c_str());
        f.warn_next = false;
        return reject_with(f, kConfigError, kErrorSoftware);
      }
      if (depth >= kMaxDepth) {
        log::warning("access table result \"%s\": restrictions nested too deep", a.text.c_str());
        return reject_with(f, kConfigError, kErrorSoftware);
      }
      return run_list(nested, f, depth + 1);
    }
  }
  return Step::dunno;
}

// The actions that change what happens to the message rather than the
// reply. Malformed arguments are a configuration error (451 4.3.5), as in
// Postfix: mail must not slip past a filter or a redirect that was meant.
AccessPolicy::Step AccessPolicy::message_action(const AccessAction& a, const std::string& reply_name,
                                                const std::string& reply_class, Frame& f) {
  using K = AccessAction::Kind;
  const std::string who = "<" + reply_name + ">: " + reply_class + " ";
  auto malformed = [&](const char* needs) {
    log::warning("access table action \"%s\": %s", a.text.c_str(), needs);
    f.warn_next = false;
    return reject_with(f, kConfigError, kErrorSoftware);
  };
  auto& acts = f.verdict.actions;
  switch (a.kind) {
    case K::hold:
      acts.hold = a.text.empty() ? who + "triggers HOLD action" : who + a.text;
      f.verdict.notes.emplace_back("hold", *acts.hold);
      return Step::dunno;
    case K::discard:
      acts.discard = a.text.empty() ? who + "triggers DISCARD action" : who + a.text;
      f.verdict.notes.emplace_back("discard", *acts.discard);
      f.warn_next = false;
      return Step::permit;
    case K::redirect:
    case K::bcc: {
      if (a.text.find('@') == std::string::npos || a.text.find_first_of(" \t<>") != std::string::npos)
        return malformed(a.kind == K::bcc ? "BCC needs user@domain" : "REDIRECT needs user@domain");
      (a.kind == K::bcc ? acts.bcc : acts.redirect) = a.text;
      f.verdict.notes.emplace_back(a.kind == K::bcc ? "bcc" : "redirect",
                                   who + (a.kind == K::bcc ? "triggers BCC " : "triggers REDIRECT ") + a.text);
      return Step::dunno;
    }
    case K::prepend: {
      auto colon = a.text.find(':');
      const std::string name = colon == std::string::npos ? a.text : a.text.substr(0, colon);
      bool valid = colon != std::string::npos && !name.empty() && a.text.find_first_of("\r\n") == std::string::npos;
      for (char c : name)
        if (c <= ' ' || c > '~') valid = false;
      if (!valid) return malformed("PREPEND needs \"headername: text\"");
      acts.prepend.push_back(a.text);
      return Step::dunno;
    }
    case K::filter: {
      auto colon = a.text.find(':');
      if (colon == 0 || colon == std::string::npos || a.text.find_first_of(" \t") != std::string::npos)
        return malformed("FILTER needs transport:destination");
      acts.filter = a.text;
      f.verdict.notes.emplace_back("filter", who + "triggers FILTER " + a.text);
      return Step::dunno;
    }
    default:  // info
      f.verdict.notes.emplace_back("info", who + a.text);
      return Step::dunno;
  }
}

AccessPolicy::Step AccessPolicy::run_access(const Restriction& r, Frame& f, int depth) {
  const CheckInput& in = f.in;
  std::vector<std::string> keys;
  std::string reply_name, reply_class;
  if (r.name == "check_client_access") {
    keys = client_keys(in.client_name, in.client_address);
    reply_name = in.client_name + "[" + in.client_address + "]";
    reply_class = "Client host";
  } else if (r.name == "check_reverse_client_hostname_access") {
    keys = client_keys(in.reverse_name, in.client_address);
    reply_name = in.reverse_name + "[" + in.client_address + "]";
    reply_class = "Unverified Client host";
  } else if (r.name == "check_helo_access") {
    if (in.helo.empty()) return Step::dunno;
    keys = domain_keys(in.helo);
    reply_name = in.helo;
    reply_class = "Helo command";
  } else if (r.name == "check_sender_access") {
    if (!in.sender) return Step::dunno;
    keys = address_keys(*in.sender, settings_.null_access_key);
    reply_name = *in.sender;
    reply_class = "Sender address";
  } else {
    if (!in.recipient) return Step::dunno;
    keys = address_keys(*in.recipient, settings_.null_access_key);
    reply_name = *in.recipient;
    reply_class = "Recipient address";
  }
  std::string error;
  maps::Table* t = table(r.arg, &error);
  if (t == nullptr) {
    log::warning("%s %s: %s", r.name.c_str(), r.arg.c_str(), error.c_str());
    f.warn_next = false;
    return reject_with(f, kConfigError, kErrorSoftware);
  }
  for (const auto& key : keys) {
    auto found = t->lookup(key);
    if (found.is_temp_fail()) {
      log::warning("%s lookup error for \"%s\": %s", r.arg.c_str(), key.c_str(), found.value.c_str());
      f.warn_next = false;
      return reject_with(f, smtp::Reply{451, "4.3.0", "<" + reply_name + ">: Temporary lookup failure"}, kErrorData);
    }
    if (!found.is_found()) continue;
    const bool warn_only = f.warn_next;
    Step step = act(found.value, reply_name, reply_class, f, depth);
    if (step == Step::permit && r.name == "check_reverse_client_hostname_access" && !warn_only) {
      // An unverified name is the client's own claim: Postfix refuses to let it allow anything.
      log::warning("restriction %s returns OK for %s", r.name.c_str(), in.reverse_name.c_str());
      log::warning("this is not allowed for security reasons");
      log::warning("use DUNNO instead of OK if you want to make an exception");
      return reject_with(f, kConfigError, kErrorSoftware);
    }
    return step;
  }
  return Step::dunno;
}

AccessPolicy::Step AccessPolicy::run_one(const Restriction& r, Frame& f, int depth) {
  const CheckInput& in = f.in;
  const auto& codes = settings_.codes;
  const std::string& n = r.name;
  if (n == "warn_if_reject") {
    f.warn_next = true;
    return Step::dunno;
  }
  Step step = Step::dunno;
  auto reject = [&](smtp::Reply reply) { return reject_with(f, std::move(reply)); };
  if (r.is_class) {
    auto cls = settings_.classes.find(n);
    if (depth >= kMaxDepth) {
      log::warning("restriction class \"%s\": restrictions nested too deep", n.c_str());
      f.warn_next = false;
      return reject_with(f, kConfigError, kErrorSoftware);
    }
    step = run_list(cls->second, f, depth + 1);
  } else if (n == "check_policy_service") {
    step = run_policy_service(r, f, depth);
  } else if (n.starts_with("reject_rbl") || n.starts_with("reject_rhsbl") || n == "permit_dnswl_client" ||
             n == "permit_rhswl_client") {
    step = run_dnsbl(r, f);
  } else if (n.ends_with("_mx_access") || n.ends_with("_ns_access")) {
    step = run_server_access(r, f, depth);
  } else if (n == "permit_mx_backup") {
    step = run_mx_backup(f);
  } else if (n == "defer_if_permit" || n == "defer_if_reject") {
    auto& slot = n == "defer_if_permit" ? f.defer_if_permit : f.defer_if_reject;
    if (!slot)
      slot = restriction_reply(codes.defer, "4.7.1", f.reply_name, f.reply_class, n + " requested");
  } else if (n == "permit") {
    step = Step::permit;
  } else if (n == "reject") {
    step = reject(restriction_reply(codes.reject, "5.7.1", f.reply_name, f.reply_class, "Access denied"));
  } else if (n == "defer") {
    step = reject(restriction_reply(codes.defer, "4.7.1", f.reply_name, f.reply_class, "Access denied"));
  } else if (n == "permit_mynetworks") {
    if (settings_.mynetworks.contains(in.client_address)) step = Step::permit;
  } else if (n == "permit_sasl_authenticated") {
    if (!in.sasl_username.empty()) step = Step::permit;
  } else if (n == "permit_auth_destination" || n == "reject_unauth_destination" || n == "defer_unauth_destination") {
    if (in.recipient) {
      bool ok = authorized_destination(*in.recipient);
      if (n == "permit_auth_destination" && ok) step = Step::permit;
      if (n == "reject_unauth_destination" && !ok)
        step = reject(restriction_reply(codes.relay_domains, "5.7.1", *in.recipient, "", "Relay access denied"));
      if (n == "defer_unauth_destination" && !ok)
        step = reject(restriction_reply(codes.defer, "4.7.1", *in.recipient, "", "Relay access denied"));
    }
  } else if (n == "reject_unlisted_recipient" || n == "reject_unlisted_sender") {
    const bool rcpt = n == "reject_unlisted_recipient";
    const std::optional<std::string>& addr = rcpt ? in.recipient : in.sender;
    if (addr && !addr->empty() && local_domain(domain_of(*addr))) {
      if (auto r2 = local_recipients_.check(*addr)) {
        if (r2->code / 100 == 4 && r2->enhanced == "4.3.0") {
          step = reject_with(f, *r2, kErrorData);
        } else if (rcpt) {
          step = reject_with(f, *r2, kErrorBounce);
        } else {
          step = reject_with(f, restriction_reply(r2->code, "5.1.0", *addr, "Sender address",
                                                  "User unknown in local recipient table"), kErrorBounce);
        }
      }
    }
  } else if (n == "reject_invalid_helo_hostname") {
    if (!in.helo.empty() && !valid_hostname(in.helo))
      step = reject(restriction_reply(codes.invalid_hostname, "5.5.2", in.helo, "Helo command", "Invalid name"));
  } else if (n == "reject_non_fqdn_helo_hostname") {
    if (!in.helo.empty() && !fqdn_hostname(in.helo))
      step = reject(restriction_reply(codes.non_fqdn, "5.5.2", in.helo, "Helo command",
                                      "need fully-qualified hostname"));
  } else if (n == "reject_non_fqdn_sender" || n == "reject_non_fqdn_recipient") {
    const bool rcpt = n == "reject_non_fqdn_recipient";
    const std::optional<std::string>& addr = rcpt ? in.recipient : in.sender;
    if (addr && !addr->empty() && !(rcpt && to_lower(*addr) == "postmaster")) {
      std::string d = domain_of(*addr);
      if (d.empty() || !fqdn_hostname(d))
        step = reject(restriction_reply(codes.non_fqdn, "5.5.2", *addr, rcpt ? "Recipient address" : "Sender address",
                                        "need fully-qualified address"));
    }
  } else if (n == "reject_unknown_helo_hostname") {
    if (!in.helo.empty() && !is_literal(in.helo)) {
      DnsAnswer a{};
      if (dns(f, {DnsQuestion::Kind::host, to_lower(in.helo)}, &a) == Step::stop) return Step::stop;
      if (a == DnsAnswer::not_found || a == DnsAnswer::temp_fail)
        step = reject(restriction_reply(a == DnsAnswer::temp_fail ? 450 : codes.unknown_hostname, "4.7.1", in.helo,
                                        "Helo command", "Host not found"));
    }
  } else if (n == "reject_unknown_sender_domain" || n == "reject_unknown_recipient_domain") {
    const bool rcpt = n == "reject_unknown_recipient_domain";
    const std::optional<std::string>& addr = rcpt ? in.recipient : in.sender;
    if (addr && !addr->empty()) {
      std::string d = domain_of(*addr);
      if (!d.empty() && !is_literal(d) && !local_domain(d)) {
        DnsAnswer a{};
        if (dns(f, {DnsQuestion::Kind::mail_domain, d}, &a) == Step::stop) return Step::stop;
        if (a == DnsAnswer::not_found || a == DnsAnswer::temp_fail)
          step = reject(restriction_reply(a == DnsAnswer::temp_fail ? 450 : codes.unknown_address,
                                          rcpt ? "4.1.2" : "4.1.8", *addr,
                                          rcpt ? "Recipient address" : "Sender address", "Domain not found"));
      }
    }
  } else if (n == "reject_unknown_client_hostname") {
    if (in.client_name == "unknown")
      step = reject(restriction_reply(in.client_name_tempfail ? 450 : codes.unknown_client, "4.7.25", "",
                                      "Client host", "cannot find your hostname, [" + in.client_address + "]"));
  } else if (n == "reject_unknown_reverse_client_hostname") {
    if (in.reverse_name == "unknown")
      step = reject(restriction_reply(in.client_name_tempfail ? 450 : codes.unknown_client, "4.7.25", "",
                                      "Client host",
                                      "cannot find your reverse hostname, [" + in.client_address + "]"));
  } else if (n == "reject_unauth_pipelining") {
    if (in.unauth_pipelining)
      step = reject(restriction_reply(503, "5.5.0", f.reply_name, f.reply_class,
                                      "Improper use of SMTP command pipelining"));
  } else if (n == "reject_plaintext_session") {
    if (!in.tls) step = reject(smtp::Reply{codes.plaintext, "4.7.1", "Session encryption is required"});
  } else if (n == "permit_tls_all_clientcerts") {
    // No client certificates are requested: never permits.
  } else if (n == "reject_sender_login_mismatch" || n == "reject_authenticated_sender_login_mismatch" ||
             n == "reject_unauthenticated_sender_login_mismatch") {
    if (in.sender && !in.sender->empty()) {
      if (!login_maps_) {
        auto opened = maps::TableList::open(settings_.sender_login_maps);
        if (!opened) {
          log::warning("smtpd_sender_login_maps: %s", opened.error().message.c_str());
          f.warn_next = false;
          return reject_with(f, kConfigError, kErrorSoftware);
        }
        login_maps_.emplace(std::move(*opened));
      }
      std::string a = to_lower(*in.sender);
      maps::LookupResult owners = maps::LookupResult::not_found();
      for (const std::string& key : {a, local_part_of(a), "@" + domain_of(a)}) {
        owners = login_maps_->lookup(key);
        if (!owners.is_not_found()) break;
      }
      if (owners.is_temp_fail()) {
        f.warn_next = false;
        return reject_with(f, smtp::Reply{451, "4.3.0", "<" + *in.sender + ">: Temporary lookup failure"}, kErrorData);
      }
      const bool authed = !in.sasl_username.empty();
      const bool check_authed = n != "reject_unauthenticated_sender_login_mismatch";
      const bool check_unauthed = n != "reject_authenticated_sender_login_mismatch";
      if (authed && check_authed) {
        bool owned = false;
        if (owners.is_found())
          for (const auto& o : split_list(owners.value))
            if (iequals(o, in.sasl_username)) owned = true;
        if (!owned)
          step = reject(restriction_reply(553, "5.7.1", *in.sender, "Sender address",
                                          "not owned by user " + in.sasl_username));
      } else if (!authed && check_unauthed && owners.is_found()) {
        step = reject(restriction_reply(553, "5.7.1", *in.sender, "Sender address", "not logged in"));
      }
    }
  } else if (n.starts_with("check_") && n.ends_with("_access") && is_known_restriction(n)) {
    step = run_access(r, f, depth);
  } else if (is_ignored_restriction(n)) {
    // Logged at start-up.
  }
  if (step != Step::stop && f.warn_next && n != "warn_if_reject") f.warn_next = false;
  return step;
}

AccessPolicy::Step AccessPolicy::run_list(const RestrictionList& list, Frame& f, int depth) {
  if (list.broken()) {
    log::warning("%s", list.error.c_str());
    f.verdict.kind = Verdict::Kind::reject;
    f.verdict.reply = kConfigError;
    f.verdict.error_class = kErrorSoftware;
    return Step::stop;
  }
  for (const auto& r : list.items) {
    Step s = run_one(r, f, depth);
    if (s != Step::dunno) return s;
  }
  return Step::dunno;
}

Verdict AccessPolicy::check(Stage stage, const CheckInput& in, const DnsFacts& facts) {
  Frame f{stage, in, facts, {}, false, "", ""};
  const std::string namaddr = in.client_name + "[" + in.client_address + "]";
  auto run = [&](const RestrictionList& list, std::string name, const char* cls) {
    f.reply_name = std::move(name);
    f.reply_class = cls;
    f.warn_next = false;
    return run_list(list, f, 0) == Step::stop;
  };
  const bool delay = settings_.delay_reject;
  switch (stage) {
    case Stage::client:
      if (!delay) run(settings_.client, namaddr, "Client host");
      break;
    case Stage::helo:
      if (!delay) run(settings_.helo, in.helo, "Helo command");
      break;
    case Stage::sender:
      if (!delay) run(settings_.sender, in.sender.value_or(""), "Sender address");
      break;
    case Stage::recipient: {
      const std::string rcpt = in.recipient.value_or("");
      if (delay && (run(settings_.client, namaddr, "Client host") || run(settings_.helo, in.helo, "Helo command") ||
                    run(settings_.sender, in.sender.value_or(""), "Sender address")))
        break;
      if (!settings_.relay.has_relay_guard() && !settings_.recipient.has_relay_guard()) {
        // Never an open relay: Postfix's refusal of such a configuration.
        log::warning("in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one "
                     "working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, "
                     "defer_if_permit or check_relay_domains");
        f.verdict.kind = Verdict::Kind::reject;
        f.verdict.reply = kConfigError;
        f.verdict.error_class = kErrorSoftware;
        break;
      }
      if (run(settings_.relay, rcpt, "Recipient address") || run(settings_.recipient, rcpt, "Recipient address"))
        break;
      if (settings_.reject_unlisted_recipient && in.recipient && local_domain(domain_of(rcpt))) {
        if (auto r = local_recipients_.check(rcpt)) {
          f.verdict.kind = Verdict::Kind::reject;
          f.verdict.error_class = r->code / 100 == 4 && r->enhanced == "4.3.0" ? kErrorData : kErrorBounce;
          f.verdict.reply = *r;
        }
      }
      break;
    }
    case Stage::data:
      run(settings_.data, "DATA", "Data command");
      break;
    case Stage::end_of_data:
      run(settings_.end_of_data, "END-OF-MESSAGE", "End-of-data");
      break;
  }
  // DEFER_IF_PERMIT: the checks did not reject; DEFER_IF_REJECT: they did, permanently.
  if (f.verdict.kind == Verdict::Kind::pass && f.defer_if_permit) {
    f.verdict.kind = Verdict::Kind::reject;
    f.verdict.reply = *f.defer_if_permit;
  } else if (f.verdict.kind == Verdict::Kind::reject && f.defer_if_reject && f.verdict.reply.code / 100 == 5) {
    f.verdict.reply = *f.defer_if_reject;
  }
  return std::move(f.verdict);
}

}  // namespace postern::smtpd
