// passdb pam through libpam: pam_authenticate + pam_acct_mgmt with a
// conversation that answers password prompts. Runs in the auth daemon as
// root (pam_unix reads /etc/shadow); blocking, like Dovecot's auth workers.
#include "lib/auth/pam_passdb.hpp"

#include <security/pam_appl.h>

#include <cstdlib>
#include <cstring>

#include "lib/auth/vars.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"

namespace postern::auth {
namespace {

struct Conversation {
  const std::string* password;
};

// libpam frees the replies with free(): they must come from malloc, so this
// is the one place that allocates C-style, and only for PAM's contract.
int converse(int count, const pam_message** msgs, pam_response** replies, void* data) {
  auto* conv = static_cast<Conversation*>(data);
  if (count <= 0 || count > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  auto* out = static_cast<pam_response*>(std::calloc(size_t(count), sizeof(pam_response)));
  if (!out) return PAM_BUF_ERR;
  for (int i = 0; i < count; ++i) {
    switch (msgs[i]->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
      case PAM_PROMPT_ECHO_ON:
        out[i].resp = ::strdup(conv->password->c_str());
        if (!out[i].resp) {
          for (int k = 0; k < i; ++k) std::free(out[k].resp);
          std::free(out);
          return PAM_BUF_ERR;
        }
        break;
      default:
        break;  // info and error texts: nothing to answer
    }
  }
  *replies = out;
  return PAM_SUCCESS;
}

// pam_unix asks libpam to sleep ~2 s after a failure, which would stall every
// client of the auth daemon. Our own failure delay (a timer) applies instead.
void no_fail_delay(int, unsigned, void*) {}

struct PamEnd {
  int* status;
  void operator()(pam_handle_t* h) const { pam_end(h, *status); }
};

class PamPassdb final : public Passdb {
 public:
  explicit PamPassdb(std::string service) : service_(std::move(service)) {}

  Lookup verify_plain(const std::string& user, const std::string& password, const RequestInfo& info) override {
    Conversation conv{&password};
    pam_conv pc{converse, &conv};
    std::string service = expand_vars(service_, Vars{user, "", info.service, info.rip, info.lip});
    pam_handle_t* raw = nullptr;
    int status = pam_start(service.c_str(), user.c_str(), &pc, &raw);
    if (status != PAM_SUCCESS) {
      log::warning("pam(%s): pam_start failed: %s", user.c_str(), pam_strerror(raw, status));
      return Lookup::tempfail;
    }
    std::unique_ptr<pam_handle_t, PamEnd> handle(raw, PamEnd{&status});
    if (!info.rip.empty()) pam_set_item(raw, PAM_RHOST, info.rip.c_str());
    pam_set_item(raw, PAM_FAIL_DELAY, reinterpret_cast<const void*>(&no_fail_delay));
    status = pam_authenticate(raw, PAM_SILENT);
    if (status == PAM_SUCCESS) status = pam_acct_mgmt(raw, PAM_SILENT);
    switch (status) {
      case PAM_SUCCESS:
        return Lookup::ok;
      case PAM_USER_UNKNOWN:
        return Lookup::unknown_user;
      case PAM_AUTH_ERR:
      case PAM_PERM_DENIED:
      case PAM_ACCT_EXPIRED:
      case PAM_NEW_AUTHTOK_REQD:
      case PAM_MAXTRIES:
        return Lookup::mismatch;
      default:
        log::warning("pam(%s): %s", user.c_str(), pam_strerror(raw, status));
        return Lookup::tempfail;
    }
  }
  std::string name() const override { return "pam"; }

 private:
  std::string service_;
};

}  // namespace

std::unique_ptr<Passdb> make_pam_passdb(const std::string& args) {
  std::string service = "dovecot";
  for (const auto& word : split(args, " \t"))
    if (word.find('=') == std::string::npos && !word.starts_with("-")) service = word == "*" ? "%s" : word;
  return std::make_unique<PamPassdb>(service);
}

}  // namespace postern::auth
