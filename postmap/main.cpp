// postmap: build, query, list and edit Postfix lookup tables (postmap(1)).
// Run by an administrator, usually as root; needs no daemon. Reads main.cf
// (-c config_dir or MAIL_CONFIG) for default_database_type.
// Builds are atomic: <file>.db is written beside the old one and renamed.
#include <cstdio>

#include "lib/config/config.hpp"
#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/maps/map_tool_cli.hpp"

int main(int argc, char** argv) {
  postern::log::configure({.tag = "postmap", .to_stderr = true});
  auto cmd = postern::maps::parse_command_line("postmap", argc, argv);
  if (!cmd) postern::log::fatal("%s", cmd.error().message.c_str());
  try {
    auto config = postern::config::Config::load(postern::config::resolve_config_dir(cmd->config_dir));
    cmd->tool.default_type = config.get("default_database_type");
  } catch (const postern::config::ConfigError& e) {
    postern::log::fatal("%s", e.what());
  }
  if (cmd->tool.default_type.empty()) cmd->tool.default_type = "hash";
  int status = postern::maps::run_map_tool(*cmd);
  std::fflush(stdout);
  return status;
}
