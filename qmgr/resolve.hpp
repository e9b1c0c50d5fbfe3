// Recipient resolution in qmgr: which transport gets an address. Local
// domains (mydestination, localhost, our own [address] literals) go to the
// local transport; mail to the double-bounce address is discarded; other
// domains need the smtp transport. Pure; runs in qmgr (mail_owner).
#pragma once

#include <string>
#include <string_view>

#include "qmgr/qmgr_params.hpp"

namespace postern::qmgr {

enum class Route { local, remote, discard };

Route resolve(const QmgrParams& params, std::string_view address);
bool is_local_domain(const QmgrParams& params, std::string_view domain);

}  // namespace postern::qmgr
