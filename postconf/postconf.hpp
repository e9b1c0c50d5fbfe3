// postconf's parts: option parsing, parameter printing, main.cf editing and
// master.cf printing. Runs as the invoking user; root only to edit /etc/postfix.
#pragma once

#include <string>
#include <vector>

#include "lib/config/config.hpp"
#include "lib/config/master_cf.hpp"

namespace postern::postconf {

struct Options {
  std::string config_dir;       // resolved: -c, else MAIL_CONFIG, else compiled-in
  bool dir_chosen = false;      // -c or MAIL_CONFIG given: config_directory counts as set
  bool defaults = false;        // -d
  bool non_default = false;     // -n
  bool values_only = false;     // -h
  bool expand = false;          // -x
  bool edit = false;            // -e
  bool remove = false;          // -X
  bool comment_out = false;     // -#
  bool master = false;          // -M
  bool fold = false;            // -f
  std::vector<std::string> args;
};

// Parses argv; prints usage and exits with status 1 on a bad option.
Options parse_options(int argc, char** argv);

// Parameter modes (none, -n, -d, NAME...). Returns the exit status.
int print_parameters(const Options& options);
// -e, -X and -#. Returns the exit status.
int edit_parameters(const Options& options);
// -M [service[/type]...]. Returns the exit status.
int print_master(const Options& options);

// Words of a master.cf entry as `postconf -M` prints them, folded at 80
// columns when `fold` is set.
std::string format_master_entry(const config::MasterEntry& entry, bool fold);

}  // namespace postern::postconf
