// Server side of the SASL mechanisms PLAIN (RFC 4616), LOGIN and CRAM-MD5
// (RFC 2195) as small state machines over decoded bytes. Pure; runs in auth.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace postern::auth {

struct MechStep {
  enum class Kind { challenge, verify_plain, verify_cram, fail };
  Kind kind = Kind::fail;
  std::string challenge;  // Kind::challenge: bytes to send (before base64)
  std::string user;       // verify_*: the authentication identity
  std::string password;   // verify_plain (wiped by the caller)
  std::string cram_challenge, cram_response;  // verify_cram: what was sent, the hex digest received
  std::string reason;     // Kind::fail
};

class SaslMechanism {
 public:
  virtual ~SaslMechanism() = default;
  // The first step; `initial` is the decoded initial response, if the client sent one.
  virtual MechStep start(const std::optional<std::string>& initial) = 0;
  virtual MechStep step(const std::string& response) = 0;
};

// nullptr for an unknown mechanism. `hostname` goes into CRAM-MD5 challenges.
std::unique_ptr<SaslMechanism> make_mechanism(std::string_view name, const std::string& hostname);
// PLAIN and LOGIN send the password itself (disable_plaintext_auth applies).
bool is_plaintext_mechanism(std::string_view name);

}  // namespace postern::auth
