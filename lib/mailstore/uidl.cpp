// UIDL and size helpers for mailbox readers. Pure; runs in pop3d.
#include "lib/mailstore/uidl.hpp"

#include "lib/mailstore/uidlist_file.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace postern::mailstore {

uint64_t network_size(std::string_view text) {
  uint64_t size = text.size();
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
    if (!nl) break;
    if (nl == text.data() || nl[-1] != '\r') ++size;
    p = nl + 1;
  }
  return size;
}

std::string to_network(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 30);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

std::string md5_hex(std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, EVP_md5(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) s += {hex[out[i] >> 4], hex[out[i] & 15]};
  return s;
}

std::string sanitize_uidl(std::string_view raw) {
  std::string out;
  for (unsigned char c : raw) {
    if (c > 0x20 && c < 0x7f && c != '%') {
      out.push_back(char(c));
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += {'%', hex[c >> 4], hex[c & 15]};
    }
  }
  if (out.empty() || out.size() > 64) return md5_hex(raw);
  return out;
}

void dedupe_uidls(std::vector<std::string*>& uidls) {
  std::map<std::string, int> seen;
  for (std::string* u : uidls) {
    int n = ++seen[*u];
    if (n > 1) *u += "-" + std::to_string(n);
  }
}

std::string dovecot_uidl(unsigned long uid, unsigned long uidvalidity) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08lX%08lX", uid, uidvalidity);
  return buf;
}

std::optional<DovecotUidList> parse_dovecot_uidlist(std::string_view text) {
  // One parser for POP3 and IMAP: the IMAP store's, which also writes the file.
  auto list = parse_uidlist(text);
  if (!list) return std::nullopt;
  DovecotUidList out;
  out.uidvalidity = list->uidvalidity;
  for (const auto& e : list->entries) out.uid_by_name[e.base] = e.uid;
  return out;
}

}  // namespace postern::mailstore
