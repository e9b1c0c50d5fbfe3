// regexp: tables (regexp_table(5)): POSIX extended regular expressions,
// case-insensitive unless the "i" flag toggles it. Any process.
#include <regex.h>

#include <memory>
#include <utility>

#include "lib/base/strings.hpp"
#include "lib/maps/pattern_rules.hpp"
#include "lib/maps/source_text.hpp"
#include "lib/maps/table_types.hpp"

namespace postern::maps {

namespace {

// Sole owner of a compiled regex_t.
class PosixRegex {
 public:
  static std::optional<PosixRegex> compile(const std::string& pattern, int cflags, std::string& error) {
    PosixRegex r;
    r.re_ = std::make_unique<regex_t>();
    int rc = ::regcomp(r.re_.get(), pattern.c_str(), cflags);
    if (rc != 0) {
      char buf[256];
      ::regerror(rc, r.re_.get(), buf, sizeof buf);
      r.re_.reset();  // regcomp failed: nothing to regfree
      error = buf;
      return std::nullopt;
    }
    r.compiled_ = true;
    return r;
  }
  PosixRegex() = default;
  PosixRegex(PosixRegex&& o) noexcept : re_(std::move(o.re_)), compiled_(std::exchange(o.compiled_, false)) {}
  PosixRegex& operator=(PosixRegex&& o) noexcept {
    if (this != &o) {
      if (compiled_) ::regfree(re_.get());
      re_ = std::move(o.re_);
      compiled_ = std::exchange(o.compiled_, false);
    }
    return *this;
  }
  ~PosixRegex() {
    if (compiled_) ::regfree(re_.get());
  }

  size_t groups() const { return re_->re_nsub; }

  bool match(std::string_view subject, Captures* caps) const {
    // The subject comes from a std::string in the table, so it is NUL-terminated.
    std::string s(subject);
    regmatch_t m[10];
    size_t n = caps ? 10 : 0;
    int rc = ::regexec(re_.get(), s.c_str(), n, n ? m : nullptr, 0);
    if (rc != 0) return false;
    if (caps) {
      caps->assign(n, {-1, 0});
      for (size_t i = 0; i < n; ++i)
        if (m[i].rm_so >= 0) (*caps)[i] = {long(m[i].rm_so), long(m[i].rm_eo - m[i].rm_so)};
    }
    return true;
  }

 private:
  std::unique_ptr<regex_t> re_;
  bool compiled_ = false;
};

class RegexpTable : public Table {
 public:
  explicit RegexpTable(std::string spec) { spec_ = std::move(spec); }
  LookupResult lookup(std::string_view key) override {
    auto r = rules_.find(key, key);
    return r ? LookupResult::found(std::move(*r)) : LookupResult::not_found();
  }
  PatternRules<PosixRegex> rules_;
  std::vector<Diagnostic>& diags() { return diagnostics_; }
};

// Flags toggle Postfix's defaults: i (ignore case) and x (extended) on, m off.
std::optional<int> cflags_for(const std::string& flags, std::string& error) {
  bool icase = true, extended = true, multiline = false;
  for (char f : flags) {
    switch (f) {
      case 'i': icase = !icase; break;
      case 'x': extended = !extended; break;
      case 'm': multiline = !multiline; break;
      default:
        error = std::string("unknown regexp option \"") + f + "\": skipping this rule";
        return std::nullopt;
    }
  }
  return (icase ? REG_ICASE : 0) | (extended ? REG_EXTENDED : 0) | (multiline ? REG_NEWLINE : 0);
}

}  // namespace

Result<TablePtr> open_regexp_table(const std::string& name, const std::string& spec, const OpenFlags&) {
  std::string label;
  auto text = pattern_source(name, spec, label);
  if (!text) return text.error();
  label = "regexp map " + label;
  auto t = std::make_unique<RegexpTable>(spec);
  PatternDialect<PosixRegex> dialect;
  dialect.compile = [](const std::string& pattern, const std::string& flags, bool captures,
                       const PatternDialect<PosixRegex>::Warn& warn) -> std::optional<PosixRegex> {
    std::string err;
    auto cf = cflags_for(flags, err);
    if (!cf) {
      warn(err);
      return std::nullopt;
    }
    auto re = PosixRegex::compile(pattern, *cf | (captures ? 0 : REG_NOSUB), err);
    if (!re) warn("regexp error: " + err + ": skipping this rule");
    return re;
  };
  dialect.allows_exclude = true;
  dialect.max_reference = 9;  // POSIX regexec reports at most $1..$9 here, as in Postfix
  load_pattern_rules(*text, label, t->diags(), t->rules_, dialect);
  return TablePtr(std::move(t));
}

}  // namespace postern::maps
