// The order in which a client tries mail exchangers (RFC 5321 5.1): lowest
// preference first, a random order among equal preferences so that load
// spreads. Pure; the random source is passed in so tests can pin it.
#pragma once

#include <random>
#include <vector>

#include "lib/dns/dns_answer.hpp"

namespace postern::dns {

std::vector<MxRecord> order_mx(std::vector<MxRecord> records, std::mt19937& random);

}  // namespace postern::dns
