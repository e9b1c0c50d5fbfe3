// AccessPolicy: the restrictions that ask outside smtpd — check_policy_service
// (a policy server's action, handled as an access table result), the DNS
// block/allow lists (reject_rbl_client, reject_rhsbl_*, permit_dnswl_client,
// permit_rhswl_client), check_*_mx_access / check_*_ns_access and
// permit_mx_backup. Each asks its questions through fact(): the first run
// returns pending, the session finds out on the event loop, and the check
// runs again with the answer. In smtpd, as mail_owner.
#include <arpa/inet.h>
#include <ifaddrs.h>

#include <algorithm>
#include <cstdlib>

#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "smtpd/access_action.hpp"
#include "smtpd/access_frame.hpp"
#include "smtpd/access_keys.hpp"
#include "smtpd/dnsbl.hpp"
#include "smtpd/policy_request.hpp"

namespace postern::smtpd {
namespace {

constexpr std::size_t kMaxServerHosts = 10;  // MX/NS hosts looked at per check

std::string canonical_address(const std::string& text) {
  unsigned char b[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, text.c_str(), b) == 1 && inet_ntop(AF_INET, b, out, sizeof out)) return out;
  if (inet_pton(AF_INET6, text.c_str(), b) == 1 && inet_ntop(AF_INET6, b, out, sizeof out)) return out;
  return {};
}

const char* protocol_state(Stage stage, const CheckInput& in) {
  switch (stage) {
    case Stage::client: return "CONNECT";
    case Stage::helo: return in.protocol_name == "ESMTP" ? "EHLO" : "HELO";
    case Stage::sender: return "MAIL";
    case Stage::recipient: return "RCPT";
    case Stage::data: return "DATA";
    case Stage::end_of_data: return "END-OF-MESSAGE";
  }
  return "";
}

// A policy server or an MX/NS table answered OK: not allowed where it would
// let a blocklisted host through by accident.
bool is_permit_action(const std::string& value) {
  return parse_access_action(value).kind == AccessAction::Kind::permit;
}

}  // namespace

std::vector<std::string> local_interface_addresses(const std::vector<std::string>& inet_interfaces,
                                                   const std::vector<std::string>& proxy_interfaces) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& a) {
    std::string c = canonical_address(a);
    if (!c.empty() && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  std::vector<std::string> all = inet_interfaces;
  all.insert(all.end(), proxy_interfaces.begin(), proxy_interfaces.end());
  for (std::string item : all) {
    item = to_lower(item);
    if (item.size() > 2 && item.front() == '[' && item.back() == ']') item = item.substr(1, item.size() - 2);
    if (item == "all") {
      ifaddrs* list = nullptr;
      if (::getifaddrs(&list) != 0) continue;
      char text[INET6_ADDRSTRLEN];
      for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr) continue;
        const void* a = nullptr;
        if (i->ifa_addr->sa_family == AF_INET) a = &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr;
        if (i->ifa_addr->sa_family == AF_INET6) a = &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr;
        if (a != nullptr && inet_ntop(i->ifa_addr->sa_family, a, text, sizeof text)) add(text);
      }
      ::freeifaddrs(list);
    } else if (item == "loopback-only" || item == "localhost") {
      add("127.0.0.1");
      add("::1");
    } else {
      add(item);
    }
  }
  return out;
}

void warn_remote_restriction(const char* parameter, const Restriction& r) {
  const std::string& n = r.name;
  if (n == "check_policy_service" && !parse_policy_endpoint(r.arg, "/")) {
    log::warning("%s: check_policy_service %s: not inet:host:port or unix:path; the default action applies",
                 parameter, r.arg.c_str());
  } else if (n.starts_with("reject_rbl") || n.starts_with("reject_rhsbl") || n == "permit_dnswl_client" ||
             n == "permit_rhswl_client") {
    DnsblSite site = parse_dnsbl_site(r.arg);
    if (site.domain.empty() || !valid_dnsbl_filter(site.filter))
      log::warning("%s: %s %s: bad DNS list domain or result filter; it never matches", parameter, n.c_str(),
                   r.arg.c_str());
  }
}

