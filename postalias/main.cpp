// postalias: build and query aliases(5) databases (postalias(1)). Started
// as "newaliases" (a link to this program) it rebuilds every table in
// alias_database, like Postfix's "sendmail -bi". Run by an administrator,
// usually as root. Reads main.cf (-c or MAIL_CONFIG) for
// default_database_type, alias_database and myhostname.
#include <cstdio>
#include <cstring>
#include <string>

#include "lib/base/strings.hpp"
#include "lib/config/config.hpp"
#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/maps/map_tool_cli.hpp"

int main(int argc, char** argv) {
  const char* slash = std::strrchr(argv[0], '/');
  std::string program = slash ? slash + 1 : argv[0];
  bool newaliases = program == "newaliases";
  postern::log::configure({.tag = newaliases ? "newaliases" : "postalias", .to_stderr = true});
  // newaliases takes no table arguments: supply a placeholder so parsing
  // succeeds, then replace it with alias_database.
  std::vector<char*> args(argv, argv + argc);
  std::string placeholder = "-";
  if (newaliases) args.push_back(placeholder.data());
  auto cmd = postern::maps::parse_command_line("postalias", int(args.size()), args.data());
  if (!cmd) postern::log::fatal("%s", cmd.error().message.c_str());
  try {
    auto config = postern::config::Config::load(postern::config::resolve_config_dir(cmd->config_dir));
    cmd->tool.default_type = config.get("default_database_type");
    cmd->tool.hostname = config.get("myhostname");
    if (newaliases) cmd->tables = postern::split_list(config.get("alias_database"));
  } catch (const postern::config::ConfigError& e) {
    postern::log::fatal("%s", e.what());
  }
  if (cmd->tool.default_type.empty()) cmd->tool.default_type = "hash";
  int status = postern::maps::run_map_tool(*cmd);
  std::fflush(stdout);
  return status;
}
