// parsers/agents: CrewAI's YAML crew configuration — config/agents.yaml (one agent per
// top-level key: role, goal, backstory, tools, llm, max_iter, allow_delegation,
// allow_code_execution, ...) and config/tasks.yaml (one task per key: description,
// expected_output, agent, human_input, ...). Tools and LLMs named here are bound to Python
// objects in crew.py, so the names are kept as written.
#pragma once

#include "parsers/parser.hpp"

namespace fermata::parsers {

class CrewAiConfigParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "crewai-config"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

}  // namespace fermata::parsers
