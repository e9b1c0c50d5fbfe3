// Policy delegation protocol encoding and answer parsing (see
// policy_request.hpp). In smtpd, as mail_owner.
#include "smtpd/policy_request.hpp"

#include "lib/base/strings.hpp"

namespace postern::smtpd {

std::string encode_policy_request(const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::string out;
  for (const auto& [name, value] : attributes) {
    out += name;
    out += '=';
    for (char c : value) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    out += '\n';
  }
  out += '\n';
  return out;
}

PolicyReplyReader::State PolicyReplyReader::feed(std::string_view data) {
  buffer_.append(data);
  std::size_t start = 0;
  for (;;) {
    std::size_t nl = buffer_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view line(buffer_.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = nl + 1;
    if (line.empty()) {
      buffer_.erase(0, start);
      if (!have_action_) {
        error_ = "policy server answer without action";
        return State::error;
      }
      return State::done;
    }
    auto eq = line.find('=');
    if (eq != std::string_view::npos && line.substr(0, eq) == "action") {
      action_ = std::string(trim(line.substr(eq + 1)));
      have_action_ = true;
    }
  }
  buffer_.erase(0, start);
  if (buffer_.size() + action_.size() > kMaxReply) {
    error_ = "policy server answer is too long";
    return State::error;
  }
  return State::more;
}

std::optional<PolicyEndpoint> parse_policy_endpoint(std::string_view service, std::string_view queue_directory) {
  PolicyEndpoint e;
  if (service.starts_with("unix:")) {
    e.unix_socket = true;
    e.path = std::string(service.substr(5));
    if (e.path.empty()) return std::nullopt;
    if (e.path.front() != '/') e.path = std::string(queue_directory) + "/" + e.path;
    return e;
  }
  if (service.starts_with("inet:")) service.remove_prefix(5);
  auto colon = service.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == service.size()) return std::nullopt;
  e.host = std::string(service.substr(0, colon));
  e.port = std::string(service.substr(colon + 1));
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
  if (e.port.find_first_not_of("0123456789") != std::string::npos &&
      e.port.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos)
    return std::nullopt;
  return e;
}

}  // namespace postern::smtpd
