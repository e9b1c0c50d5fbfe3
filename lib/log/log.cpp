// Postfix-style logging. Runs in every process.
#include "lib/log/log.hpp"

#include <fcntl.h>
#include <paths.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "lib/base/file_io.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::log {
namespace {

struct State {
  Options options;
  UniqueFd file;
  std::string hostname;
  Capture capture;
  bool syslog_open = false;
  bool syslog_listening = false;  // last probe found a listener on /dev/log
  time_t next_syslog_probe = 0;
};

State& state() {
  static State s;  // process-wide by nature (see log.hpp)
  return s;
}

std::string vformat(const char* fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  char small[512];
  int n = std::vsnprintf(small, sizeof small, fmt, copy);
  va_end(copy);
  if (n < 0) return fmt;
  if (size_t(n) < sizeof small) return std::string(small, size_t(n));
  std::string out(size_t(n) + 1, '\0');
  std::vsnprintf(out.data(), out.size(), fmt, ap);
  out.resize(size_t(n));
  return out;
}

int syslog_priority(Level level) {
  switch (level) {
    case Level::info: return LOG_INFO;
    case Level::warning: return LOG_WARNING;
    case Level::error: return LOG_ERR;
    case Level::fatal: return LOG_CRIT;
    case Level::panic: return LOG_ALERT;
  }
  return LOG_INFO;
}

// Whether anybody listens on /dev/log. While nobody does (containers,
// sandboxes), glibc's syslog() makes a socket and a failed connect for every
// line; asking here at most every few seconds spares that, and glibc keeps its
// own connection while a listener is there.
bool syslog_listening(State& s) {
  const time_t now = ::time(nullptr);
  if (now < s.next_syslog_probe) return s.syslog_listening;
  struct sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strncpy(sun.sun_path, _PATH_LOG, sizeof sun.sun_path - 1);
  bool listening = false;
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {  // as glibc: stream when datagram is the wrong type
    UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
    if (!fd) break;
    if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&sun), sizeof sun) == 0) {
      listening = true;
      break;
    }
    if (errno != EPROTOTYPE) break;
  }
  s.syslog_listening = listening;
  s.next_syslog_probe = now + (listening ? 60 : 10);
  return listening;
}

// "Nov 22 12:44:17 host postfix/smtpd[1234]: text\n": the syslog layout that
// pflogsumm and fail2ban read.
std::string file_line(const State& s, std::string_view body, const std::string& tag) {
  char stamp[32];
  time_t now = ::time(nullptr);
  struct tm tm {};
  ::localtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
  std::string line = stamp;
  line += ' ';
  line += s.hostname;
  line += ' ';
  line += tag;
  line += '[' + std::to_string(::getpid()) + "]: ";
  line += body;
  line += '\n';
  return line;
}

}  // namespace

void configure(const Options& options) {
  State& s = state();
  s.options = options;
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  s.hostname = host;
  if (auto dot = s.hostname.find('.'); dot != std::string::npos) s.hostname.resize(dot);
  s.file.reset();
  if (!options.file.empty()) {
    // O_APPEND plus one write() per line keeps lines from different processes
    // whole, so no separate log daemon is needed to serialise them.
    s.file.reset(::open(options.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  }
  if (s.syslog_open) ::closelog();
  s.syslog_open = false;
  s.next_syslog_probe = 0;
  if (options.to_syslog) {
    ::openlog(s.options.tag.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
    s.syslog_open = true;
  }
}

const std::string& tag() { return state().options.tag; }

std::string format_body(Level level, std::string_view text) {
  std::string body;
  switch (level) {
    case Level::info: break;
    case Level::warning: body = "warning: "; break;
    case Level::error: body = "error: "; break;
    case Level::fatal: body = "fatal: "; break;
    case Level::panic: body = "panic: "; break;
  }
  body += text;
  return body;
}

void write(Level level, std::string_view text) {
  State& s = state();
  std::string body = format_body(level, text);
  if (s.capture) s.capture(level, text);
  if (s.syslog_open && syslog_listening(s)) ::syslog(syslog_priority(level), "%s", body.c_str());
  if (s.file) (void)write_all(s.file.get(), file_line(s, body, s.options.tag));
  if (s.options.to_stderr) {
    const std::string& tag = s.options.stderr_tag.empty() ? s.options.tag : s.options.stderr_tag;
    std::string line = (tag.empty() ? std::string("postern") : tag) + ": " + body + "\n";
    (void)write_all(STDERR_FILENO, line);
  }
}

void write_as(std::string_view program, Level level, std::string_view text) {
  State& s = state();
  const std::string& own = s.options.tag;
  const auto slash = own.rfind('/');
  if (own.empty() || slash == std::string::npos) return write(level, text);  // commands: their own name
  const std::string tag = own.substr(0, slash + 1) + std::string(program);
  std::string body = format_body(level, text);
  if (s.capture) s.capture(level, text);
  if (s.syslog_open && syslog_listening(s)) {
    // syslog(3) takes its ident from openlog(); switch it for this line.
    ::openlog(tag.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
    ::syslog(syslog_priority(level), "%s", body.c_str());
    ::openlog(own.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
  }
  if (s.file) (void)write_all(s.file.get(), file_line(s, body, tag));
  if (s.options.to_stderr) (void)write_all(STDERR_FILENO, tag + ": " + body + "\n");
}

void set_capture(Capture capture) { state().capture = std::move(capture); }

#define POSTERN_LOG_FORWARD(level)         \
  va_list ap;                              \
  va_start(ap, fmt);                       \
  std::string text = vformat(fmt, ap);     \
  va_end(ap);                              \
  write(level, text)

void info(const char* fmt, ...) { POSTERN_LOG_FORWARD(Level::info); }
void warning(const char* fmt, ...) { POSTERN_LOG_FORWARD(Level::warning); }
void error(const char* fmt, ...) { POSTERN_LOG_FORWARD(Level::error); }

void fatal(const char* fmt, ...) {
  POSTERN_LOG_FORWARD(Level::fatal);
  std::exit(1);
}

void panic(const char* fmt, ...) {
  POSTERN_LOG_FORWARD(Level::panic);
  std::abort();
}

}  // namespace postern::log
