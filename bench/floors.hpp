// bench: the two floors a scan is compared with. The I/O floor lists the repository as a
// scan does and reads every file; the parse floor also parses, with fermata's own JSON and
// YAML readers, every file a parser claims — and stops there: no facts, derive or rules.
#pragma once

#include <cstdint>
#include <string>

namespace fermata::bench {

enum class Floor { kIo, kParse };

struct FloorResult {
  uint64_t files = 0;   ///< files listed (and read)
  uint64_t bytes = 0;   ///< bytes read
  uint64_t parsed = 0;  ///< files parsed (parse floor only)
};

/// Runs one floor over the directory `root` on `jobs` threads.
FloorResult run_floor(Floor floor, const std::string& root, unsigned jobs);

}  // namespace fermata::bench
