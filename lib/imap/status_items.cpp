// STATUS data item names.
#include "lib/imap/status_items.hpp"

#include <algorithm>

#include "lib/base/strings.hpp"

namespace postern::imap {

namespace {

struct Named {
  StatusItem item;
  const char* name;
};
constexpr Named kItems[] = {{StatusItem::messages, "MESSAGES"},       {StatusItem::recent, "RECENT"},
                            {StatusItem::uidnext, "UIDNEXT"},         {StatusItem::uidvalidity, "UIDVALIDITY"},
                            {StatusItem::unseen, "UNSEEN"},           {StatusItem::highestmodseq, "HIGHESTMODSEQ"},
                            {StatusItem::size, "SIZE"}};

}  // namespace

bool StatusItems::has(StatusItem item) const { return std::find(items.begin(), items.end(), item) != items.end(); }

const char* status_item_name(StatusItem item) {
  for (const auto& n : kItems)
    if (n.item == item) return n.name;
  return "";
}

Parsed<StatusItems> parse_status_items(const Arg& list, const StatusOptions& options) {
  if (!list.is_list()) return syntax_error("STATUS needs a parenthesized list of items");
  if (list.items.empty()) return syntax_error("STATUS needs at least one item");
  StatusItems out;
  for (const auto& arg : list.items) {
    const Named* found = nullptr;
    for (const auto& n : kItems)
      if (arg.is_atom(n.name)) found = &n;
    if (!found || (found->item == StatusItem::highestmodseq && !options.condstore) ||
        (found->item == StatusItem::size && !options.size))
      return syntax_error("STATUS: unknown item " + describe(arg));
    if (!out.has(found->item)) out.items.push_back(found->item);
  }
  return out;
}

}  // namespace postern::imap
