// Queue ID lookup across folders; runs in postqueue, postsuper, postcat.
#include "lib/queue_tools/queue_search.hpp"

#include <sys/stat.h>

#include "lib/queue/queue_id.hpp"

namespace postern::queue_tools {

const std::vector<std::string>& message_folders() {
  static const std::vector<std::string> folders = {"maildrop", "hold", "incoming", "active", "deferred"};
  return folders;
}

const std::vector<std::string>& all_message_folders() {
  static const std::vector<std::string> folders = {"maildrop", "hold",     "incoming",
                                                   "active",   "deferred", "corrupt"};
  return folders;
}

std::optional<Located> find_message(const queue::QueueLayout& layout, std::string_view id,
                                    const std::vector<std::string>& folders) {
  if (!queue::valid_queue_id(id)) return std::nullopt;
  for (const auto& folder : folders) {
    std::string path = layout.file_path(folder, id);
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return Located{folder, path};
  }
  return std::nullopt;
}

}  // namespace postern::queue_tools
