// A temporary queue_directory with every folder, removed at the end of a test.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "lib/queue/queue_layout.hpp"

struct TempQueueDir {
  std::string root;
  postern::queue::QueueLayout layout;
  TempQueueDir() {
    char tmpl[] = "/tmp/postern-qtools-XXXXXX";
    root = ::mkdtemp(tmpl);
    layout.queue_directory = root + "/queue";
    auto made = postern::queue::ensure_queue_folders(layout);
    if (!made) throw std::runtime_error(made.error().message);
  }
  ~TempQueueDir() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
};
