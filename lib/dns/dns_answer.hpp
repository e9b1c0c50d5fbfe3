// DNS answers as Postern's callers see them: a status that says whether to
// bounce (NotFound, NoData) or defer (TempFail), plus typed records. Pure
// data, no c-ares types, so any process may include it.
#pragma once

#include <string>
#include <vector>

namespace postern::dns {

enum class DnsStatus {
  Found,     // at least one record of the asked type
  NotFound,  // NXDOMAIN (or a name that cannot exist): the name has no records at all
  NoData,    // the name exists but has no record of this type
  TempFail,  // timeout, SERVFAIL, refused, no server reachable: try again later
};

const char* status_name(DnsStatus status);

struct MxRecord {
  int preference = 0;
  std::string host;  // exchange without the trailing dot; "" is the root (RFC 7505 null MX)
};

template <class Record>
struct Answer {
  DnsStatus status = DnsStatus::TempFail;
  std::string error;  // for anything but Found: what failed, for logs and DSNs
  std::vector<Record> records;
  bool found() const { return status == DnsStatus::Found; }
};

// MX: records as the server sent them (use order_mx() before trying them).
using MxAnswer = Answer<MxRecord>;
// A / AAAA: numeric addresses ("192.0.2.1", "2001:db8::1").
// PTR: host names without the trailing dot. TXT: one string per record
// (its character-strings concatenated).
using TextAnswer = Answer<std::string>;

// RFC 7505: the domain says it accepts no mail (an MX whose exchange is ".").
bool is_null_mx(const MxAnswer& answer);

}  // namespace postern::dns
