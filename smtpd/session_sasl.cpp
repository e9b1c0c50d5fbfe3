// Session: SMTP AUTH through the auth server (see session.hpp). The
// exchange runs on the event loop; commands wait for its answer. In smtpd,
// as mail_owner; passwords never reach the log.
#include <unistd.h>

#include "lib/log/log.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void Session::begin_auth(const std::string& mechanism, const std::optional<std::string>& initial_b64) {
  auth::ExchangeParams p;
  p.mechanism = mechanism;
  p.service = params().sasl_service;
  p.rip = client_.address;
  p.secured = tls_active_;
  p.initial_b64 = initial_b64;
  p.client_pid = static_cast<long>(::getpid());
  auto started = SaslRequest::start(server_.loop, params().sasl_path, std::move(p),
                                    [this](const auth::ExchangeEvent& e) { on_sasl_event(e); });
  if (!started) {
    log::warning("SASL: %s", started.error().message.c_str());
    return reply(454, "4.7.0", "Temporary authentication failure");
  }
  sasl_ = std::move(*started);
  sasl_pending_method_ = mechanism;
  sasl_waiting_ = true;
}

void Session::end_sasl() {
  sasl_waiting_ = false;
  if (mode_ == Mode::sasl_response) mode_ = Mode::command;
  if (sasl_) {
    sasl_retired_.push_back(std::move(sasl_));
    sasl_reaper_.arm(0);
  }
}

void Session::on_sasl_event(const auth::ExchangeEvent& e) {
  if (finished_) return;
  switch (e.kind) {
    case auth::ExchangeEvent::Kind::challenge:
      sasl_waiting_ = false;
      mode_ = Mode::sasl_response;
      emit("334 " + e.data + "\r\n");
      break;
    case auth::ExchangeEvent::Kind::ok:
      end_sasl();
      sasl_username_ = e.user;
      sasl_method_ = sasl_pending_method_;
      count_ok(smtp::Verb::auth);
      reply(235, "2.7.0", "Authentication successful");
      break;
    case auth::ExchangeEvent::Kind::fail:
      end_sasl();
      if (e.temp) {
        log::warning("%s: SASL %s authentication failed: %s", client_.namaddr().c_str(), sasl_pending_method_.c_str(),
                     e.reason.empty() ? "temporary failure" : e.reason.c_str());
        reply(454, "4.7.0", "Temporary authentication failure");
      } else {
        // fail2ban's postfix-sasl filter matches this line.
        log::warning("%s: SASL %s authentication failed: %s", client_.namaddr().c_str(), sasl_pending_method_.c_str(),
                     e.reason.empty() ? "authentication failure" : e.reason.c_str());
        reply(535, "5.7.8",
              "Error: authentication failed: " + (e.reason.empty() ? std::string("authentication failure") : e.reason));
      }
      break;
    case auth::ExchangeEvent::Kind::none:
    case auth::ExchangeEvent::Kind::error:
      end_sasl();
      log::warning("SASL: %s: %s", params().sasl_path.c_str(), e.data.c_str());
      reply(454, "4.7.0", "Temporary authentication failure");
      break;
  }
  flush();
  if (!finished_) process();
}

void Session::sasl_response_line(const smtp::Line& line) {
  if (line.text == "*") {
    // RFC 4954 4: the client cancels the exchange.
    end_sasl();
    return reply(501, "5.7.0", "Authentication aborted");
  }
  if (line.too_long || line.text.size() > params().sasl_response_limit) {
    end_sasl();
    return reply(500, "5.5.6", "Authentication exchange line is too long");
  }
  sasl_waiting_ = true;
  mode_ = Mode::command;
  sasl_->respond(line.text);
}

}  // namespace postern::smtpd
