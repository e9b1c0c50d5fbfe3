// postconf: Postfix-compatible configuration utility.
//
// Prints main.cf parameters (all, -n set ones, -d defaults, -h values only,
// -x expanded), edits main.cf in place (-e name=value, -X name, -# name) and
// prints master.cf entries (-M, -Mf). -c dir or MAIL_CONFIG selects the
// configuration directory. Runs as the invoking user; needs no privilege
// except write access to main.cf for -e/-X/-#.
#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "postconf/postconf.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  log::configure({.tag = "postconf", .to_stderr = true});
  postconf::Options options = postconf::parse_options(argc, argv);
  try {
    if (options.edit || options.remove || options.comment_out) return postconf::edit_parameters(options);
    if (options.master) return postconf::print_master(options);
    return postconf::print_parameters(options);
  } catch (const config::ConfigError& e) {
    log::fatal("%s", e.what());
  }
}
