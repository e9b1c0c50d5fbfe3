// Daemon argv parsing. Runs in every daemon, before privileges are dropped.
#include "lib/service/server_args.hpp"

#include <string_view>

#include "lib/base/strings.hpp"

namespace postern::service {

Result<ServerArgs> parse_server_args(int argc, char** argv) {
  ServerArgs out;
  std::string_view argv0 = argc > 0 ? argv[0] : "daemon";
  auto slash = argv0.rfind('/');
  out.program = std::string(slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1));
  out.service = out.program;
  out.type = "unix";

  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view option) -> Result<std::string> {
      if (i + 1 >= argc) return Error{"option " + std::string(option) + " requires a value"};
      return std::string(argv[++i]);
    };
    auto number = [&](std::string_view option) -> Result<int> {
      auto v = value(option);
      if (!v) return v.error();
      auto n = parse_long(*v);
      if (!n || *n < 0 || *n > 1000000) return Error{"bad number for " + std::string(option) + ": " + *v};
      return int(*n);
    };
    if (arg == "--") {
      for (++i; i < argc; ++i) out.args.emplace_back(argv[i]);
      break;
    } else if (arg == "-n") {
      auto v = value(arg);
      if (!v) return v.error();
      out.service = *v;
    } else if (arg == "-t") {
      auto v = value(arg);
      if (!v) return v.error();
      out.type = *v;
    } else if (arg == "-c") {
      auto v = value(arg);
      if (!v) return v.error();
      out.config_dir = *v;
    } else if (arg == "-s") {
      auto n = number(arg);
      if (!n) return n.error();
      out.listen_count = *n;
    } else if (arg == "-g") {
      auto n = number(arg);
      if (!n) return n.error();
      out.generation = *n;
    } else if (arg == "-o") {
      auto v = value(arg);
      if (!v) return v.error();
      auto eq = v->find('=');
      if (eq == std::string::npos || eq == 0) return Error{"-o requires name=value, got: " + *v};
      out.overrides.emplace_back(std::string(trim(std::string_view(*v).substr(0, eq))),
                                 std::string(trim(std::string_view(*v).substr(eq + 1))));
    } else if (arg == "-u") {
      out.unprivileged = true;
    } else if (arg == "-z") {
      out.chroot = true;
    } else if (arg == "-S") {
      out.stand_alone = true;
    } else if (arg == "-v") {
      ++out.verbose;
    } else {
      // Anything else is the daemon's own argument (as Postfix passes them).
      out.args.emplace_back(arg);
    }
  }
  return out;
}

}  // namespace postern::service
