// postcat(1): show the contents of a queue file.
//
//   postcat [-behov] [-c config_dir] [-q] [file ...]
//
//   -q     the operands are queue IDs, looked up in maildrop, hold,
//          incoming, active, deferred and corrupt; otherwise they are paths
//   -e     envelope records only    -h  message header only
//   -b     message body only        (combinations allowed; default: all)
//   -o     also show the content offset;  -v  accepted (verbose)
// Unlike Postfix, reading a queue file from standard input is not offered:
// give a path or -q ID.
//
// Output: see postcat/render.hpp and docs/queue-tools.md. Corrupt files are
// reported, never half-printed.
//
// Privilege: none of its own; reading the queue takes root or mail_owner.
// Parameters: queue_directory, hash_queue_depth, hash_queue_names.
#include <getopt.h>

#include <cstdio>
#include <string>

#include "lib/base/file_io.hpp"
#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/queue_tools/queue_search.hpp"
#include "lib/queue_tools/tool_config.hpp"
#include "lib/service/daemon_context.hpp"
#include "postcat/render.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  log::configure({.tag = "postcat", .to_stderr = true});
  std::string config_option;
  postcat::Sections wanted{false, false, false, false};
  bool by_id = false;
  int c;
  while ((c = ::getopt(argc, argv, "behoqc:vrs:")) != -1) {
    switch (c) {
      case 'b':
        wanted.body = true;
        break;
      case 'e':
        wanted.envelope = true;
        break;
      case 'h':
        wanted.header = true;
        break;
      case 'o':
        wanted.offsets = true;
        break;
      case 'q':
        by_id = true;
        break;
      case 'c':
        config_option = optarg;
        break;
      case 'v':
      case 'r':
      case 's':
        break;
      default:
        log::fatal("usage: postcat [-behov] [-c config_dir] [-q] file|queue_id ...");
    }
  }
  if (!wanted.body && !wanted.envelope && !wanted.header)
    wanted.body = wanted.envelope = wanted.header = true;
  if (optind == argc) log::fatal("usage: postcat [-behov] [-c config_dir] [-q] file|queue_id ...");
  queue::QueueLayout layout;
  if (by_id) {
    try {
      auto config = config::Config::load(config::resolve_config_dir(config_option));
      service::configure_logging(config, "postcat", true);
      layout = queue_tools::layout_from_config(config);
    } catch (const config::ConfigError& e) {
      log::fatal("%s", e.what());
    }
  }
  int status = 0;
  for (int i = optind; i < argc; ++i) {
    std::string path = argv[i], label = argv[i];
    if (by_id) {
      auto where = queue_tools::find_message(layout, argv[i], queue_tools::all_message_folders());
      if (!where) log::fatal("open queue file %s: No such file or directory", argv[i]);
      path = where->path;
      label = where->folder + "/" + argv[i];
    }
    auto text = postcat::render_queue_file(path, label, wanted);
    if (!text) {
      log::error("%s", text.error().message.c_str());
      status = 1;
      continue;
    }
    (void)write_all(1, *text);
  }
  return status;
}
