// IDLE (RFC 2177): the client waits; changes to the selected mailbox (a
// delivery, another session's STORE or EXPUNGE) are pushed as they happen.
// inotify on the Folder's watch paths wakes us at once; a slow periodic
// refresh covers file systems without inotify. Runs as the mailbox owner.
#include <cctype>
#include <ctime>
#include <optional>

#include "imapd/mail_session.hpp"
#include "lib/log/log.hpp"
#include "lib/mailstore/folder_watch.hpp"

namespace postern::imapd {
namespace {

constexpr long kMaxIdleSeconds = 30 * 60;  // RFC 2177: clients re-issue IDLE within 29 minutes
constexpr int kFallbackRefreshMs = 30 * 1000;

bool is_done(const std::string& line) {
  if (line.size() != 4) return false;
  for (size_t i = 0; i < 4; ++i)
    if (std::toupper(static_cast<unsigned char>(line[i])) != "DONE"[i]) return false;
  return true;
}

}  // namespace

void MailSession::cmd_idle(const Command& c) {
  if (!c.args.empty()) return bad(c, "IDLE takes no arguments.");
  std::optional<mailstore::FolderWatch> watch;
  if (folder_) {
    watch.emplace(folder_->watch_paths());
    if (watch->fd() < 0) {
      log::warning("imap(%s): inotify_init: %m; IDLE falls back to polling", user_.user.c_str());
      watch.reset();
    }
    report_changes(true);
  }
  if (!send("+ idling\r\n")) return;
  const time_t start = ::time(nullptr);
  time_t last_output = start;
  while (!done_) {
    int ready = stream_.has_pending() ? 1 : io_.wait_input(watch ? watch->fd() : -1, kFallbackRefreshMs);
    if (ready < 0) break;
    if (ready == 1) {
      bool too_long = false;
      auto line = stream_.raw_line(too_long);
      if (!line) {
        done_ = true;
        return;
      }
      if (too_long || !is_done(*line)) return bad(c, "Expected DONE.");
      break;
    }
    bool look = ready == 0;  // the periodic refresh
    if (ready == 2) {
      look = watch->drain();
      // Something changed even if it landed in the same clock tick as the
      // stamps we know.
      if (look) folder_->distrust_stamps();
    }
    time_t now = ::time(nullptr);
    if (folder_ && look) report_changes(true);
    if (now - start > kMaxIdleSeconds) {
      send("* BYE Disconnected for inactivity.\r\n");
      done_ = true;
      return;
    }
    if (now - last_output >= s_.idle_notify_interval) {
      send("* OK Still here\r\n");
      last_output = now;
    }
  }
  tagged(c, "OK", "", "Idle completed.");
}

}  // namespace postern::imapd
