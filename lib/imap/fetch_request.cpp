// FETCH items: macros, attribute names, BODY[section]<partial>, BINARY.
#include "lib/imap/fetch_request.hpp"

#include "lib/base/strings.hpp"

namespace postern::imap {

namespace {

struct Simple {
  std::string_view name;
  FetchItem::Kind kind;
};
constexpr Simple kSimple[] = {
    {"FLAGS", FetchItem::Kind::flags},
    {"UID", FetchItem::Kind::uid},
    {"INTERNALDATE", FetchItem::Kind::internaldate},
    {"RFC822.SIZE", FetchItem::Kind::rfc822_size},
    {"ENVELOPE", FetchItem::Kind::envelope},
    {"BODY", FetchItem::Kind::body_structure},
    {"BODYSTRUCTURE", FetchItem::Kind::bodystructure},
    {"RFC822", FetchItem::Kind::rfc822},
    {"RFC822.HEADER", FetchItem::Kind::rfc822_header},
    {"RFC822.TEXT", FetchItem::Kind::rfc822_text},
    {"MODSEQ", FetchItem::Kind::modseq},
};

FetchItem simple(FetchItem::Kind kind) {
  FetchItem item;
  item.kind = kind;
  return item;
}

std::optional<uint32_t> number(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 0xffffffffu) return std::nullopt;
  return static_cast<uint32_t>(v);
}

bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == ':') return false;
  }
  return true;
}

// Header field names inside "(...)": atoms or quoted strings.
std::optional<std::string> parse_field_list(std::string_view text, std::vector<std::string>& fields) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')')
    return std::string("HEADER.FIELDS needs a parenthesized list of field names");
  std::string_view inner = text.substr(1, text.size() - 2);
  size_t i = 0;
  while (i < inner.size()) {
    if (inner[i] == ' ') {
      ++i;
      continue;
    }
    std::string name;
    if (inner[i] == '"') {
      size_t j = i + 1;
      for (; j < inner.size() && inner[j] != '"'; ++j) {
        if (inner[j] == '\\' && j + 1 < inner.size()) ++j;
        name.push_back(inner[j]);
      }
      if (j >= inner.size()) return std::string("Unterminated quoted field name");
      i = j + 1;
    } else {
      size_t j = inner.find(' ', i);
      if (j == std::string_view::npos) j = inner.size();
      name = std::string(inner.substr(i, j - i));
      i = j;
    }
    if (!valid_field_name(name)) return "Invalid header field name '" + shown(name) + "'";
    fields.push_back(std::move(name));
  }
  if (fields.empty()) return std::string("HEADER.FIELDS needs at least one field name");
  return std::nullopt;
}

const char* kind_name(Section::Kind kind) {
  switch (kind) {
    case Section::Kind::all: return "";
    case Section::Kind::header: return "HEADER";
    case Section::Kind::header_fields: return "HEADER.FIELDS";
    case Section::Kind::header_fields_not: return "HEADER.FIELDS.NOT";
    case Section::Kind::text: return "TEXT";
    case Section::Kind::mime: return "MIME";
  }
  return "";
}

}  // namespace

std::string section_text(const Section& section) {
  const auto& path = section.path;
  const auto kind = section.kind;
  const auto& fields = section.fields;
  using Kind = Section::Kind;
  std::string out;
  for (unsigned p : path) {
    if (!out.empty()) out += '.';
    out += std::to_string(p);
  }
  if (kind != Kind::all) {
    if (!out.empty()) out += '.';
    out += kind_name(kind);
  }
  if (kind == Kind::header_fields || kind == Kind::header_fields_not) {
    out += " (";
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ' ';
      // Field names are atoms when the client sent atoms; quote the rest.
      bool atom = fields[i].find_first_of("(){%*\"\\]") == std::string::npos;
      if (atom) {
        out += fields[i];
        continue;
      }
      out += '"';
      for (char c : fields[i]) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
    out += ')';
  }
  return out;
}

