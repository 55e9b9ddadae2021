// parsers/agents: A2A agent cards (an agent's published interface and the authentication it
// requires), LiteLLM proxy configurations (a model gateway: its deployments, keys and
// spending caps) and MCP registry server.json manifests (a published MCP server's packages
// and remote endpoints). Formats and fields: docs/formats-cards-gateways.md.
#pragma once

#include <string_view>

#include "parsers/parser.hpp"

namespace fermata::parsers {

/// `agent-card.json`, `.well-known/agent.json`, `agent_cards/*.json`, ...: one A2A agent.
class A2aAgentCardParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "a2a-agent-card"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

/// A LiteLLM proxy `config.yaml` (any name): one gateway.
class LitellmConfigParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "litellm-config"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

/// An MCP registry `server.json`: one MCP server per package and per remote.
class McpRegistryServerParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "mcp-registry-server"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

}  // namespace fermata::parsers
