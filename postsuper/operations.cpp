// postsuper -d/-h/-H/-r (mail_owner).
#include "postsuper/operations.hpp"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "lib/log/log.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_scan.hpp"
#include "lib/queue_tools/queue_search.hpp"

namespace postern::postsuper {
namespace {

// The per-message logs that go with a queue file.
void remove_logs(const queue::QueueLayout& layout, const std::string& id) {
  for (auto folder : {queue::kDefer, queue::kBounce, queue::kTrace}) {
    std::string path = layout.file_path(folder, id);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) log::warning("remove %s: %m", path.c_str());
  }
}

bool act(const queue::QueueLayout& layout, Operation op, const std::string& id, const std::string& folder) {
  switch (op) {
    case Operation::remove: {
      std::string path = layout.file_path(folder, id);
      if (::unlink(path.c_str()) != 0) {
        if (errno != ENOENT) log::warning("remove %s: %m", path.c_str());
        return false;
      }
      remove_logs(layout, id);
      log::info("%s: removed", id.c_str());
      return true;
    }
    case Operation::expire:
    case Operation::expire_release: {
      if (auto s = queue::mark_force_expired(layout, id, folder); !s) {
        if (s.error().sys_errno != ENOENT) log::warning("%s: %s", id.c_str(), s.error().message.c_str());
        return false;
      }
      log::info("%s: expired", id.c_str());
      if (op == Operation::expire_release && folder == "hold") (void)act(layout, Operation::release, id, folder);
      return true;
    }
    case Operation::requeue: {
      // Into maildrop/ for pickup and cleanup; the old ID's logs go with it.
      const std::string to(queue::kMaildrop);
      if (auto s = queue::move_queue_file(layout, id, folder, to); !s) {
        if (s.error().sys_errno != ENOENT) log::warning("%s: %s", id.c_str(), s.error().message.c_str());
        return false;
      }
      // 0700 tells pickup it is a queue file of ours, not a user's submission.
      if (::chmod(layout.file_path(to, id).c_str(), 0700) != 0) log::warning("%s: chmod: %m", id.c_str());
      remove_logs(layout, id);
      log::info("%s: requeued", id.c_str());
      return true;
    }
    case Operation::hold:
    case Operation::release: {
      std::string to = op == Operation::hold ? "hold" : "deferred";
      if (folder == to) return false;
      if (auto s = queue::move_queue_file(layout, id, folder, to); !s) {
        if (s.error().sys_errno != ENOENT) log::warning("%s: %s", id.c_str(), s.error().message.c_str());
        return false;
      }
      // Released mail is due at once: a deferred file's time is its next try.
      if (op == Operation::release) ::utimes(layout.file_path(to, id).c_str(), nullptr);
      log::info("%s: %s", id.c_str(), op == Operation::hold ? "placed on hold" : "released from hold");
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> default_folders(Operation op) {
  switch (op) {
    case Operation::remove:
      return {"hold", "incoming", "active", "deferred"};
    case Operation::hold:
      return {"incoming", "active", "deferred"};
    case Operation::release:
      return {"hold"};
    case Operation::requeue:
    case Operation::expire:
    case Operation::expire_release:
      return {"hold", "incoming", "active", "deferred"};
  }
  return {};
}

int apply(const queue::QueueLayout& layout, const Request& request, const std::vector<std::string>& folders) {
  int changed = 0;
  bool all = std::find(request.ids.begin(), request.ids.end(), "ALL") != request.ids.end();
  if (all) {
    for (const auto& folder : folders) {
      // Complete files only: an incomplete one is still being written (and
      // -p / -s remove those a crash left behind).
      auto entries = queue::scan_folder(layout, folder);
      if (!entries) {
        log::warning("%s", entries.error().message.c_str());
        continue;
      }
      for (const auto& e : *entries) changed += act(layout, request.op, e.id, folder);
    }
    return changed;
  }
  for (const auto& id : request.ids) {
    if (!queue::valid_queue_id(id)) {
      log::warning("invalid mail queue id: %s", id.c_str());
      continue;
    }
    auto where = queue_tools::find_message(layout, id, folders);
    if (!where) {
      log::warning("%s: no such message in the %s queue", id.c_str(),
                   folders.size() == 1 ? folders[0].c_str() : "selected");
      continue;
    }
    changed += act(layout, request.op, id, where->folder);
  }
  return changed;
}

std::string summary(Operation op, int count) {
  const char* what = op == Operation::remove    ? "Deleted"
                     : op == Operation::hold    ? "Placed on hold"
                     : op == Operation::release ? "Released from hold"
                     : op == Operation::requeue ? "Requeued"
                                                : "Expired";
  return std::string(what) + ": " + std::to_string(count) + " message" + (count == 1 ? "" : "s");
}

}  // namespace postern::postsuper
