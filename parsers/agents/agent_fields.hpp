// parsers/agents: what the agent-framework parsers (CrewAI, kagent, Docker cagent, Google
// ADK) share — reading typed fields with a diagnostic at the offending line, and building the
// agent schema's records (tools, models, literals) so every framework fills them alike.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/diagnostic.hpp"
#include "model/graph.hpp"
#include "parsers/agents/field_reader.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::parsers::agents {

/// Reads scalar, list and map fields of one document; a value of the wrong shape is a
/// parse.schema warning at its own line, naming `owner` ("CrewAI agent 'researcher'").
class ManifestFieldReader {
 public:
  ManifestFieldReader(const syntax::Document& document, core::DiagnosticSink& sink)
      : document_(document), sink_(sink) {}

  [[nodiscard]] core::SourceLoc loc(const core::Span& span) const { return document_.loc(span); }
  void warn(std::string message, const core::Span& span) const;

  /// A string (numbers and booleans keep their text); null when absent, null or not a scalar
  /// (the last with a warning).
  [[nodiscard]] model::Value text(const syntax::Node* node, std::string_view field,
                                  std::string_view owner) const;
  /// A number; null when absent or null, a warning and null when not a number.
  [[nodiscard]] model::Value number(const syntax::Node* node, std::string_view field,
                                    std::string_view owner) const;
  /// true/false; null when absent or null, a warning and null when not a boolean.
  [[nodiscard]] model::Value boolean(const syntax::Node* node, std::string_view field,
                                     std::string_view owner) const;
  /// A list of strings (a single string is kept as the only element); non-strings warned.
  [[nodiscard]] model::Value strings(const syntax::Node& node, std::string_view field,
                                     std::string_view owner) const;
  /// Name/value entries from a map (`NAME: value`) or a Kubernetes-style list
  /// (`- name: NAME, value: v`); entries whose value comes from elsewhere (valueFrom) are
  /// skipped, since they hold no literal.
  [[nodiscard]] model::Value entries(const syntax::Node& node, std::string_view field,
                                     std::string_view owner) const;

 private:
  const syntax::Document& document_;
  core::DiagnosticSink& sink_;
};

/// A tools[] record of the agent schema.
model::Value tool_record(std::string name, std::string kind, std::string server,
                         bool require_approval, const core::SourceLoc& loc);

/// The kind of a tool from its name where the name leaves no doubt (CodeInterpreterTool ->
/// code, FileWriterTool -> filesystem, ScrapeWebsiteTool -> fetch, ShellTool -> shell),
/// else "function".
std::string tool_kind_for_name(std::string_view name);

/// A models[] record from a model id as written ("openai/gpt-4o", "gemini-2.5-flash"): the
/// provider is the part before the first '/', when there is one.
model::Value model_record(const std::string& name, const model::Value& model_id);

/// Appends {source, key, value} to `literals` when `value` is a string (derive classifies it).
void add_literal(model::Value& literals, std::string source, std::string key,
                 const model::Value& value);

/// A name for an MCP server written without one (ADK MCPToolset, cagent inline toolsets): the
/// package or script it launches (the first argument that is not an option), else the
/// command itself.
std::string server_label(const model::Value& command, const model::Value& args);

/// Appends each `name=value` of a URL's query (`?api_key=...`) to `literals`, so a key
/// written into a URL is classified, and masked, like any other literal.
void add_query_literals(model::Value& literals, const model::Value& url);

/// `name`, or when an earlier server of the file took it, "name (qualifier)" (then "#2", ...):
/// entities of one file need distinct names to keep distinct identities.
std::string distinct_name(std::set<std::string>& used, std::string name,
                          std::string_view qualifier);

std::string trim(std::string_view text);
bool yaml_extension(std::string_view path);
/// `key:` at the start of a line, or indented (a nested YAML key), anywhere in the text.
bool has_yaml_key(std::string_view text, std::string_view key, bool top_level_only);

/// The agent entity every framework parser starts from: name, kind, client, config_format.
model::Entity& add_agent(model::Graph& graph, const std::string& name, const core::SourceLoc& loc,
                         std::string_view client, std::string_view config_format);

}  // namespace fermata::parsers::agents
