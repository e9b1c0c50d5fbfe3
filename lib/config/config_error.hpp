// ConfigError: a configuration problem, naming file and line the way Postfix
// does ("/etc/postfix/main.cf, line 12: missing '=' after parameter name").
// Thrown only at start-up, reload and by the configuration commands.
#pragma once

#include <stdexcept>
#include <string>

namespace postern::config {

class ConfigError : public std::runtime_error {
 public:
  // line 0 means "the file as a whole" (e.g. it cannot be opened).
  ConfigError(std::string file, int line, const std::string& message)
      : std::runtime_error(line > 0 ? file + ", line " + std::to_string(line) + ": " + message
                                    : (file.empty() ? message : file + ": " + message)),
        file_(std::move(file)),
        line_(line) {}
  const std::string& file() const { return file_; }
  int line() const { return line_; }

 private:
  std::string file_;
  int line_;
};

}  // namespace postern::config
