// parsers/coding: what coding-agent settings files (OpenAI Codex, Claude Code, Gemini CLI)
// share — typed reads of settings with parse.schema warnings, hooks, literals, and the
// judgements of a command line (does it download and run code?) and of a shell rule.
#pragma once

#include <string>
#include <string_view>

#include "core/diagnostic.hpp"
#include "model/value.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::parsers::coding {

/// Reads typed values out of one settings document; a value of the wrong shape is a
/// parse.schema warning naming the setting, and reads as absent.
class SettingsReader {
 public:
  SettingsReader(const syntax::Document& document, core::DiagnosticSink& sink)
      : document_(document), sink_(sink) {}

  [[nodiscard]] core::SourceLoc loc(const core::Span& span) const { return document_.loc(span); }
  void warn(const std::string& message, const core::Span& span) const;

  /// The member `key` of `parent` when it is a string (numbers and booleans are read as their
  /// text); nullptr when absent or null, with a warning when of another type.
  const syntax::Node* scalar(const syntax::Node& parent, std::string_view key,
                             std::string_view setting) const;
  /// The member when it is a boolean; nullptr otherwise (with a warning when not null).
  const syntax::Node* boolean(const syntax::Node& parent, std::string_view key,
                              std::string_view setting) const;
  /// The member when it is an object; nullptr otherwise (with a warning when not null).
  const syntax::Node* object(const syntax::Node& parent, std::string_view key,
                             std::string_view setting) const;
  /// A list of strings; elements of other types are warned about and skipped.
  [[nodiscard]] model::Value string_list(const syntax::Node& node, std::string_view setting) const;
  /// An object of names to scalars as {key, value} entries; each string value is also added
  /// to `literals` (when not null) with `literal_source`.
  model::Value entries(const syntax::Node& node, std::string_view setting, model::Value* literals,
                       std::string_view literal_source) const;
  /// Hooks in the shape Claude Code and Gemini CLI share: `{"<Event>": [{"matcher": ...,
  /// "hooks": [{"type": "command", "command": "..."}]}]}`.
  [[nodiscard]] model::Value hooks(const syntax::Node& node, std::string_view setting) const;

 private:
  const syntax::Document& document_;
  core::DiagnosticSink& sink_;
};

/// Appends a {source, key, value} literal for a string value (derive classifies it).
void add_literal(model::Value& literals, std::string_view source, std::string_view key,
                 const model::Value& value);

/// Appends each hook's command to the agent's literals (source "command", key the event), so a
/// credential written into a hook's command line is recognised and masked like any other.
void add_hook_literals(model::Value& agent);

/// The command line downloads code and runs it: curl or wget piped into a shell or an
/// interpreter, a shell fed by `<(curl …)` or `$(curl …)`, an interpreter given a URL, or a
/// package runner (npx, bunx, pnpm dlx, yarn dlx, uvx, pipx run, npm exec) fetching a package.
bool command_fetches_network(std::string_view command);

/// The part of a permission rule inside `Tool(...)`, trimmed; `tool` receives the name.
/// Returns false when the rule is not of that form (`tool` then holds the whole rule).
bool split_rule(std::string_view rule, std::string& tool, std::string& pattern);

/// A shell rule pattern that accepts every command: empty, only wildcards (`*`, `:*`, `**`),
/// or a shell or command runner followed by a wildcard (`bash:*`, `sh -c *`, `env *`,
/// `sudo:*`, `eval *`), which can run anything.
bool shell_pattern_unrestricted(std::string_view pattern);

}  // namespace fermata::parsers::coding
