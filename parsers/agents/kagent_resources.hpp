// parsers/agents: the Kubernetes custom resources of kagent and its neighbours, in any YAML
// file (every document of it): kagent.dev Agent (v1alpha1: spec.tools; v1alpha2 and later:
// spec.declarative.tools, with per-tool requireApproval) and ModelConfig, RemoteMCPServer,
// ToolServer (v1alpha1), kmcp's MCPServer (kagent.dev/v1alpha1) and ToolHive's MCPServer
// (toolhive.stacklok.dev/v1alpha1). The Kubernetes manifest parser reads the same files for
// the ordinary kinds; this one reads only these.
#pragma once

#include "parsers/parser.hpp"

namespace fermata::parsers {

class KagentResourceParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "kagent-resources"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

}  // namespace fermata::parsers
