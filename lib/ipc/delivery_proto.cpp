// Delivery request protocol (see delivery_proto.hpp). qmgr and the agents.
#include "lib/ipc/delivery_proto.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::ipc {

namespace {

std::string time_text(double t) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", t);
  return buf;
}

Result<double> require_time(const AttrList& attrs, std::string_view name) {
  auto v = require(attrs, name);
  if (!v) return v.error();
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0' || d < 0) return Error{"protocol error: bad time in " + std::string(name), EPROTO};
  return d;
}

Result<std::uint64_t> parse_offset(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno == ERANGE) {
    return Error{"protocol error: bad offset", EPROTO};
  }
  return static_cast<std::uint64_t>(v);
}

const char* status_word(RecipientResult::Status s) {
  switch (s) {
    case RecipientResult::Status::sent: return "sent";
    case RecipientResult::Status::bounced: return "bounced";
    case RecipientResult::Status::deferred: break;
  }
  return "deferred";
}

}  // namespace

std::vector<RequestRecipient> DeliveryRequest::all_recipients() const {
  std::vector<RequestRecipient> out;
  out.reserve(1 + more_recipients.size());
  out.push_back({recipient, orig_rcpt, recipient_offset});
  out.insert(out.end(), more_recipients.begin(), more_recipients.end());
  return out;
}

AttrList encode_request(const DeliveryRequest& r) {
  AttrList a;
  a.add("request", "deliver");
  a.add("queue_id", r.queue_id);
  a.add("queue_path", r.queue_path);
  a.add("sender", r.sender);
  a.add("nexthop", r.nexthop);
  for (const auto& rcpt : r.all_recipients()) {
    a.add("recipient", rcpt.address);
    a.add("orig_rcpt", rcpt.orig_rcpt);
    a.add("offset", static_cast<long long>(rcpt.offset));
  }
  a.add("arrival", time_text(r.arrival));
  a.add("active_time", time_text(r.active_time));
  a.add("request_time", time_text(r.request_time));
  return a;
}

Result<DeliveryRequest> decode_request(const AttrList& a) {
  DeliveryRequest r;
  auto kind = require(a, "request");
  if (!kind) return kind.error();
  if (*kind != "deliver") return Error{"protocol error: unknown request " + *kind, EPROTO};
  for (auto [name, field] : {std::pair{"queue_id", &r.queue_id}, {"queue_path", &r.queue_path},
                             {"sender", &r.sender}, {"nexthop", &r.nexthop}}) {
    auto v = require(a, name);
    if (!v) return v.error();
    *field = std::move(*v);
  }
  auto addresses = a.all("recipient");
  auto origs = a.all("orig_rcpt");
  auto offsets = a.all("offset");
  if (addresses.empty()) return Error{"protocol error: missing attribute recipient", EPROTO};
  if (origs.size() != addresses.size() || offsets.size() != addresses.size()) {
    return Error{"protocol error: incomplete recipient list", EPROTO};
  }
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    auto offset = parse_offset(offsets[i]);
    if (!offset) return offset.error();
    if (addresses[i].empty()) return Error{"protocol error: empty recipient", EPROTO};
    RequestRecipient rcpt{std::move(addresses[i]), std::move(origs[i]), *offset};
    if (i == 0) {
      r.recipient = std::move(rcpt.address);
      r.orig_rcpt = std::move(rcpt.orig_rcpt);
      r.recipient_offset = rcpt.offset;
    } else {
      r.more_recipients.push_back(std::move(rcpt));
    }
  }
  for (auto [name, field] : {std::pair{"arrival", &r.arrival}, {"active_time", &r.active_time},
                             {"request_time", &r.request_time}}) {
    auto v = require_time(a, name);
    if (!v) return v.error();
    *field = *v;
  }
  if (r.queue_id.empty() || r.queue_path.empty() || r.recipient.empty()) {
    return Error{"protocol error: empty queue id, path or recipient", EPROTO};
  }
  return r;
}

