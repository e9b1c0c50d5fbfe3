// Handing one message to postdrop: builds the maildrop stream and pipes it
// into $command_directory/postdrop (set-group-ID postdrop on a real install).
// Runs as the invoking user.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/queue/queue_file.hpp"

namespace postern::sendmail {

struct PostdropCommand {
  std::string path;        // $command_directory/postdrop
  std::string config_dir;  // passed as -c when given to sendmail
};

// Runs postdrop with the stream on its standard input and waits for it.
// An Error carries postdrop's exit status in its text.
Status run_postdrop(const PostdropCommand& command, const queue::Envelope& envelope,
                    std::string_view content);

// Executes another command in place of this process (mailq -> postqueue -p,
// newaliases -> ...); returns only on failure.
Error exec_command(const std::string& path, const std::vector<std::string>& args);

}  // namespace postern::sendmail
