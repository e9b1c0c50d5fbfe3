// Finding a message by queue ID across the queue folders, for postqueue -i,
// postsuper and postcat -q. Runs as root or mail_owner (queue folders are
// private to mail_owner).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/queue/queue_layout.hpp"

namespace postern::queue_tools {

// The folders that hold messages, in the order mailq lists them.
const std::vector<std::string>& message_folders();  // maildrop hold incoming active deferred
// Folders postsuper and postcat look in, corrupt/ included.
const std::vector<std::string>& all_message_folders();

struct Located {
  std::string folder;  // "deferred"
  std::string path;    // full path, hashed subfolders included
};

// Where `id` is, among `folders` (complete or not). nullopt if not found or
// the ID is malformed (so a hostile "../x" never reaches a path).
std::optional<Located> find_message(const queue::QueueLayout& layout, std::string_view id,
                                    const std::vector<std::string>& folders);

}  // namespace postern::queue_tools