AttrList encode_reply(const DeliveryReply& r) {
  AttrList a;
  a.add("status", r.deferred ? "deferred" : "done");
  a.add("dsn", r.dsn);
  a.add("reason", r.reason);
  for (const auto& f : r.failed) {
    a.add("failed_address", f.address);
    a.add("failed_dsn", f.dsn);
    a.add("failed_reason", f.reason);
  }
  for (const auto& res : r.results) {
    a.add("result_offset", static_cast<long long>(res.offset));
    a.add("result_status", status_word(res.status));
    a.add("result_dsn", res.dsn);
    a.add("result_reason", res.reason);
  }
  return a;
}

Result<DeliveryReply> decode_reply(const AttrList& a) {
  DeliveryReply r;
  auto status = require(a, "status");
  if (!status) return status.error();
  if (*status != "deferred" && *status != "done") return Error{"protocol error: bad status " + *status, EPROTO};
  r.deferred = *status == "deferred";
  auto dsn = require(a, "dsn");
  auto reason = require(a, "reason");
  if (!dsn) return dsn.error();
  if (!reason) return reason.error();
  r.dsn = *dsn;
  r.reason = *reason;
  auto addrs = a.all("failed_address");
  auto dsns = a.all("failed_dsn");
  auto reasons = a.all("failed_reason");
  if (addrs.size() != dsns.size() || addrs.size() != reasons.size()) {
    return Error{"protocol error: incomplete failed address list", EPROTO};
  }
  for (std::size_t i = 0; i < addrs.size(); ++i) r.failed.push_back({addrs[i], dsns[i], reasons[i]});
  auto offsets = a.all("result_offset");
  auto statuses = a.all("result_status");
  auto result_dsns = a.all("result_dsn");
  auto result_reasons = a.all("result_reason");
  if (statuses.size() != offsets.size() || result_dsns.size() != offsets.size() ||
      result_reasons.size() != offsets.size()) {
    return Error{"protocol error: incomplete result list", EPROTO};
  }
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    auto offset = parse_offset(offsets[i]);
    if (!offset) return offset.error();
    RecipientResult res;
    res.offset = *offset;
    if (statuses[i] == "sent") res.status = RecipientResult::Status::sent;
    else if (statuses[i] == "bounced") res.status = RecipientResult::Status::bounced;
    else if (statuses[i] == "deferred") res.status = RecipientResult::Status::deferred;
    else return Error{"protocol error: bad result status " + statuses[i], EPROTO};
    res.dsn = std::move(result_dsns[i]);
    res.reason = std::move(result_reasons[i]);
    r.results.push_back(std::move(res));
  }
  return r;
}

Status send_hello(int fd, long long requests) {
  AttrList a;
  a.add("protocol", kDeliveryProtocol);
  a.add("version", kDeliveryVersion);
  a.add("requests", requests < 1 ? 1 : requests);
  return write_attrs(fd, a);
}

long long hello_requests(const AttrList& hello) {
  auto value = hello.get("requests");
  if (!value) return 1;
  auto n = parse_long(*value);
  return n && *n > 0 ? *n : 1;
}

bool is_hello(const AttrList& hello) {
  auto protocol = hello.get("protocol");
  auto version = hello.get("version");
  return protocol && *protocol == kDeliveryProtocol && version && *version == std::to_string(kDeliveryVersion);
}

Status expect_hello(AttrReader& reader) {
  auto hello = reader.read();
  if (!hello) return hello.error();
  if (!is_hello(*hello)) return Error{"protocol error: unexpected hello", EPROTO};
  return {};
}

Result<DeliveryReply> deliver(const std::string& socket_path, const DeliveryRequest& request, int timeout_seconds) {
  struct sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof sun.sun_path) return Error{"socket path too long: " + socket_path, ENAMETOOLONG};
  std::memcpy(sun.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return sys_error("socket");
  if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&sun), sizeof sun) != 0) {
    return sys_error("connect to " + socket_path);
  }
  AttrReader reader(fd.get(), timeout_seconds);
  if (auto ok = expect_hello(reader); !ok) return ok.error();
  if (auto ok = write_attrs(fd.get(), encode_request(request)); !ok) return ok.error();
  auto reply = reader.read();
  if (!reply) return reply.error();
  return decode_reply(*reply);
}

}  // namespace postern::ipc
