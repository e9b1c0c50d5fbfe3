// RFC 5322 address lists (with the obsolete forms RFC 5322 4.4 keeps
// readable) as the IMAP envelope shows them. Pure; internal tokenizer.
#include <cstring>
#include <string>
#include <vector>

#include "lib/mime/envelope.hpp"

namespace postern::mime {

namespace {

constexpr const char* kMissingHost = ".MISSING-HOST-NAME.";
constexpr size_t kMaxAddresses = 10000;

enum class Tok { atom, quoted, comment, literal, special, end };

struct Token {
  Tok kind = Tok::end;
  std::string text;  // atom text, unquoted string, comment text, "[literal]", or the special char
  bool space_before = false;
};

bool is_atom_char(unsigned char c) {
  if (c >= 0x80) return true;  // RFC 6532 UTF-8 (and legacy 8-bit) in atoms
  if (c <= 32 || c == 127) return false;
  // '.' is kept inside atoms: dot-atoms and obs-phrase "J. Doe".
  return std::strchr("()<>[]:;@\\,\"", c) == nullptr;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token next() {
    Token t;
    skip_space(t);
    if (pos_ >= s_.size()) return t;
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c == '(') {
      t.kind = Tok::comment;
      t.text = read_comment();
    } else if (c == '"') {
      t.kind = Tok::quoted;
      t.text = read_quoted();
    } else if (c == '[') {
      t.kind = Tok::literal;
      size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != ']') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        ++pos_;
      }
      if (pos_ < s_.size()) ++pos_;
      for (char d : s_.substr(start, pos_ - start))
        if (d != '\r' && d != '\n') t.text.push_back(d);
    } else if (is_atom_char(c)) {
      t.kind = Tok::atom;
      size_t start = pos_;
      while (pos_ < s_.size() && is_atom_char(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      t.text = std::string(s_.substr(start, pos_ - start));
    } else {
      t.kind = Tok::special;
      t.text = std::string(1, char(c));
      ++pos_;
    }
    return t;
  }

 private:
  void skip_space(Token& t) {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) {
      ++pos_;
      t.space_before = true;
    }
  }

  std::string read_comment() {
    std::string out;
    int depth = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '\\' && pos_ < s_.size()) {
        out.push_back(s_[pos_++]);
        continue;
      }
      if (c == '(') {
        if (depth++ == 0) continue;
      } else if (c == ')') {
        if (--depth == 0) break;
      }
      if (c == '\r' || c == '\n') continue;
      out.push_back(c);
    }
    return out;
  }

  std::string read_quoted() {
    std::string out;
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c == '\\' && pos_ < s_.size())
        c = s_[pos_++];
      else if (c == '\r' || c == '\n')
        continue;
      out.push_back(c);
    }
    if (pos_ < s_.size()) ++pos_;
    return out;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool is_special(const Token& t, char c) { return t.kind == Tok::special && t.text[0] == c; }

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!is_atom_char(c)) return false;
    if (c == '.' && s[i + 1] == '.') return false;
  }
  return true;
}

