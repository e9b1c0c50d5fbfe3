// Postfix-compatible $name expansion: $name ${name} $(name) ${name?text}
// ${name:text} ${name?{text}:{text}} ${{a} op {b} ? {t} : {f}} and $$.
// Lazy and recursive: a value is expanded only when asked for.
#include "lib/config/expand.hpp"

#include <vector>

#include "lib/base/strings.hpp"
#include "lib/config/config.hpp"
#include "lib/config/config_error.hpp"

namespace postern::config {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Postfix gives up at this depth too; it also bounds stack use on hostile input.
constexpr size_t kMaxDepth = 100;
constexpr size_t kMaxNesting = 1000;

class Expander {
 public:
  Expander(const Config& config, std::string_view origin) : config_(config), origin_(origin) {}

  std::string run(std::string_view text) {
    if (!origin_.empty()) stack_.push_back(std::string(origin_));
    return expand(text);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    // The error points at the parameter whose expansion started it all.
    const MainCf& cf = config_.main_cf();
    std::string name = origin_.empty() && !stack_.empty() ? stack_.front() : std::string(origin_);
    const MainCfEntry* entry = name.empty() ? nullptr : cf.find(name);
    std::string file = cf.path().empty() ? "main.cf" : cf.path();
    throw ConfigError(file, entry ? entry->line : 0, message);
  }

  std::string value_of(const std::string& name) {
    for (const std::string& active : stack_) {
      if (active == name) fail("unreasonable macro call nesting: \"" + name + "\"");
    }
    if (stack_.size() >= kMaxDepth) fail("unreasonable macro call nesting: \"" + name + "\"");
    stack_.push_back(name);
    std::string value = expand(config_.raw_value(name));
    stack_.pop_back();
    return value;
  }

  // Index just past the bracket that closes the one at `open` (same kind).
  size_t matching(std::string_view text, size_t open) {
    char o = text[open];
    char c = o == '{' ? '}' : ')';
    int depth = 0;
    for (size_t i = open; i < text.size(); ++i) {
      if (text[i] == o) ++depth;
      if (text[i] == c && --depth == 0) return i + 1;
    }
    fail("macro processing error: missing '" + std::string(1, c) + "' in \"" + std::string(text) + "\"");
  }

  static size_t skip_space(std::string_view text, size_t i) {
    while (i < text.size() && is_space(text[i])) ++i;
    return i;
  }

  // "{text}" at i -> inner text; i moves past it.
  std::string_view group(std::string_view text, size_t& i) {
    i = skip_space(text, i);
    if (i >= text.size() || text[i] != '{') fail("macro processing error: expected '{' in \"" + std::string(text) + "\"");
    size_t end = matching(text, i);
    std::string_view inner = text.substr(i + 1, end - i - 2);
    i = end;
    return inner;
  }

  // The text of ${name?TEXT} / ${name:TEXT}: either plain text or {text}.
  std::string_view branch_text(std::string_view body) {
    std::string_view t = trim(body);
    if (!t.empty() && t.front() == '{') {
      size_t i = 0;
      std::string_view inner = group(t, i);
      if (skip_space(t, i) == t.size()) return inner;
    }
    return body;
  }

  static std::vector<long> level_parts(std::string_view s, bool& ok) {
    std::vector<long> parts;
    for (const std::string& p : split(s, ".")) {
      auto n = parse_long(p);
      if (!n || *n < 0) ok = false;
      parts.push_back(n ? static_cast<long>(*n) : 0);
    }
    if (parts.empty()) ok = false;
    while (parts.size() < 3) parts.push_back(0);
    return parts;
  }

  bool compare(const std::string& a, std::string_view op, const std::string& b) {
    if (op == "==") return a == b;
    if (op == "!=") return a != b;
    int cmp = 0;
    std::string_view rel = op;
    if (rel.size() > 5 && rel.substr(rel.size() - 5) == "level") {
      rel.remove_suffix(5);
      bool ok = true;
      auto pa = level_parts(a, ok);
      auto pb = level_parts(b, ok);
      if (!ok) fail("macro processing error: bad compatibility level in \"" + a + "\" " + std::string(op) + " \"" + b + "\"");
      cmp = pa < pb ? -1 : (pa > pb ? 1 : 0);
      if (rel == "==") return cmp == 0;
      if (rel == "!=") return cmp != 0;
    } else {
      auto na = parse_long(trim(a));
      auto nb = parse_long(trim(b));
      if (!na || !nb) fail("macro processing error: non-numeric operand in \"" + a + "\" " + std::string(op) + " \"" + b + "\"");
      cmp = *na < *nb ? -1 : (*na > *nb ? 1 : 0);
    }
    if (rel == "<") return cmp < 0;
    if (rel == "<=") return cmp <= 0;
    if (rel == ">") return cmp > 0;
    if (rel == ">=") return cmp >= 0;
    fail("macro processing error: unknown operator \"" + std::string(op) + "\"");
  }

