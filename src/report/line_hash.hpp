// report: GitHub code scanning's primaryLocationLineHash, computed exactly as
// github/codeql-action computes it, so results uploaded through the API do not
// duplicate alerts. Algorithm (re-implemented from its documented behaviour):
// a rolling hash (multiplier 37, 64-bit wrap-around) over the next 100 characters
// counted from the start of each line, skipping spaces and tabs, with CR and CRLF
// normalised to LF, an end-of-file marker 65535 and zero padding; characters are
// UTF-16 code units; value "<unsigned hex>:<n>" where n counts equal hashes so far.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fermata::report {

/// The hash of every line of `text` (UTF-8), index 0 = line 1.
std::vector<std::string> line_hashes(std::string_view text);

}  // namespace fermata::report
