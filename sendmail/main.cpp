// sendmail(1), mailq(1), newaliases(1): Postfix's Sendmail-compatible
// interface.
//
//   sendmail [-tiv] [-f sender] [-F full_name] [-r sender] [-N dsn] [-R ret]
//            [-V envid] [-B type] [-o i] [-c dir | -C file] [recipient ...]
//   sendmail -bs          SMTP on standard input (each message via postdrop)
//   sendmail -bp | mailq  list the queue (runs postqueue -p)
//   sendmail -bi | newaliases   rebuild alias_database (runs newaliases)
//   sendmail -q | -qRsite | -qSsite   flush the queue (postqueue -f / -s)
//
// The message is read from standard input up to a line with a single "."
// (unless -i / -oi) or end of file, lines are stored with <CR><LF>, and the
// message goes to postdrop, which stores it in maildrop/ for pickup; pickup
// passes it through cleanup (Received, Message-ID, Date, From, Bcc removal).
// -t adds the addresses in To/Cc/Bcc (Resent-* when present). Ignored as in
// Postfix: -G -h -I -L -m -n -O -U -X -x -e -p -oX (but -oi). -bd and -bl
// are refused; -q<interval> is ignored.
//
// Privilege: none; runs as the invoking user. postdrop is set-group-ID.
// Parameters: command_directory, message_size_limit, myhostname,
// authorized_submit_users (checked again by postdrop).
// Exit status: sysexits (0, 64, 65, 75).
#include <unistd.h>

#include <cstring>
#include <string>

#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/queue_tools/authorized_users.hpp"
#include "lib/service/daemon_context.hpp"
#include "sendmail/local_submit.hpp"
#include "sendmail/options.hpp"
#include "sendmail/smtp_stdin.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  const char* slash = std::strrchr(argv[0], '/');
  const std::string program = slash ? slash + 1 : argv[0];
  log::configure({.tag = program, .to_stderr = true});
  auto parsed = sendmail::parse_options(program, argc, argv);
  if (!parsed.error.empty()) {
    log::error("%s", parsed.error.c_str());
    return 64;
  }
  const sendmail::Options& opt = parsed.options;
  config::Config config;
  try {
    config = config::Config::load(config::resolve_config_dir(opt.config_dir));
    service::configure_logging(config, program == "sendmail" ? "sendmail" : program, true);
  } catch (const config::ConfigError& e) {
    log::fatal("%s", e.what());
  }
  const std::string bin = config.get("command_directory");
  std::vector<std::string> cflag;
  if (!opt.config_dir.empty()) cflag = {"-c", opt.config_dir};
  auto run = [&](const std::string& name, std::vector<std::string> args) -> int {
    args.insert(args.begin(), cflag.begin(), cflag.end());
    log::fatal("%s", sendmail::exec_command(bin + "/" + name, args).message.c_str());
  };
  sendmail::PostdropCommand postdrop{bin + "/postdrop", opt.config_dir};
  auto size_limit = static_cast<std::uint64_t>(config.get_size("message_size_limit"));
  if (opt.mode == sendmail::Mode::deliver || opt.mode == sendmail::Mode::smtp_stdin) {
    // postdrop checks again: this copy only gives the early, friendly error.
    auto refused = queue_tools::check_user_access(config, "authorized_submit_users", false, "submit mail");
    if (!refused.empty()) {
      log::error("%s", refused.c_str());
      return 77;  // EX_NOPERM
    }
  }
  switch (opt.mode) {
    case sendmail::Mode::list_queue:
      return run("postqueue", {"-p"});
    case sendmail::Mode::new_aliases:
      return run("newaliases", {});
    case sendmail::Mode::flush_queue:
      return run("postqueue", opt.flush_site.empty() ? std::vector<std::string>{"-f"}
                                                     : std::vector<std::string>{"-s", opt.flush_site});
    case sendmail::Mode::daemon_noop:
      if (opt.unsupported.rfind("-q", 0) == 0) return 0;  // a queue-run interval: nothing to do
      log::error("%s option is not supported", opt.unsupported.c_str());
      return 64;
    case sendmail::Mode::smtp_stdin:
      return sendmail::serve_smtp_stdin(STDIN_FILENO, STDOUT_FILENO,
                                        {config.get("myhostname"), "Postfix", size_limit, postdrop});
    case sendmail::Mode::deliver:
      break;
  }
  return sendmail::submit_from_stdin(opt, {size_limit, postdrop});
}
