// The Postfix policy delegation protocol (SMTPD_POLICY_README), the pure
// part: a request is "name=value" lines and an empty line; the answer is
// "action=..." (other attributes ignored) and an empty line. Pure; in
// smtpd, as mail_owner.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::smtpd {

// Encodes attributes in order, each "name=value\n", then "\n". Control
// characters in a value (a newline would end the request early) become '?'.
std::string encode_policy_request(const std::vector<std::pair<std::string, std::string>>& attributes);

// Collects a policy server's answer from the bytes received so far.
class PolicyReplyReader {
 public:
  enum class State { more, done, error };
  // Appends `data`; done when the empty line arrived, error when the answer
  // is too long or carries no action (error() says which).
  State feed(std::string_view data);
  const std::string& action() const { return action_; }
  const std::string& error() const { return error_; }

  static constexpr std::size_t kMaxReply = 64 * 1024;

 private:
  std::string buffer_;
  std::string action_;
  std::string error_;
  bool have_action_ = false;
};

// "inet:host:port", "host:port", "unix:path" (relative paths are under the
// queue directory, as in Postfix). nullopt: not a policy service address.
struct PolicyEndpoint {
  bool unix_socket = false;
  std::string path;        // unix
  std::string host, port;  // inet ("[::1]" brackets removed)
};
std::optional<PolicyEndpoint> parse_policy_endpoint(std::string_view service, std::string_view queue_directory);

}  // namespace postern::smtpd
