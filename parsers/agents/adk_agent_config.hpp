// parsers/agents: Google ADK agent config files (root_agent.yaml and the files its
// sub_agents name): agent_class (LlmAgent, LoopAgent, SequentialAgent, ParallelAgent, ...),
// name, model, description, instruction, tools (built-in names, code references, MCPToolset
// with its connection parameters), sub_agents (config_path or code) and max_iterations.
#pragma once

#include "parsers/parser.hpp"

namespace fermata::parsers {

class AdkAgentConfigParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "adk-agent-config"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

}  // namespace fermata::parsers
