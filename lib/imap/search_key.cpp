// SEARCH program parsing: a recursive descent over the Args with a depth
// cap, so "NOT NOT NOT ..." or deep parentheses cannot exhaust the stack.
#include "lib/imap/search_key.hpp"

#include "lib/base/strings.hpp"
#include "lib/imap/flags.hpp"

namespace postern::imap {

namespace {

using K = SearchKey::Kind;

class SearchParser {
 public:
  SearchParser(Args args, const SearchOptions& options, SearchProgram& program)
      : args_(args), options_(options), program_(program) {}

  // Parses all keys from pos_ to the end of `args_` into `out` (an AND).
  std::optional<ParseError> keys(Args args, SearchKey& out, size_t depth) {
    size_t pos = 0;
    while (pos < args.size()) {
      SearchKey key;
      if (auto error = one(args, pos, key, depth)) return error;
      out.children.push_back(std::move(key));
    }
    return std::nullopt;
  }

 private:
  std::optional<ParseError> one(Args args, size_t& pos, SearchKey& out, size_t depth) {
    if (depth >= kMaxSearchDepth)
      return syntax_error("SEARCH nested too deeply (limit " + std::to_string(kMaxSearchDepth) + ")");
    if (pos >= args.size()) return syntax_error("SEARCH: missing search key");
    const Arg& arg = args[pos++];
    if (arg.is_list()) {
      if (arg.items.empty()) return syntax_error("SEARCH: empty parentheses");
      out.kind = K::and_;
      return keys(arg.items, out, depth + 1);
    }
    if (!arg.is_atom()) return syntax_error("SEARCH: expected a search key, got " + describe(arg));
    const std::string& word = arg.text;
    if (!word.empty() && ((word[0] >= '0' && word[0] <= '9') || word[0] == '*' || word[0] == '$')) {
      auto set = SequenceSet::parse(word, options_.searchres);
      if (!set) return set.error();
      if (set->saved()) program_.uses_saved = true;
      out.kind = K::sequence;
      out.set = std::move(*set);
      return std::nullopt;
    }
    std::string key = to_upper(word);
    struct FlagKey {
      const char* name;
      unsigned bit;
      bool negate;
    };
    static constexpr FlagKey kFlags[] = {
        {"ANSWERED", flag::answered, false}, {"DELETED", flag::deleted, false}, {"DRAFT", flag::draft, false},
        {"FLAGGED", flag::flagged, false},   {"SEEN", flag::seen, false},       {"RECENT", flag::recent, false},
        {"UNANSWERED", flag::answered, true}, {"UNDELETED", flag::deleted, true}, {"UNDRAFT", flag::draft, true},
        {"UNFLAGGED", flag::flagged, true},   {"UNSEEN", flag::seen, true},       {"OLD", flag::recent, true},
    };
    for (const auto& f : kFlags) {
      if (key != f.name) continue;
      SearchKey flag_key = SearchKey::make(K::flag);
      flag_key.flag_bit = f.bit;
      out = f.negate ? negate(std::move(flag_key)) : std::move(flag_key);
      return std::nullopt;
    }
    if (key == "ALL") {
      out.kind = K::all;
      return std::nullopt;
    }
    if (key == "NEW") {  // RECENT UNSEEN
      out.kind = K::and_;
      SearchKey recent = SearchKey::make(K::flag);
      recent.flag_bit = flag::recent;
      SearchKey seen = SearchKey::make(K::flag);
      seen.flag_bit = flag::seen;
      out.children.push_back(std::move(recent));
      out.children.push_back(negate(std::move(seen)));
      return std::nullopt;
    }
    if (key == "NOT") {
      SearchKey inner;
      if (auto error = one(args, pos, inner, depth + 1)) return error;
      out = negate(std::move(inner));
      return std::nullopt;
    }
    if (key == "OR") {
      out.kind = K::or_;
      out.children.resize(2);
      if (auto error = one(args, pos, out.children[0], depth + 1)) return error;
      return one(args, pos, out.children[1], depth + 1);
    }
    if (key == "UID") {
      if (pos >= args.size() || !args[pos].is_atom()) return syntax_error("SEARCH: UID needs a sequence set");
      auto set = SequenceSet::parse(args[pos++].text, options_.searchres);
      if (!set) return set.error();
      if (set->saved()) program_.uses_saved = true;
      out.kind = K::uid;
      out.set = std::move(*set);
      return std::nullopt;
    }
    if (key == "KEYWORD" || key == "UNKEYWORD") {
      auto value = atom_arg(args, pos, key);
      if (!value) return value.error();
      if (!valid_keyword(*value)) return syntax_error("SEARCH: invalid keyword '" + shown(*value) + "'");
      SearchKey k = SearchKey::make(K::keyword);
      k.text = std::move(*value);
      out = key == "UNKEYWORD" ? negate(std::move(k)) : std::move(k);
      return std::nullopt;
    }
    for (const char* field : {"BCC", "CC", "FROM", "SUBJECT", "TO"}) {
      if (key != field) continue;
      auto value = string_arg(args, pos, key);
      if (!value) return value.error();
      out.kind = K::header;
      out.field = header_name(key);
      out.text = std::move(*value);
      return std::nullopt;
    }
    if (key == "HEADER") {
      auto field = string_arg(args, pos, key);
      if (!field) return field.error();
      auto value = string_arg(args, pos, key);
      if (!value) return value.error();
      if (field->empty()) return syntax_error("SEARCH: HEADER needs a field name");
      for (char ch : *field) {
        auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f || c == ':') return syntax_error("SEARCH: invalid header field name");
      }
      out.kind = K::header;
      out.field = std::move(*field);
      out.text = std::move(*value);
      return std::nullopt;
    }
    if (key == "BODY" || key == "TEXT") {
      auto value = string_arg(args, pos, key);
      if (!value) return value.error();
      out.kind = key == "BODY" ? K::body : K::text;
      out.text = std::move(*value);
      return std::nullopt;
    }
    struct DateKey {
      const char* name;
      K kind;
    };
    static constexpr DateKey kDates[] = {{"BEFORE", K::before},          {"ON", K::on},
                                         {"SINCE", K::since},            {"SENTBEFORE", K::sent_before},
                                         {"SENTON", K::sent_on},         {"SENTSINCE", K::sent_since}};
    for (const auto& d : kDates) {
      if (key != d.name) continue;
      auto value = string_arg(args, pos, key);
      if (!value) return value.error();
      auto date = parse_date(*value);
      if (!date) return syntax_error("SEARCH: invalid date '" + shown(*value) + "' (expected e.g. 1-Feb-1994)");
      out.kind = d.kind;
      out.date = *date;
      return std::nullopt;
    }
    if (key == "LARGER" || key == "SMALLER") {
      if (pos >= args.size() || !args[pos].number()) return syntax_error("SEARCH: " + key + " needs a number");
      out.kind = key == "LARGER" ? K::larger : K::smaller;
      out.size = *args[pos++].number();
      return std::nullopt;
    }
    if (key == "MODSEQ" && options_.condstore) {
      // MODSEQ [entry-name entry-type-req] mod-sequence-valzer
      if (pos + 2 < args.size() && args[pos].is_string()) pos += 2;
      if (pos >= args.size() || !args[pos].number64()) return syntax_error("SEARCH: MODSEQ needs a number");
      out.kind = K::modseq;
      out.size = *args[pos++].number64();
      return std::nullopt;
    }
    return syntax_error("SEARCH: unknown search key '" + shown(word) + "'");
  }