// A local part as a client can put it back before "@host": quoted again
// when it is not a plain dot-atom.
std::string local_part_text(const std::string& joined, bool had_quoted) {
  if (!had_quoted || is_dot_atom(joined)) return joined;
  std::string out = "\"";
  for (char c : joined) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : lex_(s) { advance(); }

  std::vector<Address> run() {
    while (tok_.kind != Tok::end && out_.size() < kMaxAddresses) item();
    if (in_group_) out_.push_back(Address{});
    return out_;
  }

 private:
  void advance() {
    tok_ = lex_.next();
    while (tok_.kind == Tok::comment) {
      last_comment_ = tok_.text;
      tok_ = lex_.next();
    }
  }

  // One address, a group start, or a group end.
  void item() {
    std::string phrase;  // display-name words joined by single spaces
    std::string local;   // the same words joined as written (for a local part)
    bool had_quoted = false;
    bool any = false;
    while (tok_.kind == Tok::atom || tok_.kind == Tok::quoted || is_special(tok_, '.')) {
      if (!phrase.empty() && tok_.space_before) phrase.push_back(' ');
      phrase += tok_.text;
      local += tok_.text;
      had_quoted |= tok_.kind == Tok::quoted;
      any = true;
      advance();
    }
    if (tok_.kind == Tok::end || is_special(tok_, ',')) {
      if (any) emit(std::nullopt, std::nullopt, local_part_text(local, had_quoted), kMissingHost);
      if (tok_.kind != Tok::end) advance();
      return;
    }
    if (is_special(tok_, ':') && !in_group_) {
      // Group start: the display name is the group's name.
      Address start;
      start.mailbox = phrase;
      out_.push_back(std::move(start));
      in_group_ = true;
      advance();
      return;
    }
    if (is_special(tok_, ';')) {
      if (any) emit(std::nullopt, std::nullopt, local_part_text(local, had_quoted), kMissingHost);
      if (in_group_) {
        out_.push_back(Address{});
        in_group_ = false;
      }
      advance();
      return;
    }
    if (is_special(tok_, '<')) {
      advance();
      angle_addr(any ? std::optional<std::string>(phrase) : std::nullopt);
      return;
    }
    if (is_special(tok_, '@') && any) {
      advance();
      std::string host = domain();
      std::optional<std::string> name;
      if (!last_comment_.empty()) name = last_comment_;  // "user@host (Real Name)"
      emit(name, std::nullopt, local_part_text(local, had_quoted), host.empty() ? kMissingHost : host);
      skip_to_separator();
      return;
    }
    advance();  // junk such as a stray '>' or '@': skip it
  }

  // After '<': [route ':'] local '@' domain '>'.
  void angle_addr(std::optional<std::string> name) {
    std::string route;
    if (is_special(tok_, '@')) {
      // obs-route: "@a,@b:"
      while (is_special(tok_, '@') || is_special(tok_, ',')) {
        if (is_special(tok_, '@')) {
          advance();
          if (!route.empty()) route.push_back(',');
          route += "@" + domain();
        } else {
          advance();
        }
      }
      if (is_special(tok_, ':')) advance();
    }
    std::string local;
    bool had_quoted = false;
    while (tok_.kind == Tok::atom || tok_.kind == Tok::quoted || is_special(tok_, '.')) {
      local += tok_.text;
      had_quoted |= tok_.kind == Tok::quoted;
      advance();
    }
    std::string host;
    if (is_special(tok_, '@')) {
      advance();
      host = domain();
    }
    // Whatever else is before '>' is junk.
    while (tok_.kind != Tok::end && !is_special(tok_, '>') && !is_special(tok_, ',')) advance();
    if (is_special(tok_, '>')) advance();
    if (!name && !last_comment_.empty()) name = last_comment_;
    if (local.empty() && host.empty()) {
      // "<>" (the null sender) or an empty route address.
      if (name || !route.empty()) emit(name, std::nullopt, "", kMissingHost);
      skip_to_separator();
      return;
    }
    emit(name, route.empty() ? std::nullopt : std::optional<std::string>(route),
         local_part_text(local, had_quoted), host.empty() ? kMissingHost : host);
    skip_to_separator();
  }

  std::string domain() {
    std::string host;
    while (tok_.kind == Tok::atom || tok_.kind == Tok::literal || is_special(tok_, '.')) {
      host += tok_.text;
      advance();
    }
    return host;
  }

  // Anything up to the next ',' (consumed) or ';' (left for the group end).
  void skip_to_separator() {
    while (tok_.kind != Tok::end && !is_special(tok_, ',') && !is_special(tok_, ';')) advance();
    if (is_special(tok_, ',')) advance();
  }

  void emit(std::optional<std::string> name, std::optional<std::string> route, std::string mailbox,
            std::string host) {
    Address a;
    if (name && !name->empty()) a.name = std::move(name);
    a.route = std::move(route);
    a.mailbox = std::move(mailbox);
    a.host = std::move(host);
    out_.push_back(std::move(a));
    last_comment_.clear();  // a comment names at most one address
  }

  Lexer lex_;
  Token tok_;
  std::string last_comment_;
  bool in_group_ = false;
  std::vector<Address> out_;
};

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) { return Parser(value).run(); }

}  // namespace postern::mime
