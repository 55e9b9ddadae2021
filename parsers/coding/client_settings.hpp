// parsers/coding: the settings of coding agents whose settings file also lists MCP servers
// (Claude Code `.claude/settings*.json`, Gemini CLI `.gemini/settings.json`). The MCP client
// config parser creates the one agent of such a file and hands it here for approval,
// sandbox, permissions, hooks, environment and models, so a file never yields two agents.
#pragma once

#include "core/diagnostic.hpp"
#include "model/value.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::parsers::coding {

/// Claude Code `.claude/settings.json` / `.claude/settings.local.json`: permissions and
/// defaultMode, sandbox, enableAllProjectMcpServers and enabledMcpjsonServers, hooks and
/// command helpers, env (with literals) and the model it calls.
void read_claude_settings(const syntax::Document& document, const syntax::Node& root,
                          model::Value& agent, core::DiagnosticSink& sink);

/// Gemini CLI `.gemini/settings.json`, in the nested schema (general.defaultApprovalMode,
/// tools.sandbox, tools.allowed, tools.exclude, tools.autoAccept, model.name) and the flat one
/// it replaced (sandbox, allowedTools, excludeTools, autoAccept, model), plus hooks.
void read_gemini_settings(const syntax::Document& document, const syntax::Node& root,
                          model::Value& agent, core::DiagnosticSink& sink);

}  // namespace fermata::parsers::coding
