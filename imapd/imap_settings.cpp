// Loading imapd's settings. See imap_settings.hpp.
#include "imapd/imap_settings.hpp"

#include <cctype>

#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"

namespace postern::imapd {
namespace {

// "64k", "1M", "65536" -> bytes; nullopt when malformed.
std::optional<size_t> parse_size(const std::string& text) {
  std::string t = to_lower(text);
  size_t mult = 1;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  if (!t.empty() && t.back() == 'b') t.pop_back();
  if (!t.empty() && (t.back() == 'k' || t.back() == 'm' || t.back() == 'g')) {
    mult = t.back() == 'k' ? 1024 : t.back() == 'm' ? 1024 * 1024 : 1024ul * 1024 * 1024;
    t.pop_back();
  }
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  auto n = parse_long(t);
  if (!n || *n <= 0) return std::nullopt;
  return size_t(*n) * mult;
}

}  // namespace

imap::ReaderLimits pre_login_limits() {
  imap::ReaderLimits l;
  l.max_line = 8192;
  l.max_literal = 8192;
  l.max_command = 16384;
  l.max_depth = 4;
  return l;
}

void load_imap_settings(service::DaemonContext& ctx, ImapSettings& out) {
  login::load_login_settings(ctx, "imap", out.loaded);
  const auto& conf = *out.loaded.conf;
  try {
    std::string line = conf.get("imap_max_line_length", "imap");
    auto max_line = parse_size(line);
    if (!max_line || *max_line < 1024)
      log::fatal("%s: imap_max_line_length: not a size of at least 1k: %s", conf.path().c_str(), line.c_str());
    out.limits.max_line = *max_line;
    out.capability = conf.get("imap_capability", "imap");
    out.idle_notify_interval = long(conf.get_seconds("imap_idle_notify_interval", "imap"));
    if (out.idle_notify_interval <= 0) out.idle_notify_interval = 120;
  } catch (const dovecot::ConfError& e) {
    log::fatal("%s", e.what());
  }
}

}  // namespace postern::imapd
