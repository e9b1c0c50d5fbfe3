// postconf command-line options, parsed with getopt like Postfix's postconf.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "lib/log/log.hpp"
#include "postconf/postconf.hpp"

namespace postern::postconf {

Options parse_options(int argc, char** argv) {
  Options o;
  std::string dir_option;
  int ch;
  while ((ch = getopt(argc, argv, "c:dehnxXMf#v")) != -1) {
    switch (ch) {
      case 'c': dir_option = optarg; break;
      case 'd': o.defaults = true; break;
      case 'e': o.edit = true; break;
      case 'h': o.values_only = true; break;
      case 'n': o.non_default = true; break;
      case 'x': o.expand = true; break;
      case 'X': o.remove = true; break;
      case '#': o.comment_out = true; break;
      case 'M': o.master = true; break;
      case 'f': o.fold = true; break;
      case 'v': break;  // verbose logging: accepted for compatibility
      default:
        std::fprintf(stderr, "usage: postconf [-c config_dir] [-dhnx] [-e name=value...] "
                             "[-X name...] [-# name...] [-M[f] [service[/type]...]] [name...]\n");
        std::exit(1);
    }
  }
  const char* env = std::getenv("MAIL_CONFIG");
  o.dir_chosen = !dir_option.empty() || (env && *env);
  o.config_dir = config::resolve_config_dir(dir_option);
  for (int i = optind; i < argc; ++i) o.args.emplace_back(argv[i]);
  int modes = (o.edit ? 1 : 0) + (o.remove ? 1 : 0) + (o.comment_out ? 1 : 0) + (o.master ? 1 : 0);
  if (modes > 1) log::fatal("specify only one of -e, -X, -# and -M");
  if (o.defaults && o.non_default) log::fatal("specify one of -d and -n");
  return o;
}

}  // namespace postern::postconf
