// Dovecot auth protocol, server side, as a line-in/replies-out state machine.
// Runs in the auth daemon; never logs payloads (they carry passwords).
#include "lib/auth/auth_protocol.hpp"

#include "lib/auth/net_match.hpp"
#include "lib/auth/sasl_codec.hpp"
#include "lib/base/strings.hpp"

namespace postern::auth {
namespace {

constexpr size_t kMaxPending = 64;

std::vector<std::string> split_tabs(std::string_view line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t t = line.find('\t', start);
    out.emplace_back(line.substr(start, t == std::string_view::npos ? std::string_view::npos : t - start));
    if (t == std::string_view::npos) break;
    start = t + 1;
  }
  return out;
}

}  // namespace

std::string tab_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\001': out += "\0011"; break;
      case '\t': out += "\001t"; break;
      case '\r': out += "\001r"; break;
      case '\n': out += "\001n"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string tab_unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\001' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    out.push_back(c == '1' ? '\001' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'n' ? '\n' : c);
  }
  return out;
}

AuthServerConnection::AuthServerConnection(AuthEngine& engine, long server_pid, unsigned connection_id,
                                           std::string cookie)
    : engine_(engine), server_pid_(server_pid), connection_id_(connection_id), cookie_(std::move(cookie)) {}

std::string AuthServerConnection::handshake() const {
  std::string out = "VERSION\t1\t2\n";
  for (const auto& m : engine_.mechanisms()) out += "MECH\t" + m.name + "\t" + m.flags + "\n";
  out += "SPID\t" + std::to_string(server_pid_) + "\n";
  out += "CUID\t" + std::to_string(connection_id_) + "\n";
  out += "COOKIE\t" + cookie_ + "\n";
  out += "DONE\n";
  return out;
}

std::vector<AuthServerConnection::Reply> AuthServerConnection::handle_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto f = split_tabs(line);
  if (!got_version_) {
    if (f.size() < 2 || f[0] != "VERSION" || f[1] != "1") {
      error_ = "authentication client speaks an unsupported protocol version";
      return {};
    }
    got_version_ = true;
    return {};
  }
  if (f[0] == "CPID") return {};
  if (f[0] == "AUTH") return auth(f);
  if (f[0] == "CONT") return cont(f);
  error_ = "unexpected command from client: " + f[0].substr(0, 32);
  return {};
}

std::vector<AuthServerConnection::Reply> AuthServerConnection::auth(const std::vector<std::string>& f) {
  if (f.size() < 3 || f[1].empty() || !parse_long(f[1])) {
    error_ = "AUTH: broken request";
    return {};
  }
  const std::string& id = f[1];
  if (pending_.count(id) || checking_.count(id) || pending_.size() + checking_.size() >= kMaxPending) {
    error_ = "AUTH: duplicate request id or too many requests";
    return {};
  }
  Exchange ex;
  std::optional<std::string> initial;
  for (size_t i = 3; i < f.size(); ++i) {
    std::string arg = tab_unescape(f[i]);
    auto eq = arg.find('=');
    std::string key = arg.substr(0, eq), value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (key == "service") ex.info.request.service = value;
    else if (key == "rip") ex.info.request.rip = value;
    else if (key == "lip") ex.info.request.lip = value;
    else if (key == "secured") ex.info.secured = true;
    else if (key == "no-penalty") ex.info.no_penalty = true;
    else if (key == "resp") {
      auto decoded = base64_decode(value);
      if (!decoded) return {reply_for(id, ex, Outcome{Outcome::Kind::fail, "", "", "Invalid base64 data", false, 0})};
      initial = std::move(*decoded);
    }
  }
  Outcome o = engine_.start(ex, f[2], initial);
  if (initial) wipe(*initial);
  return {reply_for(id, ex, o)};
}

std::vector<AuthServerConnection::Reply> AuthServerConnection::cont(const std::vector<std::string>& f) {
  if (f.size() < 3) {
    error_ = "CONT: broken request";
    return {};
  }
  auto it = pending_.find(f[1]);
  if (it == pending_.end()) {
    // Dovecot answers a CONT for an unknown id with a FAIL (it may have timed out).
    return {Reply{0, "FAIL\t" + tab_escape(f[1]) + "\treason=Authentication request timed out\n"}};
  }
  Exchange ex = std::move(it->second);
  pending_.erase(it);
  auto decoded = base64_decode(f[2]);
  if (!decoded) return {reply_for(f[1], ex, Outcome{Outcome::Kind::fail, "", "", "Invalid base64 data", false, 0})};
  Outcome o = engine_.cont(ex, *decoded);
  wipe(*decoded);
  return {reply_for(f[1], ex, o)};
}

AuthServerConnection::Reply AuthServerConnection::reply_for(const std::string& id, Exchange& ex, const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::cont:
      pending_.emplace(id, std::move(ex));
      return {0, "CONT\t" + id + "\t" + base64_encode(o.challenge) + "\n"};
    case Outcome::Kind::ok:
      return {0, "OK\t" + id + "\tuser=" + tab_escape(o.user) + "\n"};
    case Outcome::Kind::pending: {
      std::string user = ex.pending->user;
      jobs_.push_back({id, std::move(ex.pending)});
      checking_.emplace(id, Checking{std::move(ex), std::move(user)});
      return {0, ""};  // the answer comes with complete()
    }
    case Outcome::Kind::fail:
      break;
  }
  std::string line = "FAIL\t" + id;
  if (!o.user.empty()) line += "\tuser=" + tab_escape(o.user);
  if (o.temp) line += "\ttemp";
  if (!o.reason.empty()) line += "\treason=" + tab_escape(o.reason);
  // Without the penalty the engine computed, a failure still waits at least as long.
  return {o.delay, line + "\n"};
}

std::vector<AuthServerConnection::Reply> AuthServerConnection::complete(const std::string& id,
                                                                       const ChainResult& result) {
  auto it = checking_.find(id);
  if (it == checking_.end()) return {};
  Checking c = std::move(it->second);
  checking_.erase(it);
  Outcome o = engine_.finish(c.ex, c.user, result);
  return {reply_for(id, c.ex, o)};
}

}  // namespace postern::auth
