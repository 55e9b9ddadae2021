// parsers/mcp: MCP client configurations in JSON, as the clients write them — Claude Code
// (.mcp.json, and its .claude/settings*.json, whose own settings parsers/coding reads), Claude
// Desktop, Cursor, VS Code (.vscode/mcp.json: `servers`, `inputs`, JSONC), Windsurf (`serverUrl`),
// Gemini CLI settings and extensions (`httpUrl`), and the same shape under other clients' folders
// or unusual names. The client becomes an agent that uses each server.
#pragma once

#include <string>
#include <string_view>

#include "parsers/parser.hpp"

namespace fermata::parsers {

/// Which client a config file belongs to, from its path ("" when unknown).
struct McpClient {
  std::string product;  ///< "Claude Code", "Cursor", ...
  std::string format;   ///< "claude-code", "claude-settings", "cursor", "vscode", ..., "generic"
};
McpClient mcp_client_for_path(std::string_view path);

class McpClientConfigParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "mcp-client-config"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

}  // namespace fermata::parsers
