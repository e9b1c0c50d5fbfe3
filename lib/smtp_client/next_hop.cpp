// Next-hop parsing for the smtp/lmtp agent (see next_hop.hpp).
#include "lib/smtp_client/next_hop.hpp"

#include <charconv>

namespace postern::smtp {

namespace {
std::optional<int> parse_port(std::string_view text) {
  int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) return std::nullopt;
  return port;
}
}  // namespace

std::optional<NextHop> parse_next_hop(std::string_view text, int default_port) {
  NextHop hop;
  hop.port = default_port;
  if (text.starts_with("unix:")) {
    hop.unix_path = std::string(text.substr(5));
    hop.mx_lookup = false;
    if (hop.unix_path.empty()) return std::nullopt;
    return hop;
  }
  if (text.starts_with("inet:")) {
    text.remove_prefix(5);
    // lmtp:inet:host:port names a host, not a mail domain: no MX lookup.
    hop.mx_lookup = false;
  }
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    hop.host = std::string(text.substr(1, close - 1));
    hop.mx_lookup = false;
    text.remove_prefix(close + 1);
    if (text.empty()) return hop;
    if (text[0] != ':') return std::nullopt;
    auto port = parse_port(text.substr(1));
    if (!port) return std::nullopt;
    hop.port = *port;
    return hop;
  }
  auto colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find(':') == colon) {
    auto port = parse_port(text.substr(colon + 1));
    if (!port) return std::nullopt;
    hop.port = *port;
    text = text.substr(0, colon);
  }
  if (text.empty()) return std::nullopt;
  hop.host = std::string(text);
  return hop;
}

}  // namespace postern::smtp
