// The one list of parsers. Keep it sorted by id; a new format is one line here.
#include <memory>
#include <vector>

#include "parsers/agents/adk_agent_config.hpp"
#include "parsers/agents/cagent_config.hpp"
#include "parsers/agents/card_gateway_parsers.hpp"
#include "parsers/agents/crewai_config.hpp"
#include "parsers/agents/kagent_resources.hpp"
#include "parsers/coding/codex_config.hpp"
#include "parsers/iam/iam_parsers.hpp"
#include "parsers/k8s/k8s_manifest.hpp"
#include "parsers/mcp/mcp_client_config.hpp"
#include "parsers/parser.hpp"

namespace fermata::parsers {

const std::vector<std::unique_ptr<Parser>>& registry() {
  static const std::vector<std::unique_ptr<Parser>> kParsers = [] {
    std::vector<std::unique_ptr<Parser>> parsers;
    parsers.push_back(std::make_unique<A2aAgentCardParser>());
    parsers.push_back(std::make_unique<AdkAgentConfigParser>());
    parsers.push_back(std::make_unique<AwsPolicyFileParser>());
    parsers.push_back(std::make_unique<AzureRoleDefinitionParser>());
    parsers.push_back(std::make_unique<CagentConfigParser>());
    parsers.push_back(std::make_unique<CloudFormationParser>());
    parsers.push_back(std::make_unique<CodexConfigParser>());
    parsers.push_back(std::make_unique<CrewAiConfigParser>());
    parsers.push_back(std::make_unique<GcpIamPolicyParser>());
    parsers.push_back(std::make_unique<K8sManifestParser>());
    parsers.push_back(std::make_unique<KagentResourceParser>());
    parsers.push_back(std::make_unique<LitellmConfigParser>());
    parsers.push_back(std::make_unique<McpClientConfigParser>());
    parsers.push_back(std::make_unique<McpRegistryServerParser>());
    parsers.push_back(std::make_unique<TerraformPlanParser>());
    return parsers;
  }();
  return kParsers;
}

}  // namespace fermata::parsers
