// postmap/postalias option parsing (getopt, like Postfix) and dispatch.
#include "lib/maps/map_tool_cli.hpp"

#include <unistd.h>

#include <cstdio>

namespace postern::maps {

Result<CommandLine> parse_command_line(const std::string& program, int argc, char** argv) {
  CommandLine cmd;
  cmd.tool.format = program == "postalias" ? ToolOptions::Format::aliases : ToolOptions::Format::postmap;
  std::string usage = "usage: " + program + " [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] [map_type:]file...";
  ::optind = 1;
  int c;
  while ((c = ::getopt(argc, argv, "bc:d:fFhimNnopq:rsuUvw")) != -1) {
    switch (c) {
      case 'c': cmd.config_dir = ::optarg; break;
      case 'd':
        cmd.action = CommandLine::Action::remove;
        cmd.key = ::optarg;
        break;
      case 'q':
        cmd.action = CommandLine::Action::query;
        cmd.key = ::optarg;
        break;
      case 's': cmd.action = CommandLine::Action::dump; break;
      case 'f': cmd.tool.fold_case = false; break;
      case 'i': cmd.tool.incremental = true; break;
      case 'N': cmd.tool.nul = NulMode::with_nul; break;
      case 'n': cmd.tool.nul = NulMode::without_nul; break;
      case 'p': cmd.tool.default_mode = true; break;
      case 'r': cmd.tool.replace_duplicates = true; cmd.tool.ignore_duplicates = false; break;
      case 'w': cmd.tool.ignore_duplicates = true; cmd.tool.replace_duplicates = false; break;
      case 'v': ++cmd.verbose; break;
      case 'F': return Error{program + ": the -F (base64 file contents) option is not supported\n" + usage};
      case 'o': case 'u': case 'U': case 'b': case 'h': case 'm': break;  // see docs/maps.md
      default: return Error{usage};
    }
  }
  for (int i = ::optind; i < argc; ++i) cmd.tables.emplace_back(argv[i]);
  if (cmd.tables.empty()) return Error{usage};
  return cmd;
}

int run_map_tool(const CommandLine& cmd) {
  switch (cmd.action) {
    case CommandLine::Action::query:
      return cmd.key == "-" ? query_stream(cmd.tool, stdin, cmd.tables) : query_key(cmd.tool, cmd.key, cmd.tables);
    case CommandLine::Action::dump: return dump_tables(cmd.tool, cmd.tables);
    case CommandLine::Action::remove: return delete_keys(cmd.tool, cmd.key, stdin, cmd.tables);
    case CommandLine::Action::build: break;
  }
  int status = 0;
  for (const auto& t : cmd.tables) status |= build_table(cmd.tool, t);
  return status;
}

}  // namespace postern::maps