AccessPolicy::Step AccessPolicy::run_policy_service(const Restriction& r, Frame& f, int depth) {
  const CheckInput& in = f.in;
  const bool counted = f.stage == Stage::data || f.stage == Stage::end_of_data;
  std::string request = encode_policy_request({
      {"request", "smtpd_access_policy"},
      {"protocol_state", protocol_state(f.stage, in)},
      {"protocol_name", in.protocol_name},
      {"helo_name", in.helo},
      {"queue_id", in.queue_id},
      {"sender", in.sender.value_or("")},
      {"recipient", in.recipient.value_or("")},
      {"recipient_count", std::to_string(counted ? in.recipient_count : 0)},
      {"client_address", in.client_address},
      {"client_name", in.client_name},
      {"reverse_client_name", in.reverse_name},
      {"instance", in.instance},
      {"sasl_method", in.sasl_method},
      {"sasl_username", in.sasl_username},
      {"sasl_sender", ""},
      {"size", std::to_string(in.size)},
      {"ccert_subject", ""},
      {"ccert_issuer", ""},
      {"ccert_fingerprint", ""},
      {"ccert_pubkey_fingerprint", ""},
      {"encryption_protocol", in.tls_protocol},
      {"encryption_cipher", in.tls_cipher},
      {"encryption_keysize", in.tls ? std::to_string(in.tls_bits) : "0"},
      {"etrn_domain", ""},
      {"stress", ""},
      {"policy_context", settings_.policy_context},
  });
  const DnsFact* answer = fact(f, {DnsQuestion::Kind::policy, r.arg + "\n" + request});
  if (answer == nullptr) return Step::stop;
  // No answer (the session logged why): smtpd_policy_service_default_action.
  const std::string& action = answer->answer == DnsAnswer::found && !answer->values.empty()
                                  ? answer->values.front()
                                  : settings_.policy_default_action;
  return act(action, f.reply_name, f.reply_class, f, depth);
}

smtp::Reply AccessPolicy::rbl_reply(Frame& f, const std::string& domain, const std::string& cls,
                                    const std::string& what, const std::string& reason) {
  std::string templ = settings_.default_rbl_reply;
  if (!settings_.rbl_reply_maps.empty()) {
    if (!rbl_reply_maps_) {
      auto opened = maps::TableList::open(settings_.rbl_reply_maps);
      if (!opened)
        log::warning("rbl_reply_maps: %s", opened.error().message.c_str());
      else
        rbl_reply_maps_.emplace(std::move(*opened));
    }
    if (rbl_reply_maps_) {
      auto found = rbl_reply_maps_->lookup(domain);
      if (found.is_found()) templ = found.value;
      if (found.is_temp_fail()) log::warning("rbl_reply_maps lookup error for \"%s\"", domain.c_str());
    }
  }
  const CheckInput& in = f.in;
  std::map<std::string, std::string> vars = {
      {"rbl_code", std::to_string(settings_.codes.maps_rbl_reject)},
      {"rbl_class", cls},
      {"rbl_what", what},
      {"rbl_domain", domain},
      {"rbl_reason", reason},
      {"rbl_txt", reason},
      {"client_address", in.client_address},
      {"client_name", in.client_name},
      {"reverse_client_name", in.reverse_name},
      {"helo_name", in.helo},
      {"sender", in.sender.value_or("")},
      {"recipient", in.recipient.value_or("")},
  };
  std::string text = expand_reply_template(templ, vars);
  if (auto reply = parse_template_reply(text)) return *reply;
  log::warning("DNS list reply template for %s does not start with a 4NN or 5NN code: \"%s\"", domain.c_str(),
               text.c_str());
  return smtp::Reply{451, "4.3.5", "Server configuration error"};
}

