// POP3 transaction state: STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP and
// QUIT (the only place messages are deleted). Runs in a pop3d session
// process as the mailbox owner.
#include <unistd.h>

#include "lib/log/log.hpp"
#include "lib/mailstore/uidl.hpp"
#include "lib/pop3/uidl_format.hpp"
#include "pop3d/session.hpp"

namespace postern::pop3d {

void Session::transaction(const pop3::Command& c) {
  const std::string& k = c.keyword;
  if (k == "STAT") cmd_stat();
  else if (k == "LIST") cmd_list(c, false);
  else if (k == "UIDL") cmd_list(c, true);
  else if (k == "RETR") cmd_retr(c, false);
  else if (k == "TOP") cmd_retr(c, true);
  else if (k == "DELE") cmd_dele(c);
  else if (k == "RSET") cmd_rset();
  else if (k == "USER" || k == "PASS" || k == "AUTH" || k == "STLS") send(pop3::err("Already logged in."));
  else send(pop3::err("Unknown command."));
}

std::optional<size_t> Session::message_arg(const std::string& arg) {
  auto n = pop3::parse_number(arg);
  if (!n || *n == 0 || *n > deleted_.size()) {
    send(pop3::err("There's no message " + arg.substr(0, 20) + "."));
    return std::nullopt;
  }
  if (deleted_[*n - 1]) {
    send(pop3::err("Message is deleted."));
    return std::nullopt;
  }
  return *n - 1;
}

void Session::cmd_stat() {
  size_t count = 0;
  uint64_t bytes = 0;
  for (size_t i = 0; i < deleted_.size(); ++i) {
    if (deleted_[i]) continue;
    ++count;
    bytes += mailbox_->messages()[i].size;
  }
  send(pop3::ok(std::to_string(count) + " " + std::to_string(bytes)));
}

void Session::cmd_list(const Args& c, bool uidl) {
  const auto& msgs = mailbox_->messages();
  auto item = [&](size_t i) { return std::to_string(i + 1) + " " + (uidl ? uidls_[i] : std::to_string(msgs[i].size)); };
  if (!c.args.empty()) {
    if (c.args.size() > 1) {
      send(pop3::err("Invalid parameters."));
      return;
    }
    if (auto i = message_arg(c.args[0])) send(pop3::ok(item(*i)));
    return;
  }
  std::string out = uidl ? "+OK\r\n" : "+OK " + std::to_string(msgs.size()) + " messages:\r\n";
  for (size_t i = 0; i < msgs.size(); ++i)
    if (!deleted_[i]) out += item(i) + "\r\n";
  send(out + ".\r\n");
}

void Session::cmd_retr(const Args& c, bool top) {
  if (c.args.size() != (top ? 2u : 1u)) {
    send(pop3::err("Invalid parameters."));
    return;
  }
  std::optional<size_t> lines;
  if (top && !(lines = pop3::parse_number(c.args[1]))) {
    send(pop3::err("Invalid line count."));
    return;
  }
  auto i = message_arg(c.args[0]);
  if (!i) return;
  auto text = mailbox_->read(*i);
  if (!text) {
    log::error("pop3(%s): read message %zu: %s", login_user_.c_str(), *i + 1, text.error().message.c_str());
    send(pop3::err("Couldn't read message.", "SYS/TEMP"));
    return;
  }
  std::string body = top ? pop3::top_of(*text, *lines) : std::move(*text);
  if (top) {
    ++counters_.top;
    counters_.top_bytes += body.size();
  } else {
    ++counters_.retr;
    counters_.retr_bytes += body.size();
  }
  // One buffer and one write per response (the socket has TCP_NODELAY).
  std::string out = pop3::ok(std::to_string(mailbox_->messages()[*i].size) + " octets");
  pop3::append_dot_stuffed(out, body);
  send(out);
}

void Session::cmd_dele(const Args& c) {
  if (c.args.size() != 1) {
    send(pop3::err("Invalid parameters."));
    return;
  }
  if (auto i = message_arg(c.args[0])) {
    deleted_[*i] = true;
    send(pop3::ok("Marked to be deleted."));
  }
}

void Session::cmd_rset() {
  deleted_.assign(deleted_.size(), false);
  send(pop3::ok(""));
}

void Session::cmd_quit() {
  done_ = true;
  for (size_t i = 0; i < deleted_.size(); ++i) {
    if (!deleted_[i]) continue;
    ++counters_.del;
    counters_.del_bytes += mailbox_->messages()[i].size;
  }
  Status expunged = mailbox_->expunge(deleted_);
  // Release the mailbox and its session lock before answering: a client that
  // logs in again as soon as it reads the reply must not get [IN-USE].
  mailbox_.reset();
  if (!expunged) {
    log::error("pop3(%s): expunge failed: %s", login_user_.c_str(), expunged.error().message.c_str());
    send(pop3::err("Couldn't delete the messages; nothing was deleted.", "SYS/TEMP"));
    counters_.del = counters_.del_bytes = 0;
    return;
  }
  send(pop3::ok("Logging out, messages deleted."));
}

// The store's own UIDLs (Dovecot's %08Xu%08Xv for messages with an IMAP UID
// in dovecot-uidlist or X-UID headers, a stable name or digest otherwise)
// unless pop3_uidl_format asks for another form. A message lacking a value
// the format needs (no IMAP UID known) keeps the store's UIDL, so UIDLs
// never change between sessions because of it.
void Session::choose_uidls() {
  const auto& msgs = mailbox_->messages();
  uidls_.clear();
  for (const auto& m : msgs) uidls_.push_back(m.uidl);
  const std::string& format = settings_.uidl_format;
  if (format.empty() || format == pop3::kDefaultUidlFormat) return;
  const bool need_md5 = pop3::uidl_format_uses(format, 'm');
  size_t kept = 0;
  for (size_t i = 0; i < msgs.size(); ++i) {
    pop3::UidlVars vars;
    std::string base = msgs[i].file.substr(msgs[i].file.rfind('/') + 1);  // "cur/NAME:2,S" -> "NAME:2,S"
    base = base.substr(0, base.find(':'));
    vars.filename = base;
    vars.guid = base;
    if (need_md5) {
      if (auto text = mailbox_->read(i)) {
        auto end = text->find("\r\n\r\n");
        vars.md5 = mailstore::md5_hex(std::string_view(*text).substr(0, end == std::string::npos ? text->size() : end + 2));
      }
    }
    if (auto u = pop3::format_uidl(format, vars)) uidls_[i] = mailstore::sanitize_uidl(*u);
    else ++kept;
  }
  std::vector<std::string*> pointers;
  for (auto& u : uidls_) pointers.push_back(&u);
  mailstore::dedupe_uidls(pointers);
  if (kept)
    log::warning("pop3(%s): pop3_uidl_format = %s: %zu message(s) lack a value it needs; they keep their stored UIDL",
                 login_user_.c_str(), format.c_str(), kept);
}

}  // namespace postern::pop3d
