// AuthEngine: one authentication exchange from mechanism to verdict, with
// Dovecot's policy: enabled mechanisms, disable_plaintext_auth, username
// format, passdb order, failure delay and per-address penalty. Runs in the
// auth daemon (root when shadow/pam are used); no event loop: delays are
// returned to the caller, which answers later. With deferred checks on, the
// password check itself (PAM, crypt) is handed back as a PendingCheck for a
// worker thread, so a slow passdb never stalls the daemon's other clients.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/auth/passdb.hpp"
#include "lib/auth/passdb_chain.hpp"
#include "lib/auth/sasl_mech.hpp"
#include "lib/dovecot/dovecot_conf.hpp"

namespace postern::auth {

struct ExchangeInfo {
  RequestInfo request;   // service, rip, lip
  bool secured = false;  // TLS (or the client says so)
  bool no_penalty = false;
};

struct Outcome {
  enum class Kind { cont, ok, fail, pending };  // pending: Exchange::pending waits for check()
  Kind kind = Kind::fail;
  std::string challenge;  // cont: raw bytes
  std::string user;       // ok / fail (when known)
  std::string reason;     // fail: safe to show the client
  bool temp = false;      // fail: temporary (passdb unavailable)
  double delay = 0;       // answer after this many seconds (failure delay + penalty)
};

// The passdb part of an exchange, self-contained (no reference to the
// Exchange or the connection), so a worker thread can run it.
struct PendingCheck {
  std::string user;  // after auth_username_format
  MechStep step;     // verify_plain or verify_cram; the password is wiped by check()
  RequestInfo request;
};

class Exchange {
 public:
  ExchangeInfo info;
  std::string mechanism;
  std::unique_ptr<SaslMechanism> mech;
  std::unique_ptr<PendingCheck> pending;  // set with Outcome::Kind::pending
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

  // Off (the default): start()/cont() check passwords inline. On: they
  // answer Kind::pending instead; the caller runs check() on a worker and
  // then finish() on its own thread.
  void set_deferred_checks(bool on) { deferred_ = on; }
  // Runs the passdb chain. Safe to call from several threads at once: it
  // only reads the configuration (the drivers keep no shared state).
  ChainResult check(PendingCheck& job) const;
  // The verdict for a checked exchange: penalty bookkeeping, failure delay.
  Outcome finish(const Exchange& ex, const std::string& user, const ChainResult& result);

 private:
  Outcome run(Exchange& ex, MechStep step);
  Outcome failed(const Exchange& ex, std::string user, std::string reason, bool temp);
  void succeeded(const Exchange& ex);
  std::string format_user(const std::string& user) const;

  mutable std::vector<PassdbEntry> passdbs_;  // drivers' lookups are non-const but stateless
  bool deferred_ = false;
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
