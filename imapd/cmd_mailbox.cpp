// Mailbox commands: SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE,
// UNSUBSCRIBE, LIST, LSUB (with CHILDREN and SPECIAL-USE attributes), STATUS,
// APPEND (UIDPLUS APPENDUID) and NAMESPACE. Runs in the mail process as the
// mailbox owner; names are UTF-8 inside, modified UTF-7 on the wire.
#include <algorithm>
#include <cerrno>

#include "imapd/mail_session.hpp"
#include "lib/imap/command_args.hpp"
#include "lib/imap/list_request.hpp"
#include "lib/imap/mutf7.hpp"
#include "lib/imap/response.hpp"
#include "lib/imap/status_items.hpp"

namespace postern::imapd {
namespace {

std::string wire_name(const std::string& utf8) { return imap::astring(imap::mailbox_to_wire(utf8)); }

std::string list_attributes(uint16_t attrs) {
  static const std::pair<uint16_t, const char*> names[] = {
      {mailstore::kNoSelect, "\\Noselect"},      {mailstore::kHasChildren, "\\HasChildren"},
      {mailstore::kHasNoChildren, "\\HasNoChildren"}, {mailstore::kNoInferiors, "\\Noinferiors"},
      {mailstore::kSubscribed, "\\Subscribed"},   {mailstore::kSent, "\\Sent"},
      {mailstore::kDrafts, "\\Drafts"},           {mailstore::kTrash, "\\Trash"},
      {mailstore::kJunk, "\\Junk"},
  };
  std::string out;
  for (const auto& [bit, name] : names)
    if (attrs & bit) out += (out.empty() ? "" : " ") + std::string(name);
  return out;
}

constexpr uint16_t kSpecialUse = mailstore::kSent | mailstore::kDrafts | mailstore::kTrash | mailstore::kJunk;

}  // namespace

void MailSession::close_folder() {
  if (folder_) (void)folder_->flush();
  folder_.reset();
}

void MailSession::cmd_select(const Command& c, bool read_only) {
  auto req = imap::parse_select(c.args);
  if (!req) return bad(c, req.error().text);
  close_folder();  // RFC 3501 6.3.1: even a failed SELECT leaves nothing selected
  auto opened = store_->open_folder(req->mailbox, read_only);
  if (!opened) return store_error(c, opened.error(), req->mailbox);
  folder_ = std::move(*opened);
  const auto& msgs = folder_->messages();
  size_t recent = 0, first_unseen = 0;
  for (size_t i = 0; i < msgs.size(); ++i) {
    recent += msgs[i].recent;
    if (!first_unseen && !(msgs[i].flags & mailstore::kSeen)) first_unseen = i + 1;
  }
  send_flags_response();
  std::string out = "* " + std::to_string(msgs.size()) + " EXISTS\r\n* " + std::to_string(recent) + " RECENT\r\n";
  if (first_unseen) out += "* OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen.\r\n";
  out += "* OK [UIDVALIDITY " + std::to_string(folder_->uidvalidity()) + "] UIDs valid\r\n";
  out += "* OK [UIDNEXT " + std::to_string(folder_->uidnext()) + "] Predicted next UID\r\n";
  send(out);
  tagged(c, "OK", folder_->read_only() ? "READ-ONLY" : "READ-WRITE",
         read_only ? "Examine completed." : "Select completed.");
}

void MailSession::cmd_create(const Command& c) {
  if (auto e = imap::expect_arity(c.args, 1, "<mailbox>")) return bad(c, e->text);
  auto name = imap::parse_mailbox(c.args[0]);
  if (!name) return bad(c, name.error().text);
  std::string n = *name;
  while (n.size() > 1 && n.back() == '/') n.pop_back();  // "a/" only announces children
  if (auto why = mailstore::invalid_folder_name(n, location_.format))
    return tagged(c, "NO", "CANNOT", "Invalid mailbox name: " + *why);
  if (auto st = store_->create(n); !st) return store_error(c, st.error(), n);
  tagged(c, "OK", "", "Create completed.");
}

void MailSession::cmd_delete(const Command& c) {
  if (auto e = imap::expect_arity(c.args, 1, "<mailbox>")) return bad(c, e->text);
  auto name = imap::parse_mailbox(c.args[0]);
  if (!name) return bad(c, name.error().text);
  if (*name == "INBOX") return tagged(c, "NO", "CANNOT", "INBOX can't be deleted.");
  if (folder_ && folder_->name() == *name) close_folder();
  if (auto st = store_->remove(*name); !st) return store_error(c, st.error(), *name);
  tagged(c, "OK", "", "Delete completed.");
}

void MailSession::cmd_rename(const Command& c) {
  auto req = imap::parse_rename(c.args);
  if (!req) return bad(c, req.error().text);
  const auto& [from, to] = *req;
  if (auto why = mailstore::invalid_folder_name(to, location_.format))
    return tagged(c, "NO", "CANNOT", "Invalid mailbox name: " + *why);
  if (to == "INBOX") return tagged(c, "NO", "ALREADYEXISTS", "Mailbox already exists: INBOX");
  if (folder_ && folder_->name() == from && from != "INBOX") close_folder();
  if (auto st = store_->rename(from, to); !st) return store_error(c, st.error(), st.error().sys_errno == EEXIST ? to : from);
  tagged(c, "OK", "", "Rename completed.");
}

void MailSession::cmd_subscribe(const Command& c, bool subscribe) {
  if (auto e = imap::expect_arity(c.args, 1, "<mailbox>")) return bad(c, e->text);
  auto name = imap::parse_mailbox(c.args[0]);
  if (!name) return bad(c, name.error().text);
  if (subscribe && !store_->exists(*name)) return tagged(c, "NO", "NONEXISTENT", "Mailbox doesn't exist: " + *name);
  auto st = subscribe ? store_->subscribe(*name) : store_->unsubscribe(*name);
  if (!st) return store_error(c, st.error(), *name);
  tagged(c, "OK", "", subscribe ? "Subscribe completed." : "Unsubscribe completed.");
}

void MailSession::cmd_list(const Command& c, bool lsub) {
  auto req = imap::parse_list(c.args, lsub);
  if (!req) return bad(c, req.error().text);
  const char* kind = lsub ? "LSUB" : "LIST";
  if (req->patterns.size() == 1 && req->patterns[0].empty()) {
    // RFC 3501 6.3.8: the hierarchy delimiter and the root of the reference.
    send(std::string("* ") + kind + " (\\Noselect) \"/\" \"\"\r\n");
    return tagged(c, "OK", "", std::string(kind) + " completed.");
  }
  auto entries = store_->list();
  if (!entries) return store_error(c, entries.error(), "LIST");
  auto subscribed = store_->subscriptions();
  std::vector<std::string> subs = subscribed ? *subscribed : std::vector<std::string>{};
  auto is_subscribed = [&](const std::string& n) { return std::find(subs.begin(), subs.end(), n) != subs.end(); };
  std::vector<imap::ListPattern> patterns;
  for (const auto& p : req->patterns) patterns.emplace_back(req->reference, p, '/');
  auto matches = [&](const std::string& n) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const imap::ListPattern& p) { return p.matches(n); });
  };
  std::string out;
  std::vector<std::string> listed;
  if (lsub || req->select_subscribed) {
    // Subscribed names, existing or not (RFC 3501 6.3.9).
    for (const auto& n : subs) {
      if (!matches(n)) continue;
      uint16_t attrs = mailstore::kNoSelect;
      for (const auto& e : *entries)
        if (e.name == n) attrs = e.attrs;
      if (!lsub) attrs |= mailstore::kSubscribed;
      out += std::string("* ") + kind + " (" + list_attributes(lsub ? attrs & mailstore::kNoSelect : attrs) +
             ") \"/\" " + wire_name(n) + "\r\n";
      listed.push_back(n);
    }
    // RFC 3501 6.3.9: when "%" hides a subscribed "foo/bar" whose parent
    // "foo" is not subscribed, LSUB answers "foo" with \Noselect.
    for (const auto& n : subs) {
      if (!lsub || matches(n)) continue;
      for (size_t slash = n.find('/'); slash != std::string::npos; slash = n.find('/', slash + 1)) {
        std::string parent = n.substr(0, slash);
        if (!matches(parent) || std::find(listed.begin(), listed.end(), parent) != listed.end()) continue;
        out += std::string("* LSUB (\\Noselect) \"/\" ") + wire_name(parent) + "\r\n";
        listed.push_back(parent);
      }
    }
  } else {
    for (const auto& e : *entries) {
      if (!matches(e.name)) continue;
      if (req->select_special_use && !(e.attrs & kSpecialUse)) continue;
      uint16_t attrs = e.attrs;
      if (req->return_subscribed && is_subscribed(e.name)) attrs |= mailstore::kSubscribed;
      out += std::string("* LIST (") + list_attributes(attrs) + ") \"/\" " + wire_name(e.name) + "\r\n";
      listed.push_back(e.name);
    }
  }
  if (req->return_status) {
    for (const auto& n : listed) {
      auto st = store_->status(n);
      if (!st) continue;
      std::string items;
      for (auto item : req->return_status->items) {
        uint64_t v = 0;
        switch (item) {
          case imap::StatusItem::messages: v = st->messages; break;
          case imap::StatusItem::recent: v = st->recent; break;
          case imap::StatusItem::uidnext: v = st->uidnext; break;
          case imap::StatusItem::uidvalidity: v = st->uidvalidity; break;
          case imap::StatusItem::unseen: v = st->unseen; break;
          case imap::StatusItem::highestmodseq: v = st->highest_modseq; break;
          case imap::StatusItem::size: continue;
        }
        items += (items.empty() ? "" : " ") + std::string(imap::status_item_name(item)) + " " + std::to_string(v);
      }
      out += "* STATUS " + wire_name(n) + " (" + items + ")\r\n";
    }
  }
  send(out);
  tagged(c, "OK", "", std::string(kind) + " completed.");
}

