// Resolves master.cf entries to runnable services. Runs in master.
#include "lib/config/master_cf.hpp"
#include "master/service_spec.hpp"

#include <unistd.h>

#include <map>

#include "lib/base/strings.hpp"
#include "master/dovecot_services.hpp"

namespace postern::master {
namespace {

// Postfix programs whose work Postern does elsewhere: their master.cf entries
// (present in every stock master.cf) are accepted and not started.
const std::map<std::string, std::string, std::less<>>& folded_commands() {
  static const std::map<std::string, std::string, std::less<>> folded = {
      {"cleanup", "smtpd and pickup (lib/cleanup)"},
      {"trivial-rewrite", "qmgr and smtpd (address resolution)"},
      {"bounce", "qmgr (bounce, defer and trace reports)"},
      {"tlsmgr", "each TLS process (OpenSSL session caches)"},
      {"scache", "smtp (no shared connection cache)"},
      {"verify", "smtpd (address verification is not offered)"},
      {"flush", "postqueue -f, which signals qmgr"},
      {"proxymap", "each process (tables are opened directly)"},
      {"postlogd", "each process (maillog_file lines are appended atomically)"},
      {"postlog", "each process (maillog_file lines are appended atomically)"},
  };
  return folded;
}

// -o pairs removed from the entry's own arguments: master passes them
// normalised. Handles both "-o name=value" and "-o { name = value }".
std::vector<std::string> args_without_overrides(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "-o") {
      out.push_back(args[i]);
      continue;
    }
    if (i + 1 < args.size() && args[i + 1].starts_with("{")) {
      ++i;
      while (i < args.size() && !std::string_view(args[i]).ends_with("}")) ++i;
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace

ServicePlan plan_services(const config::Config& config, const config::MasterCf& master_cf) {
  ServicePlan plan;
  const std::string daemon_dir = config.get("daemon_directory");
  const long long default_limit = config.get_int("default_process_limit");
  for (const auto& entry : master_cf.entries()) {
    std::string where = master_cf.path() + ", line " + std::to_string(entry.line) + ": ";
    if (auto it = folded_commands().find(entry.command); it != folded_commands().end()) {
      plan.notes.push_back(where + "service " + entry.service + " (" + entry.command +
                           "): not started; its work is done by " + it->second);
      continue;
    }
    if (entry.type == "pass") {
      plan.notes.push_back(where + "service " + entry.service +
                           ": type \"pass\" (postscreen hand-off) is not supported; entry ignored");
      continue;
    }
    std::string path = daemon_dir + "/" + entry.command;
    if (entry.command.find('/') != std::string::npos || ::access(path.c_str(), X_OK) != 0) {
      plan.notes.push_back(where + "service " + entry.service + ": command \"" + entry.command +
                           "\" is not available in Postern (" + path + "); entry ignored");
      continue;
    }
    ServiceSpec spec;
    spec.entry = entry;
    spec.key = entry.service + "/" + entry.type;
    spec.path = path;
    spec.maxproc = entry.maxproc ? *entry.maxproc : int(default_limit);
    for (const auto& [name, value] : entry.overrides) {
      spec.child_args.push_back("-o");
      spec.child_args.push_back(name + "=" + value);
    }
    auto rest = args_without_overrides(entry.args);
    if (!rest.empty()) {
      spec.child_args.push_back("--");
      spec.child_args.insert(spec.child_args.end(), rest.begin(), rest.end());
    }
    plan.run.push_back(std::move(spec));
  }
  plan_dovecot_services(config, plan);  // pop3d and auth from dovecot.conf
  return plan;
}

}  // namespace postern::master
