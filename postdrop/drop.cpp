// postdrop: strict copy of stdin into maildrop/. Runs as the submitting user,
// set-group-ID postdrop; everything it reads is untrusted.
#include "postdrop/drop.hpp"

#include <unistd.h>

#include <cerrno>

#include "lib/base/sys_error.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_file.hpp"
#include "lib/queue_tools/maildrop.hpp"
#include "lib/queue_tools/trigger.hpp"

namespace postern::postdrop {
namespace {

// Room for the envelope beyond the message itself: many recipients, attributes.
constexpr std::uint64_t kEnvelopeAllowance = 32u << 20;

Result<std::string> read_bounded(int fd, std::uint64_t limit) {
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read standard input");
    }
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > limit) return Error{"message file too big"};
  }
}

}  // namespace

Result<std::string> drop_message(int in_fd, const DropOptions& options) {
  std::uint64_t limit =
      (options.message_size_limit ? options.message_size_limit : (1ull << 32)) + kEnvelopeAllowance;
  auto input = read_bounded(in_fd, limit);
  if (!input) return input.error();
  auto parsed = queue::parse_queue_file(*input);
  if (!parsed) return Error{"malformed input: " + parsed.error().message};
  if (auto s = queue_tools::check_maildrop(*parsed, options.message_size_limit); !s)
    return Error{"malformed input: " + s.error().message};
  // Stamp the real uid; whatever the stream said is dropped. (pickup trusts
  // the file owner, this is only for postcat.)
  queue::Envelope envelope = parsed->envelope;
  auto& extra = envelope.attributes.extra;
  std::erase_if(extra, [](const auto& kv) { return kv.first == queue_tools::kAttrUid; });
  extra.emplace_back(std::string(queue_tools::kAttrUid), std::to_string(::getuid()));
  std::string_view content = std::string_view(*input).substr(parsed->content_offset, parsed->content_size);

  queue::QueueIdGenerator ids;
  auto id = queue_tools::write_maildrop(options.layout, ids, queue_tools::encode_maildrop(envelope, content));
  if (!id) return id.error();
  // pickup may not run (yet): no endpoint or no reader is normal, and its
  // periodic wake-up finds the file anyway.
  if (auto s = queue_tools::send_trigger(options.pickup_endpoint, std::string(1, queue_tools::kWakeup));
      !s && s.error().sys_errno != ENOENT && s.error().sys_errno != ENXIO &&
      s.error().sys_errno != ECONNREFUSED)
    log::warning("%s: pickup not notified: %s", id->c_str(), s.error().message.c_str());
  return id;
}

}  // namespace postern::postdrop
