// LIST attributes and special-use folders for both store formats. Runs in
// imapd's mail process as the mailbox owner.
#include "lib/mailstore/store_common.hpp"

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

#include "lib/base/strings.hpp"
#include "lib/mailstore/folder_names.hpp"

namespace postern::mailstore {

std::string clean_folder_name(const std::string& raw) {
  std::string n = raw;
  while (n.size() > 1 && n.back() == '/') n.pop_back();
  return canonical_name(n);
}

Error no_such_folder(const std::string& name) { return Error{"mailbox does not exist: " + name, ENOENT}; }

Status check_folder_name(const std::string& name, MailLocation::Format format) {
  if (auto why = invalid_folder_name(name, format)) return Error{*why, EINVAL};
  return {};
}

Status check_create(const std::string& name, MailLocation::Format format, bool exists) {
  if (auto s = check_folder_name(name, format); !s) return s;
  if (exists) return Error{"mailbox already exists: " + name, EEXIST};
  return {};
}

Status check_rename(const std::string& from, const std::string& to, MailLocation::Format format, bool from_exists,
                    bool to_exists) {
  if (auto s = check_folder_name(from, format); !s) return s;
  if (auto s = check_folder_name(to, format); !s) return s;
  if (to == "INBOX") return Error{"cannot rename a mailbox to INBOX", EPERM};
  if (!from_exists) return no_such_folder(from);
  if (to_exists) return Error{"mailbox already exists: " + to, EEXIST};
  if (to.starts_with(from + "/")) return Error{"cannot rename a mailbox into itself", EINVAL};
  return {};
}
namespace {

struct UseNames {
  ListAttr attr;
  const char* create;                  // the name we create
  std::vector<const char*> also;       // names that already serve
};

const std::vector<UseNames>& use_names() {
  static const std::vector<UseNames> names = {
      {kSent, "Sent", {"Sent", "Sent Messages", "Sent Items", "Sent Mail"}},
      {kDrafts, "Drafts", {"Drafts"}},
      {kTrash, "Trash", {"Trash", "Deleted Messages", "Deleted Items"}},
      {kJunk, "Junk", {"Junk", "Spam", "Junk E-mail", "Junk Email"}},
  };
  return names;
}

}  // namespace

uint16_t special_use_of(const std::string& name) {
  for (const auto& u : use_names())
    for (const char* n : u.also)
      if (iequals(name, n)) return u.attr;
  return 0;
}

void finish_list(std::vector<ListEntry>& entries, const std::vector<std::string>& subscribed) {
  std::map<std::string, uint16_t> all;
  for (const auto& e : entries) all[e.name] |= e.attrs;
  for (const auto& e : entries) {
    std::string name = e.name;
    for (auto slash = name.rfind('/'); slash != std::string::npos; slash = name.rfind('/')) {
      name.resize(slash);
      if (!all.contains(name)) all[name] = kNoSelect;
    }
  }
  std::set<std::string> subs(subscribed.begin(), subscribed.end());
  entries.clear();
  for (auto& [name, attrs] : all) {
    auto first_child = all.lower_bound(name + "/");
    bool children = first_child != all.end() && first_child->first.starts_with(name + "/");
    if (!(attrs & kNoInferiors)) attrs |= children ? kHasChildren : kHasNoChildren;
    if (!(attrs & kNoSelect)) attrs |= special_use_of(name);
    if (subs.contains(name)) attrs |= kSubscribed;
    entries.push_back({name, attrs});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const ListEntry& a, const ListEntry& b) {
    bool ia = a.name == "INBOX", ib = b.name == "INBOX";
    if (ia != ib) return ia;
    return a.name < b.name;
  });
}

Status ensure_special_use_folders(MailStore& store) {
  auto list = store.list();
  if (!list) return list.error();
  uint16_t have = 0;
  for (const auto& e : *list)
    if (!(e.attrs & kNoSelect)) have |= e.attrs & (kSent | kDrafts | kTrash | kJunk);
  for (const auto& u : use_names()) {
    if (have & u.attr) continue;
    if (auto s = store.create(u.create); !s && s.error().sys_errno != EEXIST) return s;
    if (auto s = store.subscribe(u.create); !s) return s;
  }
  return {};
}

std::vector<std::string> rename_subscriptions(std::vector<std::string> subs, const std::string& from,
                                              const std::string& to) {
  for (auto& s : subs) {
    if (s == from) s = to;
    else if (s.starts_with(from + "/")) s = to + s.substr(from.size());
  }
  return subs;
}

}  // namespace postern::mailstore
