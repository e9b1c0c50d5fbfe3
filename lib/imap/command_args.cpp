// Argument grammars of STORE, APPEND, STATUS, COPY/MOVE, SELECT, RENAME,
// LOGIN, AUTHENTICATE, ENABLE, ID and UID EXPUNGE.
#include "lib/imap/command_args.hpp"

#include "lib/base/strings.hpp"
#include "lib/imap/date_time.hpp"
#include "lib/imap/mutf7.hpp"

namespace postern::imap {

namespace {

Parsed<SequenceSet> set_arg(const Arg& arg, bool allow_saved) {
  if (!arg.is_atom()) return syntax_error("Expected a sequence set, got " + describe(arg));
  return SequenceSet::parse(arg.text, allow_saved);
}

}  // namespace

std::optional<ParseError> expect_arity(Args args, size_t n, std::string_view usage) {
  if (args.size() == n) return std::nullopt;
  return syntax_error(std::string(args.size() < n ? "Missing arguments" : "Too many arguments") +
                      ", expected: " + std::string(usage));
}

Parsed<std::string> parse_mailbox(const Arg& arg) {
  auto name = arg.astring();
  if (!name) return syntax_error("Expected a mailbox name, got a list");
  return mailbox_from_wire(*name);
}

Parsed<StoreRequest> parse_store(Args args, const StoreOptions& options) {
  if (args.size() < 3) return syntax_error("Missing arguments, expected: STORE sequence-set [+|-]FLAGS[.SILENT] flags");
  StoreRequest out;
  auto set = set_arg(args[0], options.searchres);
  if (!set) return set.error();
  out.set = std::move(*set);
  size_t pos = 1;
  if (args[pos].is_list()) {
    // RFC 7162 store modifiers: (UNCHANGEDSINCE n)
    const Arg& mods = args[pos];
    if (!options.condstore || mods.items.size() != 2 || !mods.items[0].is_atom("UNCHANGEDSINCE") ||
        !mods.items[1].number64())
      return syntax_error("STORE: unknown modifier list");
    out.unchanged_since = *mods.items[1].number64();
    ++pos;
  }
  if (pos + 1 >= args.size()) return syntax_error("STORE needs a data item and flags");
  if (!args[pos].is_atom()) return syntax_error("STORE: invalid data item " + describe(args[pos]));
  std::string item = to_upper(args[pos].text);
  if (!item.empty() && (item[0] == '+' || item[0] == '-')) {
    out.mode = item[0] == '+' ? StoreRequest::Mode::add : StoreRequest::Mode::remove;
    item.erase(0, 1);
  }
  if (item == "FLAGS.SILENT") {
    out.silent = true;
  } else if (item != "FLAGS") {
    return syntax_error("STORE: invalid data item " + shown(args[pos].text) + " (expected [+|-]FLAGS[.SILENT])");
  }
  auto flags = parse_store_flags(args.subspan(pos + 1));
  if (!flags) return flags.error();
  out.flags = std::move(*flags);
  return out;
}

Parsed<AppendRequest> parse_append(std::vector<Arg>&& args) {
  const char* usage = "APPEND mailbox [(flags)] [\"date-time\"] {size}";
  if (args.size() < 2) return syntax_error(std::string("Missing arguments, expected: ") + usage);
  if (args.size() > 4) return syntax_error(std::string("Too many arguments, expected: ") + usage);
  AppendRequest out;
  auto mailbox = parse_mailbox(args[0]);
  if (!mailbox) return mailbox.error();
  out.mailbox = std::move(*mailbox);
  size_t pos = 1;
  if (pos < args.size() - 1 && args[pos].is_list()) {
    auto flags = parse_flag_list(args[pos]);
    if (!flags) return flags.error();
    out.flags = std::move(*flags);
    ++pos;
  }
  if (pos < args.size() - 1) {
    if (!args[pos].is_string() || args[pos].literal)
      return syntax_error("APPEND: expected a quoted date-time, got " + describe(args[pos]));
    auto when = parse_date_time(args[pos].text);
    if (!when) return syntax_error("APPEND: invalid date-time \"" + shown(args[pos].text) + "\"");
    out.internal_date = *when;
    ++pos;
  }
  if (pos != args.size() - 1) return syntax_error(std::string("Invalid arguments, expected: ") + usage);
  if (!args[pos].is_string()) return syntax_error("APPEND: the message must be a literal");
  out.message = std::move(args[pos].text);
  return out;
}

Parsed<StatusRequest> parse_status(Args args, const StatusOptions& options) {
  if (auto error = expect_arity(args, 2, "STATUS mailbox (items)")) return *error;
  StatusRequest out;
  auto mailbox = parse_mailbox(args[0]);
  if (!mailbox) return mailbox.error();
  out.mailbox = std::move(*mailbox);
  auto items = parse_status_items(args[1], options);
  if (!items) return items.error();
  out.items = std::move(*items);
  return out;
}

Parsed<CopyRequest> parse_copy(Args args, bool allow_saved) {
  if (auto error = expect_arity(args, 2, "sequence-set mailbox")) return *error;
  CopyRequest out;
  auto set = set_arg(args[0], allow_saved);
  if (!set) return set.error();
  out.set = std::move(*set);
  auto mailbox = parse_mailbox(args[1]);
  if (!mailbox) return mailbox.error();
  out.mailbox = std::move(*mailbox);
  return out;
}

Parsed<SelectRequest> parse_select(Args args) {
  if (args.empty() || args.size() > 2) return syntax_error("Expected: mailbox [(CONDSTORE)]");
  SelectRequest out;
  auto mailbox = parse_mailbox(args[0]);
  if (!mailbox) return mailbox.error();
  out.mailbox = std::move(*mailbox);
  if (args.size() == 2) {
    if (!args[1].is_list()) return syntax_error("Invalid SELECT parameters " + describe(args[1]));
    for (const auto& p : args[1].items) {
      if (!p.is_atom("CONDSTORE")) return syntax_error("Unknown SELECT parameter " + describe(p));
      out.condstore = true;
    }
  }
  return out;
}

Parsed<std::pair<std::string, std::string>> parse_rename(Args args) {
  if (auto error = expect_arity(args, 2, "RENAME old-name new-name")) return *error;
  auto from = parse_mailbox(args[0]);
  if (!from) return from.error();
  auto to = parse_mailbox(args[1]);
  if (!to) return to.error();
  return std::pair{std::move(*from), std::move(*to)};
}

Parsed<LoginRequest> parse_login(Args args) {
  if (auto error = expect_arity(args, 2, "LOGIN user password")) return *error;
  auto user = args[0].astring();
  auto pass = args[1].astring();
  if (!user || !pass) return syntax_error("LOGIN: user and password must be strings");
  return LoginRequest{std::string(*user), std::string(*pass)};
}

Parsed<AuthenticateRequest> parse_authenticate(Args args) {
  if (args.empty() || args.size() > 2) return syntax_error("Expected: AUTHENTICATE mechanism [initial-response]");
  if (!args[0].is_atom()) return syntax_error("AUTHENTICATE: invalid mechanism name");
  AuthenticateRequest out;
  out.mechanism = to_upper(args[0].text);
  if (args.size() == 2) {
    if (!args[1].is_atom()) return syntax_error("AUTHENTICATE: the initial response must be base64 or =");
    const std::string& ir = args[1].text;
    if (ir == "=") {
      out.initial_response = std::string();
    } else {
      for (char c : ir) {
        bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                   c == '/' || c == '=';
        if (!b64) return syntax_error("AUTHENTICATE: the initial response is not base64");
      }
      out.initial_response = ir;
    }
  }
  return out;
}

Parsed<std::vector<std::string>> parse_enable(Args args) {
  if (args.empty()) return syntax_error("ENABLE needs at least one capability");
  std::vector<std::string> out;
  for (const auto& a : args) {
    if (!a.is_atom()) return syntax_error("ENABLE: invalid capability " + describe(a));
    out.push_back(to_upper(a.text));
  }
  return out;
}

Parsed<IdParams> parse_id(Args args) {
  if (auto error = expect_arity(args, 1, "ID NIL | (\"field\" \"value\" ...)")) return *error;
  IdParams out;
  if (args[0].is_nil()) return out;
  if (!args[0].is_list()) return syntax_error("ID: expected NIL or a list");
  const auto& items = args[0].items;
  if (items.size() % 2 != 0) return syntax_error("ID: fields and values must come in pairs");
  if (items.size() > 60) return syntax_error("ID: more than 30 field-value pairs");
  for (size_t i = 0; i < items.size(); i += 2) {
    if (!items[i].is_string()) return syntax_error("ID: field names must be strings");
    if (items[i].text.size() > 30) return syntax_error("ID: field name longer than 30 octets");
    std::optional<std::string> value;
    if (!items[i + 1].is_nil()) {
      if (!items[i + 1].is_string()) return syntax_error("ID: values must be strings or NIL");
      if (items[i + 1].text.size() > 1024) return syntax_error("ID: value longer than 1024 octets");
      value = items[i + 1].text;
    }
    out.emplace_back(items[i].text, std::move(value));
  }
  return out;
}

Parsed<SequenceSet> parse_uid_expunge(Args args) {
  if (auto error = expect_arity(args, 1, "UID EXPUNGE sequence-set")) return *error;
  return set_arg(args[0], false);
}

}  // namespace postern::imap
