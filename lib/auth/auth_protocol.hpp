// Server side of the Dovecot auth client protocol (what Postfix's smtpd with
// smtpd_sasl_type = dovecot, and Postern's pop3d, speak on the auth socket):
// handshake VERSION/MECH/SPID/CUID/COOKIE/DONE, then AUTH/CONT requests and
// OK/CONT/FAIL replies, base64 payloads, tab-separated, escaped fields.
// One object per connection; no I/O: the auth daemon feeds lines and sends
// what comes back, after each reply's delay.
#pragma once

#include <map>
#include <memory>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "lib/auth/auth_engine.hpp"

namespace postern::auth {

inline constexpr size_t kAuthMaxLine = 16384;

// Dovecot's tab escaping: \001 -> \0011, \t -> \001t, \r -> \001r, \n -> \001n.
std::string tab_escape(std::string_view s);
std::string tab_unescape(std::string_view s);

class AuthServerConnection {
 public:
  AuthServerConnection(AuthEngine& engine, long server_pid, unsigned connection_id, std::string cookie);

  // What the server says first, before the client says anything.
  std::string handshake() const;

  struct Reply {
    double delay = 0;  // seconds to wait before sending (failure delay)
    std::string text;  // one or more lines, each ending in '\n'
  };
  // Handles one line (without its '\n'). A protocol violation sets
  // broken(): the daemon logs it and closes the connection.
  std::vector<Reply> handle_line(std::string_view line);
  bool broken() const { return !error_.empty(); }

  // With the engine's deferred checks on: the password checks the last
  // handle_line() calls started, for the daemon's workers. Each request
  // waits (no reply yet) until complete() brings its result.
  struct Job {
    std::string id;
    std::unique_ptr<PendingCheck> check;
  };
  std::vector<Job> take_jobs() { return std::exchange(jobs_, {}); }
  // The reply for a checked request; empty when the id is unknown.
  std::vector<Reply> complete(const std::string& id, const ChainResult& result);
  const std::string& error() const { return error_; }

 private:
  std::vector<Reply> auth(const std::vector<std::string>& f);
  std::vector<Reply> cont(const std::vector<std::string>& f);
  Reply reply_for(const std::string& id, Exchange& ex, const Outcome& o);

  AuthEngine& engine_;
  long server_pid_;
  unsigned connection_id_;
  std::string cookie_;
  bool got_version_ = false;
  std::map<std::string, Exchange> pending_;   // by request id: waiting for the client (CONT)
  struct Checking {
    Exchange ex;
    std::string user;
  };
  std::map<std::string, Checking> checking_;  // by request id: waiting for a worker
  std::vector<Job> jobs_;
  std::string error_;
};

}  // namespace postern::auth
