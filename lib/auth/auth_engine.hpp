// AuthEngine: one authentication exchange from mechanism to verdict, with
// Dovecot's policy: enabled mechanisms, disable_plaintext_auth, username
// format, passdb order, failure delay and per-address penalty. Runs in the
// auth daemon (root when shadow/pam are used); no event loop: delays are
// returned to the caller, which answers later.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/auth/passdb.hpp"
#include "lib/auth/sasl_mech.hpp"
#include "lib/dovecot/dovecot_conf.hpp"

namespace postern::auth {

struct ExchangeInfo {
  RequestInfo request;   // service, rip, lip
  bool secured = false;  // TLS (or the client says so)
  bool no_penalty = false;
};

struct Outcome {
  enum class Kind { cont, ok, fail };
  Kind kind = Kind::fail;
  std::string challenge;  // cont: raw bytes
  std::string user;       // ok / fail (when known)
  std::string reason;     // fail: safe to show the client
  bool temp = false;      // fail: temporary (passdb unavailable)
  double delay = 0;       // answer after this many seconds (failure delay + penalty)
};

class Exchange {
 public:
  ExchangeInfo info;
  std::string mechanism;
  std::unique_ptr<SaslMechanism> mech;
};

class AuthEngine {
 public:
  // Builds the passdbs; throws dovecot::ConfError on a bad block.
  explicit AuthEngine(const dovecot::DovecotConf& conf);

  // Mechanisms as announced (upper case) with Dovecot's MECH flags.
  struct MechInfo {
    std::string name;
    std::string flags;  // "plaintext", "dictionary active"
  };
  const std::vector<MechInfo>& mechanisms() const { return mechs_; }

  Outcome start(Exchange& ex, const std::string& mechanism, const std::optional<std::string>& initial);
  Outcome cont(Exchange& ex, const std::string& response);

  // Seconds of penalty an address has earned now (tests, logs).
  double penalty_for(const std::string& rip) const;

 private:
  Outcome run(Exchange& ex, MechStep step);
  Outcome failed(const Exchange& ex, std::string user, std::string reason, bool temp);
  void succeeded(const Exchange& ex);
  std::string format_user(const std::string& user) const;

  std::vector<std::unique_ptr<Passdb>> passdbs_;
  std::vector<MechInfo> mechs_;
  std::string hostname_;
  std::string username_format_;
  std::string username_chars_;  // auth_username_chars; empty: anything
  std::string trusted_networks_;
  bool disable_plaintext_ = true;
  bool verbose_ = false;
  double failure_delay_ = 2;
  struct Penalty {
    int failures = 0;
    std::chrono::steady_clock::time_point last;
  };
  std::map<std::string, Penalty> penalties_;
};

}  // namespace postern::auth
