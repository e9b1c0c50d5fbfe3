// postern-doveconf: prints the effective Dovecot-syntax settings, like
// `doveconf`. Reads main.cf's dovecot_config_file unless -f names a file.
//   postern-doveconf [-c config_dir] [-f dovecot.conf] [-n] [-h] [setting...]
// -n: only settings that differ from the defaults (doveconf -n); -h with
// names: values only. Errors name file and line (exit 1); unknown settings
// warn on standard error. Runs as any user who can read the files.
#include <unistd.h>

#include <iostream>

#include "lib/config/config.hpp"
#include "lib/config/config_error.hpp"
#include "lib/dovecot/dovecot_conf.hpp"

using namespace postern;

int main(int argc, char** argv) {
  std::string config_dir, file;
  bool non_default = false, values_only = false;
  int opt;
  while ((opt = ::getopt(argc, argv, "c:f:nha")) != -1) {
    switch (opt) {
      case 'c': config_dir = optarg; break;
      case 'f': file = optarg; break;
      case 'n': non_default = true; break;
      case 'h': values_only = true; break;
      case 'a': break;
      default:
        std::cerr << "usage: postern-doveconf [-c config_dir] [-f dovecot.conf] [-n] [-h] [setting...]\n";
        return 64;
    }
  }
  try {
    if (file.empty()) file = config::Config::load(config::resolve_config_dir(config_dir)).get("dovecot_config_file");
    auto conf = dovecot::DovecotConf::load(file);
    for (const auto& w : conf.warnings()) std::cerr << "postern-doveconf: warning: " << w << "\n";
    if (optind < argc) {
      for (int i = optind; i < argc; ++i) {
        if (!dovecot::default_value(argv[i]) && !conf.is_set(argv[i])) {
          std::cerr << "postern-doveconf: fatal: Unknown setting: " << argv[i] << "\n";
          return 1;
        }
        std::cout << (values_only ? "" : std::string(argv[i]) + " = ") << conf.get(argv[i]) << "\n";
      }
      return 0;
    }
    std::cout << (non_default ? conf.dump_non_default() : conf.dump_all());
  } catch (const dovecot::ConfError& e) {
    std::cerr << "postern-doveconf: fatal: " << e.what() << "\n";
    return 1;
  } catch (const config::ConfigError& e) {
    std::cerr << "postern-doveconf: fatal: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
