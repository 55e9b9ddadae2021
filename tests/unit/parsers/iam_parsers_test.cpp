#include "parsers/iam/iam_parsers.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parsers/iam/policy_document.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "parsers/syntax/yaml_reader.hpp"

using namespace fermata;
using model::Value;

namespace {

std::string sample(const std::string& name) {
  std::ifstream in(std::filesystem::path(FERMATA_SOURCE_DIR) / "fixtures/formats/iam" / name,
                   std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Parsed {
  model::Graph graph;
  core::DiagnosticSink sink;
  bool recognised = false;
};

Parsed parse(const parsers::Parser& parser, const std::string& path, const std::string& text) {
  Parsed out;
  const auto claim = parser.claims(path, text);
  REQUIRE_MESSAGE(claim.claimed, path);
  auto document = claim.syntax == parsers::Syntax::kJson
                      ? syntax::read_json(path, text, core::Limits{}, out.sink)
                      : syntax::read_yaml(path, text, core::Limits{}, out.sink);
  REQUIRE(document.has_value());
  out.recognised = parser.parse(*document, out.graph, out.sink);
  CHECK(out.sink.items().empty());
  return out;
}

const model::Entity& find(const model::Graph& graph, const std::string& name) {
  for (const auto& e : graph.entities()) {
    if (e.name == name) return e;
  }
  FAIL("no entity " << name);
  return graph.entities().front();
}

const Value& statement(const model::Entity& grant, size_t index) {
  const Value* statements = grant.attrs.get("statements");
  REQUIRE(statements != nullptr);
  REQUIRE(index < statements->items.size());
  return statements->items[index];
}

std::vector<std::string> texts(const Value* list) {
  std::vector<std::string> out;
  if (list != nullptr) {
    for (const auto& item : list->items) out.push_back(item.text);
  }
  return out;
}

}  // namespace

TEST_CASE("iam claims: each carrier by its own keys, and nothing else") {
  parsers::AwsPolicyFileParser aws;
  parsers::CloudFormationParser cfn;
  parsers::TerraformPlanParser plan;
  parsers::GcpIamPolicyParser gcp;
  parsers::AzureRoleDefinitionParser azure;
  CHECK(aws.claims("p.json", R"({"Statement": [{"Effect": "Allow"}]})").claimed);
  CHECK_FALSE(aws.claims("p.json", R"({"note": "\"Statement\": here"})").claimed);
  CHECK_FALSE(aws.claims("p.yaml", "Statement:\n  Effect: Allow\n").claimed);
  CHECK(cfn.claims("t.yaml", "AWSTemplateFormatVersion: 2010-09-09\nResources: {}\n").certain);
  CHECK(cfn.claims("t.yml", "Resources:\n  R:\n    Type: AWS::S3::Bucket\n").claimed);
  CHECK(cfn.claims("t.json", R"({"Resources": {"R": {"Type": "AWS::SQS::Queue"}}})").claimed);
  CHECK_FALSE(cfn.claims("k.yaml", "apiVersion: v1\nkind: Pod\n").claimed);
  CHECK(plan.claims("plan.json", R"({"format_version": "1.2", "terraform_version": "1.9",
                                     "planned_values": {}})")
            .claimed);
  CHECK_FALSE(plan.claims("package.json", R"({"version": "1"})").claimed);
  CHECK(gcp.claims("p.yaml", "bindings:\n- role: roles/x\n  members: [a]\n").claimed);
  CHECK_FALSE(gcp.claims("p.yaml", "bindings: []\n").claimed);
  CHECK(azure.claims("r.json", R"({"assignableScopes": ["/"]})").claimed);
}

TEST_CASE("iam policy files: statements with every element, located, and the policy's kind") {
  parsers::AwsPolicyFileParser parser;
  Parsed identity = parse(parser, "policies/identity-policy.json", sample("identity-policy.json"));
  CHECK(identity.recognised);
  const auto& grant = find(identity.graph, "policy file/identity-policy");
  CHECK(grant.attrs.get("source")->text == "aws-iam");
  CHECK(grant.attrs.get("policy_type")->text == "identity");
  const Value& s = statement(grant, 0);  // a lone Statement object
  CHECK(s.get("sid")->text == "ReadTickets");
  CHECK(s.get("effect")->text == "Allow");
  CHECK(texts(s.get("actions")) == std::vector<std::string>{"dynamodb:GetItem", "dynamodb:Query"});
  CHECK(s.get("actions")->loc.line() == 6);
  CHECK(s.get("actions")->items[1].loc.column() == 36);
  CHECK(s.get("resources")->items[0].text.find("table/tickets") != std::string::npos);
  CHECK(texts(s.get("conditions")) == std::vector<std::string>{"StringEquals:aws:RequestedRegion"});
  CHECK(s.get("has_condition")->boolean);
  CHECK_FALSE(s.get("admin")->boolean);
  CHECK(s.get("open_to")->text.empty());

  Parsed trust = parse(parser, "trust-policy.json", sample("trust-policy.json"));
  const auto& t = find(trust.graph, "policy file/trust-policy");
  CHECK(t.attrs.get("policy_type")->text == "trust");
  const Value& ts = statement(t, 0);
  CHECK(texts(ts.get("principals"))[0].rfind("Federated:arn:aws:iam::111122223333", 0) == 0);
  // The subject is pinned: the federation is not open.
  CHECK(ts.get("open_to")->text.empty());
  CHECK(ts.get("external_accounts")->items.empty());
}

TEST_CASE("iam CloudFormation: roles, inline and managed policies, intrinsics, JSON strings") {
  parsers::CloudFormationParser parser;
  Parsed p = parse(parser, "template.yaml", sample("template.yaml"));
  CHECK(p.recognised);
  const auto& role = find(p.graph, "AWS::IAM::Role/tickets-mcp");
  CHECK(role.attrs.get("kind")->text == "AWS::IAM::Role");
  CHECK(texts(role.attrs.get("managed_policies")) ==
        std::vector<std::string>{"${TicketsPolicy}", "arn:aws:iam::aws:policy/ReadOnlyAccess"});
  const auto& trust = find(p.graph, "AWS::IAM::Role/tickets-mcp (trust)");
  CHECK(trust.attrs.get("policy_type")->text == "trust");
  CHECK(trust.loc.line() == 7);
  // !Sub with the template's own account is no external account.
  const Value& ts = statement(trust, 0);
  CHECK(texts(ts.get("principals")) ==
        std::vector<std::string>{"AWS:arn:aws:iam::${AWS::AccountId}:root"});
  CHECK(ts.get("external_accounts")->items.empty());
  // A document written as a JSON string: its facts sit at the string.
  const auto& inline_policy = find(p.graph, "AWS::IAM::Role/tickets-mcp/inline");
  CHECK(statement(inline_policy, 0).get("actions")->items[0].text == "sqs:SendMessage");
  CHECK(statement(inline_policy, 0).get("actions")->items[0].loc.line() == 17);
  // The managed policy is attached to the role that refers to it.
  const auto& managed = find(p.graph, "AWS::IAM::ManagedPolicy/TicketsPolicy");
  CHECK(texts(managed.attrs.get("attached_to")) == std::vector<std::string>{"tickets-mcp"});
  CHECK(texts(statement(managed, 0).get("resources")) ==
        std::vector<std::string>{"arn:aws:s3:::${KbBucket}/*"});
  const auto& bucket = find(p.graph, "AWS::S3::BucketPolicy/KbBucketPolicy");
  CHECK(bucket.attrs.get("policy_type")->text == "resource");
  CHECK(texts(statement(bucket, 0).get("principals")) ==
        std::vector<std::string>{"Service:cloudfront.amazonaws.com"});
}

TEST_CASE("iam Terraform plans: roles, policies, attachments through the configuration") {
  parsers::TerraformPlanParser parser;
  Parsed p = parse(parser, "plan.json", sample("plan.json"));
  CHECK(p.recognised);
  const auto& role = find(p.graph, "aws_iam_role/agent");
  CHECK(role.attrs.get("kind")->text == "aws_iam_role");
  const auto& trust = find(p.graph, "aws_iam_role/agent (trust)");
  CHECK(statement(trust, 0).get("principals")->items[0].text == "Service:lambda.amazonaws.com");
  CHECK(statement(trust, 0).get("principals")->items[0].loc.line() == 9);
  find(p.graph, "aws_iam_role/agent/logs");
  const auto& kb = find(p.graph, "aws_iam_policy/kb-read");
  CHECK(texts(kb.attrs.get("attached_to")) == std::vector<std::string>{"agent"});
  find(p.graph, "aws_iam_user/ops-bot");
  const auto& binding = find(p.graph, "google_project_iam_binding/roles/aiplatform.user");
  CHECK(binding.attrs.get("source")->text == "gcp-iam");
  CHECK(binding.attrs.get("condition")->text.find("getHours") != std::string::npos);
  const auto& azure = find(p.graph, "azurerm_role_definition/Agent Reader");
  CHECK(texts(azure.attrs.get("actions")) ==
        std::vector<std::string>{"Microsoft.Storage/storageAccounts/read"});
}

TEST_CASE("iam Google Cloud policies and Azure role definitions") {
  Parsed gcp = parse(parsers::GcpIamPolicyParser(), "gcp-policy.yaml", sample("gcp-policy.yaml"));
  const auto& binding = find(gcp.graph, "gcp policy/roles/storage.objectViewer");
  CHECK(binding.attrs.get("role")->text == "roles/storage.objectViewer");
  CHECK(binding.attrs.get("members")->items.size() == 1);
  CHECK(binding.attrs.get("public_members")->items.empty());
  CHECK(binding.attrs.get("condition")->text.find("buckets/kb") != std::string::npos);

  Parsed azure =
      parse(parsers::AzureRoleDefinitionParser(), "azure-role.json", sample("azure-role.json"));
  const auto& role = find(azure.graph, "azure role/Agent Storage Reader");
  CHECK(role.attrs.get("source")->text == "azure-rbac");
  CHECK(role.attrs.get("data_actions")->items.size() == 1);
  CHECK(role.attrs.get("assignable_scopes")->items[0].text.find("helpdesk") != std::string::npos);
  CHECK(role.attrs.get("actions")->loc.line() == 5);
}

TEST_CASE("iam intrinsic functions read as text") {
  core::DiagnosticSink sink;
  auto doc = syntax::read_yaml("t.yaml",
                               "a: !Ref Bucket\nb: !GetAtt Role.Arn\nc: !Sub 'x-${AWS::Region}'\n"
                               "d: !Join [':', [a, !Ref B]]\ne: {'Fn::GetAtt': [R, Arn]}\n"
                               "f: [1, 2]\n",
                               core::Limits{}, sink);
  REQUIRE(doc.has_value());
  const auto& root = doc->roots.front();
  CHECK(*parsers::iam::scalar_text(*root.get("a")) == "${Bucket}");
  CHECK(*parsers::iam::scalar_text(*root.get("b")) == "${Role.Arn}");
  CHECK(*parsers::iam::scalar_text(*root.get("c")) == "x-${AWS::Region}");
  CHECK(*parsers::iam::scalar_text(*root.get("d")) == "a:${B}");
  CHECK(*parsers::iam::scalar_text(*root.get("e")) == "${R.Arn}");
  CHECK_FALSE(parsers::iam::scalar_text(*root.get("f")).has_value());
}

TEST_CASE("iam odd shapes are read quietly, never crash") {
  parsers::AwsPolicyFileParser aws;
  for (const char* text : {R"({"Statement": 3, "Effect": 1})",
                           R"({"Statement": [1, {"Effect": [], "Action": {"a": 1}}]})",
                           R"({"Statement": {"Effect": "Allow", "Principal": 4,
                               "Condition": {"x": 1}}})"}) {
    INFO(text);
    Parsed p = parse(aws, "odd.json", text);
    CHECK(p.recognised);
  }
  parsers::CloudFormationParser cfn;
  Parsed p = parse(cfn, "odd.yaml",
                   "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
                   "      AssumeRolePolicyDocument: '{not json'\n      Policies: [1, {x: 2}]\n"
                   "  P:\n    Type: AWS::IAM::Policy\n    Properties: {PolicyDocument: 3}\n");
  CHECK(p.recognised);
}
