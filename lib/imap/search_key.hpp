// SEARCH programs (RFC 3501 6.4.4, 9 "search-key"): every key, OR/NOT and
// parenthesized groups as a tree, CHARSET (US-ASCII and UTF-8), and the
// RFC 4731 ESEARCH "RETURN (...)" options. Aliases are folded so the
// evaluator has fewer cases: UNSEEN is NOT SEEN, NEW is RECENT UNSEEN, OLD is
// NOT RECENT, FROM/TO/CC/BCC/SUBJECT are HEADER <field>. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/imap/command.hpp"
#include "lib/imap/date_time.hpp"
#include "lib/imap/parse_result.hpp"
#include "lib/imap/sequence_set.hpp"

namespace postern::imap {

inline constexpr size_t kMaxSearchDepth = 64;  // nested NOT/OR/parentheses

struct SearchKey {
  enum class Kind {
    all,          // ALL (also an empty AND)
    and_,         // children all match: the top level and "( ... )"
    or_,          // two children
    not_,         // one child
    sequence,     // message numbers: set
    uid,          // UID set
    flag,         // flag_bit (flag::seen ...) is set; UNSEEN etc. are not_ of it
    keyword,      // KEYWORD text; UNKEYWORD is not_ of it
    header,       // HEADER field text (text "" matches any message with the field)
    body,         // BODY text
    text,         // TEXT text (header and body)
    before,       // internal date (the date only) < date
    on,
    since,        // internal date >= date
    sent_before,  // Date: header
    sent_on,
    sent_since,
    larger,       // RFC822.SIZE > size
    smaller,      // RFC822.SIZE < size
    modseq,       // RFC 7162 MODSEQ size(=mod-sequence); only with SearchOptions::condstore
  };
  Kind kind = Kind::all;
  std::vector<SearchKey> children;
  SequenceSet set;
  unsigned flag_bit = 0;
  std::string field;   // header: field name as sent ("From" for FROM)
  std::string text;    // keyword, header/body/text needle (UTF-8 when CHARSET UTF-8)
  Date date;
  uint64_t size = 0;   // larger/smaller; modseq value

  static SearchKey make(Kind kind) { SearchKey k; k.kind = kind; return k; }
};

// RFC 4731 RETURN options. `requested` false: a plain SEARCH (untagged
// "* SEARCH"); true: answer "* ESEARCH (TAG ...)" with what is asked, where
// "RETURN ()" means ALL.
struct SearchReturn {
  bool requested = false;
  bool min = false, max = false, all = false, count = false, save = false;
};

struct SearchProgram {
  std::string charset = "US-ASCII";  // upper case; only US-ASCII and UTF-8 get here
  SearchReturn result;
  SearchKey root;                    // kind and_ holding the top-level keys
  bool uses_saved = false;           // a "$" appears (RFC 5182)
};

struct SearchOptions {
  bool esearch = true;     // RETURN (...) accepted
  bool searchres = false;  // "$" accepted as a sequence set and RETURN (SAVE)
  bool condstore = false;  // MODSEQ key accepted
};

// `args` are everything after SEARCH (or UID SEARCH). An unsupported
// CHARSET fails with code "BADCHARSET (US-ASCII UTF-8)" (reply NO).
Parsed<SearchProgram> parse_search(Args args, const SearchOptions& options = {});

}  // namespace postern::imap
