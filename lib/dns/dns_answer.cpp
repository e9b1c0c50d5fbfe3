// Names for DNS statuses and the RFC 7505 null MX test; used by every caller.
#include "lib/dns/dns_answer.hpp"

namespace postern::dns {

const char* status_name(DnsStatus status) {
  switch (status) {
    case DnsStatus::Found: return "found";
    case DnsStatus::NotFound: return "not found";
    case DnsStatus::NoData: return "no data";
    case DnsStatus::TempFail: return "temporary failure";
  }
  return "?";
}

// RFC 7505 says a null MX is the only MX of its domain; a "." among other
// records is treated as null MX too, since delivery to the others would go
// against the owner's stated wish.
bool is_null_mx(const MxAnswer& answer) {
  if (!answer.found()) return false;
  for (const auto& record : answer.records)
    if (record.host.empty()) return true;
  return false;
}

}  // namespace postern::dns
