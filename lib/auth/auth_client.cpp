// Blocking Dovecot auth protocol client. Runs in pop3d session processes,
// unprivileged; payloads (passwords) are never logged and are wiped.
#include "lib/auth/auth_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "lib/auth/auth_protocol.hpp"
#include "lib/auth/password_scheme.hpp"
#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"

namespace postern::auth {

Result<AuthClient> AuthClient::connect(const std::string& path, int timeout_seconds) {
  AuthClient c;
  c.fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!c.fd_) return sys_error("socket");
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return Error{"auth socket path too long: " + path};
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  timeval tv{timeout_seconds, 0};
  ::setsockopt(c.fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(c.fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(c.fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return sys_error("connect to auth socket " + path);
  if (auto s = c.send("VERSION\t1\t2\nCPID\t" + std::to_string(::getpid()) + "\n"); !s) return s.error();
  while (true) {
    auto line = c.read_line();
    if (!line) return line.error();
    auto f = split(*line, "\t");
    if (f.empty()) continue;
    if (f[0] == "VERSION" && (f.size() < 2 || f[1] != "1"))
      return Error{"auth server speaks an unsupported protocol version"};
    if (f[0] == "MECH" && f.size() >= 2) {
      c.mechs_.push_back(to_upper(f[1]));
      if (std::find(f.begin() + 2, f.end(), "plaintext") != f.end()) c.plaintext_.push_back(to_upper(f[1]));
    }
    if (f[0] == "DONE") break;
  }
  return c;
}

bool AuthClient::has_mechanism(const std::string& name) const {
  return std::find(mechs_.begin(), mechs_.end(), to_upper(name)) != mechs_.end();
}

bool AuthClient::is_plaintext(const std::string& name) const {
  return std::find(plaintext_.begin(), plaintext_.end(), to_upper(name)) != plaintext_.end();
}

Status AuthClient::send(const std::string& text) { return write_all(fd_.get(), text); }

Result<std::string> AuthClient::read_line() {
  while (true) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (buffer_.size() > kAuthMaxLine) return Error{"auth server sent an over-long line"};
    char buf[4096];
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read from auth server");
    if (n == 0) return Error{"auth server closed the connection"};
    buffer_.append(buf, size_t(n));
  }
}

Result<AuthReply> AuthClient::authenticate(const std::string& mechanism, const AuthParams& p,
                                           const std::optional<std::string>& initial_b64,
                                           const std::function<std::optional<std::string>(const std::string&)>& challenge) {
  std::string id = std::to_string(next_id_++);
  std::string req = "AUTH\t" + id + "\t" + mechanism + "\tservice=" + tab_escape(p.service);
  if (!p.lip.empty()) req += "\tlip=" + tab_escape(p.lip);
  if (!p.rip.empty()) req += "\trip=" + tab_escape(p.rip);
  if (p.secured) req += "\tsecured";
  if (initial_b64) req += "\tresp=" + *initial_b64;
  req += "\n";
  Status sent = send(req);
  wipe(req);
  if (!sent) return sent.error();
  while (true) {
    auto line = read_line();
    if (!line) return line.error();
    auto f = split(*line, "\t");
    if (f.size() < 2 || f[1] != id) continue;
    if (f[0] == "CONT") {
      auto answer = challenge(f.size() > 2 ? f[2] : "");
      if (!answer) {
        // Cancelled by the client: give up the request; the server times it out.
        return AuthReply{AuthReply::Kind::fail, "", "Authentication aborted by client.", false};
      }
      std::string cont = "CONT\t" + id + "\t" + *answer + "\n";
      Status s = send(cont);
      wipe(cont);
      if (!s) return s.error();
      continue;
    }
    AuthReply r;
    r.kind = f[0] == "OK" ? AuthReply::Kind::ok : AuthReply::Kind::fail;
    for (size_t i = 2; i < f.size(); ++i) {
      std::string arg = tab_unescape(f[i]);
      if (arg.starts_with("user=")) r.user = arg.substr(5);
      else if (arg.starts_with("reason=")) r.reason = arg.substr(7);
      else if (arg == "temp") r.temp = true;
    }
    return r;
  }
}

}  // namespace postern::auth
