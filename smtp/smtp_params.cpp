// Loading SmtpParams (see smtp_params.hpp). Runs in smtp/lmtp (mail_owner).
#include "smtp/smtp_params.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdexcept>

#include "lib/base/strings.hpp"
#include "lib/dns/resolver.hpp"

namespace postern::smtp {

namespace {
// prefix_name when the table knows it, else smtp_name (Postfix's lmtp has
// most but not all of smtp's parameters).
std::string name_for(const config::Config& config, const std::string& prefix, const std::string& name) {
  std::string own = prefix + "_" + name;
  return config.is_known(own) ? own : "smtp_" + name;
}

bool is_address(int family, const std::string& text) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(family, text.c_str(), buf) == 1;
}

bool is_loopback(int family, const std::string& text) {
  if (family == AF_INET) return text.starts_with("127.");
  return text == "::1";
}

// The single non-loopback numeric address of `family` in inet_interfaces,
// which Postfix uses as the client's source address when the bind
// parameter is empty. Names (other than all, localhost, loopback-only) are
// not resolved here, so an inet_interfaces that lists host names gives none.
std::string sole_interface_address(const config::Config& config, int family) {
  std::string found;
  int count = 0;
  for (const auto& entry : config.get_list("inet_interfaces")) {
    std::string a = entry;
    if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
    const std::string lower = to_lower(a);
    if (lower == "all") return "";
    if (lower == "localhost" || lower == "loopback-only") continue;
    if (is_address(AF_INET, a) || is_address(AF_INET6, a)) {
      if (!is_address(family, a)) continue;
      ++count;
      found = a;
      continue;
    }
    return "";  // a host name: its addresses are unknown here
  }
  return count == 1 && !is_loopback(family, found) ? found : "";
}

std::string bind_address(const config::Config& config, const std::string& prefix, int family) {
  const std::string name = name_for(config, prefix, family == AF_INET ? "bind_address" : "bind_address6");
  std::string value = config.get(name);
  if (value.empty()) return sole_interface_address(config, family);
  if (!is_address(family, value))
    throw std::runtime_error("bad " + name + " parameter: " + value + " (a numerical " +
                             (family == AF_INET ? "IPv4" : "IPv6") + " address)");
  return value;
}

int seconds(const config::Config& config, const std::string& prefix, const std::string& name, int fallback) {
  long long v = config.get_time_seconds(name_for(config, prefix, name));
  // lmtp_connect_timeout = 0 means "no limit" in Postfix; we still bound it.
  return v > 0 ? static_cast<int>(v) : fallback;
}
}  // namespace

SmtpParams load_params(const config::Config& config, bool lmtp) {
  SmtpParams p;
  p.lmtp = lmtp;
  p.prefix = lmtp ? "lmtp" : "smtp";
  const std::string& x = p.prefix;
  p.myhostname = config.get("myhostname");
  p.helo_name = config.get(lmtp ? "lmtp_lhlo_name" : "smtp_helo_name");
  if (p.helo_name.empty()) p.helo_name = p.myhostname;
  p.default_port = lmtp ? static_cast<int>(config.get_int("lmtp_tcp_port")) : 25;
  p.connect_timeout = seconds(config, x, "connect_timeout", 30);
  p.helo_timeout = seconds(config, x, lmtp ? "lhlo_timeout" : "helo_timeout", 300);
  p.mail_timeout = seconds(config, x, "mail_timeout", 300);
  p.rcpt_timeout = seconds(config, x, "rcpt_timeout", 300);
  p.data_init_timeout = seconds(config, x, "data_init_timeout", 120);
  p.data_xfer_timeout = seconds(config, x, "data_xfer_timeout", 180);
  p.data_done_timeout = seconds(config, x, "data_done_timeout", 600);
  p.quit_timeout = seconds(config, x, "quit_timeout", 300);
  p.skip_5xx_greeting = config.get_bool(name_for(config, x, "skip_5xx_greeting"));
  p.disable_mime_conversion = config.get_bool("disable_mime_output_conversion");
  // lmtp has no fallback relay in Postfix; its next hop is a fixed server.
  if (!lmtp) p.fallback_relay = config.get_list("smtp_fallback_relay");
  p.address_preference = to_lower(config.get(name_for(config, x, "address_preference")));
  if (p.address_preference != "any" && p.address_preference != "ipv4" && p.address_preference != "ipv6")
    throw std::runtime_error(x + "_address_preference: unsupported value \"" + p.address_preference +
                             "\" (ipv4, ipv6, any)");
  p.use_ipv4 = p.use_ipv6 = false;
  for (const auto& proto : config.get_list("inet_protocols")) {
    const std::string v = to_lower(proto);
    if (v == "all") p.use_ipv4 = p.use_ipv6 = true;
    else if (v == "ipv4") p.use_ipv4 = true;
    else if (v == "ipv6") p.use_ipv6 = true;
    else throw std::runtime_error("inet_protocols: unsupported protocol \"" + proto + "\" (ipv4, ipv6, all)");
  }
  if (!p.use_ipv4 && !p.use_ipv6) p.use_ipv4 = p.use_ipv6 = true;  // empty: Postfix's default, all
  p.bind_address = bind_address(config, x, AF_INET);
  p.bind_address6 = bind_address(config, x, AF_INET6);
  p.bind_enforce = config.get_bool(name_for(config, x, "bind_address_enforce"));
  p.tls_level = to_lower(config.get(name_for(config, x, "tls_security_level")));
  if (p.tls_level.empty()) {
    // Postfix's legacy switches when the level is unset.
    if (config.get_bool(name_for(config, x, "enforce_tls"))) p.tls_level = "encrypt";
    else if (config.is_known(x + "_use_tls") && config.get_bool(x + "_use_tls")) p.tls_level = "may";
    else p.tls_level = "none";
  }
  if (p.tls_level != "none" && p.tls_level != "may" && p.tls_level != "encrypt" && p.tls_level != "verify" &&
      p.tls_level != "secure")
    throw std::runtime_error(x + "_tls_security_level: unsupported level \"" + p.tls_level +
                             "\" (none, may, encrypt, verify, secure)");
  p.tls_ca_file = config.get(name_for(config, x, "tls_CAfile"));
  p.tls_ca_path = config.get(name_for(config, x, "tls_CApath"));
  p.sasl_enable = config.get_bool(name_for(config, x, "sasl_auth_enable"));
  p.sasl_password_maps = config.get(name_for(config, x, "sasl_password_maps"));
  for (auto& o : config.get_list(name_for(config, x, "sasl_security_options"))) p.sasl_security_options.push_back(to_lower(o));
  const std::string tls_opts = name_for(config, x, "sasl_tls_security_options");
  if (config.is_known(tls_opts)) {
    for (auto& o : config.get_list(tls_opts)) p.sasl_tls_security_options.push_back(to_lower(o));
  } else {
    p.sasl_tls_security_options = p.sasl_security_options;
  }
  auto servers = dns::parse_resolver_addresses(config.get("dns_resolver_addresses"));
  if (!servers) throw std::runtime_error(servers.error().message);
  p.resolver_servers = std::move(*servers);
  return p;
}

}  // namespace postern::smtp
