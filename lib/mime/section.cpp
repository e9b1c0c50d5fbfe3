// BODY[section] (RFC 3501 6.4.5 FETCH BODY[<section>]). Pure.
#include "lib/mime/section.hpp"

#include <algorithm>

#include "lib/base/strings.hpp"
#include "lib/mime/header_fields.hpp"

namespace postern::mime {

const Part* find_part(const Part& message, const std::vector<unsigned>& path) {
  const Part* container = &message;  // where the next number is looked up
  const Part* current = &message;
  for (size_t i = 0; i < path.size(); ++i) {
    unsigned n = path[i];
    if (i > 0) {
      // Below a part: an embedded message's parts, or a multipart's children.
      if (current->is_message_rfc822() && !current->children.empty())
        container = &current->children.front();
      else if (current->is_multipart())
        container = current;
      else
        return nullptr;
    }
    if (container->is_multipart()) {
      if (n == 0 || n > container->children.size()) return nullptr;
      current = &container->children[n - 1];
    } else {
      // A non-multipart message has exactly one part: itself.
      if (n != 1) return nullptr;
      current = container;
    }
  }
  return current;
}

namespace {

bool listed(std::string_view name, const std::vector<std::string>& fields) {
  return std::any_of(fields.begin(), fields.end(), [&](const std::string& f) { return iequals(f, name); });
}

std::string header_fields_of(std::string_view header, const std::vector<std::string>& fields,
                             bool keep_listed) {
  std::string out;
  for_each_field(header, [&](const HeaderField& f) {
    if (listed(f.name, fields) == keep_listed) {
      out.append(f.raw);
      if (out.back() != '\n') out += "\r\n";  // the last field of a header without an empty line
    }
    return true;
  });
  out += "\r\n";  // RFC 3501: the blank line between header and body is included
  return out;
}

}  // namespace

std::optional<std::string> fetch_section(std::string_view raw, const Part& message, const Section& section) {
  using Kind = Section::Kind;
  const Part* part = section.path.empty() ? &message : find_part(message, section.path);
  if (!part) return std::nullopt;

  if (section.kind == Kind::all) {
    if (section.path.empty()) return std::string(raw);
    return std::string(part->body.in(raw));
  }
  if (section.kind == Kind::mime) {
    if (section.path.empty()) return std::nullopt;
    return std::string(part->header.in(raw));
  }
  // HEADER, HEADER.FIELDS, TEXT: of the message itself or of an embedded message.
  const Part* msg = part;
  if (!section.path.empty()) {
    if (!part->is_message_rfc822() || part->children.empty()) return std::nullopt;
    msg = &part->children.front();
  }
  switch (section.kind) {
    case Kind::header:
      return std::string(msg->header.in(raw));
    case Kind::header_fields:
      return header_fields_of(msg->header.in(raw), section.fields, true);
    case Kind::header_fields_not:
      return header_fields_of(msg->header.in(raw), section.fields, false);
    case Kind::text:
      return std::string(msg->body.in(raw));
    default:
      return std::nullopt;
  }
}

}  // namespace postern::mime
