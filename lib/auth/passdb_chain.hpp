// The passdb chain with Dovecot's per-passdb settings:
//   deny = yes            a user found here is refused (a "denied users" list)
//   skip = never | authenticated | unauthenticated
//   result_success / result_failure / result_internalfail =
//       return-ok | return-fail | return | continue | continue-ok | continue-fail
// (defaults return-ok, continue, continue, as Dovecot). The state starts as
// "not authenticated"; continue-ok sets it, continue-fail clears it, and once
// it is set (or a success said `continue`) later passdbs only look the user
// up instead of checking the password. Runs in the auth daemon.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/auth/passdb.hpp"
#include "lib/dovecot/dovecot_conf.hpp"

namespace postern::auth {

enum class PassdbAction { return_ok, return_fail, return_state, cont, continue_ok, continue_fail };
enum class PassdbSkip { never, authenticated, unauthenticated };

struct PassdbEntry {
  std::unique_ptr<Passdb> db;
  bool deny = false;
  PassdbSkip skip = PassdbSkip::never;
  PassdbAction on_success = PassdbAction::return_ok;
  PassdbAction on_failure = PassdbAction::cont;
  PassdbAction on_internalfail = PassdbAction::cont;
};

// Builds the driver and reads the settings above; a bad value is a
// dovecot::ConfError naming the block's file and line.
PassdbEntry make_passdb_entry(const dovecot::Section& block);

// How one passdb answers: `lookup_only` asks whether the user exists there
// (deny passdbs, and passdbs after the state is already authenticated).
using PassdbAsk = std::function<Lookup(Passdb& db, bool lookup_only)>;

struct ChainResult {
  Lookup verdict = Lookup::unknown_user;  // ok, or why not (mismatch, unknown_user, tempfail)
  bool denied = false;                    // a deny passdb matched
};

// Runs the chain in order. `note` is told each passdb's own answer (for auth_verbose logs).
ChainResult run_passdb_chain(std::vector<PassdbEntry>& chain, const PassdbAsk& ask,
                             const std::function<void(const Passdb&, Lookup)>& note = {});

}  // namespace postern::auth
