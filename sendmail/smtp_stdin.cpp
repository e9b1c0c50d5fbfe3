// sendmail -bs session (the invoking user): commands parsed by lib/smtp,
// messages handed to postdrop.
#include "sendmail/smtp_stdin.hpp"

#include <unistd.h>

#include <cerrno>
#include <optional>
#include <variant>

#include "lib/base/file_io.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_file.hpp"
#include "lib/smtp/command.hpp"
#include "lib/smtp/reply.hpp"

namespace postern::sendmail {
namespace {

// Buffered line input from a descriptor; lines come back without <CR><LF>.
class LineInput {
 public:
  explicit LineInput(int fd) : fd_(fd) {}
  // nullopt at end of input.
  std::optional<std::string> next() {
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      char chunk[8192];
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (buf_.empty()) return std::nullopt;
        std::string line = std::move(buf_);
        buf_.clear();
        return line;
      }
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buf_;
};

const char* body_name(smtp::Body b) {
  switch (b) {
    case smtp::Body::seven_bit:
      return "7BIT";
    case smtp::Body::eight_bit_mime:
      return "8BITMIME";
    case smtp::Body::binary_mime:
      return "BINARYMIME";
    default:
      return "";
  }
}

}  // namespace

int serve_smtp_stdin(int in_fd, int out_fd, const SmtpStdinOptions& options) {
  LineInput in(in_fd);
  auto send = [&](const std::string& wire) { (void)write_all(out_fd, wire); };
  auto reply = [&](int code, const std::string& enhanced, const std::string& text) {
    send(smtp::Reply{code, enhanced, text}.wire());
  };
  reply(220, "", options.myhostname + " ESMTP " + options.mail_name);
  bool esmtp = false;
  std::optional<queue::Envelope> txn;
  smtp::CommandOptions copts;
  copts.message_size_limit = options.message_size_limit;
  while (auto line = in.next()) {
    copts.smtputf8_transaction = txn && txn->attributes.smtputf8;
    auto parsed = smtp::parse_command(*line, copts);
    if (auto* r = std::get_if<smtp::Reply>(&parsed)) {
      send(r->wire());
      continue;
    }
    auto& cmd = std::get<smtp::Command>(parsed);
    switch (cmd.verb) {
      case smtp::Verb::helo:
        esmtp = false;
        txn.reset();
        reply(250, "", options.myhostname);
        break;
      case smtp::Verb::ehlo: {
        esmtp = true;
        txn.reset();
        std::vector<std::string> kw = {"PIPELINING"};
        if (options.message_size_limit)
          kw.push_back("SIZE " + std::to_string(options.message_size_limit));
        else
          kw.push_back("SIZE");
        for (const char* k : {"ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8"}) kw.emplace_back(k);
        send(smtp::ehlo_reply(options.myhostname, kw));
        break;
      }
      case smtp::Verb::mail:
        if (txn) {
          reply(503, "5.5.1", "Error: nested MAIL command");
          break;
        }
        txn.emplace();
        txn->sender = cmd.path.null ? "" : cmd.path.address;
        txn->attributes.protocol = esmtp ? "ESMTP" : "SMTP";
        txn->attributes.body = body_name(cmd.mail.body);
        txn->attributes.smtputf8 = cmd.mail.smtputf8;
        txn->attributes.ret = cmd.mail.ret == smtp::Ret::full   ? "FULL"
                              : cmd.mail.ret == smtp::Ret::hdrs ? "HDRS"
                                                                : "";
        if (cmd.mail.envid) txn->attributes.envid = *cmd.mail.envid;
        reply(250, "2.1.0", "Ok");
        break;
      case smtp::Verb::rcpt: {
        if (!txn) {
          reply(503, "5.5.1", "Error: need MAIL command");
          break;
        }
        queue::Recipient r;
        r.address = cmd.path.address;
        r.notify = cmd.rcpt.notify;
        if (cmd.rcpt.orcpt) r.orcpt = cmd.rcpt.orcpt_type.value_or("rfc822") + ";" + *cmd.rcpt.orcpt;
        txn->recipients.push_back(std::move(r));
        reply(250, "2.1.5", "Ok");
        break;
      }
      case smtp::Verb::data: {
        if (!txn) {
          reply(503, "5.5.1", "Error: need RCPT command");
          break;
        }
        if (txn->recipients.empty()) {
          reply(554, "5.5.1", "Error: no valid recipients");
          break;
        }
        reply(354, "", "End data with <CR><LF>.<CR><LF>");
        std::string content;
        bool ended = false, too_big = false;
        while (auto data = in.next()) {
          if (*data == ".") {
            ended = true;
            break;
          }
          std::string_view l = *data;
          if (!l.empty() && l[0] == '.') l.remove_prefix(1);  // dot-stuffing
          if (options.message_size_limit && content.size() + l.size() + 2 > options.message_size_limit)
            too_big = true;
          if (!too_big) {
            content.append(l);
            content += "\r\n";
          }
        }
        if (!ended) return 0;  // EOF inside DATA: nothing is queued
        if (too_big) {
          reply(552, "5.3.4", "Error: message file too big");
        } else if (auto s = run_postdrop(options.postdrop, *txn, content); !s) {
          log::warning("%s", s.error().message.c_str());
          reply(451, "4.3.0", "Error: queue file write error");
        } else {
          reply(250, "2.0.0", "Ok: queued");
        }
        txn.reset();
        break;
      }
      case smtp::Verb::rset:
        txn.reset();
        reply(250, "2.0.0", "Ok");
        break;
      case smtp::Verb::noop:
        reply(250, "2.0.0", "Ok");
        break;
      case smtp::Verb::quit:
        reply(221, "2.0.0", "Bye");
        return 0;
      case smtp::Verb::vrfy:
        reply(502, "5.5.1", "VRFY command is disabled");
        break;
      default:
        reply(502, "5.5.1", "Error: command not implemented");
        break;
    }
  }
  return 0;
}

}  // namespace postern::sendmail
