// Argument grammars of the IMAP commands that need more than "one mailbox":
// STORE, APPEND, STATUS, COPY/MOVE, SELECT/EXAMINE, AUTHENTICATE (SASL-IR),
// LOGIN, ENABLE, ID, UID EXPUNGE, RENAME. Each takes the Args after the
// command name and returns a typed request or the BAD text. Mailbox names
// are decoded from mUTF-7 to UTF-8 (INBOX in any case becomes "INBOX").
// FETCH, SEARCH and LIST have their own headers. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lib/imap/command.hpp"
#include "lib/imap/flags.hpp"
#include "lib/imap/parse_result.hpp"
#include "lib/imap/sequence_set.hpp"
#include "lib/imap/status_items.hpp"

namespace postern::imap {

// Exactly `n` arguments, or the BAD text "<NAME> expects ...".
std::optional<ParseError> expect_arity(Args args, size_t n, std::string_view usage);

// One mailbox argument (astring) decoded to UTF-8.
Parsed<std::string> parse_mailbox(const Arg& arg);

struct StoreRequest {
  SequenceSet set;
  enum class Mode { replace, add, remove } mode = Mode::replace;  // FLAGS, +FLAGS, -FLAGS
  bool silent = false;                                            // .SILENT
  FlagList flags;
  std::optional<uint64_t> unchanged_since;  // RFC 7162 (room only: needs StoreOptions::condstore)
};
struct StoreOptions {
  bool condstore = false;
  bool searchres = false;  // "$" as the set
};
// STORE seq [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags
Parsed<StoreRequest> parse_store(Args args, const StoreOptions& options = {});

struct AppendRequest {
  std::string mailbox;                  // UTF-8
  FlagList flags;
  std::optional<int64_t> internal_date;  // unix seconds from the date-time argument
  std::string message;                   // moved out of the literal
};
// APPEND mailbox [(flags)] ["date-time"] literal. Moves the message out of
// `args` to avoid copying a large literal.
Parsed<AppendRequest> parse_append(std::vector<Arg>&& args);

struct StatusRequest {
  std::string mailbox;
  StatusItems items;
};
Parsed<StatusRequest> parse_status(Args args, const StatusOptions& options = {});

// COPY/MOVE seq mailbox (UID variants alike).
struct CopyRequest {
  SequenceSet set;
  std::string mailbox;
};
Parsed<CopyRequest> parse_copy(Args args, bool allow_saved = false);

// SELECT/EXAMINE mailbox [(CONDSTORE)] — the parameter list is room for RFC 7162.
struct SelectRequest {
  std::string mailbox;
  bool condstore = false;
};
Parsed<SelectRequest> parse_select(Args args);

// RENAME old new
Parsed<std::pair<std::string, std::string>> parse_rename(Args args);

// LOGIN user password (astrings; kept byte for byte).
struct LoginRequest {
  std::string user;
  std::string password;
};
Parsed<LoginRequest> parse_login(Args args);

// AUTHENTICATE mechanism [initial-response] (RFC 4959 SASL-IR): "=" is an
// empty initial response; the response is base64 text, not decoded here.
struct AuthenticateRequest {
  std::string mechanism;                        // upper case
  std::optional<std::string> initial_response;  // base64 text; "" for "="
};
Parsed<AuthenticateRequest> parse_authenticate(Args args);

// ENABLE cap... (RFC 5161): capability names, upper case.
Parsed<std::vector<std::string>> parse_enable(Args args);

// ID NIL | ("field" "value"/NIL ...) (RFC 2971): at most 30 pairs, fields up
// to 30 octets, values up to 1024; nullopt values were NIL.
using IdParams = std::vector<std::pair<std::string, std::optional<std::string>>>;
Parsed<IdParams> parse_id(Args args);

// UID EXPUNGE seq (RFC 4315)
Parsed<SequenceSet> parse_uid_expunge(Args args);

}  // namespace postern::imap
