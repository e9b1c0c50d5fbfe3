// Postfix-style logging: "postfix/smtpd[1234]: warning: text".
//
// Lines go to syslog (facility mail), to maillog_file, and/or to stderr (for
// commands run by hand, as "postconf: warning: text"). The sinks are chosen
// once in a program's main(); logging is process-wide state by nature, like
// syslog(3) itself, and the only such state outside main().
//
// Severities keep Postfix's meanings: warning and error are reported and the
// program goes on; fatal (configuration or environment) exits with status 1;
// panic (a broken invariant) aborts for a core dump.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace postern::log {

enum class Level { info, warning, error, fatal, panic };

struct Options {
  std::string tag;           // "postfix/smtpd", or "postconf" for a command
  bool to_syslog = false;    // facility mail, ident = tag, with the pid
  std::string file;          // maillog_file; empty: none
  bool to_stderr = false;    // "tag: warning: text" on standard error
  std::string stderr_tag;    // tag for standard error lines; empty: `tag`
};

// Replaces the sinks. Safe to call again (after a reload or a fork).
void configure(const Options& options);
const std::string& tag();

// The text a line carries after "tag[pid]: ", e.g. "warning: bad thing".
std::string format_body(Level level, std::string_view text);

void info(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void fatal(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void write(Level level, std::string_view text);

// One line as another program of the suite would log it: the tag's last
// part replaced by `program` ("postfix/smtpd" -> "postfix/cleanup"), same
// pid. For work Postfix does in a separate daemon that Postern does in
// process, so log parsers find the line under the program they expect.
void write_as(std::string_view program, Level level, std::string_view text);

// Tests: every line is also handed to `capture` (nullptr to stop).
using Capture = std::function<void(Level, std::string_view text)>;
void set_capture(Capture capture);

}  // namespace postern::log
