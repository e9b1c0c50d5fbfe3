// parse_message: the MIME tree of a message as offsets into its bytes.
// Pure; runs in imapd's mail process. Tolerant by design (RFC 2045 5.2:
// an invalid Content-Type means text/plain; RFC 2046 5.1: parts end at the
// next delimiter line of the enclosing multipart, so a missing inner
// delimiter never swallows the outer parts).
#include <algorithm>
#include <cstring>

#include "lib/base/strings.hpp"
#include "lib/mime/bytes.hpp"
#include "lib/mime/content_params.hpp"
#include "lib/mime/header_fields.hpp"
#include "lib/mime/part.hpp"

namespace postern::mime {

std::optional<std::string_view> Part::param(std::string_view name) const {
  for (const auto& p : params)
    if (p.name == name) return std::string_view(p.value);
  return std::nullopt;
}

std::string Part::charset() const {
  auto c = param("charset");
  return c && !c->empty() ? to_lower(*c) : std::string("us-ascii");
}

namespace {

constexpr size_t kMaxBoundary = 200;

struct Budget {
  size_t parts = 0;
};

size_t line_end(std::string_view s, size_t pos, size_t end) {
  const void* lf = std::memchr(s.data() + pos, '\n', end - pos);
  return lf ? size_t(static_cast<const char*>(lf) - s.data()) + 1 : end;
}

// Offset just after the empty line that ends the header starting at `start`,
// or `end` when there is none.
size_t header_end(std::string_view raw, size_t start, size_t end) {
  size_t pos = start;
  while (pos < end) {
    if (raw[pos] == '\n') return pos + 1;
    if (raw[pos] == '\r' && pos + 1 < end && raw[pos + 1] == '\n') return pos + 2;
    pos = line_end(raw, pos, end);
  }
  return end;
}

size_t count_lines(std::string_view body) {
  size_t n = detail::count_lf(body);
  if (!body.empty() && body.back() != '\n') ++n;  // an unterminated last line is still a line
  return n;
}

std::string unfolded_trimmed(std::string_view value) { return unfold(value); }

void apply_field(Part& part, const HeaderField& field) {
  std::string_view n = field.name;
  if (n.size() < 8 || !istarts_with(n, "content-")) return;
  n.remove_prefix(8);
  if (iequals(n, "type")) {
    auto v = detail::parse_content_value(field.value, true);
    if (v.valid && !part.has_content_type) {
      part.type = std::move(v.first);
      part.subtype = std::move(v.second);
      part.params = std::move(v.params);
      part.has_content_type = true;
    }
  } else if (iequals(n, "transfer-encoding")) {
    if (!part.encoding) {
      std::string e = to_lower(unfold(field.value));
      size_t pos = 0;
      detail::skip_cfws(e, pos);
      size_t stop = e.find_first_of(" \t(;", pos);
      part.encoding = e.substr(pos, stop == std::string::npos ? std::string::npos : stop - pos);
    }
  } else if (iequals(n, "id")) {
    if (!part.id) part.id = unfolded_trimmed(field.value);
  } else if (iequals(n, "description")) {
    if (!part.description) part.description = unfolded_trimmed(field.value);
  } else if (iequals(n, "md5")) {
    if (!part.md5) part.md5 = unfolded_trimmed(field.value);
  } else if (iequals(n, "disposition")) {
    if (!part.disposition) {
      auto v = detail::parse_content_value(field.value, false);
      if (v.valid) {
        part.disposition = std::move(v.first);
        part.disposition_params = std::move(v.params);
      }
    }
  } else if (iequals(n, "language")) {
    if (part.languages.empty()) part.languages = detail::parse_language_list(field.value);
  } else if (iequals(n, "location")) {
    // RFC 2557: a folded URL is rejoined without the folding white space.
    if (!part.location) {
      std::string loc;
      for (char c : field.value)
        if (!is_space(c)) loc.push_back(c);
      part.location = std::move(loc);
    }
  }
}

Part parse_part(std::string_view raw, size_t start, size_t end, unsigned depth, bool digest_child,
                Budget& budget);

// Whether the line at `pos` is "--boundary" [ "--" ] *LWSP line-end; sets `close`.
bool is_delimiter(std::string_view raw, size_t pos, size_t end, std::string_view delim, bool& close) {
  if (end - pos < delim.size() || raw.compare(pos, delim.size(), delim) != 0) return false;
  size_t p = pos + delim.size();
  close = false;
  if (p + 2 <= end && raw[p] == '-' && raw[p + 1] == '-') {
    close = true;
    p += 2;
  }
  while (p < end && (raw[p] == ' ' || raw[p] == '\t')) ++p;
  return p == end || raw[p] == '\n' || (raw[p] == '\r' && (p + 1 == end || raw[p + 1] == '\n'));
}

void split_multipart(Part& part, std::string_view raw, unsigned depth, Budget& budget) {
  auto boundary = part.param("boundary");
  // RFC 2046 allows 70 characters; a far longer one only makes the search
  // costly (it is compared at every '-'), so such a multipart stays opaque.
  if (!boundary || boundary->empty() || boundary->size() > kMaxBoundary) return;
  std::string delim = "--";
  delim += *boundary;
  const size_t begin = part.body.offset, end = part.body.end();
  bool digest = part.subtype == "digest";

  size_t part_start = std::string::npos;  // start of the body part being collected
  size_t pos = begin;
  while (pos < end) {
    size_t hit = detail::find_bytes(raw.substr(0, end), delim, pos);
    if (hit == std::string_view::npos) break;
    bool at_line_start = hit == begin || raw[hit - 1] == '\n';
    bool close = false;
    if (!at_line_start || !is_delimiter(raw, hit, end, delim, close)) {
      pos = hit + 1;
      continue;
    }
    if (part_start != std::string::npos) {
      // The line break before the delimiter belongs to the delimiter.
      size_t part_end = hit;
      if (part_end > part_start && raw[part_end - 1] == '\n') --part_end;
      if (part_end > part_start && raw[part_end - 1] == '\r') --part_end;
      if (budget.parts >= kMaxParts) return;
      part.children.push_back(parse_part(raw, part_start, part_end, depth + 1, digest, budget));
    }
    size_t next = line_end(raw, hit, end);
    if (close) return;  // the rest is the epilogue
    part_start = next;
    pos = next;
  }
  // No close delimiter: the last part runs to the end of the multipart.
  if (part_start != std::string::npos && budget.parts < kMaxParts)
    part.children.push_back(parse_part(raw, part_start, end, depth + 1, digest, budget));
}

Part parse_part(std::string_view raw, size_t start, size_t end, unsigned depth, bool digest_child,
                Budget& budget) {
  ++budget.parts;
  Part part;
  if (digest_child) {
    part.type = "message";
    part.subtype = "rfc822";
  }
  size_t body_start = header_end(raw, start, end);
  part.header = Range{start, body_start - start};
  part.body = Range{body_start, end - body_start};
  for_each_field(part.header.in(raw), [&](const HeaderField& field) {
    apply_field(part, field);
    return true;
  });
  // Only BODYSTRUCTURE's text and message parts carry a line count; skipping
  // the others keeps a large attachment from being scanned once per level.
  if (part.type == "text" || part.type == "message") part.body_lines = count_lines(part.body.in(raw));
  if (depth >= kMaxNesting) return part;  // deeper structure is shown as an opaque leaf
  if (part.is_multipart()) {
    split_multipart(part, raw, depth, budget);
  } else if (part.is_message_rfc822() && budget.parts < kMaxParts) {
    part.children.push_back(parse_part(raw, part.body.offset, part.body.end(), depth + 1, false, budget));
  }
  return part;
}

}  // namespace

Part parse_message(std::string_view raw) {
  Budget budget;
  return parse_part(raw, 0, raw.size(), 0, false, budget);
}

}  // namespace postern::mime