AccessPolicy::Step AccessPolicy::run_dnsbl(const Restriction& r, Frame& f) {
  const CheckInput& in = f.in;
  const std::string& n = r.name;
  DnsblSite site = parse_dnsbl_site(r.arg);
  if (site.domain.empty()) return Step::dunno;
  std::optional<std::string> query;
  std::string cls, what;
  if (n == "reject_rbl_client" || n == "permit_dnswl_client") {
    query = dnsbl_address_query(in.client_address, site.domain);
    cls = "Client host";
    what = in.client_address;
  } else if (n == "reject_rhsbl_client" || n == "permit_rhswl_client") {
    if (in.client_name != "unknown") query = dnsbl_domain_query(in.client_name, site.domain);
    cls = "Client host";
    what = in.client_name;
  } else if (n == "reject_rhsbl_reverse_client") {
    if (in.reverse_name != "unknown") query = dnsbl_domain_query(in.reverse_name, site.domain);
    cls = "Unverified Client host";
    what = in.reverse_name;
  } else if (n == "reject_rhsbl_helo") {
    if (!in.helo.empty()) query = dnsbl_domain_query(in.helo, site.domain);
    cls = "Helo command";
    what = in.helo;
  } else if (n == "reject_rhsbl_sender" || n == "reject_rhsbl_recipient") {
    const bool rcpt = n == "reject_rhsbl_recipient";
    const std::optional<std::string>& addr = rcpt ? in.recipient : in.sender;
    what = addr ? domain_of(*addr) : "";
    if (!what.empty()) query = dnsbl_domain_query(what, site.domain);
    cls = rcpt ? "Recipient address" : "Sender address";
  }
  if (!query) return Step::dunno;
  const DnsFact* listed = fact(f, {DnsQuestion::Kind::addresses, *query});
  if (listed == nullptr) return Step::stop;
  if (listed->answer == DnsAnswer::temp_fail) {
    log::warning("%s: DNS lookup of %s failed; not listed", n.c_str(), query->c_str());
    return Step::dunno;
  }
  if (listed->answer != DnsAnswer::found) return Step::dunno;
  if (!std::any_of(listed->values.begin(), listed->values.end(),
                   [&](const std::string& a) { return dnsbl_filter_matches(site.filter, a); }))
    return Step::dunno;
  if (n.starts_with("permit_")) {
    // Never an open relay: in the relay and recipient lists an allow list
    // does not override reject_unauth_destination (as Postfix).
    if (f.reply_class == "Recipient address" && in.recipient && !authorized_destination(*in.recipient))
      return Step::dunno;
    log::info("%s: %s listed by %s", n.c_str(), what.c_str(), site.domain.c_str());
    f.warn_next = false;
    return Step::permit;
  }
  const DnsFact* txt = fact(f, {DnsQuestion::Kind::txt, *query});
  if (txt == nullptr) return Step::stop;
  std::string reason = txt->answer == DnsAnswer::found && !txt->values.empty() ? txt->values.front() : "";
  return reject_with(f, rbl_reply(f, site.domain, cls, what, reason));
}

