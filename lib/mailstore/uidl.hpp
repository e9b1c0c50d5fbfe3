// UIDL and size helpers shared by the mbox and Maildir readers. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mailstore {

// Octets of `text` once every bare LF is sent as CRLF.
uint64_t network_size(std::string_view text);
// `text` with bare LFs turned into CRLF.
std::string to_network(std::string_view text);
// The same for a string the caller gives up: returned as it is (moved, no
// copy) when it has no bare LF.
std::string to_network_owned(std::string text);
// Hex MD5 of the bytes (mbox UIDLs are derived from the message's own header).
std::string md5_hex(std::string_view bytes);
// A valid UIDL (1-70 chars in 0x21..0x7E) from any string: unsafe bytes hex-escaped,
// long ones hashed.
std::string sanitize_uidl(std::string_view raw);
// Makes repeated UIDLs unique in order ("x", "x", "x" -> "x", "x-2", "x-3").
void dedupe_uidls(std::vector<std::string*>& uidls);

// Dovecot's default pop3_uidl_format "%08Xu%08Xv": IMAP UID and UIDVALIDITY
// in upper-case hex, so mail migrated from Dovecot keeps its UIDLs.
std::string dovecot_uidl(unsigned long uid, unsigned long uidvalidity);

struct DovecotUidList {
  unsigned long uidvalidity = 0;
  std::map<std::string, unsigned long> uid_by_name;  // Maildir base name -> UID
};
// Parses a Maildir's dovecot-uidlist (versions 1 and 3); nullopt when the text
// is not one.
std::optional<DovecotUidList> parse_dovecot_uidlist(std::string_view text);

}  // namespace postern::mailstore
