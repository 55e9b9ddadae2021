// The one list of parsers. Keep it sorted by id; a new format is one line here.
#include <memory>
#include <vector>

#include "parsers/mcp/mcp_client_config.hpp"
#include "parsers/parser.hpp"

namespace fermata::parsers {

const std::vector<std::unique_ptr<Parser>>& registry() {
  static const std::vector<std::unique_ptr<Parser>> kParsers = [] {
    std::vector<std::unique_ptr<Parser>> parsers;
    parsers.push_back(std::make_unique<McpClientConfigParser>());
    return parsers;
  }();
  return kParsers;
}

}  // namespace fermata::parsers
