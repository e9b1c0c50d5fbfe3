// One IMAP command as the CommandReader frames it: tag, upper-case name, the
// UID prefix, and the arguments as a token tree. Typed parsers (sequence
// sets, FETCH items, SEARCH keys, ...) read the Args. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace postern::imap {

// One argument token.
//  - atom:   anything sent bare: numbers ("12"), sequence sets ("1:*"), NIL,
//            flags ("\Seen"), LIST patterns ("INBOX/%"), and FETCH items with a
//            section, kept whole: "BODY.PEEK[HEADER.FIELDS (DATE FROM)]<0.100>".
//            `text` is exactly what the client sent.
//  - string: a quoted string (unescaped) or a literal (`literal` is true);
//            `text` is the value. Literals may hold any octet.
//  - list:   a parenthesized list; `items` holds its members.
// NIL is an atom (a mailbox may be called "NIL" when sent as an astring);
// use is_nil() where the grammar has nstring.
struct Arg {
  enum class Kind { atom, string, list };
  Kind kind = Kind::atom;
  std::string text;
  bool literal = false;
  std::vector<Arg> items;

  bool is_atom() const { return kind == Kind::atom; }
  bool is_string() const { return kind == Kind::string; }
  bool is_list() const { return kind == Kind::list; }
  bool is_nil() const;
  // An atom equal to `upper` ignoring ASCII case.
  bool is_atom(std::string_view upper) const;
  // astring: an atom or a string; nullopt for a list.
  std::optional<std::string_view> astring() const;
  // number (RFC 3501: 1*DIGIT fitting in 32 bits) sent as an atom.
  std::optional<uint32_t> number() const;
  // nz-number: a number that is not 0.
  std::optional<uint32_t> nz_number() const;
  // number64 (RFC 7162 mod-sequence values); room for CONDSTORE.
  std::optional<uint64_t> number64() const;

  static Arg atom(std::string text);
  static Arg string(std::string text, bool literal = false);
  static Arg list(std::vector<Arg> items);
};

using Args = std::span<const Arg>;

struct Command {
  std::string tag;
  std::string name;  // upper case, e.g. "FETCH"; for "UID FETCH" name is "FETCH" and uid is true
  bool uid = false;
  std::vector<Arg> args;
};

// How an argument is named in BAD texts, so every parser words it alike:
// "atom FOO" (cut after 40 octets), "quoted string", "literal", "list".
std::string describe(const Arg& arg);

}  // namespace postern::imap
