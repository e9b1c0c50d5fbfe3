// SEARCH and UID SEARCH (RFC 3501 6.4.4) with ESEARCH's RETURN options
// (RFC 4731). Flags, sizes, dates and sets are answered from the index;
// HEADER/BODY/TEXT and SENT* read the message (decoded by lib/mime). Runs
// as the mailbox owner.
#include <algorithm>
#include <cctype>
#include <optional>

#include "imapd/mail_session.hpp"
#include "lib/imap/date_time.hpp"
#include "lib/imap/flags.hpp"
#include "lib/imap/response.hpp"
#include "lib/imap/sequence_set.hpp"
#include "lib/imap/search_key.hpp"
#include "lib/mime/date.hpp"
#include "lib/mime/header_fields.hpp"
#include "lib/mime/part.hpp"
#include "lib/mime/text_search.hpp"

namespace postern::imapd {
namespace {

struct Candidate {
  mailstore::Folder& folder;
  size_t index;
  uint32_t seq_star, uid_star;
  std::optional<std::string> raw;
  std::optional<mime::Part> tree;
  bool unreadable = false;

  const mailstore::MessageMeta& meta() const { return folder.messages()[index]; }
  bool load() {
    if (raw) return true;
    if (unreadable) return false;
    auto r = folder.read(index);
    if (!r) {
      unreadable = true;
      return false;
    }
    raw = std::move(*r);
    tree = mime::parse_message(*raw);
    return true;
  }
};

std::optional<int64_t> sent_day(Candidate& m) {
  if (!m.load()) return std::nullopt;
  auto value = mime::find_field(m.tree->header.in(*m.raw), "Date");
  if (!value) return std::nullopt;
  auto dt = mime::parse_rfc5322_datetime(mime::unfold(*value));
  if (!dt) return std::nullopt;
  return mime::days_from_civil(dt->year, dt->month, dt->day);  // the date as written, zone ignored (RFC 3501)
}

bool matches(const imap::SearchKey& k, Candidate& m) {
  using K = imap::SearchKey::Kind;
  const auto& meta = m.meta();
  switch (k.kind) {
    case K::all: return true;
    case K::and_:
      for (const auto& child : k.children)
        if (!matches(child, m)) return false;
      return true;
    case K::or_: return k.children.size() == 2 && (matches(k.children[0], m) || matches(k.children[1], m));
    case K::not_: return k.children.size() == 1 && !matches(k.children[0], m);
    case K::sequence: return k.set.contains(uint32_t(m.index + 1), m.seq_star);
    case K::uid: return k.set.contains(meta.uid, m.uid_star);
    case K::flag:
      if (k.flag_bit == imap::flag::recent) return meta.recent;
      return (unsigned(meta.flags) & k.flag_bit) != 0;
    case K::keyword:
      for (const auto& kw : meta.keywords)
        if (kw.size() == k.text.size() && std::equal(kw.begin(), kw.end(), k.text.begin(), [](char a, char b) {
              return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
          return true;
      return false;
    case K::header: return m.load() && mime::header_contains(*m.raw, *m.tree, k.field, k.text);
    case K::body: return m.load() && mime::body_contains(*m.raw, *m.tree, k.text);
    case K::text: return m.load() && mime::text_contains(*m.raw, *m.tree, k.text);
    case K::before: return imap::date_of(meta.internal_date).days() < k.date.days();
    case K::on: return imap::date_of(meta.internal_date).days() == k.date.days();
    case K::since: return imap::date_of(meta.internal_date).days() >= k.date.days();
    case K::sent_before:
    case K::sent_on:
    case K::sent_since: {
      auto day = sent_day(m);
      if (!day) return false;
      return k.kind == K::sent_before ? *day < k.date.days()
             : k.kind == K::sent_on   ? *day == k.date.days()
                                      : *day >= k.date.days();
    }
    case K::larger: return meta.rfc822_size > k.size;
    case K::smaller: return meta.rfc822_size < k.size;
    case K::modseq: return meta.modseq >= k.size;
  }
  return false;
}

}  // namespace

void MailSession::cmd_search(const Command& c) {
  imap::SearchOptions options;
  auto program = imap::parse_search(c.args, options);
  if (!program) {
    if (!program.error().code.empty()) return tagged(c, "NO", program.error().code, program.error().text);
    return bad(c, program.error().text);
  }
  const auto& msgs = folder_->messages();
  uint32_t seq_star = uint32_t(msgs.size());
  uint32_t uid_star = msgs.empty() ? 0 : msgs.back().uid;
  std::vector<uint32_t> found;
  for (size_t i = 0; i < msgs.size(); ++i) {
    if (msgs[i].expunged) continue;
    Candidate m{*folder_, i, seq_star, uid_star, {}, {}, false};
    if (matches(program->root, m)) found.push_back(c.uid ? msgs[i].uid : uint32_t(i + 1));
  }
  const auto& r = program->result;
  if (!r.requested) {
    std::string out = "* SEARCH";
    for (uint32_t n : found) out += " " + std::to_string(n);
    send(out + "\r\n");
  } else {
    std::string out = "* ESEARCH (TAG \"" + c.tag + "\")";
    if (c.uid) out += " UID";
    bool all = r.all || !(r.min || r.max || r.count || r.save);
    if (r.min && !found.empty()) out += " MIN " + std::to_string(found.front());
    if (r.max && !found.empty()) out += " MAX " + std::to_string(found.back());
    if (r.count) out += " COUNT " + std::to_string(found.size());
    if (all && !found.empty()) out += " ALL " + imap::format_sorted_set(found);
    send(out + "\r\n");
  }
  tagged(c, "OK", "", "Search completed.");
}

}  // namespace postern::imapd
