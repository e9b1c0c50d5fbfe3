// The rule engine shared by regexp:, pcre: and cidr: tables: rules tried in
// file order, "!" negation, if/endif blocks that nest, and $n substitution
// of captured text into the result. Any process.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/maps/source_text.hpp"
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

// What regexp: and pcre: tables differ in when their source is loaded.
template <class Matcher>
struct PatternDialect {
  using Warn = std::function<void(const std::string&)>;
  // Compiles one pattern with its flags; `captures` false allows a cheaper
  // no-capture compile. On failure calls warn (Postfix's wording) and
  // returns nullopt.
  std::function<std::optional<Matcher>(const std::string& pattern, const std::string& flags, bool captures,
                                       const Warn& warn)>
      compile;
  bool allows_exclude = false;  // the "/p1/!/p2/" form (regexp_table(5) only)
  int max_reference = 0;        // highest $n allowed beyond the group count; 0: no extra limit
};

// Loads a regexp:/pcre: source into `rules`: one rule per logical line,
// if/endif blocks, replacement checks; every problem becomes a warning in
// `diags` against `label` and the line, as Postfix reports it.
template <class Matcher>
void load_pattern_rules(std::string_view text, const std::string& label, std::vector<Diagnostic>& diags,
                        PatternRules<Matcher>& rules, const PatternDialect<Matcher>& dialect) {
  for_each_logical_line(text, label, diags, [&](int line_no, std::string_view logical) {
    std::string error;
    auto line = split_regex_line(logical, error);
    auto warn = [&](const std::string& m) { diags.push_back({label, line_no, m}); };
    if (!error.empty()) warn(error);
    if (!line) return;
    if (line->kind == RegexLine::Kind::endif) {
      if (!rules.add_endif()) warn("ignoring ENDIF without matching IF");
      return;
    }
    if (line->has_exclude && !dialect.allows_exclude) {
      warn("unknown regexp option \"!\": skipping this rule");
      return;
    }
    bool keeps_captures = line->kind == RegexLine::Kind::rule && !line->negate;
    auto re = dialect.compile(line->pattern, line->flags, keeps_captures, warn);
    if (!re) return;
    if (line->kind == RegexLine::Kind::if_begin) {
      rules.add_if(std::move(*re), line->negate, line_no);
      return;
    }
    std::optional<Matcher> exclude;
    if (line->has_exclude) {
      exclude = dialect.compile(line->exclude_pattern, line->exclude_flags, false, warn);
      if (!exclude) return;
    }
    if (line->result.empty()) warn("no replacement text: using empty string");
    int high = highest_reference(line->result);
    if (high < 0) {
      warn("bad $ syntax in replacement text: skipping this rule");
      return;
    }
    if (high > 0 && (line->negate || size_t(high) > re->groups() ||
                     (dialect.max_reference > 0 && high > dialect.max_reference))) {
      warn("out of range replacement index \"" + std::to_string(high) + "\": skipping this rule");
      return;
    }
    rules.add_rule(std::move(*re), line->negate, std::move(exclude), line->result, line_no);
  });
  for (int l : rules.finish()) diags.push_back({label, l, "IF has no matching ENDIF"});
}

}  // namespace postern::maps
