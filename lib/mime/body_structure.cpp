// BODY / BODYSTRUCTURE (RFC 3501 7.4.2, grammar in section 9). Pure; imapd
// caches the text per message.
#include "lib/mime/body_structure.hpp"

#include "lib/base/strings.hpp"
#include "lib/mime/envelope.hpp"
#include "lib/mime/imap_string.hpp"

namespace postern::mime {

namespace {

void append_upper(std::string& out, std::string_view s) { append_imap_string(out, to_upper(s)); }

void append_nstring(std::string& out, const std::optional<std::string>& s) {
  append_imap_nstring(out, s ? std::optional<std::string_view>(*s) : std::nullopt);
}

// body-fld-param: ("NAME" "value" ...) or NIL. Text parts always show a
// charset (RFC 2046 4.1.2: us-ascii by default).
void append_params(std::string& out, const std::vector<Param>& params, bool add_charset) {
  if (params.empty() && !add_charset) {
    out += "NIL";
    return;
  }
  out.push_back('(');
  bool first = true;
  for (const auto& p : params) {
    if (!first) out.push_back(' ');
    first = false;
    append_upper(out, p.name);
    out.push_back(' ');
    append_imap_string(out, p.value);
  }
  if (add_charset) {
    if (!first) out.push_back(' ');
    out += "\"CHARSET\" \"US-ASCII\"";
  }
  out.push_back(')');
}

bool has_param(const std::vector<Param>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return true;
  return false;
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc
void append_dsp_lang_loc(std::string& out, const Part& part) {
  if (part.disposition) {
    out.push_back('(');
    append_upper(out, *part.disposition);
    out.push_back(' ');
    append_params(out, part.disposition_params, false);
    out.push_back(')');
  } else {
    out += "NIL";
  }
  out.push_back(' ');
  if (part.languages.empty()) {
    out += "NIL";
  } else if (part.languages.size() == 1) {
    append_imap_string(out, part.languages[0]);
  } else {
    out.push_back('(');
    for (size_t i = 0; i < part.languages.size(); ++i) {
      if (i) out.push_back(' ');
      append_imap_string(out, part.languages[i]);
    }
    out.push_back(')');
  }
  out.push_back(' ');
  append_nstring(out, part.location);
}

constexpr std::string_view kEmptyText =
    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0)";

void append_part(std::string& out, std::string_view raw, const Part& part, bool extended);

void append_multipart(std::string& out, std::string_view raw, const Part& part, bool extended) {
  out.push_back('(');
  if (part.children.empty()) {
    // body-type-mpart needs at least one body; Dovecot shows the same.
    out += kEmptyText;
    if (extended) out.insert(out.size() - 1, " NIL NIL NIL NIL");
  } else {
    for (const auto& child : part.children) append_part(out, raw, child, extended);
  }
  out.push_back(' ');
  append_upper(out, part.subtype);
  if (extended) {
    out.push_back(' ');
    append_params(out, part.params, false);
    out.push_back(' ');
    append_dsp_lang_loc(out, part);
  }
  out.push_back(')');
}

void append_part(std::string& out, std::string_view raw, const Part& part, bool extended) {
  if (part.is_multipart()) {
    append_multipart(out, raw, part, extended);
    return;
  }
  bool text = part.type == "text";
  out.push_back('(');
  append_upper(out, part.type);
  out.push_back(' ');
  append_upper(out, part.subtype);
  out.push_back(' ');
  append_params(out, part.params, text && !has_param(part.params, "charset"));
  out.push_back(' ');
  append_nstring(out, part.id);
  out.push_back(' ');
  append_nstring(out, part.description);
  out.push_back(' ');
  append_upper(out, part.encoding && !part.encoding->empty() ? std::string_view(*part.encoding) : "7bit");
  out.push_back(' ');
  out += std::to_string(part.body.length);
  if (part.is_message_rfc822()) {
    // body-type-msg: envelope, the embedded message's body, then lines.
    static const Part kEmpty{};
    const Part& inner = part.children.empty() ? kEmpty : part.children.front();
    std::string_view inner_raw = part.children.empty() ? std::string_view() : raw;
    out.push_back(' ');
    append_envelope(out, inner_raw, inner);
    out.push_back(' ');
    append_part(out, inner_raw, inner, extended);
    out.push_back(' ');
    out += std::to_string(part.body_lines);
  } else if (text) {
    out.push_back(' ');
    out += std::to_string(part.body_lines);
  }
  if (extended) {
    out.push_back(' ');
    append_nstring(out, part.md5);
    out.push_back(' ');
    append_dsp_lang_loc(out, part);
  }
  out.push_back(')');
}

}  // namespace

void append_body_structure(std::string& out, std::string_view raw, const Part& message, bool extended) {
  append_part(out, raw, message, extended);
}

std::string body_structure(std::string_view raw, const Part& message, bool extended) {
  std::string out;
  out.reserve(256);
  append_part(out, raw, message, extended);
  return out;
}

}  // namespace postern::mime