void MailSession::cmd_status(const Command& c) {
  auto req = imap::parse_status(c.args);
  if (!req) return bad(c, req.error().text);
  auto st = store_->status(req->mailbox);
  if (!st) return store_error(c, st.error(), req->mailbox);
  std::string items;
  for (auto item : req->items.items) {
    uint64_t v = 0;
    switch (item) {
      case imap::StatusItem::messages: v = st->messages; break;
      case imap::StatusItem::recent: v = st->recent; break;
      case imap::StatusItem::uidnext: v = st->uidnext; break;
      case imap::StatusItem::uidvalidity: v = st->uidvalidity; break;
      case imap::StatusItem::unseen: v = st->unseen; break;
      case imap::StatusItem::highestmodseq: v = st->highest_modseq; break;
      case imap::StatusItem::size: continue;
    }
    items += (items.empty() ? "" : " ") + std::string(imap::status_item_name(item)) + " " + std::to_string(v);
  }
  send("* STATUS " + wire_name(req->mailbox) + " (" + items + ")\r\n");
  tagged(c, "OK", "", "Status completed.");
}

void MailSession::cmd_append(Command& c) {
  auto req = imap::parse_append(std::move(c.args));
  if (!req) return bad(c, req.error().text);
  if (req->message.empty()) return tagged(c, "NO", "", "Can't save a zero byte message.");
  if (!store_->exists(req->mailbox)) return tagged(c, "NO", "TRYCREATE", "Mailbox doesn't exist: " + req->mailbox);
  auto r = store_->append(req->mailbox, req->message, mailstore::Flags(req->flags.system & 0x1f), req->flags.keywords,
                          req->internal_date);
  if (!r) return store_error(c, r.error(), req->mailbox);
  if (folder_ && folder_->name() == req->mailbox) report_changes(true);
  tagged(c, "OK", imap::appenduid_code(r->uidvalidity, r->uid), "Append completed.");
}

void MailSession::cmd_namespace(const Command& c) {
  if (!c.args.empty()) return bad(c, "NAMESPACE takes no arguments.");
  send("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
  tagged(c, "OK", "", "Namespace completed.");
}

}  // namespace postern::imapd
