// sendmail's default mode: read the message from standard input, build the
// envelope from the options (and the header with -t) and hand it to
// postdrop. Runs as the invoking user.
#pragma once

#include <cstdint>
#include <string>

#include "sendmail/options.hpp"
#include "sendmail/submit.hpp"

namespace postern::sendmail {

struct LocalSubmitParams {
  std::uint64_t message_size_limit = 0;
  PostdropCommand postdrop;
};

// Returns the exit status (0, 64 EX_USAGE, 65 EX_DATAERR, 75 EX_TEMPFAIL),
// having logged the reason for anything but 0.
int submit_from_stdin(const Options& options, const LocalSubmitParams& params);

// The login name of the real uid, or the uid as a number when it has none.
std::string login_name();

}  // namespace postern::sendmail
