// parsers/coding: OpenAI Codex `config.toml` (a project's `.codex/config.toml`). The base
// configuration is one agent; each `[profiles.NAME]` is another agent with the profile's
// overrides; `[mcp_servers.NAME]` are the MCP servers both use.
#pragma once

#include <string_view>

#include "parsers/parser.hpp"

namespace fermata::parsers {

class CodexConfigParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "codex-config"; }
  /// `.codex/config.toml` certainly; another `config.toml` only when it has Codex's own keys
  /// (`[mcp_servers.…]`, `approval_policy`, `sandbox_mode`), and then uncertainly.
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

}  // namespace fermata::parsers
