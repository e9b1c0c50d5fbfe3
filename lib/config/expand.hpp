// Internal to lib/config: Postfix's $name expansion, used by Config.
#pragma once

#include <string>
#include <string_view>

namespace postern::config {

class Config;

// Expands `text`. `origin` is the parameter whose value `text` is ("" for
// free text); a loop is reported at origin's main.cf line.
std::string expand_text(const Config& config, std::string_view text, std::string_view origin);

}  // namespace postern::config
