// derive: what each MCP server and agent tool can do — read untrusted content, read private
// data, write files, run code, send data out, change infrastructure, spend money — looked up
// in the data catalog rules/catalog/mcp-capabilities.yaml by package, image, host, tool or
// name, with a conservative default for servers the catalog does not know.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "model/graph.hpp"

namespace fermata::derive {

/// The capability vocabulary, in the order capabilities are listed on entities.
const std::vector<std::string_view>& capability_vocabulary();

/// The capability catalog: well-known MCP servers and agent tools, and what they can do.
struct CapabilityCatalog {
  struct Entry {
    std::string id;    ///< stable kebab-case identifier (mcp_server.catalog_entry)
    std::string name;  ///< the server or tool in words
    std::vector<std::string> packages;
    std::vector<std::string> images;
    std::vector<std::string> hosts;
    std::vector<std::string> tools;
    std::vector<std::string> names;
    std::vector<std::string> capabilities;  ///< vocabulary names, in vocabulary order
    std::string source;                     ///< where the entry was checked
  };
  std::vector<Entry> entries;

  /// The entry whose `packages` hold this npm or PyPI name (versions already stripped),
  /// compared case-insensitively with runs of '-', '_' and '.' equal, as PyPI compares.
  [[nodiscard]] const Entry* by_package(std::string_view package) const;
  /// The entry whose `images` hold this image (tag, digest, docker.io/ and library/ ignored).
  [[nodiscard]] const Entry* by_image(std::string_view image) const;
  /// The entry whose `hosts` hold this host or one of its parent domains.
  [[nodiscard]] const Entry* by_host(std::string_view host) const;
  /// The entry whose `tools` hold this tool name, case included (a class path's last part,
  /// without "()" or a permission specifier such as "(git:*)").
  [[nodiscard]] const Entry* by_tool(std::string_view tool) const;
  /// The entry whose `names` hold this server name, case-insensitively.
  [[nodiscard]] const Entry* by_name(std::string_view name) const;
};

/// Parses the catalog's YAML; problems are catalog.invalid diagnostics with file:line.
CapabilityCatalog parse_capability_catalog(std::string_view path, std::string_view yaml_text,
                                           core::DiagnosticSink& sink);

/// Sets `capabilities`, `catalog_entry` and `capability_source` on every MCP server and
/// `capabilities` on every agent tool record. Runs after the MCP servers' launch and
/// endpoint are derived.
void derive_capabilities(model::Graph& graph, const CapabilityCatalog& catalog);

}  // namespace fermata::derive
