#include "core/source_loc.hpp"

namespace fermata::core {

std::string to_string(const SourceLoc& loc) {
  if (!loc.valid()) return loc.file;
  return loc.file + ":" + std::to_string(loc.span.line) + ":" + std::to_string(loc.span.column);
}

}  // namespace fermata::core
