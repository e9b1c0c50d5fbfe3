// Changing the selected mailbox: STORE (+/-FLAGS[.SILENT]), COPY and MOVE
// (RFC 6851) with UIDPLUS's COPYUID, EXPUNGE and UID EXPUNGE (RFC 4315),
// CLOSE and UNSELECT (RFC 3691). Runs as the mailbox owner.
#include <cerrno>

#include "imapd/mail_session.hpp"
#include "lib/imap/command_args.hpp"
#include "lib/imap/response.hpp"
#include "lib/imap/sequence_set.hpp"
#include "lib/log/log.hpp"

namespace postern::imapd {

void MailSession::cmd_store(const Command& c) {
  auto req = imap::parse_store(c.args);
  if (!req) return bad(c, req.error().text);
  if (folder_->read_only()) return tagged(c, "NO", "READ-ONLY", "Mailbox is read-only.");
  auto indices = resolve(c, req->set, c.uid);
  if (!indices) return;
  auto mode = req->mode == imap::StoreRequest::Mode::replace ? mailstore::StoreMode::replace
              : req->mode == imap::StoreRequest::Mode::add   ? mailstore::StoreMode::add
                                                             : mailstore::StoreMode::remove;
  auto flags = mailstore::Flags(req->flags.system & 0x1f);
  std::string out;
  bool failed = false, no_room = false;
  for (size_t i : *indices) {
    if (folder_->messages()[i].expunged) continue;
    bool was_deleted = folder_->messages()[i].flags & mailstore::kDeleted;
    auto st = folder_->store_flags(i, mode, flags, req->flags.keywords);
    if (!st) {
      failed = true;
      no_room = no_room || st.error().sys_errno == ENOSPC;
      continue;
    }
    if (!was_deleted && (folder_->messages()[i].flags & mailstore::kDeleted)) ++counters_.deleted;
    if (!req->silent || c.uid) {
      out += "* " + std::to_string(i + 1) + " FETCH (";
      if (c.uid) out += "UID " + std::to_string(folder_->messages()[i].uid) + (req->silent ? "" : " ");
      if (!req->silent) out += "FLAGS " + flags_of(i);
      out += ")\r\n";
    }
  }
  // Data and tagged reply in one write (one wake-up of the relay and the client).
  out += no_room  ? imap::status_response(c.tag, "NO", "LIMIT", "Too many keywords in this mailbox.")
         : failed ? imap::status_response(c.tag, "NO", "", "Some messages could not be stored (they were expunged).")
                  : imap::status_response(c.tag, "OK", "", "Store completed.");
  send(out);
}

void MailSession::cmd_copy(const Command& c, bool move) {
  auto req = imap::parse_copy(c.args);
  if (!req) return bad(c, req.error().text);
  if (move && folder_->read_only()) return tagged(c, "NO", "READ-ONLY", "Mailbox is read-only.");
  auto indices = resolve(c, req->set, c.uid);
  if (!indices) return;
  std::vector<size_t> present;
  for (size_t i : *indices)
    if (!folder_->messages()[i].expunged) present.push_back(i);
  if (present.empty()) return tagged(c, "OK", "", "No messages found.");
  if (!store_->exists(req->mailbox)) return tagged(c, "NO", "TRYCREATE", "Mailbox doesn't exist: " + req->mailbox);
  std::vector<uint32_t> source_uids;
  for (size_t i : present) source_uids.push_back(folder_->messages()[i].uid);
  auto copied = folder_->copy(present, req->mailbox);
  if (!copied) {
    if (copied.error().sys_errno == ENOENT) return tagged(c, "NO", "TRYCREATE", "Mailbox doesn't exist: " + req->mailbox);
    return store_error(c, copied.error(), req->mailbox);
  }
  std::vector<uint32_t> from, to;
  for (const auto& [s, d] : copied->uids) {
    from.push_back(s);
    to.push_back(d);
  }
  std::string code = from.empty() ? "" : imap::copyuid_code(copied->uidvalidity, imap::format_sequence_set(from),
                                                            imap::format_sequence_set(to));
  if (!move) {
    if (folder_->name() == req->mailbox) report_changes(true);
    return tagged(c, "OK", code, "Copy completed.");
  }
  // MOVE = COPY, then \Deleted and an expunge limited to exactly these UIDs.
  if (!code.empty()) send("* OK [" + code + "] Moved UIDs.\r\n");
  for (size_t i : present) (void)folder_->store_flags(i, mailstore::StoreMode::add, mailstore::kDeleted, {});
  auto gone = folder_->expunge(source_uids);
  if (!gone) return store_error(c, gone.error(), folder_->name());
  std::string out;
  for (const auto& e : *gone) out += "* " + std::to_string(e.seq) + " EXPUNGE\r\n";
  counters_.expunged += gone->size();
  send(out);
  if (folder_->name() == req->mailbox) report_changes(true);
  tagged(c, "OK", "", "Move completed.");
}

void MailSession::cmd_expunge(const Command& c) {
  std::optional<std::vector<uint32_t>> uids;
  if (c.uid) {
    auto set = imap::parse_uid_expunge(c.args);
    if (!set) return bad(c, set.error().text);
    auto indices = resolve(c, *set, true);
    if (!indices) return;
    uids.emplace();
    for (size_t i : *indices) uids->push_back(folder_->messages()[i].uid);
  } else if (!c.args.empty()) {
    return bad(c, "EXPUNGE takes no arguments.");
  }
  if (folder_->read_only()) return tagged(c, "NO", "READ-ONLY", "Mailbox is read-only.");
  auto gone = folder_->expunge(uids);
  if (!gone) return store_error(c, gone.error(), folder_->name());
  std::string out;
  for (const auto& e : *gone) out += "* " + std::to_string(e.seq) + " EXPUNGE\r\n";
  counters_.expunged += gone->size();
  send(out);
  tagged(c, "OK", "", "Expunge completed.");
}

void MailSession::cmd_close(const Command& c, bool expunge) {
  if (!c.args.empty()) return bad(c, c.name + " takes no arguments.");
  if (expunge && !folder_->read_only()) {
    // CLOSE expunges silently (RFC 3501 6.4.2).
    auto gone = folder_->expunge(std::nullopt);
    if (gone) counters_.expunged += gone->size();
    else log::warning("imap(%s): CLOSE: expunge: %s", user_.user.c_str(), gone.error().message.c_str());
  }
  close_folder();
  tagged(c, "OK", "", expunge ? "Close completed." : "Unselect completed.");
}

}  // namespace postern::imapd
