// DomainList (see domain_list.hpp). In smtpd, as mail_owner.
#include "smtpd/domain_list.hpp"

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"

namespace postern::smtpd {

DomainList::DomainList(const std::vector<std::string>& items, std::string_view parameter, bool subdomains)
    : subdomains_(subdomains) {
  for (const auto& item : items) add(item, parameter, 0);
}

void DomainList::add(std::string_view item, std::string_view parameter, int depth) {
  if (item.empty()) return;
  if (item.front() == '/') {
    auto text = read_file(std::string(item));
    if (!text || depth > 3) {
      log::warning("%s: cannot read %s; ignored", std::string(parameter).c_str(), std::string(item).c_str());
      return;
    }
    for (const auto& line : split(*text, "\n")) {
      std::string_view l = line;
      if (auto hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
      for (const auto& word : split_list(l)) add(word, parameter, depth + 1);
    }
    return;
  }
  if (item.find(':') != std::string_view::npos) {
    auto opened = maps::open_table(item);
    if (!opened) {
      log::warning("%s: %s: %s; ignored", std::string(parameter).c_str(), std::string(item).c_str(),
                   opened.error().message.c_str());
      return;
    }
    tables_.push_back(std::move(*opened));
    return;
  }
  std::string name = to_lower(item);
  while (!name.empty() && name.back() == '.') name.pop_back();
  names_.push_back(std::move(name));
}

bool DomainList::contains(std::string_view domain) const {
  std::string d = to_lower(domain);
  while (!d.empty() && d.back() == '.') d.pop_back();
  if (d.empty()) return false;
  for (const auto& n : names_)
    if (n.front() == '.' && d.ends_with(n)) return true;
  // The domain itself, then (subdomains) each parent: "x.example.com" -> "example.com".
  for (std::string key = d;;) {
    const bool self = key == d;
    if (!self && !subdomains_) return false;
    for (const auto& n : names_)
      if (n == key) return true;
    for (const auto& t : tables_) {
      auto r = t->lookup(key);
      if (r.is_found()) return true;
      if (r.is_temp_fail())
        log::warning("%s: lookup of %s failed: %s", t->spec().c_str(), key.c_str(), r.value.c_str());
    }
    auto dot = key.find('.');
    if (dot == std::string::npos) return false;
    key = key.substr(dot + 1);
  }
}

}  // namespace postern::smtpd
