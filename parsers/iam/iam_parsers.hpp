// parsers/iam: cloud IAM as repositories carry it — AWS policy documents (JSON files,
// CloudFormation templates, Terraform plans from `terraform show -json`), Google Cloud IAM
// policy bindings and Azure role definitions. AWS documents become grants with one record
// per statement; AWS roles, users and groups become identities; Google bindings and Azure
// role definitions become grants of their own shape.
#pragma once

#include <string_view>

#include "parsers/parser.hpp"

namespace fermata::parsers {

/// An AWS IAM policy document on its own (identity, resource or trust policy).
class AwsPolicyFileParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "aws-iam-policy"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

/// A CloudFormation template (YAML with !Ref/!Sub/!GetAtt, or JSON): IAM roles, users,
/// groups and policies, and the resource policies of S3, SQS, SNS, KMS, Secrets Manager and
/// ECR.
class CloudFormationParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "cloudformation"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

/// A Terraform plan or state in JSON (`terraform show -json`): aws_iam_* resources,
/// google_*_iam_* bindings and azurerm_role_definition.
class TerraformPlanParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "terraform-plan"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

/// A Google Cloud IAM policy (`get-iam-policy` JSON or YAML): bindings of roles to members.
class GcpIamPolicyParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "gcp-iam-policy"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

/// An Azure role definition in JSON (PowerShell, CLI/REST or ARM template shape).
class AzureRoleDefinitionParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "azure-role-definition"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

}  // namespace fermata::parsers
