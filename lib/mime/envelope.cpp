// The IMAP ENVELOPE structure (RFC 3501 7.4.2). Pure; imapd caches the text.
#include "lib/mime/envelope.hpp"

#include "lib/base/strings.hpp"
#include "lib/mime/header_fields.hpp"
#include "lib/mime/imap_string.hpp"

namespace postern::mime {

namespace {

enum Field { kDate, kSubject, kFrom, kSender, kReplyTo, kTo, kCc, kBcc, kInReplyTo, kMessageId, kFieldCount };

constexpr std::string_view kNames[kFieldCount] = {"date", "subject", "from", "sender",      "reply-to",
                                                  "to",   "cc",      "bcc",  "in-reply-to", "message-id"};

void append_addresses(std::string& out, const std::vector<Address>& list) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out.push_back('(');
  for (const auto& a : list) {
    out.push_back('(');
    append_imap_nstring(out, a.name ? std::optional<std::string_view>(*a.name) : std::nullopt);
    out.push_back(' ');
    append_imap_nstring(out, a.route ? std::optional<std::string_view>(*a.route) : std::nullopt);
    out.push_back(' ');
    append_imap_nstring(out, a.mailbox ? std::optional<std::string_view>(*a.mailbox) : std::nullopt);
    out.push_back(' ');
    append_imap_nstring(out, a.host ? std::optional<std::string_view>(*a.host) : std::nullopt);
    out.push_back(')');
  }
  out.push_back(')');
}

void append_text(std::string& out, const std::optional<std::string_view>& value) {
  if (!value) {
    out += "NIL";
    return;
  }
  append_imap_string(out, unfold(*value));
}

}  // namespace

void append_envelope(std::string& out, std::string_view raw, const Part& message) {
  std::optional<std::string_view> values[kFieldCount];
  int missing = kFieldCount;
  for_each_field(message.header.in(raw), [&](const HeaderField& f) {
    for (int i = 0; i < kFieldCount; ++i) {
      if (!values[i] && iequals(f.name, kNames[i])) {
        values[i] = f.value;
        --missing;
        break;
      }
    }
    return missing > 0;
  });

  std::vector<Address> lists[kFieldCount];
  for (int i = kFrom; i <= kBcc; ++i)
    if (values[i]) lists[i] = parse_address_list(*values[i]);
  // RFC 3501: absent or empty Sender and Reply-To take the value of From.
  if (lists[kSender].empty()) lists[kSender] = lists[kFrom];
  if (lists[kReplyTo].empty()) lists[kReplyTo] = lists[kFrom];

  out.push_back('(');
  append_text(out, values[kDate]);
  out.push_back(' ');
  append_text(out, values[kSubject]);
  for (int i = kFrom; i <= kBcc; ++i) {
    out.push_back(' ');
    append_addresses(out, lists[i]);
  }
  out.push_back(' ');
  append_text(out, values[kInReplyTo]);
  out.push_back(' ');
  append_text(out, values[kMessageId]);
  out.push_back(')');
}

std::string envelope(std::string_view raw, const Part& message) {
  std::string out;
  out.reserve(256);
  append_envelope(out, raw, message);
  return out;
}

}  // namespace postern::mime
