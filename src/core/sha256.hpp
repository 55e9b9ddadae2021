// core: SHA-256 (FIPS 180-4), for stable fingerprints. Not used for anything secret.
#pragma once

#include <string>
#include <string_view>

namespace fermata::core {

/// Lower-case hex digest of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace fermata::core