  // ${{a} op {b} ? {t} : {f}}; `body` is what lies between "${" and "}".
  std::string relational(std::string_view body) {
    size_t i = 0;
    std::string left = expand(group(body, i));
    i = skip_space(body, i);
    size_t op_begin = i;
    while (i < body.size() && !is_space(body[i]) && body[i] != '{') ++i;
    std::string_view op = body.substr(op_begin, i - op_begin);
    std::string right = expand(group(body, i));
    i = skip_space(body, i);
    if (i >= body.size() || body[i] != '?') fail("macro processing error: missing '?' in \"" + std::string(body) + "\"");
    std::string_view if_true = group(body, ++i);
    std::string_view if_false;
    i = skip_space(body, i);
    if (i < body.size() && body[i] == ':') if_false = group(body, ++i);
    if (skip_space(body, i) != body.size()) fail("macro processing error: junk after expression in \"" + std::string(body) + "\"");
    return expand(compare(left, op, right) ? if_true : if_false);
  }

  // ${name...} or $(name...); `body` is the text between the brackets.
  std::string bracketed(std::string_view body) {
    if (!body.empty() && body.front() == '{') return relational(body);
    size_t n = 0;
    while (n < body.size() && is_name_char(body[n])) ++n;
    if (n == 0) fail("macro processing error: bad parameter name in \"${" + std::string(body) + "}\"");
    std::string name(body.substr(0, n));
    if (n == body.size()) return value_of(name);
    char op = body[n];
    std::string_view rest = body.substr(n + 1);
    if (op != '?' && op != ':')
      fail("macro processing error: bad parameter name in \"${" + std::string(body) + "}\"");
    // ?/: test whether the parameter is set to something non-empty, as Postfix does.
    bool non_empty = config_.is_known(name) && !config_.raw_value(name).empty();
    std::string_view t = trim(rest);
    if (op == '?' && !t.empty() && t.front() == '{') {
      // ${name?{text1}:{text2}}
      size_t i = 0;
      std::string_view yes = group(t, i);
      i = skip_space(t, i);
      if (i < t.size() && t[i] == ':') {
        std::string_view no = group(t, ++i);
        if (skip_space(t, i) != t.size()) fail("macro processing error: junk in \"${" + std::string(body) + "}\"");
        return expand(non_empty ? yes : no);
      }
    }
    std::string_view chosen = branch_text(rest);
    if (op == '?') return non_empty ? expand(chosen) : std::string();
    return non_empty ? std::string() : expand(chosen);
  }

  std::string expand(std::string_view text) {
    // Nested brackets recurse without naming a parameter; bound them as well.
    if (++depth_ > kMaxNesting) fail("macro processing error: nesting too deep");
    struct Leave {
      size_t& d;
      ~Leave() { --d; }
    } leave{depth_};
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
      char c = text[i];
      if (c != '$' || i + 1 >= text.size()) {
        out += c;
        ++i;
        continue;
      }
      char next = text[i + 1];
      if (next == '$') {
        out += '$';
        i += 2;
      } else if (next == '{' || next == '(') {
        size_t end = matching(text, i + 1);
        out += bracketed(text.substr(i + 2, end - i - 3));
        i = end;
      } else if (is_name_char(next)) {
        size_t n = i + 1;
        while (n < text.size() && is_name_char(text[n])) ++n;
        out += value_of(std::string(text.substr(i + 1, n - i - 1)));
        i = n;
      } else {
        out += c;  // a lone '$' is literal text
        ++i;
      }
    }
    return out;
  }

  const Config& config_;
  std::string_view origin_;
  std::vector<std::string> stack_;
  size_t depth_ = 0;
};

}  // namespace

std::string expand_text(const Config& config, std::string_view text, std::string_view origin) {
  return Expander(config, origin).run(text);
}

}  // namespace postern::config
