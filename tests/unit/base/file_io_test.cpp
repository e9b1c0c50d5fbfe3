// Whole-file helpers: atomic replace keeps the old file until the new one is complete.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "lib/base/file_io.hpp"

using namespace postern;

namespace {
std::string make_temp_dir() {
  char tmpl[] = "/tmp/postern-base-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  return tmpl;
}
}  // namespace

TEST_CASE("write_file_atomic creates, replaces and keeps the mode", "[file_io]") {
  std::string dir = make_temp_dir();
  std::string path = dir + "/main.cf";
  REQUIRE(write_file_atomic(path, "a = 1\n", 0640).ok());
  auto text = read_file(path);
  REQUIRE(text.ok());
  CHECK(*text == "a = 1\n");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);

  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  REQUIRE(write_file_atomic(path, "a = 2\n").ok());
  CHECK(*read_file(path) == "a = 2\n");
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(::access((path + ".tmp." + std::to_string(::getpid())).c_str(), F_OK) != 0);
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("read_file reports a missing file with its name", "[file_io]") {
  auto r = read_file("/nonexistent/postern/file");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("/nonexistent/postern/file") != std::string::npos);
  CHECK(r.error().sys_errno == ENOENT);
}

TEST_CASE("write_file_atomic into a missing folder fails cleanly", "[file_io]") {
  auto st = write_file_atomic("/nonexistent/postern/x", "data");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().sys_errno == ENOENT);
}

TEST_CASE("read_file reads large, empty and size-less files whole", "[file_io]") {
  std::string dir = make_temp_dir();
  std::string big(200000, 'x');
  for (size_t i = 0; i < big.size(); i += 977) big[i] = char('a' + i % 26);
  REQUIRE(write_file_atomic(dir + "/big", big, 0600).ok());
  auto r = read_file(dir + "/big");
  REQUIRE(r.ok());
  CHECK(*r == big);
  REQUIRE(write_file_atomic(dir + "/empty", "", 0600).ok());
  r = read_file(dir + "/empty");
  REQUIRE(r.ok());
  CHECK(r->empty());
  // /proc files report size 0 but have content.
  r = read_file("/proc/self/status");
  REQUIRE(r.ok());
  CHECK(r->find("Name:") == 0);
  ::unlink((dir + "/big").c_str());
  ::unlink((dir + "/empty").c_str());
  ::rmdir(dir.c_str());
}