AccessPolicy::Step AccessPolicy::run_server_access(const Restriction& r, Frame& f, int depth) {
  const CheckInput& in = f.in;
  const std::string& n = r.name;
  const bool ns = n.ends_with("_ns_access");
  const char* type = ns ? "NS" : "MX";
  std::string domain, reply_name, reply_class;
  if (n.starts_with("check_client_")) {
    if (in.client_name != "unknown") domain = in.client_name;
    reply_name = in.client_name + "[" + in.client_address + "]";
    reply_class = "Client host";
  } else if (n.starts_with("check_helo_")) {
    domain = in.helo;
    reply_name = in.helo;
    reply_class = "Helo command";
  } else if (n.starts_with("check_sender_")) {
    if (in.sender) domain = domain_of(*in.sender);
    reply_name = in.sender.value_or("");
    reply_class = "Sender address";
  } else {
    if (in.recipient) domain = domain_of(*in.recipient);
    reply_name = in.recipient.value_or("");
    reply_class = "Recipient address";
  }
  domain = to_lower(domain);
  while (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (domain.empty() || !valid_hostname(domain) || domain.front() == '[') return Step::dunno;

  // The hosts: MX exchanges (none: the domain itself), or the name servers
  // of the domain or of its nearest parent that has some.
  std::vector<std::string> hosts;
  auto lookup_failed = [&](const std::string& d) {
    if (!f.defer_if_reject)
      f.defer_if_reject = restriction_reply(450, "4.4.3", reply_name, reply_class,
                                            std::string("unable to look up ") + type + " host for " + d);
    return Step::dunno;
  };
  if (!ns) {
    const DnsFact* mx = fact(f, {DnsQuestion::Kind::mx_hosts, domain});
    if (mx == nullptr) return Step::stop;
    if (mx->answer == DnsAnswer::temp_fail) return lookup_failed(domain);
    if (mx->answer == DnsAnswer::found) {
      for (const auto& v : mx->values) hosts.push_back(v.substr(v.find(' ') + 1));
    } else {
      hosts.push_back(domain);
    }
  } else {
    for (std::string d = domain;;) {
      const DnsFact* nsr = fact(f, {DnsQuestion::Kind::ns_hosts, d});
      if (nsr == nullptr) return Step::stop;
      if (nsr->answer == DnsAnswer::temp_fail) return lookup_failed(d);
      if (nsr->answer == DnsAnswer::found) {
        hosts = nsr->values;
        break;
      }
      auto dot = d.find('.');
      if (dot == std::string::npos) return Step::dunno;
      d = d.substr(dot + 1);
    }
  }
  if (hosts.size() > kMaxServerHosts) hosts.resize(kMaxServerHosts);

  std::string error;
  maps::Table* t = table(r.arg, &error);
  if (t == nullptr) {
    log::warning("%s %s: %s", n.c_str(), r.arg.c_str(), error.c_str());
    f.warn_next = false;
    return reject_with(f, smtp::Reply{451, "4.3.5", "Server configuration error"}, kErrorSoftware);
  }
  // The first key found for a host decides for that host; DUNNO (and OK,
  // which is not allowed here) goes on with the next host.
  auto decide = [&](const std::vector<std::string>& keys, const std::string& what, Step* out) {
    for (const auto& key : keys) {
      auto found = t->lookup(key);
      if (found.is_temp_fail()) {
        f.warn_next = false;
        *out = reject_with(f, smtp::Reply{451, "4.3.0", "<" + reply_name + ">: Temporary lookup failure"}, kErrorData);
        return true;
      }
      if (!found.is_found()) continue;
      if (is_permit_action(found.value)) {
        log::warning("%s: %s: %s host %s: OK is not allowed here; use DUNNO", n.c_str(), r.arg.c_str(), type,
                     what.c_str());
        return false;
      }
      *out = act(found.value, reply_name, reply_class, f, depth);
      return *out != Step::dunno;
    }
    return false;
  };
  for (const auto& host : hosts) {
    if (host.empty()) continue;  // null MX
    Step step = Step::dunno;
    if (decide(domain_keys(host), host, &step)) return step;
    const DnsFact* addrs = fact(f, {DnsQuestion::Kind::host_addresses, to_lower(host)});
    if (addrs == nullptr) return Step::stop;
    for (const auto& a : addrs->values)
      if (decide(network_keys(a), host + "[" + a + "]", &step)) return step;
  }
  return Step::dunno;
}

AccessPolicy::Step AccessPolicy::run_mx_backup(Frame& f) {
  const CheckInput& in = f.in;
  if (!in.recipient) return Step::dunno;
  const std::string& rcpt = *in.recipient;
  auto at = rcpt.rfind('@');
  if (at == std::string::npos || rcpt.substr(0, at).find_first_of("@!%") != std::string::npos) return Step::dunno;
  if (authorized_destination(rcpt)) return Step::permit;
  std::string domain = domain_of(rcpt);
  while (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (domain.empty() || domain.front() == '[') return Step::dunno;
  const DnsFact* mx = fact(f, {DnsQuestion::Kind::mx_hosts, domain});
  if (mx == nullptr) return Step::stop;
  if (mx->answer == DnsAnswer::temp_fail) {
    if (!f.defer_if_reject)
      f.defer_if_reject = restriction_reply(450, "4.4.4", rcpt, "Recipient address",
                                            "unable to look up mail exchanger information");
    return Step::dunno;
  }
  if (mx->answer != DnsAnswer::found) return Step::dunno;
  struct Record {
    int preference;
    std::string host;
  };
  std::vector<Record> records;
  for (const auto& v : mx->values) {
    auto sp = v.find(' ');
    if (sp == std::string::npos || sp + 1 == v.size()) continue;
    records.push_back({std::atoi(v.substr(0, sp).c_str()), v.substr(sp + 1)});
    if (records.size() == kMaxServerHosts) break;
  }
  if (records.empty()) return Step::dunno;
  // Which preference is ours: a host named myhostname or one that resolves
  // to an address we receive mail on.
  std::optional<int> ours;
  for (const auto& rec : records) {
    bool us = iequals(rec.host, settings_.myhostname);
    if (!us) {
      const DnsFact* addrs = fact(f, {DnsQuestion::Kind::host_addresses, to_lower(rec.host)});
      if (addrs == nullptr) return Step::stop;
      for (const auto& a : addrs->values)
        if (std::find(settings_.my_addresses.begin(), settings_.my_addresses.end(), canonical_address(a)) !=
            settings_.my_addresses.end())
          us = true;
    }
    if (us) {
      ours = rec.preference;
      break;
    }
  }
  // Not an MX at all, or the primary: this is no backup relay.
  if (!ours || *ours <= records.front().preference) return Step::dunno;
  if (settings_.mx_backup_networks.empty()) return Step::permit;
  // permit_mx_backup_networks: a primary MX host must be in those networks.
  for (const auto& rec : records) {
    if (rec.preference >= *ours) break;
    const DnsFact* addrs = fact(f, {DnsQuestion::Kind::host_addresses, to_lower(rec.host)});
    if (addrs == nullptr) return Step::stop;
    for (const auto& a : addrs->values)
      if (settings_.mx_backup_networks.contains(a)) return Step::permit;
  }
  return Step::dunno;
}

}  // namespace postern::smtpd
