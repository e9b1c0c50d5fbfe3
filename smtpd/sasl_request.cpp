// SaslRequest (see sasl_request.hpp). In smtpd, as mail_owner.
#include "smtpd/sasl_request.hpp"

#include <openssl/crypto.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/base/sys_error.hpp"

namespace postern::smtpd {

Result<std::unique_ptr<SaslRequest>> SaslRequest::start(net::EventLoop& loop, const std::string& path,
                                                        auth::ExchangeParams params, Callback callback) {
  std::unique_ptr<SaslRequest> r(new SaslRequest(std::move(params), std::move(callback)));
  r->fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!r->fd_) return sys_error("socket");
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return Error{"auth socket path too long: " + path};
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  // A UNIX stream connect completes at once or fails (EAGAIN: backlog full).
  if (::connect(r->fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return sys_error("connect to " + path);
  SaslRequest* raw = r.get();
  r->read_watch_ = net::Watcher::readable(loop, r->fd_.get(), [raw] { raw->on_readable(); });
  r->write_watch_ = net::Watcher::writable(loop, r->fd_.get(), [raw] { raw->on_writable(); });
  r->read_watch_.enable();
  r->send(r->exchange_.request());
  return r;
}

void SaslRequest::respond(std::string_view response_b64) {
  if (finished_) return;
  send(exchange_.continue_with(response_b64));
}

void SaslRequest::send(std::string text) {
  out_ += text;
  OPENSSL_cleanse(text.data(), text.size());
  write_watch_.enable();  // written from the loop, so no callback runs inside start()/respond()
}

void SaslRequest::on_writable() {
  while (!out_.empty()) {
    ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) return fail(std::string("write to auth server: ") + std::strerror(errno));
    OPENSSL_cleanse(out_.data(), static_cast<std::size_t>(n));
    out_.erase(0, static_cast<std::size_t>(n));
  }
  write_watch_.disable();
}

void SaslRequest::on_readable() {
  char buf[4096];
  ssize_t n = ::read(fd_.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) return fail(n == 0 ? "auth server closed the connection" : std::strerror(errno));
  auto events = exchange_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  OPENSSL_cleanse(buf, sizeof buf);
  for (const auto& e : events) {
    if (finished_) break;
    if (e.kind != auth::ExchangeEvent::Kind::challenge) {
      finished_ = true;
      read_watch_.disable();
      write_watch_.disable();
    }
    callback_(e);
  }
}

void SaslRequest::fail(const std::string& why) {
  if (finished_) return;
  finished_ = true;
  read_watch_.disable();
  write_watch_.disable();
  auth::ExchangeEvent e;
  e.kind = auth::ExchangeEvent::Kind::error;
  e.data = why;
  callback_(e);
}

}  // namespace postern::smtpd
