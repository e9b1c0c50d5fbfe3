// Internal to lib/config: each param_table_<area>.cpp contributes its rows;
// param_table.cpp merges them into the one sorted table.
#pragma once

#include <span>

#include "lib/config/param_table.hpp"

namespace postern::config {

std::span<const ParamInfo> params_core();
std::span<const ParamInfo> params_address();
std::span<const ParamInfo> params_local();
std::span<const ParamInfo> params_queue();
std::span<const ParamInfo> params_smtpd();
std::span<const ParamInfo> params_smtp();

}  // namespace postern::config
