// The per-message defer log (defer/ID, hashed like deferred/): one record
// per deferred recipient in Postfix's bounce-log form (recipient=, status=,
// reason=, records separated by an empty line), which postqueue/mailq read
// for their reasons, plus a "delay_warning=sent" record so the delay
// warning goes out once. Also sends that warning. Runs in qmgr (mail_owner).
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/base/file_io.hpp"
#include "lib/bounce/dsn_message.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_writer.hpp"
#include "qmgr/manager.hpp"

namespace postern::qmgr {

namespace {

// Reasons are single lines in the log format.
std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

bool QueueManager::delay_warning_sent(const std::string& id) const {
  auto text = read_file(p_.layout.file_path(queue::kDefer, id));
  return text && text->find("\ndelay_warning=sent\n") != std::string::npos;
}

void QueueManager::write_defer_log(const std::string& id, const std::vector<Deferral>& deferrals, bool warned) {
  std::string text;
  for (const auto& d : deferrals) {
    text += "recipient=" + one_line(d.address) + "\nstatus=" + d.dsn + "\naction=delayed\nreason=" +
            one_line(d.reason) + "\n\n";
  }
  if (warned) text += "\ndelay_warning=sent\n\n";
  const std::string dir = p_.layout.dir_path(queue::kDefer, id);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    log::warning("%s: create %s: %m", id.c_str(), dir.c_str());
    return;
  }
  if (auto ok = write_file_atomic(p_.layout.file_path(queue::kDefer, id), text, 0600); !ok) {
    log::warning("%s: defer log: %s", id.c_str(), ok.error().message.c_str());
  }
}

void QueueManager::send_delay_warning(const queue::QueueReader& reader, const std::string& id,
                                      const std::vector<Deferral>& deferrals) {
  const queue::Envelope& env = reader.envelope();
  bounce::DsnInput in = dsn_input(bounce::DsnKind::delay, env, id);
  in.headers_only = true;
  auto content = reader.read_content(0, 64 * 1024);
  if (content) in.original = *content;
  // Postmaster's copy (notify_classes = delay) lists every delayed recipient;
  // a delayed bounce (null sender) warns nobody else.
  bounce::DsnInput copy = in;
  for (const auto& d : deferrals) copy.recipients.push_back({d.address, env.recipients[d.index].orcpt, d.dsn, d.reason});
  if (env.sender.empty()) return copy_delay_to_postmaster(std::move(copy), id);
  in.to = env.sender;
  for (const auto& d : deferrals) {
    unsigned notify = env.recipients[d.index].notify;
    // Without NOTIFY, delay_warning_time decides; with it, only DELAY asks for one.
    if (notify != 0 && !(notify & 8u)) continue;
    in.recipients.push_back({d.address, env.recipients[d.index].orcpt, d.dsn, d.reason});
  }
  if (!in.recipients.empty()) {
    queue::Envelope notice;
    notice.sender = "";
    notice.arrival_seconds = in.now;
    queue::Recipient r;
    r.address = env.sender;
    notice.recipients.push_back(r);
    notice.attributes.protocol = "local";
    auto new_id = queue::enqueue(p_.layout, ids_, notice, bounce::build_dsn(in));
    if (new_id) {
      log::info("%s: sender delay notification: %s", id.c_str(), new_id->c_str());
    } else {
      log::warning("%s: cannot write delay notification: %s", id.c_str(), new_id.error().message.c_str());
    }
  }
  copy_delay_to_postmaster(std::move(copy), id);
}

}  // namespace postern::qmgr
