// IMAP session after login: start-up, the command loop, dispatch, untagged
// updates and the logout line. See mail_session.hpp. Runs as the mailbox
// owner.
#include "imapd/mail_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "imapd/capabilities.hpp"
#include "lib/imap/command_args.hpp"
#include "lib/imap/flags.hpp"
#include "lib/imap/response.hpp"
#include "lib/log/log.hpp"

namespace postern::imapd {
namespace {

constexpr int kMaxBadCommands = 20;   // Dovecot's CLIENT_MAX_BAD_COMMANDS
constexpr int kSessionTimeout = 30 * 60;  // RFC 3501 5.4: at least 30 minutes

}  // namespace

MailSession::MailSession(const ImapSettings& settings, login::HandedClient& client, const login::MailUser& user)
    : s_(settings), io_(client.fd.get(), std::move(client.pending)), stream_(io_, settings.limits), user_(user) {
}

void MailSession::tagged(const Command& c, const std::string& status, const std::string& code,
                         const std::string& text) {
  send(imap::status_response(c.tag, status, code, text));
}

void MailSession::bad(const Command& c, const std::string& text) {
  tagged(c, "BAD", "", text);
  if (++bad_commands_ >= kMaxBadCommands) {
    send("* BYE Too many invalid IMAP commands.\r\n");
    done_ = true;
  }
}

void MailSession::store_error(const Command& c, const Error& e, const std::string& what) {
  switch (e.sys_errno) {
    case ENOENT: tagged(c, "NO", "NONEXISTENT", "Mailbox doesn't exist: " + what); return;
    case EEXIST: tagged(c, "NO", "ALREADYEXISTS", "Mailbox already exists: " + what); return;
    case EINVAL: tagged(c, "NO", "CANNOT", e.message.empty() ? "Invalid mailbox name." : e.message); return;
    case EPERM: tagged(c, "NO", "CANNOT", e.message.empty() ? "Not allowed." : e.message); return;
    case ENOSPC:
    case EDQUOT: tagged(c, "NO", "OVERQUOTA", "Quota exceeded (mailbox for user is full)"); return;
    default:
      log::error("imap(%s)<%d><%s>: %s: %s", user_.user.c_str(), int(::getpid()), user_.session_id.c_str(),
                 what.c_str(), e.message.c_str());
      tagged(c, "NO", "SERVERBUG", "Internal error occurred. Refer to server log for more information.");
  }
}

int MailSession::run() {
  io_.set_timeout(kSessionTimeout);
  std::string tag;
  if (io_.read_line(tag, 1024) != login::ClientIo::ReadStatus::line) return 0;
  auto fail = [&](const std::string& why) {
    log::error("imap(%s)<%d><%s>: %s", user_.user.c_str(), int(::getpid()), user_.session_id.c_str(), why.c_str());
    send(imap::status_response(tag, "NO", "UNAVAILABLE", "Temporary authentication failure."));
    return 0;
  };
  auto location = mailstore::resolve_mail_location(user_.mail_location, user_.user, user_.home, s_.login().spool_dir);
  if (!location) return fail(location.error().message);
  location_ = *location;
  auto store = mailstore::open_mail_store(location_);
  if (!store) return fail("Couldn't open the mail store: " + store.error().message);
  store_ = std::move(*store);
  if (auto st = store_->ensure_special_use(); !st)
    log::warning("imap(%s): creating the special-use folders: %s", user_.user.c_str(), st.error().message.c_str());
  send(imap::status_response(tag, "OK", "CAPABILITY " + post_login_capabilities(s_.capability), "Logged in"));
  while (!done_) {
    auto next = stream_.next();
    if (next.kind == CommandStream::Kind::closed) break;
    if (next.kind == CommandStream::Kind::error) {
      if (next.error.close) {
        send("* BYE " + next.error.text + "\r\n");
        break;
      }
      send(imap::status_response(next.error.tag, "BAD", "", next.error.text));
      if (++bad_commands_ >= kMaxBadCommands) {
        send("* BYE Too many invalid IMAP commands.\r\n");
        break;
      }
      continue;
    }
    dispatch(next.command);
  }
  if (folder_) (void)folder_->flush();
  std::string counts = "in=" + std::to_string(io_.bytes_in()) + " out=" + std::to_string(io_.bytes_out()) +
                       " deleted=" + std::to_string(counters_.deleted) +
                       " expunged=" + std::to_string(counters_.expunged) +
                       " trashed=" + std::to_string(counters_.trashed) +
                       " hdr_count=" + std::to_string(counters_.fetch_hdr) +
                       " hdr_bytes=" + std::to_string(counters_.fetch_hdr_bytes) +
                       " body_count=" + std::to_string(counters_.fetch_body) +
                       " body_bytes=" + std::to_string(counters_.fetch_body_bytes);
  log::info("imap(%s)<%d><%s>: %s %s", user_.user.c_str(), int(::getpid()), user_.session_id.c_str(),
            logged_out_ ? "Logged out" : "Disconnected: Connection closed", counts.c_str());
  return 0;
}

bool MailSession::needs_selected(const Command& c) {
  if (folder_) return true;
  bad(c, "No mailbox selected.");
  return false;
}

void MailSession::dispatch(Command& c) {
  const std::string& n = c.name;
  // Commands during which RFC 3501 7.4.1 forbids EXPUNGE responses.
  bool no_expunges = !c.uid && (n == "FETCH" || n == "STORE" || n == "SEARCH");
  if (c.uid && n != "FETCH" && n != "STORE" && n != "SEARCH" && n != "COPY" && n != "MOVE" && n != "EXPUNGE") {
    bad(c, "Error in IMAP command UID: Unknown command.");
    return;
  }
  // Changes by other sessions and deliveries are reported before each
  // command's own responses (RFC 3501 7: the client learns them in order).
  // Streams of FETCH, STORE and SEARCH may see other sessions' flag changes
  // up to a tenth of a second late (RFC 3501 5.2 lets the server choose
  // when); NOOP, CHECK, IDLE and the rest always look.
  if (folder_) folder_->set_lazy_flag_sync(n == "FETCH" || n == "STORE" || n == "SEARCH");
  if (folder_ && n != "LOGOUT" && n != "SELECT" && n != "EXAMINE" && n != "CLOSE" && n != "UNSELECT" && n != "IDLE") {
    report_changes(!no_expunges);
    if (done_) return;
  }
  if (n == "CAPABILITY") {
    send("* CAPABILITY " + post_login_capabilities(s_.capability) + "\r\n");
    tagged(c, "OK", "", "Capability completed.");
    return;
  }
  if (n == "LOGOUT") {
    send("* BYE Logging out\r\n");
    tagged(c, "OK", "", "Logout completed.");
    logged_out_ = true;
    done_ = true;
    return;
  }
  if (n == "NOOP" || n == "CHECK") {
    if (n == "CHECK" && !needs_selected(c)) return;
    if (folder_ && n == "CHECK") (void)folder_->flush();
    tagged(c, "OK", "", n == "NOOP" ? "NOOP completed." : "Check completed.");
    return;
  }
  if (n == "ID") {
    auto params = imap::parse_id(c.args);
    if (!params) return bad(c, params.error().text);
    send("* ID (\"name\" \"Postern\")\r\n");
    tagged(c, "OK", "", "ID completed.");
    return;
  }
  if (n == "ENABLE") {
    auto caps = imap::parse_enable(c.args);
    if (!caps) return bad(c, caps.error().text);
    // Nothing we offer is enabled this way yet (CONDSTORE, QRESYNC, UTF8=ACCEPT).
    send("* ENABLED\r\n");
    tagged(c, "OK", "", "Enabled.");
    return;
  }
  if (n == "STARTTLS" || n == "LOGIN" || n == "AUTHENTICATE") {
    bad(c, "Already logged in.");
    return;
  }
  if (n == "SELECT" || n == "EXAMINE") return cmd_select(c, n == "EXAMINE");
  if (n == "CREATE") return cmd_create(c);
  if (n == "DELETE") return cmd_delete(c);
  if (n == "RENAME") return cmd_rename(c);
  if (n == "SUBSCRIBE" || n == "UNSUBSCRIBE") return cmd_subscribe(c, n == "SUBSCRIBE");
  if (n == "LIST" || n == "LSUB") return cmd_list(c, n == "LSUB");
  if (n == "STATUS") return cmd_status(c);
  if (n == "APPEND") return cmd_append(c);
  if (n == "NAMESPACE") return cmd_namespace(c);
  if (n == "IDLE") return cmd_idle(c);
  bool selected_command = n == "FETCH" || n == "SEARCH" || n == "STORE" || n == "COPY" || n == "MOVE" ||
                          n == "EXPUNGE" || n == "CLOSE" || n == "UNSELECT";
  if (!selected_command) {
    bad(c, "Error in IMAP command " + n.substr(0, 40) + ": Unknown command.");
    return;
  }
  if (!needs_selected(c)) return;
  if (n == "CLOSE" || n == "UNSELECT") return cmd_close(c, n == "CLOSE");
  if (n == "FETCH") cmd_fetch(c);
  else if (n == "SEARCH") cmd_search(c);
  else if (n == "STORE") cmd_store(c);
  else if (n == "COPY" || n == "MOVE") cmd_copy(c, n == "MOVE");
  else if (n == "EXPUNGE") cmd_expunge(c);
}

std::string MailSession::flags_of(size_t index) const {
  const auto& m = folder_->messages()[index];
  return imap::format_flag_list(unsigned(m.flags) | (m.recent ? imap::flag::recent : 0u), m.keywords);
}

void MailSession::send_flags_response() {
  std::string system = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
  std::string kws;
  for (const auto& k : folder_->keywords()) kws += " " + k;
  send("* FLAGS (" + system + kws + ")\r\n");
  if (folder_->read_only())
    send("* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n");
  else
    send("* OK [PERMANENTFLAGS (" + system + kws + (folder_->keyword_room() > 0 ? " \\*" : "") +
         ")] Flags permitted.\r\n");
}

void MailSession::report_changes(bool allow_expunges) {
  auto changes = folder_->refresh(allow_expunges);
  if (!changes) {
    log::warning("imap(%s): refreshing %s: %s", user_.user.c_str(), folder_->name().c_str(),
                 changes.error().message.c_str());
    return;
  }
  if (changes->uidvalidity_changed) {
    send("* BYE Mailbox UIDVALIDITY changed\r\n");
    done_ = true;
    return;
  }
  std::string out;
  for (const auto& e : changes->expunged) out += "* " + std::to_string(e.seq) + " EXPUNGE\r\n";
  if (changes->keywords_changed) {
    send(out);
    out.clear();
    send_flags_response();
  }
  if (changes->new_count != changes->old_count) {
    size_t recent = 0;
    for (const auto& m : folder_->messages()) recent += m.recent;
    out += "* " + std::to_string(changes->new_count) + " EXISTS\r\n* " + std::to_string(recent) + " RECENT\r\n";
  }
  for (size_t i : changes->flags_changed)
    if (i < folder_->messages().size())
      out += "* " + std::to_string(i + 1) + " FETCH (UID " + std::to_string(folder_->messages()[i].uid) +
             " FLAGS " + flags_of(i) + ")\r\n";
  if (!out.empty()) send(out);
}

std::optional<std::vector<size_t>> MailSession::resolve(const Command& c, const imap::SequenceSet& set, bool uid) {
  const auto& msgs = folder_->messages();
  std::vector<size_t> out;
  if (set.saved()) {
    bad(c, "Saved search results ($) are not supported.");
    return std::nullopt;
  }
  if (!uid) {
    if (set.max_written() > msgs.size()) {
      bad(c, "Error in IMAP command " + c.name + ": Invalid messageset");
      return std::nullopt;
    }
    for (const auto& r : set.resolve(uint32_t(msgs.size())))
      for (uint64_t n = r.first; n <= r.last && n <= msgs.size(); ++n) out.push_back(size_t(n - 1));
    return out;
  }
  uint32_t star = msgs.empty() ? 0 : msgs.back().uid;
  for (const auto& r : set.resolve(star)) {
    auto it = std::lower_bound(msgs.begin(), msgs.end(), r.first,
                               [](const mailstore::MessageMeta& m, uint32_t v) { return m.uid < v; });
    for (; it != msgs.end() && it->uid <= r.last; ++it) out.push_back(size_t(it - msgs.begin()));
  }
  return out;
}

}  // namespace postern::imapd
