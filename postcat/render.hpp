// postcat's rendering of one queue file: envelope records, message header,
// body, in Postfix's postcat(1) layout. Runs as root or mail_owner.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace postern::postcat {

struct Sections {
  bool envelope = true;
  bool header = true;
  bool body = true;
  bool offsets = false;  // -o: record offsets (and -v: record types)
};

// `label` names the file in the banners ("deferred/ID" or the path given).
// With more than one section selected each starts with a
// "*** ENVELOPE RECORDS label ***"-style banner and the output ends with
// "*** MESSAGE FILE END label ***"; a single section is printed bare, so
// `postcat -bq ID` is exactly the body. Errors: unreadable or corrupt file.
Result<std::string> render_queue_file(const std::string& path, std::string_view label,
                                      const Sections& sections);

}  // namespace postern::postcat
