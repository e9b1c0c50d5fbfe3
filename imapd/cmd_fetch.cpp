// FETCH and UID FETCH (RFC 3501 6.4.5): every data item, BODY[section]
// <partial> through lib/mime, \Seen set by non-PEEK body fetches, and
// ENVELOPE/BODY/BODYSTRUCTURE kept in the Folder's cache so a repeated
// FETCH of them reads no message file. Runs as the mailbox owner.
#include <optional>

#include "imapd/mail_session.hpp"
#include "lib/imap/date_time.hpp"
#include "lib/imap/fetch_request.hpp"
#include "lib/imap/flags.hpp"
#include "lib/imap/response.hpp"
#include "lib/log/log.hpp"
#include "lib/mime/body_structure.hpp"
#include "lib/mime/envelope.hpp"
#include "lib/mime/part.hpp"
#include "lib/mime/section.hpp"

namespace postern::imapd {
namespace {

mime::Section to_mime(const imap::Section& s) {
  mime::Section out;
  out.path = s.path;
  out.kind = static_cast<mime::Section::Kind>(static_cast<int>(s.kind));
  out.fields = s.fields;
  return out;
}

void append_literal(std::string& out, std::string_view data) {
  out += '{';
  out += std::to_string(data.size());
  out += "}\r\n";
  out.append(data);
}

// The message text and its MIME tree, read and parsed at most once per
// message; BODY[] and RFC822 of the whole message need no tree.
struct Loaded {
  std::string raw;
  std::optional<mime::Part> parsed;
  const mime::Part& tree() {
    if (!parsed) parsed = mime::parse_message(raw);
    return *parsed;
  }
};

}  // namespace

void MailSession::cmd_fetch(const Command& c) {
  if (c.args.size() < 2) return bad(c, "FETCH expects <sequence set> <items>.");
  auto set_text = c.args[0].is_atom() ? std::optional<std::string_view>(c.args[0].text) : std::nullopt;
  if (!set_text) return bad(c, "Invalid sequence set.");
  auto set = imap::SequenceSet::parse(*set_text);
  if (!set) return bad(c, set.error().text);
  auto req = imap::parse_fetch(imap::Args(c.args).subspan(1));
  if (!req) return bad(c, req.error().text);
  for (const auto& item : req->items)
    if (item.kind == imap::FetchItem::Kind::binary || item.kind == imap::FetchItem::Kind::binary_size)
      return bad(c, "BINARY is not supported.");
  auto indices = resolve(c, *set, c.uid);
  if (!indices) return;
  const bool mark_seen = req->sets_seen() && !folder_->read_only();
  const bool wants_flags = req->has(imap::FetchItem::Kind::flags);
  std::string out;
  bool failed = false;
  for (size_t i : *indices) {
    if (folder_->messages()[i].expunged) continue;  // gone elsewhere; reported by a later command
    std::optional<Loaded> loaded;
    auto load = [&]() -> Loaded* {
      if (!loaded) {
        auto raw = folder_->read(i);
        if (!raw) return nullptr;
        loaded.emplace();
        loaded->raw = std::move(*raw);
      }
      return &*loaded;
    };
    bool seen_now = false;
    if (mark_seen && !(folder_->messages()[i].flags & mailstore::kSeen)) {
      if (folder_->store_flags(i, mailstore::StoreMode::add, mailstore::kSeen, {})) seen_now = true;
    }
    const auto& m = folder_->messages()[i];
    std::string items;
    auto add = [&](const std::string& text) {
      if (!items.empty()) items += ' ';
      items += text;
    };
    if (c.uid && !req->has(imap::FetchItem::Kind::uid)) add("UID " + std::to_string(m.uid));
    bool broken = false;
    for (const auto& item : req->items) {
      using K = imap::FetchItem::Kind;
      switch (item.kind) {
        case K::flags: add("FLAGS " + flags_of(i)); break;
        case K::uid: add("UID " + std::to_string(m.uid)); break;
        case K::internaldate: add("INTERNALDATE \"" + imap::format_date_time(m.internal_date) + "\""); break;
        case K::rfc822_size: add("RFC822.SIZE " + std::to_string(m.rfc822_size)); break;
        case K::envelope:
        case K::body_structure:
        case K::bodystructure: {
          const char* field = item.kind == K::envelope ? "envelope" : item.kind == K::bodystructure ? "bodystructure" : "body";
          const char* name = item.kind == K::envelope ? "ENVELOPE" : item.kind == K::bodystructure ? "BODYSTRUCTURE" : "BODY";
          auto value = folder_->cached(m.uid, field);
          if (!value) {
            Loaded* l = load();
            if (!l) {
              broken = true;
              break;
            }
            value = item.kind == K::envelope ? mime::envelope(l->raw, l->tree())
                                             : mime::body_structure(l->raw, l->tree(), item.kind == K::bodystructure);
            folder_->store_cached(m.uid, field, *value);
          }
          add(std::string(name) + " " + *value);
          break;
        }
        case K::body_section:
        case K::rfc822:
        case K::rfc822_header:
        case K::rfc822_text: {
          Loaded* l = load();
          if (!l) {
            broken = true;
            break;
          }
          std::string owned;
          std::string_view data;
          std::string name;
          if (item.kind == K::body_section) {
            if (item.section.kind == imap::Section::Kind::all && item.section.path.empty()) {
              data = l->raw;  // BODY[]: the message as it is, no copy, no MIME parse
            } else {
              owned = mime::fetch_section(l->raw, l->tree(), to_mime(item.section)).value_or("");
              data = owned;
            }
            name = item.response_name();
            if (item.partial) {
              data = item.partial->offset < data.size() ? data.substr(item.partial->offset, item.partial->length)
                                                        : std::string_view{};
            }
          } else if (item.kind == K::rfc822) {
            data = l->raw;
            name = "RFC822";
          } else {
            mime::Section s;
            s.kind = item.kind == K::rfc822_header ? mime::Section::Kind::header : mime::Section::Kind::text;
            owned = mime::fetch_section(l->raw, l->tree(), s).value_or("");
            data = owned;
            name = item.kind == K::rfc822_header ? "RFC822.HEADER" : "RFC822.TEXT";
          }
          bool header_only = item.kind == K::rfc822_header ||
                             (item.kind == K::body_section && item.section.kind != imap::Section::Kind::all &&
                              item.section.kind != imap::Section::Kind::text);
          if (header_only) {
            ++counters_.fetch_hdr;
            counters_.fetch_hdr_bytes += data.size();
          } else {
            ++counters_.fetch_body;
            counters_.fetch_body_bytes += data.size();
          }
          if (!items.empty()) items += ' ';
          items += name;
          items += ' ';
          append_literal(items, data);
          break;
        }
        default: break;
      }
      if (broken) break;
    }
    if (broken) {
      failed = true;
      continue;
    }
    if (seen_now && !wants_flags) add("FLAGS " + flags_of(i));
    out += "* ";
    out += std::to_string(i + 1);
    out += " FETCH (";
    out += items;
    out += ")\r\n";
    if (out.size() > 256 * 1024) {
      if (!send(out)) return;
      out.clear();
    }
  }
  // The tagged reply goes out in the same write as the data: one wake-up of
  // the relay and the client instead of two.
  out += failed ? imap::status_response(c.tag, "NO", "", "Some messages could not be FETCHed (they were expunged).")
                : imap::status_response(c.tag, "OK", "", "Fetch completed.");
  send(out);
}

}  // namespace postern::imapd
