// IDLE (RFC 2177): the client waits; changes to the selected mailbox (a
// delivery, another session's STORE or EXPUNGE) are pushed as they happen.
// inotify on the Folder's watch paths wakes us at once; a slow periodic
// refresh covers file systems without inotify. Runs as the mailbox owner.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>

#include "imapd/mail_session.hpp"
#include "lib/log/log.hpp"
#include "lib/mailstore/folder_watch.hpp"

namespace postern::imapd {
namespace {

constexpr long kMaxIdleSeconds = 30 * 60;  // RFC 2177: clients re-issue IDLE within 29 minutes
constexpr long kFallbackRefreshSeconds = 30;

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
  time_t last_look = start;
  while (!done_) {
    // Events that do not matter wake us too; the periodic look still comes
    // every kFallbackRefreshSeconds (inotify misses other hosts' changes on
    // network file systems).
    const long wait_ms = std::max<long>(0, (last_look + kFallbackRefreshSeconds - ::time(nullptr)) * 1000L);
    int ready = stream_.has_pending() ? 1 : io_.wait_input(watch ? watch->fd() : -1, int(wait_ms));
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
    time_t now = ::time(nullptr);
    bool look = now - last_look >= kFallbackRefreshSeconds;
    if (ready == 2 && watch->drain()) {
      look = true;
      // Something changed even if it landed in the same clock tick as the
      // stamps we know.
      folder_->distrust_stamps();
    }
    if (look) {
      if (folder_) report_changes(true);
      last_look = now;
    }
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
