// sendmail option parsing; runs as the invoking user.
#include "sendmail/options.hpp"

#include <getopt.h>

#include "lib/base/strings.hpp"

namespace postern::sendmail {
namespace {

// "-N success,delay,failure" / "never"; 0 on error is impossible (never = 1).
bool parse_notify(std::string_view text, unsigned* out) {
  unsigned bits = 0;
  for (const auto& word : split(text, ", ")) {
    std::string w = to_lower(word);
    if (w == "never")
      bits |= 1;
    else if (w == "success")
      bits |= 2;
    else if (w == "failure")
      bits |= 4;
    else if (w == "delay")
      bits |= 8;
    else
      return false;
  }
  if ((bits & 1) && bits != 1) return false;  // NEVER excludes the others
  *out = bits;
  return true;
}

std::string strip_angles(std::string s) {
  std::string_view t = trim(s);
  if (t.size() >= 2 && t.front() == '<' && t.back() == '>') t = t.substr(1, t.size() - 2);
  return std::string(t);
}

}  // namespace

ParseResult parse_options(const std::string& program, int argc, char** argv) {
  ParseResult r;
  Options& o = r.options;
  if (program == "mailq") o.mode = Mode::list_queue;
  if (program == "newaliases") o.mode = Mode::new_aliases;
  ::optind = 1;
  ::opterr = 0;
  // '+': options end at the first recipient, as in Sendmail. "q::" makes
  // -q's argument optional (-q alone, -q15m, -qRsite).
  const char* spec = "+B:C:c:F:GIL:N:O:R:UV:X:b:e:f:h:imno:p:q::r:tvx";
  int c;
  while ((c = ::getopt(argc, argv, spec)) != -1) {
    std::string arg = ::optarg ? ::optarg : "";
    switch (c) {
      case 'B':
        o.body = to_upper(arg) == "8BITMIME" ? "8BITMIME" : "7BIT";
        break;
      case 'C':
      case 'c': {
        // -C may name main.cf itself; its folder is the configuration directory.
        if (arg.size() > 8 && arg.substr(arg.size() - 8) == "/main.cf") arg.resize(arg.size() - 8);
        o.config_dir = arg;
        break;
      }
      case 'F':
        o.full_name = arg;
        break;
      case 'f':
      case 'r':
        o.sender = strip_angles(arg);
        break;
      case 'N':
        if (!parse_notify(arg, &o.notify)) r.error = "bad -N option value: " + arg;
        break;
      case 'R':
        if (iequals(arg, "full"))
          o.ret = "FULL";
        else if (iequals(arg, "hdrs"))
          o.ret = "HDRS";
        else
          r.error = "bad -R option value: " + arg;
        break;
      case 'V':
        o.envid = arg;
        break;
      case 'b':
        if (arg == "m")
          o.mode = Mode::deliver;
        else if (arg == "s")
          o.mode = Mode::smtp_stdin;
        else if (arg == "p")
          o.mode = Mode::list_queue;
        else if (arg == "i")
          o.mode = Mode::new_aliases;
        else if (arg == "d" || arg == "l" || arg == "D") {
          o.mode = Mode::daemon_noop;
          o.unsupported = "-b" + arg;
        } else
          r.error = "unsupported: -b" + arg;
        break;
      case 'i':
        o.ignore_dots = true;
        break;
      case 'o':
        // -oi: dots; -om, -oe*, -oA..., -oQ...: accepted and ignored, as Postfix does.
        if (arg == "i") o.ignore_dots = true;
        break;
      case 'q':
        if (arg.empty())
          o.mode = Mode::flush_queue;
        else if (arg[0] == 'R' || arg[0] == 'S') {
          o.mode = Mode::flush_queue;
          o.flush_site = arg.substr(1);
        } else if (o.mode == Mode::deliver) {
          o.mode = Mode::daemon_noop;
          o.unsupported = "-q" + arg;
        }
        break;
      case 't':
        o.extract_recipients = true;
        break;
      case 'v':
        o.verbose = true;
        break;
      case 'G':
      case 'I':
      case 'L':
      case 'O':
      case 'U':
      case 'X':
      case 'e':
      case 'h':
      case 'm':
      case 'n':
      case 'p':
      case 'x':
        break;  // Sendmail options Postfix accepts and ignores
      default:
        r.error = std::string("illegal option -- ") + char(::optopt);
        break;
    }
    if (!r.error.empty()) return r;
  }
  for (int i = ::optind; i < argc; ++i) o.recipients.emplace_back(argv[i]);
  return r;
}

}  // namespace postern::sendmail
