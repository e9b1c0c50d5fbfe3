// The rule engine shared by regexp:, pcre: and cidr: tables: rules tried in
// file order, "!" negation, if/endif blocks that nest, and $n substitution
// of captured text into the result. Any process.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/maps/table.hpp"

namespace postern::maps {

// Captured substrings of the last match: (offset, length), offset -1 when
// the group did not take part.
using Captures = std::vector<std::pair<long, long>>;

// Expands $n, ${n}, $(n) and $$ in `result` from `subject`. A group that
// did not match expands to nothing.
std::string substitute(std::string_view result, std::string_view subject, const Captures& caps);
// The highest $n that `result` refers to (0 if none); -1 on malformed $ syntax.
int highest_reference(std::string_view result);

// One line of a regexp/pcre table, split but not compiled:
// "[if ][!]/pattern/flags[!/pattern/flags] [result]" or "endif".
struct RegexLine {
  enum class Kind { rule, if_begin, endif } kind = Kind::rule;
  bool negate = false;
  std::string pattern, flags;
  bool has_exclude = false;  // the old "/p1/!/p2/" form: p1 matches and p2 does not
  std::string exclude_pattern, exclude_flags;
  std::string result;
};
// Splits a logical line; on error returns nullopt and sets `error` to
// Postfix's wording ("ignoring unrecognized request", ...).
std::optional<RegexLine> split_regex_line(std::string_view text, std::string& error);

template <class Matcher>
class PatternRules {
 public:
  struct Rule {
    enum class Kind { rule, if_begin, endif } kind = Kind::rule;
    Matcher matcher;
    bool negate = false;
    std::optional<Matcher> exclude;
    std::string result;
    size_t skip_to = 0;  // if_begin: the rule after the matching endif
    int line = 0;
  };

  void add_rule(Matcher m, bool negate, std::optional<Matcher> exclude, std::string result, int line) {
    rules_.push_back(Rule{Rule::Kind::rule, std::move(m), negate, std::move(exclude), std::move(result), 0, line});
  }
  void add_if(Matcher m, bool negate, int line) {
    open_.push_back(rules_.size());
    rules_.push_back(Rule{Rule::Kind::if_begin, std::move(m), negate, std::nullopt, {}, 0, line});
  }
  // False when there is no open "if" (the caller reports it).
  bool add_endif() {
    if (open_.empty()) return false;
    rules_[open_.back()].skip_to = rules_.size();
    open_.pop_back();
    return true;
  }
  // Closes blocks left open at end of file; returns their "if" lines.
  std::vector<int> finish() {
    std::vector<int> lines;
    while (!open_.empty()) {
      lines.push_back(rules_[open_.back()].line);
      rules_[open_.back()].skip_to = rules_.size();
      open_.pop_back();
    }
    return lines;
  }

  // The first rule that applies to `subject`; `text` is what $n refers to.
  template <class Subject>
  std::optional<std::string> find(const Subject& subject, std::string_view text) const {
    Captures caps;
    for (size_t i = 0; i < rules_.size();) {
      const Rule& r = rules_[i];
      if (r.kind == Rule::Kind::endif) {
        ++i;
        continue;
      }
      bool wants_captures = r.kind == Rule::Kind::rule && !r.negate;
      bool matched = r.matcher.match(subject, wants_captures ? &caps : nullptr);
      if (r.kind == Rule::Kind::if_begin) {
        i = matched != r.negate ? i + 1 : r.skip_to;
        continue;
      }
      if (matched != r.negate && !(r.exclude && r.exclude->match(subject, nullptr))) {
        // Negated rules have no captures, as in Postfix; "$$" still means "$".
        return substitute(r.result, text, r.negate ? Captures{} : caps);
      }
      ++i;
    }
    return std::nullopt;
  }

 private:
  std::vector<Rule> rules_;
  std::vector<size_t> open_;
};

}  // namespace postern::maps
