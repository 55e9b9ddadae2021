// parsers/agents: Docker cagent (docker agent) team files — a YAML file whose top-level
// `agents:` maps names to agents (model, description, instruction, toolsets, sub_agents,
// handoffs, max_iterations), with top-level `models:`, `mcps:` (shared MCP definitions) and
// `permissions:` (allow/ask/deny patterns of tool calls). MCP toolsets become MCP servers.
#pragma once

#include "parsers/parser.hpp"

namespace fermata::parsers {

class CagentConfigParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "cagent-config"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

}  // namespace fermata::parsers
