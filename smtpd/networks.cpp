// Networks (see networks.hpp). In smtpd, as mail_owner.
#include "smtpd/networks.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"

namespace postern::smtpd {
namespace {

bool parse_ip(std::string_view text, int* family, unsigned char* out) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (inet_pton(AF_INET, s.c_str(), out) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out) == 1) {
    // An IPv4-mapped client address matches IPv4 networks.
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(mapped, mapped + 12, out)) {
      std::copy(out + 12, out + 16, out);
      *family = AF_INET;
      return true;
    }
    *family = AF_INET6;
    return true;
  }
  return false;
}

// Nested "/file" lists stop here (a file naming itself).
constexpr int kMaxFileDepth = 4;

}  // namespace

Networks Networks::parse(const std::vector<std::string>& items, std::string_view parameter) {
  Networks n;
  for (const auto& item : items) n.add(item, parameter, 0);
  return n;
}

void Networks::add(std::string_view item, std::string_view parameter, int depth) {
  const std::string param(parameter);
  Item entry;
  if (!item.empty() && item.front() == '!') {
    entry.negate = true;
    item.remove_prefix(1);
  }
  if (item.empty()) return;
  if (item.front() == '/') {
    auto text = read_file(std::string(item));
    if (!text) {
      log::warning("%s: cannot read %s: %s; ignored", param.c_str(), std::string(item).c_str(),
                   text.error().message.c_str());
      return;
    }
    if (depth >= kMaxFileDepth) {
      log::warning("%s: %s: files nested too deep; ignored", param.c_str(), std::string(item).c_str());
      return;
    }
    for (const auto& line : split(*text, "\n")) {
      std::string_view l = line;
      if (auto hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
      for (const auto& word : split_list(l)) add(word, parameter, depth + 1);
    }
    return;
  }
  const bool bracketed = item.front() == '[';
  if (!bracketed && item.find(':') != std::string_view::npos && item.find('/') != 0) {
    // "type:name" unless it parses as a bare IPv6 address.
    int family = 0;
    unsigned char tmp[16];
    std::string_view addr = item.substr(0, item.rfind('/'));
    if (!parse_ip(addr, &family, tmp)) {
      auto opened = maps::open_table(item);
      if (!opened) {
        log::warning("%s: %s: %s; ignored", param.c_str(), std::string(item).c_str(),
                     opened.error().message.c_str());
        return;
      }
      entry.table = std::move(*opened);
      items_.push_back(std::move(entry));
      return;
    }
  }
  std::string_view addr = item;
  int prefix = -1;
  if (auto slash = addr.rfind('/'); slash != std::string_view::npos && addr.back() != ']') {
    auto bits = parse_long(addr.substr(slash + 1));
    if (!bits || *bits < 0) {
      log::warning("%s: \"%s\" is not a network; ignored", param.c_str(), std::string(item).c_str());
      return;
    }
    prefix = static_cast<int>(*bits);
    addr = addr.substr(0, slash);
  }
  Net net;
  if (!parse_ip(addr, &net.family, net.addr.data())) {
    log::warning("%s: \"%s\" is not a network; ignored", param.c_str(), std::string(item).c_str());
    return;
  }
  int max = net.family == AF_INET ? 32 : 128;
  net.prefix = prefix < 0 ? max : std::min(prefix, max);
  entry.net = net;
  items_.push_back(std::move(entry));
}

bool Networks::net_contains(const Net& net, int family, const unsigned char* a) {
  if (net.family != family) return false;
  int bits = net.prefix;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((a[i] & mask) != (net.addr[i] & mask)) return false;
  }
  return true;
}

bool Networks::contains(std::string_view address) const {
  int family = 0;
  unsigned char a[16] = {};
  if (!parse_ip(address, &family, a)) return false;
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, a, text, sizeof text);
  for (const auto& item : items_) {
    bool match = false;
    if (item.net) {
      match = net_contains(*item.net, family, a);
    } else if (item.table) {
      // Postfix's address keys: 1.2.3.4, 1.2.3, 1.2, 1 (and IPv6 by ':' parts).
      std::string key = text;
      const char sep = family == AF_INET ? '.' : ':';
      while (!key.empty()) {
        auto r = item.table->lookup(key);
        if (r.is_found()) {
          match = true;
          break;
        }
        if (r.is_temp_fail()) {
          log::warning("%s: lookup of %s failed: %s", item.table->spec().c_str(), key.c_str(), r.value.c_str());
          break;
        }
        auto cut = key.rfind(sep);
        if (cut == std::string::npos) break;
        key.resize(cut);
        while (!key.empty() && key.back() == sep) key.pop_back();
      }
    }
    if (match) return !item.negate;
  }
  return false;
}

}  // namespace postern::smtpd
