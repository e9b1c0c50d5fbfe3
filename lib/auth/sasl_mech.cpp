// PLAIN, LOGIN and CRAM-MD5 server mechanisms. Pure code in the auth daemon.
#include "lib/auth/sasl_mech.hpp"

#include <openssl/rand.h>
#include <time.h>

#include "lib/auth/password_scheme.hpp"
#include "lib/base/strings.hpp"

namespace postern::auth {
namespace {

MechStep fail(std::string reason) {
  MechStep s;
  s.kind = MechStep::Kind::fail;
  s.reason = std::move(reason);
  return s;
}

MechStep challenge(std::string text) {
  MechStep s;
  s.kind = MechStep::Kind::challenge;
  s.challenge = std::move(text);
  return s;
}

bool bad_name(std::string_view s) { return s.empty() || s.size() > 255 || s.find_first_of(std::string_view("\0\r\n\t", 4)) != std::string_view::npos; }

class PlainMech final : public SaslMechanism {
 public:
  MechStep start(const std::optional<std::string>& initial) override {
    if (!initial) return challenge("");
    return step(*initial);
  }
  MechStep step(const std::string& response) override {
    auto a = response.find('\0');
    auto b = a == std::string::npos ? a : response.find('\0', a + 1);
    if (b == std::string::npos) return fail("invalid input");
    std::string authzid = response.substr(0, a), authcid = response.substr(a + 1, b - a - 1);
    if (bad_name(authcid)) return fail("invalid username");
    if (!authzid.empty() && authzid != authcid) return fail("master users are not supported");
    MechStep s;
    s.kind = MechStep::Kind::verify_plain;
    s.user = authcid;
    s.password = response.substr(b + 1);
    return s;
  }
};

class LoginMech final : public SaslMechanism {
 public:
  MechStep start(const std::optional<std::string>& initial) override {
    if (initial && !initial->empty()) return step(*initial);
    return challenge("Username:");
  }
  MechStep step(const std::string& response) override {
    if (user_.empty()) {
      if (bad_name(response)) return fail("invalid username");
      user_ = response;
      return challenge("Password:");
    }
    MechStep s;
    s.kind = MechStep::Kind::verify_plain;
    s.user = user_;
    s.password = response;
    return s;
  }

 private:
  std::string user_;
};

class CramMd5Mech final : public SaslMechanism {
 public:
  explicit CramMd5Mech(std::string hostname) : hostname_(std::move(hostname)) {}
  MechStep start(const std::optional<std::string>&) override {
    unsigned char r[8];
    RAND_bytes(r, sizeof r);
    unsigned long long n = 0;
    for (unsigned char c : r) n = n << 8 | c;
    challenge_ = "<" + std::to_string(n) + "." + std::to_string(::time(nullptr)) + "@" + hostname_ + ">";
    return challenge(challenge_);
  }
  MechStep step(const std::string& response) override {
    auto space = response.rfind(' ');
    if (space == std::string::npos || response.size() - space - 1 != 32) return fail("invalid input");
    MechStep s;
    s.kind = MechStep::Kind::verify_cram;
    s.user = response.substr(0, space);
    if (bad_name(s.user)) return fail("invalid username");
    s.cram_challenge = challenge_;
    s.cram_response = to_lower(response.substr(space + 1));
    return s;
  }

 private:
  std::string hostname_;
  std::string challenge_;
};

}  // namespace

std::unique_ptr<SaslMechanism> make_mechanism(std::string_view name, const std::string& hostname) {
  std::string n = to_upper(name);
  if (n == "PLAIN") return std::make_unique<PlainMech>();
  if (n == "LOGIN") return std::make_unique<LoginMech>();
  if (n == "CRAM-MD5") return std::make_unique<CramMd5Mech>(hostname);
  return nullptr;
}

bool is_plaintext_mechanism(std::string_view name) {
  std::string n = to_upper(name);
  return n == "PLAIN" || n == "LOGIN";
}

}  // namespace postern::auth
