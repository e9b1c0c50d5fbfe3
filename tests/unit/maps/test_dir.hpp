// A scratch directory for one test, removed with everything in it afterwards.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "lib/base/file_io.hpp"

namespace postern::maps::testing {

class TestDir {
 public:
  TestDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "maps_test.XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  std::string path(const std::string& name) const { return path_ + "/" + name; }
  // Writes `text` to name and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    (void)write_file_atomic(path(name), text);
    return path(name);
  }

 private:
  std::string path_;
};

}  // namespace postern::maps::testing
