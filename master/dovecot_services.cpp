// dovecot.conf -> ServiceSpecs for pop3d, imapd and auth. Runs in master.
#include "master/dovecot_services.hpp"

#include <unistd.h>

#include <algorithm>

#include "lib/base/strings.hpp"
#include "lib/dovecot/dovecot_conf.hpp"

namespace postern::master {
namespace {

struct Listener {
  std::string name;
  std::string port;
  bool ssl = false;
  std::string address;  // "" = the `listen` setting
};

// The listeners of a login service: Dovecot's defaults, changed or added by
// `service <name> { inet_listener <x> { port = .. ssl = .. address = .. } }`.
std::vector<Listener> login_listeners(const dovecot::DovecotConf& conf, const std::string& service,
                                      std::vector<Listener> defaults) {
  // A service may be written in several blocks (Debian's 10-director.conf
  // and 10-master.conf both have "service pop3-login"): Dovecot merges them.
  for (const dovecot::Section* block : conf.root().children("service")) {
    if (block->name != service) continue;
    for (const dovecot::Section* l : block->children("inet_listener")) {
    auto it = std::find_if(defaults.begin(), defaults.end(), [&](const Listener& d) { return d.name == l->name; });
    if (it == defaults.end()) it = defaults.insert(defaults.end(), Listener{l->name, "", false, ""});
    it->port = l->get("port", it->port);
    it->ssl = to_lower(l->get("ssl", it->ssl ? "yes" : "no")) == "yes";
    it->address = l->get("address", it->address);
    }
  }
  return defaults;
}

}  // namespace

std::string dovecot_conf_error(const config::Config& config) {
  const std::string path = config.get("dovecot_config_file");
  if (::access(path.c_str(), F_OK) != 0) return "";
  try {
    (void)dovecot::DovecotConf::load(path);
  } catch (const dovecot::ConfError& e) {
    return e.what();
  }
  return "";
}

void plan_dovecot_services(const config::Config& config, ServicePlan& plan) {
  const std::string path = config.get("dovecot_config_file");
  if (::access(path.c_str(), F_OK) != 0) {
    if (config.is_set("dovecot_config_file"))
      plan.notes.push_back("warning: dovecot_config_file " + path + " does not exist; no POP3, IMAP or auth service");
    return;
  }
  dovecot::DovecotConf conf;
  try {
    conf = dovecot::DovecotConf::load(path);
  } catch (const dovecot::ConfError& e) {
    plan.notes.push_back(std::string("error: ") + e.what() + " -- POP3, IMAP and auth services not started");
    return;
  }
  const std::string daemon_dir = config.get("daemon_directory");
  const int maxproc = int(config.get_int("default_process_limit"));
  std::string inet_protocols = to_lower(config.get("inet_protocols"));
  bool v4 = inet_protocols.find("all") != std::string::npos || inet_protocols.find("ipv4") != std::string::npos;
  bool v6 = inet_protocols.find("all") != std::string::npos || inet_protocols.find("ipv6") != std::string::npos;

  auto add = [&](const std::string& service, const std::string& type, const std::string& command,
                 std::vector<std::string> args, SocketPermissions permissions = {}) {
    ServiceSpec spec;
    spec.entry.service = service;
    spec.entry.type = type;
    spec.entry.private_service = true;
    spec.entry.unprivileged = false;  // pop3d/imapd become each mailbox owner; auth reads /etc/shadow
    spec.entry.command = command;
    spec.entry.args = args;
    spec.key = service + "/" + type;
    spec.path = daemon_dir + "/" + command;
    spec.maxproc = type == "unix" ? 1 : maxproc;  // one auth process keeps one penalty table
    spec.socket_permissions = permissions;
    if (!args.empty()) {
      spec.child_args.push_back("--");
      spec.child_args.insert(spec.child_args.end(), args.begin(), args.end());
    }
    if (std::any_of(plan.run.begin(), plan.run.end(), [&](const ServiceSpec& s) { return s.key == spec.key; })) {
      plan.notes.push_back(path + ": " + spec.key + " is also in master.cf; master.cf's entry is used");
      return;
    }
    plan.run.push_back(std::move(spec));
  };

  bool need_auth = conf.root().child("service", "auth") != nullptr;
  bool ssl_off = to_lower(conf.get("ssl")) == "no";
  // Each protocol's daemon and its login service's default listeners (Dovecot's).
  struct Protocol {
    const char* name;
    const char* daemon;
    const char* login_service;
    std::vector<Listener> defaults;
  };
  const std::vector<Protocol> known = {
      {"pop3", "pop3d", "pop3-login", {{"pop3", "110", false, ""}, {"pop3s", "995", true, ""}}},
      {"imap", "imapd", "imap-login", {{"imap", "143", false, ""}, {"imaps", "993", true, ""}}},
  };
  for (const auto& protocol : split_list(conf.get("protocols"))) {
    auto p = std::find_if(known.begin(), known.end(), [&](const Protocol& k) { return protocol == k.name; });
    if (p == known.end()) {
      plan.notes.push_back(path + ": protocol " + protocol + " is not available in Postern yet; not started");
      continue;
    }
    if (::access((daemon_dir + "/" + p->daemon).c_str(), X_OK) != 0) {
      plan.notes.push_back(path + ": protocol " + protocol + ": " + daemon_dir + "/" + p->daemon + " is missing; not started");
      continue;
    }
    need_auth = true;
    auto listeners = login_listeners(conf, p->login_service, p->defaults);
    for (const auto& l : listeners) {
      if (l.port.empty() || l.port == "0" || (l.ssl && ssl_off)) continue;
      for (std::string addr : split_list(l.address.empty() ? conf.get("listen") : l.address)) {
        if (addr == "*") addr = "0.0.0.0";
        bool is_v6 = addr.find(':') != std::string::npos;
        if ((is_v6 && !v6) || (!is_v6 && !v4)) continue;
        if (is_v6 && addr.front() != '[') addr = "[" + addr + "]";
        add(addr + ":" + l.port, "inet", p->daemon, l.ssl ? std::vector<std::string>{"ssl"} : std::vector<std::string>{});
      }
    }
  }
  if (!need_auth) return;
  if (::access((daemon_dir + "/auth").c_str(), X_OK) != 0) {
    plan.notes.push_back(path + ": " + daemon_dir + "/auth is missing; no authentication service");
    return;
  }
  // private/auth always (pop3d and imapd use it; Postfix's smtpd_sasl_path = private/auth
  // finds it), plus the unix_listeners inside the queue directory, each
  // created by master with the listener's mode, user and group.
  std::vector<std::pair<std::string, SocketPermissions>> sockets = {{"auth", {}}};
  const std::string queue = config.get("queue_directory");
  for (const dovecot::Section* auth : conf.root().children("service")) {
    if (auth->name != "auth") continue;
    for (const dovecot::Section* l : auth->children("unix_listener")) {
      std::string p = l->name;
      if (p.starts_with(queue + "/private/")) p = p.substr(queue.size() + 9);
      else if (p.starts_with("private/")) p = p.substr(8);
      else {
        plan.notes.push_back(l->file + ", line " + std::to_string(l->line) + ": unix_listener " + l->name +
                             ": only sockets in " + queue + "/private are supported; ignored");
        continue;
      }
      if (p.empty() || p.find('/') != std::string::npos) {
        plan.notes.push_back(l->file + ", line " + std::to_string(l->line) + ": unix_listener " + l->name +
                             ": only sockets directly in " + queue + "/private are supported; ignored");
        continue;
      }
      auto it = std::find_if(sockets.begin(), sockets.end(), [&](const auto& s) { return s.first == p; });
      if (it == sockets.end()) it = sockets.insert(sockets.end(), {p, {}});
      read_socket_permissions(*l, it->second, plan.notes);
    }
  }
  for (const auto& [name, permissions] : sockets) add(name, "unix", "auth", {}, permissions);
}

}  // namespace postern::master