  static SearchKey negate(SearchKey inner) {
    SearchKey k = SearchKey::make(K::not_);
    k.children.push_back(std::move(inner));
    return k;
  }

  static std::string header_name(const std::string& key) {
    if (key == "SUBJECT") return "Subject";
    if (key == "FROM") return "From";
    if (key == "TO") return "To";
    if (key == "CC") return "Cc";
    return "Bcc";
  }

  Parsed<std::string> string_arg(Args args, size_t& pos, const std::string& key) {
    if (pos >= args.size()) return syntax_error("SEARCH: " + key + " needs an argument");
    auto value = args[pos++].astring();
    if (!value) return syntax_error("SEARCH: " + key + " needs a string, got a list");
    return std::string(*value);
  }

  Parsed<std::string> atom_arg(Args args, size_t& pos, const std::string& key) {
    if (pos >= args.size() || !args[pos].is_atom()) return syntax_error("SEARCH: " + key + " needs an atom");
    return args[pos++].text;
  }

  Args args_;
  const SearchOptions& options_;
  SearchProgram& program_;
};

// RETURN (MIN MAX ALL COUNT SAVE)
std::optional<ParseError> parse_return(const Arg& list, const SearchOptions& options, SearchReturn& out) {
  if (!list.is_list()) return syntax_error("SEARCH: RETURN needs a list of options");
  out.requested = true;
  for (const auto& item : list.items) {
    if (item.is_atom("MIN")) out.min = true;
    else if (item.is_atom("MAX")) out.max = true;
    else if (item.is_atom("ALL")) out.all = true;
    else if (item.is_atom("COUNT")) out.count = true;
    else if (item.is_atom("SAVE") && options.searchres) out.save = true;
    else return syntax_error("SEARCH: unknown RETURN option " + describe(item));
  }
  // RFC 4731: RETURN () is RETURN (ALL).
  if (!out.min && !out.max && !out.all && !out.count && !out.save) out.all = true;
  return std::nullopt;
}

}  // namespace

Parsed<SearchProgram> parse_search(Args args, const SearchOptions& options) {
  SearchProgram program;
  program.root.kind = K::and_;
  size_t pos = 0;
  if (pos < args.size() && args[pos].is_atom("RETURN") && options.esearch) {
    if (pos + 1 >= args.size()) return syntax_error("SEARCH: RETURN needs a list of options");
    if (auto error = parse_return(args[pos + 1], options, program.result)) return *error;
    pos += 2;
  }
  if (pos < args.size() && args[pos].is_atom("CHARSET")) {
    if (pos + 1 >= args.size() || !args[pos + 1].astring()) return syntax_error("SEARCH: CHARSET needs a name");
    std::string charset = to_upper(*args[pos + 1].astring());
    if (charset == "UTF8") charset = "UTF-8";
    if (charset == "ASCII") charset = "US-ASCII";
    if (charset != "US-ASCII" && charset != "UTF-8")
      return ParseError{"Unsupported charset " + shown(*args[pos + 1].astring()), "BADCHARSET (US-ASCII UTF-8)"};
    program.charset = charset;
    pos += 2;
  }
  Args keys = args.subspan(pos);
  if (keys.empty()) return syntax_error("SEARCH needs at least one search key");
  SearchParser parser(keys, options, program);
  if (auto error = parser.keys(keys, program.root, 0)) return *error;
  return program;
}

}  // namespace postern::imap
