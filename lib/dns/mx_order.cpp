// MX ordering for the smtp delivery agent.
#include "lib/dns/mx_order.hpp"

#include <algorithm>

namespace postern::dns {

std::vector<MxRecord> order_mx(std::vector<MxRecord> records, std::mt19937& random) {
  // Shuffle first, then a stable sort by preference: equal preferences keep
  // the random order.
  std::shuffle(records.begin(), records.end(), random);
  std::stable_sort(records.begin(), records.end(),
                   [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
  return records;
}

}  // namespace postern::dns
