// Command-line parsing and dispatch shared by postmap and postalias (and
// postalias running as newaliases). The commands add what main.cf says
// (default_database_type, myhostname) before calling run_map_tool.
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/maps/map_tool.hpp"

namespace postern::maps {

struct CommandLine {
  enum class Action { build, query, dump, remove };
  Action action = Action::build;
  std::string config_dir;  // -c
  std::string key;         // -q key / -d key ("-" reads stdin)
  int verbose = 0;         // -v, repeatable
  ToolOptions tool;        // -f -N -n -r -w -p -i (main.cf values still to fill in)
  std::vector<std::string> tables;
};

// Parses postmap(1)/postalias(1) options. Options accepted for
// compatibility but without effect here (-o, -u, -U, -b, -h, -m) are
// noted in docs/maps.md. An Error carries the usage text.
Result<CommandLine> parse_command_line(const std::string& program, int argc, char** argv);

// Runs the parsed command; returns the exit status.
int run_map_tool(const CommandLine& cmd);

}  // namespace postern::maps
