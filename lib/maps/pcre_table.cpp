// pcre: tables (pcre_table(5)) through libpcre2: Perl-compatible patterns,
// case-insensitive unless the "i" flag toggles it. Any process.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>

#include "lib/maps/pattern_rules.hpp"
#include "lib/maps/source_text.hpp"
#include "lib/maps/table_types.hpp"

namespace postern::maps {

namespace {

struct CodeFree {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct MatchDataFree {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

class PcrePattern {
 public:
  static std::optional<PcrePattern> compile(const std::string& pattern, uint32_t options, std::string& error) {
    int code = 0;
    PCRE2_SIZE offset = 0;
    PcrePattern p;
    p.code_.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &code,
                                &offset, nullptr));
    if (!p.code_) {
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(code, buf, sizeof buf);
      error = std::string(reinterpret_cast<char*>(buf)) + " at offset " + std::to_string(offset);
      return std::nullopt;
    }
    p.data_.reset(pcre2_match_data_create_from_pattern(p.code_.get(), nullptr));
    if (!p.data_) {
      error = "out of memory";
      return std::nullopt;
    }
    uint32_t count = 0;
    pcre2_pattern_info(p.code_.get(), PCRE2_INFO_CAPTURECOUNT, &count);
    p.groups_ = count;
    return p;
  }

  size_t groups() const { return groups_; }

  bool match(std::string_view subject, Captures* caps) const {
    int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                         data_.get(), nullptr);
    if (rc < 0) return false;
    if (caps) {
      PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data_.get());
      caps->assign(groups_ + 1, {-1, 0});
      for (int i = 0; i < rc && size_t(i) <= groups_; ++i)
        if (ov[2 * i] != PCRE2_UNSET) (*caps)[i] = {long(ov[2 * i]), long(ov[2 * i + 1] - ov[2 * i])};
    }
    return true;
  }

 private:
  std::unique_ptr<pcre2_code, CodeFree> code_;
  // Match data belongs to one pattern; lookups on a table are single-threaded.
  std::unique_ptr<pcre2_match_data, MatchDataFree> data_;
  size_t groups_ = 0;
};

class PcreTable : public Table {
 public:
  explicit PcreTable(std::string spec) { spec_ = std::move(spec); }
  LookupResult lookup(std::string_view key) override {
    auto r = rules_.find(key, key);
    return r ? LookupResult::found(std::move(*r)) : LookupResult::not_found();
  }
  PatternRules<PcrePattern> rules_;
  std::vector<Diagnostic>& diags() { return diagnostics_; }
};

std::optional<uint32_t> options_for(const std::string& flags, std::string& error) {
  uint32_t o = PCRE2_CASELESS;
  for (char f : flags) {
    switch (f) {
      case 'i': o ^= PCRE2_CASELESS; break;
      case 'm': o ^= PCRE2_MULTILINE; break;
      case 's': o ^= PCRE2_DOTALL; break;
      case 'x': o ^= PCRE2_EXTENDED; break;
      case 'A': o ^= PCRE2_ANCHORED; break;
      case 'E': o ^= PCRE2_DOLLAR_ENDONLY; break;
      case 'U': o ^= PCRE2_UNGREEDY; break;
      case 'X': break;  // PCRE1's "extra" checks are always on in PCRE2
      default:
        error = std::string("unknown regexp option \"") + f + "\": skipping this rule";
        return std::nullopt;
    }
  }
  return o;
}

}  // namespace

Result<TablePtr> open_pcre_table(const std::string& name, const std::string& spec, const OpenFlags&) {
  std::string label;
  auto text = pattern_source(name, spec, label);
  if (!text) return text.error();
  label = "pcre map " + label;
  auto t = std::make_unique<PcreTable>(spec);
  PatternDialect<PcrePattern> dialect;
  dialect.compile = [](const std::string& pattern, const std::string& flags, bool,
                       const PatternDialect<PcrePattern>::Warn& warn) -> std::optional<PcrePattern> {
    std::string err;
    auto opts = options_for(flags, err);
    if (!opts) {
      warn(err);
      return std::nullopt;
    }
    auto re = PcrePattern::compile(pattern, *opts, err);
    if (!re) warn("error in regex: " + err + ": skipping this rule");
    return re;
  };
  load_pattern_rules(*text, label, t->diags(), t->rules_, dialect);
  return TablePtr(std::move(t));
}

}  // namespace postern::maps
