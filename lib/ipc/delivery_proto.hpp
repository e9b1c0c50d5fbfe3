// The delivery request protocol between qmgr and a delivery agent (local,
// later smtp/virtual): typed request/reply, their attribute encoding, the
// hello that opens each connection, and the client stub qmgr calls. The
// message body never crosses it: the agent reads the queue file itself.
// qmgr (mail_owner) is the client; the agent (local: root) the server.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/ipc/attr.hpp"

namespace postern::ipc {

inline constexpr const char* kDeliveryProtocol = "delivery";
inline constexpr int kDeliveryVersion = 1;

// One recipient of a request: the address, its original form and its done
// offset (which R record of the queue file it is).
struct RequestRecipient {
  std::string address;
  std::string orig_rcpt;
  std::uint64_t offset = 0;
};

struct DeliveryRequest {
  std::string queue_id;
  std::string queue_path;          // the file in active/, opened read-only by the agent
  std::string sender;              // "" for <>
  std::string recipient;           // the envelope recipient being delivered
  std::string orig_rcpt;           // as first received (for orig_to= and DSN), may equal recipient
  std::string nexthop;             // where the transport sends it ("example.com", "[host]:port"); local: ""
  std::uint64_t recipient_offset = 0;  // the recipient's done offset: which R record this is
  double arrival = 0;              // seconds since the epoch, for delay=
  double active_time = 0;          // when qmgr moved the file into active/
  double request_time = 0;         // when qmgr sent this request
  // Recipients after the first (recipient/orig_rcpt/recipient_offset), for
  // agents that take several per delivery (smtp, lmtp: one transaction with
  // several RCPT TO). qmgr sends local one recipient at a time. On the wire
  // every recipient is one recipient/orig_rcpt/offset triple, in order.
  std::vector<RequestRecipient> more_recipients;

  // The first recipient followed by more_recipients.
  std::vector<RequestRecipient> all_recipients() const;
};

// A permanent failure of one address (the recipient itself, or a target an
// alias or .forward expanded it to), for the bounce message.
struct FailedAddress {
  std::string address;
  std::string dsn;     // "5.1.1"
  std::string reason;  // "unknown user: \"nosuch\""
};

// The outcome for one recipient of a multi-recipient request.
struct RecipientResult {
  enum class Status { sent, deferred, bounced };
  std::uint64_t offset = 0;  // RequestRecipient::offset
  Status status = Status::deferred;
  std::string dsn;
  std::string reason;
};

struct DeliveryReply {
  // true: try again later (the recipient stays pending); the reason is
  // already logged by the agent and is kept for the defer log.
  bool deferred = false;
  std::string dsn;     // of the deferral, or of the last final result
  std::string reason;
  std::vector<FailedAddress> failed;  // final failures (may be set with deferred too)
  // Per-recipient outcomes (smtp, lmtp). When empty, the fields above apply
  // to every recipient of the request (local, or a failure before any
  // recipient was tried). A recipient of the request without an entry here
  // is deferred by qmgr.
  std::vector<RecipientResult> results;
};

AttrList encode_request(const DeliveryRequest& request);
Result<DeliveryRequest> decode_request(const AttrList& attrs);
AttrList encode_reply(const DeliveryReply& reply);
Result<DeliveryReply> decode_reply(const AttrList& attrs);

// Server side: writes {protocol, version, requests} when a client connects.
// `requests` is how many requests the agent takes on this connection, one
// after another (1: the connection ends after the first reply); qmgr sends
// no more than that.
Status send_hello(int fd, long long requests = 1);
// Client side: whether a list is a hello of this protocol and version.
bool is_hello(const AttrList& hello);
// Client side: reads one and checks it.
Status expect_hello(AttrReader& reader);
// How many requests a hello allows: its "requests" attribute, 1 when absent
// or not a positive number.
long long hello_requests(const AttrList& hello);

// Client stub: connects to the agent's UNIX socket, checks the hello, sends
// the request and waits up to timeout_seconds for the reply. Errors (no
// agent, a crash, a timeout) mean "defer", never "bounce".
Result<DeliveryReply> deliver(const std::string& socket_path, const DeliveryRequest& request, int timeout_seconds);

}  // namespace postern::ipc