Parsed<Section> parse_section(std::string_view text) {
  Section section;
  size_t i = 0;
  // Part numbers: "1.2.3", each followed by "." or the end.
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    auto n = number(text.substr(i, j - i));
    if (!n || *n == 0) return syntax_error("Invalid section: part numbers start at 1");
    if (section.path.size() >= kMaxSectionDepth)
      return syntax_error("Invalid section: nested deeper than " + std::to_string(kMaxSectionDepth) + " parts");
    section.path.push_back(*n);
    i = j;
    if (i == text.size()) return section;
    if (text[i] != '.') return syntax_error("Invalid section '" + shown(text) + "'");
    ++i;
    if (i == text.size()) return syntax_error("Invalid section: '.' at the end");
  }
  if (i == text.size()) return section;  // BODY[]
  std::string_view rest = text.substr(i);
  size_t space = rest.find(' ');
  std::string_view word = rest.substr(0, space);
  std::string upper = to_upper(word);
  if (upper == "HEADER.FIELDS" || upper == "HEADER.FIELDS.NOT") {
    section.kind = upper == "HEADER.FIELDS" ? Section::Kind::header_fields : Section::Kind::header_fields_not;
    if (space == std::string_view::npos) return syntax_error(upper + " needs a list of field names");
    if (auto error = parse_field_list(rest.substr(space + 1), section.fields)) return syntax_error(*error);
    return section;
  }
  if (space != std::string_view::npos) return syntax_error("Invalid section '" + shown(text) + "'");
  if (upper == "HEADER") {
    section.kind = Section::Kind::header;
  } else if (upper == "TEXT") {
    section.kind = Section::Kind::text;
  } else if (upper == "MIME") {
    if (section.path.empty()) return syntax_error("Invalid section: MIME needs a part number");
    section.kind = Section::Kind::mime;
  } else {
    return syntax_error("Invalid section '" + shown(text) + "'");
  }
  return section;
}

bool FetchItem::sets_seen() const {
  switch (kind) {
    case Kind::body_section:
    case Kind::binary:
      return !peek;
    case Kind::rfc822:
    case Kind::rfc822_text:
      return true;
    default:
      return false;
  }
}

std::string FetchItem::response_name() const {
  for (const auto& s : kSimple)
    if (s.kind == kind) return std::string(s.name);
  std::string out = kind == Kind::body_section ? "BODY[" : kind == Kind::binary ? "BINARY[" : "BINARY.SIZE[";
  out += section_text(section);
  out += ']';
  if (partial) out += '<' + std::to_string(partial->offset) + '>';
  return out;
}

bool FetchRequest::sets_seen() const {
  for (const auto& item : items)
    if (item.sets_seen()) return true;
  return false;
}

bool FetchRequest::has(FetchItem::Kind kind) const {
  for (const auto& item : items)
    if (item.kind == kind) return true;
  return false;
}

