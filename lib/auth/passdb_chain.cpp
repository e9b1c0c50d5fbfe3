// Dovecot's passdb chain rules (see the header). Runs in the auth daemon.
#include "lib/auth/passdb_chain.hpp"

namespace postern::auth {
namespace {

PassdbAction parse_action(const dovecot::Section& block, std::string_view key, PassdbAction fallback) {
  const dovecot::Setting* s = block.find(key);
  if (s == nullptr) return fallback;
  const std::string& v = s->value;
  if (v == "return-ok") return PassdbAction::return_ok;
  if (v == "return-fail") return PassdbAction::return_fail;
  if (v == "return") return PassdbAction::return_state;
  if (v == "continue") return PassdbAction::cont;
  if (v == "continue-ok") return PassdbAction::continue_ok;
  if (v == "continue-fail") return PassdbAction::continue_fail;
  throw dovecot::ConfError(s->file, s->line,
                           std::string(key) + ": unknown value " + v +
                               " (use return-ok, return-fail, return, continue, continue-ok or continue-fail)");
}

}  // namespace

PassdbEntry make_passdb_entry(const dovecot::Section& block) {
  PassdbEntry e;
  e.db = make_passdb(block);
  if (const dovecot::Setting* s = block.find("deny")) {
    if (s->value == "yes") e.deny = true;
    else if (s->value != "no") throw dovecot::ConfError(s->file, s->line, "deny: expected yes or no, not " + s->value);
  }
  if (const dovecot::Setting* s = block.find("skip")) {
    if (s->value == "never") e.skip = PassdbSkip::never;
    else if (s->value == "authenticated") e.skip = PassdbSkip::authenticated;
    else if (s->value == "unauthenticated") e.skip = PassdbSkip::unauthenticated;
    else
      throw dovecot::ConfError(s->file, s->line,
                               "skip: unknown value " + s->value + " (use never, authenticated or unauthenticated)");
  }
  e.on_success = parse_action(block, "result_success", PassdbAction::return_ok);
  e.on_failure = parse_action(block, "result_failure", PassdbAction::cont);
  e.on_internalfail = parse_action(block, "result_internalfail", PassdbAction::cont);
  return e;
}

ChainResult run_passdb_chain(std::vector<PassdbEntry>& chain, const PassdbAsk& ask,
                             const std::function<void(const Passdb&, Lookup)>& note) {
  bool authenticated = false;    // the chain's state (continue-ok / continue-fail)
  bool lookup_only = false;      // a success already vouched for the password
  Lookup last_failure = Lookup::unknown_user;
  bool mismatch = false, temp = false;
  auto verdict = [&](bool ok) {
    if (ok) return ChainResult{Lookup::ok, false};
    // A wrong password anywhere is a plain failure; only an unanswered
    // chain (internal failures and nothing else) is temporary.
    if (mismatch) return ChainResult{Lookup::mismatch, false};
    if (temp) return ChainResult{Lookup::tempfail, false};
    return ChainResult{last_failure, false};
  };
  for (auto& entry : chain) {
    if (entry.skip == PassdbSkip::authenticated && authenticated) continue;
    if (entry.skip == PassdbSkip::unauthenticated && !authenticated) continue;
    if (entry.deny) {
      // A denied-users list: found there means refused, whatever follows.
      Lookup l = ask(*entry.db, true);
      if (note) note(*entry.db, l);
      if (l == Lookup::ok) return ChainResult{Lookup::mismatch, true};
      if (l == Lookup::tempfail) return ChainResult{Lookup::tempfail, false};  // cannot tell: do not let through
      continue;
    }
    Lookup l = ask(*entry.db, lookup_only);
    if (note) note(*entry.db, l);
    PassdbAction action;
    if (l == Lookup::ok) {
      action = entry.on_success;
    } else if (l == Lookup::tempfail || l == Lookup::unsupported) {
      temp = true;
      action = entry.on_internalfail;
    } else {
      mismatch |= l == Lookup::mismatch;
      last_failure = l;
      action = entry.on_failure;
    }
    switch (action) {
      case PassdbAction::return_ok:
        // On a failed lookup (result_failure = return-ok) only an earlier
        // continue-ok can make this a success: a wrong password never does.
        return verdict(l == Lookup::ok || authenticated);
      case PassdbAction::return_fail:
        if (l == Lookup::ok) mismatch = true;  // refused by configuration
        return verdict(false);
      case PassdbAction::return_state:
        return verdict(authenticated);
      case PassdbAction::cont:
        if (l == Lookup::ok) lookup_only = true;
        break;
      case PassdbAction::continue_ok:
        authenticated = true;
        lookup_only = true;
        break;
      case PassdbAction::continue_fail:
        authenticated = false;
        if (l == Lookup::ok) mismatch = true;
        break;
    }
  }
  return verdict(authenticated);
}

}  // namespace postern::auth
