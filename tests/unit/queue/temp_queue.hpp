// A queue_directory in a fresh temp folder, removed at the end of the test.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "lib/queue/queue_layout.hpp"

struct TempQueue {
  std::string root;
  postern::queue::QueueLayout layout;
  TempQueue() {
    char tmpl[] = "/tmp/postern-queue-test-XXXXXX";
    root = ::mkdtemp(tmpl);
    layout.queue_directory = root + "/queue";
    auto made = postern::queue::ensure_queue_folders(layout);
    if (!made) throw std::runtime_error(made.error().message);
  }
  ~TempQueue() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
};
