// Authentication policy and passdb dispatch for one exchange. Runs in the
// auth daemon; secrets are wiped as soon as they are checked and never logged.
#include "lib/auth/auth_engine.hpp"

#include <openssl/crypto.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "lib/auth/net_match.hpp"
#include "lib/auth/vars.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"

namespace postern::auth {
namespace {

constexpr double kMaxPenaltySeconds = 15;
constexpr size_t kMaxPenaltyEntries = 10000;
constexpr auto kPenaltyExpiry = std::chrono::hours(1);

}  // namespace

AuthEngine::AuthEngine(const dovecot::DovecotConf& conf) {
  for (const dovecot::Section* block : conf.root().children("passdb")) passdbs_.push_back(make_passdb_entry(*block));
  for (const auto& m : split_list(conf.get("auth_mechanisms"))) {
    std::string name = to_upper(m);
    if (!make_mechanism(name, "")) {
      log::warning("auth_mechanisms: %s is not supported; not offered", name.c_str());
      continue;
    }
    if (std::any_of(mechs_.begin(), mechs_.end(), [&](const MechInfo& x) { return x.name == name; })) continue;
    mechs_.push_back({name, is_plaintext_mechanism(name) ? "plaintext" : "dictionary\tactive"});
  }
  hostname_ = conf.get("hostname");
  if (hostname_.empty()) {
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    hostname_ = host;
  }
  username_format_ = conf.get("auth_username_format");
  username_chars_ = conf.get("auth_username_chars");
  trusted_networks_ = conf.get("login_trusted_networks");
  disable_plaintext_ = conf.get_bool("disable_plaintext_auth");
  verbose_ = conf.get_bool("auth_verbose");
  failure_delay_ = double(conf.get_seconds("auth_failure_delay"));
}

std::string AuthEngine::format_user(const std::string& user) const {
  return expand_vars(username_format_, Vars{user, "", "", "", ""});
}

Outcome AuthEngine::start(Exchange& ex, const std::string& mechanism, const std::optional<std::string>& initial) {
  std::string name = to_upper(mechanism);
  ex.mechanism = name;
  if (std::none_of(mechs_.begin(), mechs_.end(), [&](const MechInfo& m) { return m.name == name; }))
    return failed(ex, "", "Unsupported authentication mechanism", false);
  if (is_plaintext_mechanism(name) && disable_plaintext_ && !ex.info.secured &&
      !is_loopback(ex.info.request.rip) && !ip_in_networks(ex.info.request.rip, trusted_networks_))
    return failed(ex, "", "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", false);
  ex.mech = make_mechanism(name, hostname_);
  return run(ex, ex.mech->start(initial));
}

Outcome AuthEngine::cont(Exchange& ex, const std::string& response) {
  if (!ex.mech) return failed(ex, "", "Unexpected continuation", false);
  return run(ex, ex.mech->step(response));
}

Outcome AuthEngine::run(Exchange& ex, MechStep step) {
  using Kind = MechStep::Kind;
  if (step.kind == Kind::challenge) {
    Outcome o;
    o.kind = Outcome::Kind::cont;
    o.challenge = std::move(step.challenge);
    return o;
  }
  if (step.kind == Kind::fail) return failed(ex, "", step.reason, false);
  // Names with other characters never reach a passdb (PAM, files): a failure like any other.
  if (!username_chars_.empty() && step.user.find_first_not_of(username_chars_) != std::string::npos) {
    wipe(step.password);
    if (verbose_) log::info("auth: invalid username from %s", ex.info.request.rip.c_str());
    return failed(ex, "", "", false);
  }
  auto job = std::make_unique<PendingCheck>();
  job->user = format_user(step.user);
  job->step = std::move(step);
  job->request = ex.info.request;
  if (deferred_) {
    ex.pending = std::move(job);
    Outcome o;
    o.kind = Outcome::Kind::pending;
    return o;
  }
  ChainResult result = check(*job);
  return finish(ex, job->user, result);
}

ChainResult AuthEngine::check(PendingCheck& job) const {
  using Kind = MechStep::Kind;
  MechStep& step = job.step;
  const std::string& user = job.user;
  auto ask = [&](Passdb& db, bool lookup_only) -> Lookup {
    if (lookup_only) {
      // The user only has to exist here; pam and shadow cannot say that
      // without a password, so they check the one given.
      StoredPassword stored;
      Lookup l = db.credentials(user, job.request, stored);
      wipe(stored.data);
      if (l != Lookup::unsupported) return l;
      if (step.kind != Kind::verify_plain) return Lookup::tempfail;
      return db.verify_plain(user, step.password, job.request);
    }
    if (step.kind == Kind::verify_plain) return db.verify_plain(user, step.password, job.request);
    StoredPassword stored;
    Lookup l = db.credentials(user, job.request, stored);
    if (l != Lookup::ok) return l;
    std::string context = stored.scheme == "CRAM-MD5" ? to_lower(stored.data)
                          : (stored.scheme == "PLAIN" || stored.scheme == "CLEARTEXT") ? cram_md5_context(stored.data)
                                                                                         : std::string();
    wipe(stored.data);
    auto expected = context.empty() ? std::nullopt : cram_md5_response_from_context(context, step.cram_challenge);
    wipe(context);
    if (expected && expected->size() == step.cram_response.size() &&
        CRYPTO_memcmp(expected->data(), step.cram_response.data(), expected->size()) == 0)
      return Lookup::ok;
    return Lookup::mismatch;
  };
  auto note = [&](const Passdb& db, Lookup l) {
    if (verbose_ && l == Lookup::mismatch)
      log::info("auth: %s(%s,%s): Password mismatch", db.name().c_str(), user.c_str(), job.request.rip.c_str());
    if (verbose_ && l == Lookup::unknown_user)
      log::info("auth: %s(%s,%s): unknown user", db.name().c_str(), user.c_str(), job.request.rip.c_str());
  };
  ChainResult result = run_passdb_chain(passdbs_, ask, note);
  wipe(step.password);
  if (result.denied && verbose_) log::info("auth: %s: user is in a deny passdb", user.c_str());
  return result;
}

Outcome AuthEngine::finish(const Exchange& ex, const std::string& user, const ChainResult& result) {
  if (result.verdict == Lookup::ok) {
    succeeded(ex);
    Outcome o;
    o.kind = Outcome::Kind::ok;
    o.user = user;
    return o;
  }
  if (result.verdict == Lookup::tempfail) return failed(ex, user, "Temporary authentication failure.", true);
  return failed(ex, user, "", false);
}

Outcome AuthEngine::failed(const Exchange& ex, std::string user, std::string reason, bool temp) {
  Outcome o;
  o.kind = Outcome::Kind::fail;
  o.user = std::move(user);
  o.reason = std::move(reason);
  o.temp = temp;
  o.delay = temp ? 0 : failure_delay_;
  const std::string& rip = ex.info.request.rip;
  if (temp || ex.info.no_penalty || rip.empty()) return o;
  auto now = std::chrono::steady_clock::now();
  if (penalties_.size() >= kMaxPenaltyEntries) {
    for (auto it = penalties_.begin(); it != penalties_.end();)
      it = now - it->second.last > kPenaltyExpiry ? penalties_.erase(it) : std::next(it);
    if (penalties_.size() >= kMaxPenaltyEntries) penalties_.erase(penalties_.begin());
  }
  Penalty& p = penalties_[rip];
  if (now - p.last > kPenaltyExpiry) p.failures = 0;
  ++p.failures;
  p.last = now;
  o.delay = penalty_for(rip);
  return o;
}

void AuthEngine::succeeded(const Exchange& ex) { penalties_.erase(ex.info.request.rip); }

double AuthEngine::penalty_for(const std::string& rip) const {
  auto it = penalties_.find(rip);
  if (it == penalties_.end() || it->second.failures == 0) return failure_delay_;
  // Doubles with each failure in a row: 2, 4, 8, 15 s with the default delay.
  double d = failure_delay_ * std::pow(2.0, std::min(it->second.failures - 1, 10));
  return std::min(std::max(d, failure_delay_), std::max(kMaxPenaltySeconds, failure_delay_));
}

}  // namespace postern::auth
