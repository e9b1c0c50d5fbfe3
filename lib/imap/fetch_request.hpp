// FETCH data items (RFC 3501 6.4.5, 9 "fetch"): the macros ALL/FAST/FULL,
// every item including BODY[section]<partial> and BODY.PEEK, RFC 3516
// BINARY[.PEEK|.SIZE], and room for RFC 7162 (MODSEQ, CHANGEDSINCE) behind
// an option. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/imap/command.hpp"
#include "lib/imap/parse_result.hpp"
#include "lib/imap/section.hpp"

namespace postern::imap {

struct Partial {
  uint32_t offset = 0;
  uint32_t length = 0;  // nz-number
};

struct FetchItem {
  enum class Kind {
    flags,
    uid,
    internaldate,
    rfc822_size,
    envelope,
    body_structure,   // BODY (no section): non-extensible structure
    bodystructure,    // BODYSTRUCTURE
    body_section,     // BODY[section]<partial> / BODY.PEEK[...]
    rfc822,           // = BODY[]; sets \Seen
    rfc822_header,    // = BODY.PEEK[HEADER], answered as RFC822.HEADER
    rfc822_text,      // = BODY[TEXT]; sets \Seen
    binary,           // BINARY[part]<partial> / BINARY.PEEK
    binary_size,      // BINARY.SIZE[part]
    modseq,           // RFC 7162; only with FetchOptions::condstore
  };
  Kind kind = Kind::flags;
  bool peek = false;             // .PEEK: do not set \Seen
  Section section;               // body_section, binary, binary_size (binary: path only)
  std::optional<Partial> partial;

  // Whether fetching it sets \Seen (BODY[...] without PEEK, RFC822, RFC822.TEXT, BINARY[...]).
  bool sets_seen() const;
  // The item name that opens its value in the FETCH response:
  // "FLAGS", "BODY[1.HEADER]<0>" (partial answered with the origin only),
  // "BODY[HEADER.FIELDS (DATE)]" for BODY.PEEK[...], "BINARY.SIZE[1]".
  std::string response_name() const;
};

struct FetchOptions {
  bool condstore = false;  // MODSEQ item and (CHANGEDSINCE n) accepted
};

struct FetchRequest {
  std::vector<FetchItem> items;               // in the order asked, macros expanded
  std::optional<uint64_t> changed_since;      // RFC 7162 fetch modifier
  bool vanished = false;                      // RFC 7162 QRESYNC (room only; never set yet)

  bool sets_seen() const;
  bool has(FetchItem::Kind kind) const;
};

// `args` are the arguments after the sequence set: a macro atom, a single
// item atom, or a list of items, then optionally a modifier list.
Parsed<FetchRequest> parse_fetch(Args args, const FetchOptions& options = {});

// One item from its atom text, e.g. "BODY.PEEK[1.2.MIME]<10.200>".
Parsed<FetchItem> parse_fetch_item(std::string_view text, const FetchOptions& options = {});

// The text between the brackets: "1.2.HEADER.FIELDS (DATE \"X-A\")".
Parsed<Section> parse_section(std::string_view text);

}  // namespace postern::imap
