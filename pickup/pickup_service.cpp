// pickup: maildrop/ -> lib/cleanup -> incoming/ (mail_owner). Everything in
// a maildrop file is untrusted; the submitting uid comes from the file's
// owner, never from its contents.
#include "pickup/pickup_service.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_file.hpp"
#include "lib/queue_tools/maildrop.hpp"
#include "lib/queue_tools/tool_config.hpp"
#include "lib/queue_tools/trigger.hpp"

namespace postern::pickup {
namespace {

constexpr std::uint64_t kEnvelopeAllowance = 32u << 20;  // as postdrop allows

// In a chroot without /etc/passwd the name is unknown; the uid (which is
// what Received records anyway) stands in for it.
std::string user_name(uid_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
  return std::to_string(uid);
}

Result<std::string> read_all(int fd, std::uint64_t size) {
  std::string data(size, '\0');
  std::uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, data.data() + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read");
    if (n == 0) break;
    done += static_cast<std::uint64_t>(n);
  }
  data.resize(done);
  return data;
}

}  // namespace

Pickup::Pickup(const config::Config& config)
    : params_(cleanup::Params::from_config(config)),
      layout_(queue_tools::layout_from_config(config)),
      size_limit_(static_cast<std::uint64_t>(config.get_size("message_size_limit"))) {
  returns_.layout = layout_;
  returns_.myhostname = params_.myhostname;
  returns_.policy = bounce::NotifyPolicy::from_config(config);
  returns_.bounce_size_limit = static_cast<std::uint64_t>(config.get_size("bounce_size_limit"));
}

void Pickup::scan() {
  auto entries = queue::scan_folder(layout_, queue::kMaildrop);
  if (!entries) {
    log::warning("%s", entries.error().message.c_str());
    return;
  }
  for (const auto& entry : *entries)
    if (process(entry) == Result::retry_later) return;
}

void Pickup::reject(const std::string& id, unsigned uid, const std::string& why) {
  log::warning("%s: uid=%u: bad maildrop file: %s; moved to %s", id.c_str(), uid, why.c_str(),
               queue::kCorrupt.data());
  if (auto s = queue::move_queue_file(layout_, id, queue::kMaildrop, queue::kCorrupt); !s) {
    log::warning("%s: %s; removing it", id.c_str(), s.error().message.c_str());
    ::unlink(layout_.file_path(queue::kMaildrop, id).c_str());
  }
}

Pickup::Result Pickup::process(const queue::QueueEntry& entry) {
  UniqueFd fd(::open(entry.path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno != ENOENT) log::warning("open %s: %m", entry.path.c_str());
    return Result::done;  // gone, or not ours to read: leave it
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    log::warning("fstat %s: %m", entry.path.c_str());
    return Result::done;
  }
  const unsigned uid = st.st_uid;
  // A hard link could make us "deliver" (and then remove) a file the user
  // does not own; Postfix refuses these too.
  if (!S_ISREG(st.st_mode)) return reject(entry.id, uid, "not a regular file"), Result::done;
  if (st.st_nlink != 1) return reject(entry.id, uid, "file has more than one link"), Result::done;
  std::uint64_t bound = (size_limit_ ? size_limit_ : (1ull << 32)) + kEnvelopeAllowance;
  if (static_cast<std::uint64_t>(st.st_size) > bound)
    return reject(entry.id, uid, "file too big"), Result::done;

  auto bytes = read_all(fd.get(), static_cast<std::uint64_t>(st.st_size));
  if (!bytes) {
    log::warning("%s: %s", entry.path.c_str(), bytes.error().message.c_str());
    return Result::retry_later;
  }
  auto parsed = queue::parse_queue_file(*bytes);
  if (!parsed) return reject(entry.id, uid, parsed.error().message), Result::done;

  // postsuper -r: a queue file of ours (mail_owner, mode 0700 as in
  // incoming/), not a user's submission (mode 0744 from postdrop).
  const bool requeued = st.st_uid == ::geteuid() && (st.st_mode & 07777) == 0700;
  if (!requeued) {
    if (auto s = queue_tools::check_maildrop(*parsed, size_limit_); !s)
      return reject(entry.id, uid, s.error().message), Result::done;
  }

  const auto& env = parsed->envelope;
  cleanup::Submission sub;
  sub.source = requeued ? cleanup::Source::requeue : cleanup::Source::sendmail;
  sub.sender = env.sender;
  for (auto r : env.recipients) {
    if (requeued && r.done) continue;  // delivered or bounced already
    r.done = false;
    r.done_offset = 0;
    sub.recipients.push_back(std::move(r));
  }
  sub.attributes = env.attributes;
  if (requeued) {
    sub.arrival_seconds = env.arrival_seconds;
    sub.arrival_microseconds = env.arrival_microseconds;
  } else {
    sub.attributes.extra.clear();  // sendmail-only attributes stop here
    if (sub.attributes.protocol.empty()) sub.attributes.protocol = "local";
    for (const auto& [name, value] : env.attributes.extra)
      if (name == queue_tools::kAttrFullName) sub.full_name = value;
    sub.uid = static_cast<long>(uid);
    sub.user_name = user_name(st.st_uid);
  }

  std::string_view content = std::string_view(*bytes).substr(parsed->content_offset, parsed->content_size);
  if (requeued && sub.recipients.empty()) {
    log::info("%s: requeued message has no undelivered recipients; removed", entry.id.c_str());
  } else {
    cleanup::Outcome out = cleanup::enqueue_message(params_, ids_, std::move(sub), content);
    if (!finish(entry.id, uid, env, content, out)) return Result::retry_later;
  }
  if (::unlink(entry.path.c_str()) != 0 && errno != ENOENT) log::warning("remove %s: %m", entry.path.c_str());
  return Result::done;
}

bool Pickup::finish(const std::string& maildrop_id, unsigned uid, const queue::Envelope& env,
                    std::string_view content, const cleanup::Outcome& out) {
  if (out.ok()) {
    log::info("%s: uid=%u from=<%s>", out.queue_id.c_str(), uid, env.sender.c_str());
    return true;
  }
  if (out.temporary()) {
    log::warning("%s: uid=%u: %d %s %s; will retry", maildrop_id.c_str(), uid, out.code, out.enhanced.c_str(),
                 out.text.c_str());
    return false;
  }
  // Rejected for good (too many hops, too big, no recipients): the sender
  // learns why from a bounce, and the file goes, so one bad message does
  // not block maildrop/.
  log::info("%s: uid=%u from=<%s>: reject: %d %s %s", maildrop_id.c_str(), uid, env.sender.c_str(), out.code,
            out.enhanced.c_str(), out.text.c_str());
  if (!return_to_sender(returns_, ids_, env, content, {maildrop_id, out.enhanced, out.text})) return false;
  (void)queue_tools::send_trigger(layout_.queue_directory + "/public/qmgr",
                                  std::string_view(&queue_tools::kQmgrScanIncoming, 1));
  return true;
}

}  // namespace postern::pickup
