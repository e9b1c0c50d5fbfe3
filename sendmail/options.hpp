// sendmail's command line: Sendmail-compatible options as Postfix's
// sendmail(1) accepts them, and the program name (sendmail, mailq,
// newaliases). Runs as the invoking user.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace postern::sendmail {

enum class Mode {
  deliver,      // -bm (default): read a message, submit it
  smtp_stdin,   // -bs: SMTP on standard input
  list_queue,   // -bp, or started as mailq
  new_aliases,  // -bi, or started as newaliases
  flush_queue,  // -q (no interval), -qR/-qS site
  daemon_noop,  // -q<interval> alone, -bd, -bl: refused or ignored as Postfix does
};

struct Options {
  Mode mode = Mode::deliver;
  std::string config_dir;               // -c dir, -C file or dir
  std::optional<std::string> sender;    // -f / -r; "" means <>
  std::string full_name;                // -F
  bool extract_recipients = false;      // -t
  bool ignore_dots = false;             // -i, -oi
  bool verbose = false;                 // -v
  unsigned notify = 0;                  // -N never|success,delay,failure
  std::string ret;                      // -R full|hdrs -> FULL / HDRS
  std::string envid;                    // -V
  std::string body;                     // -B 7BIT / 8BITMIME
  std::string flush_site;               // -qRsite / -qSsite
  std::vector<std::string> recipients;  // operands
  std::string unsupported;              // a mode we refuse, for the error message
};

// Parses argv. `program` is argv[0]'s base name: "mailq" and "newaliases"
// select their modes. Errors (unknown option, bad -N) come back as a message.
struct ParseResult {
  Options options;
  std::string error;
};
ParseResult parse_options(const std::string& program, int argc, char** argv);

}  // namespace postern::sendmail
