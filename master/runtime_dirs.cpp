// Creates/repairs the queue folders at start. Runs in master (root on a real
// system; as the sandbox user, owners are left alone).
#include "master/runtime_dirs.hpp"

#include <unistd.h>

#include "lib/log/log.hpp"
#include "lib/queue/queue_layout.hpp"
#include "lib/queue_tools/tool_config.hpp"

namespace postern::master {

Status ensure_runtime_dirs(const config::Config& config) {
  queue::Ownership owner;
  if (::geteuid() == 0) {
    auto found = queue_tools::ownership_from_config(config);
    if (!found) return found.error();
    owner = *found;
  }
  auto repairs = queue::ensure_queue_folders(queue_tools::layout_from_config(config), owner);
  if (!repairs) return repairs.error();
  for (const auto& repair : *repairs) log::info("%s", repair.c_str());
  return {};
}

}  // namespace postern::master