Parsed<FetchItem> parse_fetch_item(std::string_view text, const FetchOptions& options) {
  size_t bracket = text.find('[');
  if (bracket == std::string_view::npos) {
    std::string upper = to_upper(text);
    for (const auto& s : kSimple) {
      if (s.name != upper) continue;
      if (s.kind == FetchItem::Kind::modseq && !options.condstore)
        return syntax_error("MODSEQ needs CONDSTORE to be enabled");
      return simple(s.kind);
    }
    return syntax_error("Unknown FETCH item '" + shown(text) + "'");
  }
  std::string name = to_upper(text.substr(0, bracket));
  FetchItem item;
  if (name == "BODY" || name == "BODY.PEEK") {
    item.kind = FetchItem::Kind::body_section;
  } else if (name == "BINARY" || name == "BINARY.PEEK") {
    item.kind = FetchItem::Kind::binary;
  } else if (name == "BINARY.SIZE") {
    item.kind = FetchItem::Kind::binary_size;
  } else {
    return syntax_error("Unknown FETCH item '" + shown(text) + "'");
  }
  item.peek = name.ends_with(".PEEK");
  size_t close = text.rfind(']');
  if (close == std::string_view::npos) return syntax_error("Missing ']' in FETCH item");
  auto section = parse_section(text.substr(bracket + 1, close - bracket - 1));
  if (!section) return section.error();
  item.section = std::move(*section);
  if (item.kind != FetchItem::Kind::body_section && item.section.kind != Section::Kind::all)
    return syntax_error("BINARY sections are part numbers only");
  std::string_view rest = text.substr(close + 1);
  if (rest.empty()) return item;
  if (item.kind == FetchItem::Kind::binary_size) return syntax_error("BINARY.SIZE takes no <partial>");
  // "<offset.length>"
  if (rest.size() < 5 || rest.front() != '<' || rest.back() != '>')
    return syntax_error("Invalid partial '" + shown(rest) + "': expected <offset.length>");
  std::string_view inside = rest.substr(1, rest.size() - 2);
  size_t dot = inside.find('.');
  if (dot == std::string_view::npos) return syntax_error("Invalid partial: expected <offset.length>");
  auto offset = number(inside.substr(0, dot));
  auto length = number(inside.substr(dot + 1));
  if (!offset || !length || *length == 0)
    return syntax_error("Invalid partial '" + shown(rest) + "': offset and a non-zero length");
  item.partial = Partial{*offset, *length};
  return item;
}

Parsed<FetchRequest> parse_fetch(Args args, const FetchOptions& options) {
  if (args.empty()) return syntax_error("FETCH needs data items");
  if (args.size() > 2) return syntax_error("FETCH: too many arguments");
  FetchRequest request;
  const Arg& what = args[0];
  if (what.is_atom()) {
    std::string upper = to_upper(what.text);
    using K = FetchItem::Kind;
    if (upper == "ALL" || upper == "FAST" || upper == "FULL") {
      for (K k : {K::flags, K::internaldate, K::rfc822_size}) request.items.push_back(simple(k));
      if (upper != "FAST") request.items.push_back(simple(K::envelope));
      if (upper == "FULL") request.items.push_back(simple(K::body_structure));
    } else {
      auto item = parse_fetch_item(what.text, options);
      if (!item) return item.error();
      request.items.push_back(std::move(*item));
    }
  } else if (what.is_list()) {
    if (what.items.empty()) return syntax_error("FETCH: empty list of data items");
    for (const auto& a : what.items) {
      if (!a.is_atom()) return syntax_error("FETCH: invalid data item (" + describe(a) + ")");
      auto item = parse_fetch_item(a.text, options);
      if (!item) return item.error();
      request.items.push_back(std::move(*item));
    }
  } else {
    return syntax_error("FETCH: invalid data items (" + describe(what) + ")");
  }
  if (args.size() == 2) {
    // RFC 4466 fetch-modifiers; CHANGEDSINCE is the only one we know (RFC 7162).
    const Arg& mods = args[1];
    if (!mods.is_list() || mods.items.empty()) return syntax_error("FETCH: invalid modifier list");
    for (size_t i = 0; i < mods.items.size(); ++i) {
      if (mods.items[i].is_atom("CHANGEDSINCE") && options.condstore && i + 1 < mods.items.size()) {
        auto v = mods.items[++i].number64();
        if (!v) return syntax_error("FETCH: CHANGEDSINCE needs a mod-sequence number");
        request.changed_since = *v;
        continue;
      }
      return syntax_error("FETCH: unknown modifier " + describe(mods.items[i]));
    }
    if (request.changed_since && !request.has(FetchItem::Kind::modseq))
      request.items.push_back(simple(FetchItem::Kind::modseq));
  }
  return request;
}

}  // namespace postern::imap
