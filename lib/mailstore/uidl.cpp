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

namespace {
// The first LF not preceded by CR at or after `from`, or npos.
size_t next_bare_lf(std::string_view text, size_t from) {
  while (from < text.size()) {
    const void* nl = std::memchr(text.data() + from, '\n', text.size() - from);
    if (!nl) return std::string_view::npos;
    size_t i = size_t(static_cast<const char*>(nl) - text.data());
    if (i == 0 || text[i - 1] != '\r') return i;
    from = i + 1;
  }
  return std::string_view::npos;
}
}  // namespace

std::string to_network(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 30);
  size_t pos = 0;
  for (size_t lf; (lf = next_bare_lf(text, pos)) != std::string_view::npos; pos = lf + 1) {
    out.append(text.data() + pos, lf - pos);
    out += "\r\n";
  }
  out.append(text.data() + pos, text.size() - pos);
  return out;
}

std::string to_network_owned(std::string text) {
  // Mail stored with CRLF already (Dovecot's deliveries, migrated boxes) is
  // sent as it is, without a copy.
  if (next_bare_lf(text, 0) == std::string_view::npos) return text;
  return to_network(std::string_view(text));
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
