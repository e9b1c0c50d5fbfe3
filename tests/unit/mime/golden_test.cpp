// Golden files: testdata/<name>.eml (LF in the repository, CRLF when
// parsed) against testdata/<name>.ref holding BODY, BODYSTRUCTURE and
// ENVELOPE of the message, CR shown as "\r". Set POSTERN_REGENERATE_GOLDEN=1
// to rewrite the .ref files after a deliberate change, then review the diff.
#include <dirent.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lib/mime/body_structure.hpp"
#include "lib/mime/envelope.hpp"
#include "tests/unit/mime/test_messages.hpp"

using namespace postern::mime;
using postern::mime::testing::crlf;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string show_cr(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\r')
      out += "\\r";
    else
      out.push_back(c);
  }
  return out;
}

std::string describe(const std::string& raw) {
  Part p = parse_message(raw);
  return "BODY " + show_cr(body_structure(raw, p, false)) + "\n" + "BODYSTRUCTURE " +
         show_cr(body_structure(raw, p, true)) + "\n" + "ENVELOPE " + show_cr(envelope(raw, p)) + "\n";
}

}  // namespace

TEST_CASE("golden BODY/BODYSTRUCTURE/ENVELOPE files", "[mime][golden]") {
  const std::string dir = POSTERN_MIME_TESTDATA;
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".eml") == 0)
        names.push_back(name.substr(0, name.size() - 4));
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  REQUIRE(names.size() >= 5);
  const bool regenerate = std::getenv("POSTERN_REGENERATE_GOLDEN") != nullptr;
  for (const auto& name : names) {
    INFO(name);
    std::string got = describe(crlf(read_file(dir + "/" + name + ".eml")));
    if (regenerate) {
      std::ofstream(dir + "/" + name + ".ref", std::ios::binary) << got;
      continue;
    }
    CHECK(got == read_file(dir + "/" + name + ".ref"));
  }
}
