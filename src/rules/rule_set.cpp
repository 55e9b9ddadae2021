#include "rules/rule_set.hpp"

#include <algorithm>
#include <iterator>
#include <set>

#include "core/parallel.hpp"
#include "core/sha256.hpp"
#include "parsers/syntax/yaml_reader.hpp"
#include "rules/evaluator.hpp"

namespace fermata::rules {
namespace {

using core::DiagCode;
using syntax::Node;
using syntax::NodeKind;

/// The position of byte `offset` of a scalar's value in the rule file, so an error in a
/// match expression points at the character, not just the field. The value may be quoted,
/// or a block or multi-line scalar whose line breaks and indentation YAML folded: walk the
/// source and the value together, treating any run of white space as one.
core::Span locate_in_scalar(std::string_view source, const Node& node, uint32_t offset) {
  size_t pos = 0;
  for (uint32_t line = 1; line < node.span.line && pos < source.size(); ++line) {
    const size_t nl = source.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  pos += node.span.column > 0 ? node.span.column - 1 : 0;
  if (pos < source.size() && (source[pos] == '|' || source[pos] == '>')) {
    const size_t nl = source.find('\n', pos);
    pos = nl == std::string_view::npos ? source.size() : nl + 1;
  } else if (pos < source.size() && (source[pos] == '"' || source[pos] == '\'')) {
    ++pos;
  }
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  const std::string_view text = node.text;
  size_t i = 0;
  while (pos < source.size() && is_space(source[pos])) ++pos;
  while (i < offset && i < text.size() && pos < source.size()) {
    if (is_space(text[i])) {
      while (i < offset && i < text.size() && is_space(text[i])) ++i;
      while (pos < source.size() && is_space(source[pos])) ++pos;
      continue;
    }
    if (source[pos] != text[i]) {
      // An escape sequence or other transformation: the start of the value is the best answer.
      return node.span;
    }
    ++i;
    ++pos;
  }
  uint32_t line = 1;
  size_t line_start = 0;
  for (size_t k = 0; k < pos && k < source.size(); ++k) {
    if (source[k] == '\n') {
      ++line;
      line_start = k + 1;
    }
  }
  const auto column = static_cast<uint32_t>(pos - line_start + 1);
  return core::Span{line, column, line, column};
}

class Loader {
 public:
  Loader(const RuleSource& source, core::DiagnosticSink& sink) : source_(source), sink_(sink) {}

  bool load(std::vector<Rule>& out) {
    core::DiagnosticSink parse_sink;
    auto document = syntax::read_yaml(source_.path, source_.text, core::Limits{}, parse_sink);
    if (!document) {
      for (auto diagnostic : parse_sink.take()) {
        diagnostic.code = DiagCode::kRuleSyntax;
        diagnostic.level = core::DiagLevel::kError;
        sink_.report(std::move(diagnostic));
      }
      return false;
    }
    if (document->roots.size() != 1 || !document->roots[0].is_object()) {
      error(DiagCode::kRuleType, "a rule file holds exactly one YAML mapping (the rule)",
            document->roots.empty() ? core::Span{1, 1, 1, 1} : document->roots[0].span);
      return false;
    }
    Rule rule;
    if (!read_rule(document->roots[0], rule)) return false;
    out.push_back(std::move(rule));
    return true;
  }

 private:
  void error(DiagCode code, std::string message, core::Span span) {
    core::Diagnostic diagnostic =
        core::make_diagnostic(code, std::move(message), {source_.path, span});
    diagnostic.level = core::DiagLevel::kError;
    if (!rule_id_.empty()) diagnostic.notes.push_back("in rule " + rule_id_);
    sink_.report(std::move(diagnostic));
    ok_ = false;
  }

  const Node* required(const Node& object, std::string_view key) {
    const Node* value = object.get(key);
    if (value == nullptr) {
      error(DiagCode::kRuleMissingField, "missing required field '" + std::string(key) + "'",
            object.span);
    }
    return value;
  }

  std::string text_of(const Node* node, std::string_view key) {
    if (node == nullptr) return "";
    if (node->kind != NodeKind::kString || node->text.empty()) {
      error(DiagCode::kRuleType, "'" + std::string(key) + "' must be a non-empty string",
            node->span);
      return "";
    }
    return node->text;
  }

  std::vector<std::string> list_of(const Node* node, std::string_view key) {
    std::vector<std::string> out;
    if (node == nullptr) return out;
    if (node->kind == NodeKind::kString) {
      out.push_back(node->text);
      return out;
    }
    if (!node->is_array()) {
      error(DiagCode::kRuleType, "'" + std::string(key) + "' must be a list of strings",
            node->span);
      return out;
    }
    for (const auto& item : node->items) {
      if (!item.is_scalar() || item.text.empty()) {
        error(DiagCode::kRuleType, "'" + std::string(key) + "' must hold non-empty strings",
              item.span);
        continue;
      }
      out.push_back(item.text);
    }
    return out;
  }

  void check_fields(const Node& object, std::initializer_list<std::string_view> known,
                    std::string_view where) {
    for (const auto& member : object.members) {
      if (std::find(known.begin(), known.end(), member.key) == known.end()) {
        std::string names;
        for (auto k : known) {
          if (!names.empty()) names += ", ";
          names += k;
        }
        error(DiagCode::kRuleUnknownField,
              "unknown field '" + member.key + "' in " + std::string(where) + " (known: " + names +
                  ")",
              member.key_span);
      }
    }
  }

  std::unique_ptr<Expr> compile(const Node& node, const TypeScope& scope, bool want_bool,
                                std::string_view field) {
    ExprError failure;
    auto expr = compile_expression(node.text, scope, want_bool, failure);
    if (!expr) {
      error(failure.regex ? DiagCode::kRuleRegex : DiagCode::kRuleExpression,
            "in '" + std::string(field) + "': " + failure.message,
            locate_in_scalar(source_.text, node, failure.offset));
    }
    return expr;
  }

  bool read_rule(const Node& root, Rule& rule) {
    RuleMeta& meta = rule.meta;
    const Node* id = required(root, "id");
    meta.id = text_of(id, "id");
    rule_id_ = meta.id;
    check_fields(root,
                 {"id", "title", "severity", "maestro", "owasp", "description", "remediation",
                  "references", "aliases", "match", "message", "autonomy_note"},
                 "a rule");
    meta.source = core::SourceLoc{source_.path, id != nullptr ? id->span : root.span};
    check_id(meta.id, id);
    meta.title = text_of(required(root, "title"), "title");
    if (const Node* severity = required(root, "severity")) {
      auto parsed = core::parse_severity(severity->text);
      if (!parsed || !severity->is_scalar()) {
        error(DiagCode::kRuleType, "'severity' must be one of critical, high, medium, low, info",
              severity->span);
      } else {
        meta.severity = *parsed;
      }
    }
    const Node* maestro = required(root, "maestro");
    meta.maestro = list_of(maestro, "maestro");
    for (const auto& layer : meta.maestro) {
      if (maestro_layer_name(layer).empty()) {
        error(DiagCode::kRuleType, "unknown MAESTRO layer '" + layer + "' (L1 to L7)",
              maestro->span);
      }
    }
    if (maestro != nullptr && meta.maestro.empty()) {
      error(DiagCode::kRuleType, "'maestro' needs at least one layer", maestro->span);
    }
    const Node* owasp = required(root, "owasp");
    meta.owasp = list_of(owasp, "owasp");
    for (const auto& ref : meta.owasp) {
      if (!valid_owasp(ref)) {
        error(DiagCode::kRuleType, "unknown OWASP id '" + ref + "' (ASI01 to ASI10, or T1 to T17)",
              owasp->span);
      }
    }
    meta.description = text_of(required(root, "description"), "description");
    meta.remediation = text_of(required(root, "remediation"), "remediation");
    meta.references = list_of(root.get("references"), "references");
    meta.aliases = list_of(root.get("aliases"), "aliases");
    if (const Node* note = root.get("autonomy_note"))
      meta.autonomy_note = text_of(note, "autonomy_note");

    const Node* match = required(root, "match");
    if (match != nullptr) read_match(*match, rule);
    if (const Node* message = required(root, "message"); message != nullptr && ok_) {
      read_message(*message, rule);
    }
    return ok_;
  }

  void check_id(const std::string& id, const Node* node) {
    if (node == nullptr || id.empty()) return;
    const bool kebab = std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!kebab || id.front() == '-' || id.back() == '-' || id.find('-') == std::string::npos) {
      error(DiagCode::kRuleType,
            "rule id '" + id + "' must be kebab-case with an area prefix (e.g. mcp-...)",
            node->span);
      return;
    }
    std::string stem = source_.path;
    if (const size_t slash = stem.find_last_of('/'); slash != std::string::npos)
      stem = stem.substr(slash + 1);
    if (const size_t dot = stem.rfind('.'); dot != std::string::npos) stem = stem.substr(0, dot);
    if (stem != id) {
      error(DiagCode::kRuleIdMismatch,
            "rule id '" + id + "' differs from its file name '" + stem + "'", node->span);
    }
  }

  static bool valid_owasp(const std::string& ref) {
    auto number = [](std::string_view digits) {
      if (digits.empty() || digits.size() > 2) return -1;
      int value = 0;
      for (char c : digits) {
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
      }
      return value;
    };
    if (ref.rfind("ASI", 0) == 0 && ref.size() == 5) {
      const int n = number(std::string_view(ref).substr(3));
      return n >= 1 && n <= 10;
    }
    if (ref.rfind('T', 0) == 0 && ref.size() >= 2 && ref[1] != '0') {
      const int n = number(std::string_view(ref).substr(1));
      return n >= 1 && n <= 17;
    }
    return false;
  }

  void read_match(const Node& match, Rule& rule) {
    if (!match.is_object()) {
      error(DiagCode::kRuleType,
            "'match' must be a mapping with entity, where, and optionally for_each and at",
            match.span);
      return;
    }
    check_fields(match, {"entity", "for_each", "where", "at", "evidence"}, "'match'");
    const Node* entity = required(match, "entity");
    if (entity == nullptr) return;
    auto kind = model::parse_entity_kind(entity->text);
    if (!kind || !entity->is_scalar()) {
      std::string kinds;
      for (auto k : model::kAllEntityKinds) {
        if (!kinds.empty()) kinds += ", ";
        kinds += model::to_string(k);
      }
      error(DiagCode::kRuleType,
            "unknown entity kind '" + entity->text + "' (known: " + kinds + ")", entity->span);
      return;
    }
    rule.entity = *kind;
    rule.meta.entity = entity->text;
    scope_.entity = *kind;
    if (const Node* for_each = match.get("for_each")) {
      // "VAR in PATH": bind each element of a list to VAR.
      const std::string& text = for_each->text;
      const size_t in = text.find(" in ");
      std::string var = in == std::string::npos ? "" : text.substr(0, in);
      while (!var.empty() && var.back() == ' ') var.pop_back();
      while (!var.empty() && var.front() == ' ') var.erase(var.begin());
      const bool valid_var = !var.empty() && std::all_of(var.begin(), var.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
      });
      if (!for_each->is_string() || !valid_var) {
        error(DiagCode::kRuleExpression,
              "'for_each' must read 'NAME in LIST' (e.g. 'v in literals')", for_each->span);
        return;
      }
      const auto source_offset = static_cast<uint32_t>(in + 4);
      ExprError failure;
      auto source =
          compile_expression(std::string_view(text).substr(source_offset), scope_, false, failure);
      if (!source) {
        error(DiagCode::kRuleExpression, "in 'for_each': " + failure.message,
              locate_in_scalar(source_.text, *for_each, source_offset + failure.offset));
        return;
      }
      if (source->type->kind != model::TypeKind::kList) {
        error(DiagCode::kRuleExpression,
              "'for_each' ranges over a list, not " + model::to_string(*source->type),
              locate_in_scalar(source_.text, *for_each, source_offset));
        return;
      }
      rule.for_each_var = var;
      rule.meta.for_each = text;
      rule.for_each_text = text;
      scope_.variables.emplace_back(var, source->type->element);
      rule.for_each_source = std::move(source);
    }
    if (const Node* where = required(match, "where")) {
      if (!where->is_string()) {
        error(DiagCode::kRuleType, "'where' must be a string expression", where->span);
      } else {
        rule.where = compile(*where, scope_, true, "where");
        rule.meta.where = where->text;
      }
    }
    if (const Node* evidence = match.get("evidence")) read_evidence(*evidence, rule);
    if (const Node* at = match.get("at")) {
      if (!at->is_string()) {
        error(DiagCode::kRuleType, "'at' must be a path (e.g. endpoint.url)", at->span);
      } else {
        rule.at = compile(*at, scope_, false, "at");
        rule.at_text = at->text;
        rule.meta.at = at->text;
        if (rule.at && rule.at->kind != ExprKind::kPath) {
          error(DiagCode::kRuleExpression, "'at' must be a path to a value (e.g. endpoint.url)",
                at->span);
        }
      }
    }
  }

  /// `evidence: PATH` or a list of paths, each to a string, a reference, or a list of them.
  void read_evidence(const Node& node, Rule& rule) {
    std::vector<const Node*> paths;
    if (node.is_string()) {
      paths.push_back(&node);
    } else if (node.is_array()) {
      for (const auto& item : node.items) paths.push_back(&item);
    }
    if (paths.empty()) {
      error(DiagCode::kRuleType, "'evidence' must be a path or a list of paths", node.span);
      return;
    }
    for (const Node* path : paths) {
      if (!path->is_string()) {
        error(DiagCode::kRuleType, "'evidence' must be a path or a list of paths", path->span);
        continue;
      }
      auto expr = compile(*path, scope_, false, "evidence");
      if (!expr) continue;
      const model::Type* type = expr->type.get();
      if (type != nullptr && type->kind == model::TypeKind::kList) type = type->element.get();
      const bool chain_step =
          expr->kind == ExprKind::kPath && type != nullptr &&
          (type->kind == model::TypeKind::kString || type->kind == model::TypeKind::kRef);
      if (!chain_step) {
        error(DiagCode::kRuleExpression,
              "'evidence' must be a path to strings or entity references (e.g. p.steps)",
              path->span);
        continue;
      }
      rule.evidence.push_back(std::move(expr));
    }
  }

  void read_message(const Node& node, Rule& rule) {
    if (!node.is_string()) {
      error(DiagCode::kRuleType, "'message' must be a string", node.span);
      return;
    }
    const std::string& text = node.text;
    std::string literal;
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
        literal += c;
        ++i;
        continue;
      }
      if (c == '}') {
        error(DiagCode::kRuleExpression, "unmatched '}' in message (write '}}' for a brace)",
              locate_in_scalar(source_.text, node, static_cast<uint32_t>(i)));
        return;
      }
      if (c != '{') {
        literal += c;
        continue;
      }
      const size_t close = text.find('}', i);
      if (close == std::string::npos) {
        error(DiagCode::kRuleExpression, "unterminated '{' in message",
              locate_in_scalar(source_.text, node, static_cast<uint32_t>(i)));
        return;
      }
      if (!literal.empty()) rule.message.push_back(MessagePiece{std::move(literal), nullptr});
      literal.clear();
      ExprError failure;
      auto expr = compile_expression(std::string_view(text).substr(i + 1, close - i - 1), scope_,
                                     false, failure);
      if (!expr) {
        error(DiagCode::kRuleExpression, "in a message placeholder: " + failure.message,
              locate_in_scalar(source_.text, node, static_cast<uint32_t>(i + 1 + failure.offset)));
        return;
      }
      rule.message.push_back(MessagePiece{"", std::move(expr)});
      i = close;
    }
    if (!literal.empty()) rule.message.push_back(MessagePiece{std::move(literal), nullptr});
  }

  const RuleSource& source_;
  core::DiagnosticSink& sink_;
  TypeScope scope_;
  std::string rule_id_;
  bool ok_ = true;
};

std::string render_message(const Rule& rule, EvalContext& context, const model::Graph& graph) {
  std::string out;
  bool drop_close = false;
  for (const auto& piece : rule.message) {
    if (!piece.expr) {
      // A parenthesised placeholder that came out empty goes with its parentheses: "server
      // 'x' (Claude Code)" reads "server 'x'" for a server no client declares.
      out += drop_close ? piece.text.substr(1) : piece.text;
      drop_close = false;
      continue;
    }
    const std::string shown = display(graph, context.value(*piece.expr));
    const size_t next = static_cast<size_t>(&piece - rule.message.data()) + 1;
    if (shown.empty() && out.size() >= 2 && out.compare(out.size() - 2, 2, " (") == 0 &&
        next < rule.message.size() && !rule.message[next].expr &&
        rule.message[next].text.rfind(')', 0) == 0) {
      out.resize(out.size() - 2);
      drop_close = true;
      continue;
    }
    out += shown;
  }
  return out;
}

/// The finding's identity without its file (so a renamed file keeps its findings): rule,
/// entity kind and name, the path of the value at fault, the list element's source and
/// key, and the value itself. Line numbers stay out: moving a block must not make an old
/// finding new. The value stays in: changing it must.
std::string match_key_of(const Rule& rule, const model::Entity& entity, const model::Value* focus,
                         const model::Value* element, const model::Graph& graph) {
  std::string material = "fermata/v1\n" + rule.meta.id + "\n" +
                         std::string(model::to_string(entity.kind)) + "/" + entity.name + "\n" +
                         rule.at_text + "\n";
  if (element != nullptr) {
    const model::Value* key = element->get("key");
    const model::Value* source = element->get("source");
    material += display(graph, source) + ":" + display(graph, key) + "\n";
  }
  material += display(graph, focus);
  return core::sha256_hex(material).substr(0, 32);
}

/// One chain step per string (its text, at its line) or reference (the entity, at its
/// declaration).
void add_evidence(const model::Graph& graph, const model::Value* value, Finding& finding) {
  if (value == nullptr) return;
  switch (value->kind) {
    case model::ValueKind::kList:
      for (const auto& item : value->items) add_evidence(graph, &item, finding);
      break;
    case model::ValueKind::kString:
      finding.evidence.push_back(Evidence{value->text, value->loc});
      break;
    case model::ValueKind::kRef:
      if (value->ref < graph.size()) {
        const model::Entity& target = graph.at(value->ref);
        finding.evidence.push_back(Evidence{
            std::string(model::to_string(target.kind)) + " '" + target.name + "'", target.loc});
      }
      break;
    default: break;
  }
}

void match_entity(const Rule& rule, const model::Graph& graph, const model::Entity& entity,
                  std::vector<Finding>& out) {
  EvalContext context(graph, entity);
  auto emit = [&](const model::Value* element) {
    if (!context.condition(*rule.where)) return;
    const model::Value* focus = rule.at ? context.value(*rule.at) : nullptr;
    Finding finding;
    finding.rule_id = rule.meta.id;
    finding.severity = rule.meta.severity;
    finding.message = render_message(rule, context, graph);
    finding.loc = focus != nullptr && focus->loc.valid()       ? focus->loc
                  : element != nullptr && element->loc.valid() ? element->loc
                                                               : entity.loc;
    for (const auto& path : rule.evidence) add_evidence(graph, context.value(*path), finding);
    finding.entity_kind = std::string(model::to_string(entity.kind));
    finding.entity_name = entity.name;
    finding.entity_key = entity.key;
    finding.match_key = match_key_of(rule, entity, focus, element, graph);
    finding.fingerprint =
        core::sha256_hex(finding.loc.file + "\n" + finding.match_key).substr(0, 32);
    out.push_back(std::move(finding));
  };
  if (!rule.for_each_source) {
    emit(nullptr);
    return;
  }
  const model::Value* source = context.value(*rule.for_each_source);
  if (source == nullptr || source->kind != model::ValueKind::kList) return;
  for (const auto& item : source->items) {
    context.bind(rule.for_each_var, &item);
    emit(&item);
    context.unbind();
  }
}

}  // namespace

bool RuleSet::load(const RuleSource& source, core::DiagnosticSink& sink) {
  std::vector<Rule> loaded;
  Loader loader(source, sink);
  if (!loader.load(loaded)) return false;
  for (auto& rule : loaded) {
    if (const Rule* existing = find(rule.meta.id)) {
      core::Diagnostic diagnostic =
          core::make_diagnostic(DiagCode::kRuleDuplicateId,
                                "rule id '" + rule.meta.id + "' is already defined in " +
                                    core::to_string(existing->meta.source),
                                rule.meta.source);
      diagnostic.level = core::DiagLevel::kError;
      sink.report(std::move(diagnostic));
      return false;
    }
    rules_.push_back(std::move(rule));
  }
  return true;
}

bool RuleSet::load_builtin(core::DiagnosticSink& sink) {
  bool ok = true;
  for (const auto& source : builtin_rule_sources()) ok = load(source, sink) && ok;
  sort_by_id();
  return ok;
}

const Rule* RuleSet::find(std::string_view id) const {
  for (const auto& rule : rules_) {
    if (rule.meta.id == id) return &rule;
  }
  for (const auto& rule : rules_) {
    for (const auto& alias : rule.meta.aliases) {
      if (alias == id) return &rule;
    }
  }
  return nullptr;
}

void RuleSet::retain(const std::vector<std::string>& ids) {
  std::erase_if(rules_, [&](const Rule& rule) {
    return std::find(ids.begin(), ids.end(), rule.meta.id) == ids.end();
  });
}

void RuleSet::remove(const std::vector<std::string>& ids) {
  std::erase_if(rules_, [&](const Rule& rule) {
    return std::any_of(ids.begin(), ids.end(), [&](const std::string& id) {
      return id == rule.meta.id || std::find(rule.meta.aliases.begin(), rule.meta.aliases.end(),
                                             id) != rule.meta.aliases.end();
    });
  });
}

bool RuleSet::set_severity(std::string_view id, core::Severity severity) {
  for (auto& rule : rules_) {
    if (rule.meta.id == id || std::find(rule.meta.aliases.begin(), rule.meta.aliases.end(), id) !=
                                  rule.meta.aliases.end()) {
      rule.meta.severity = severity;
      return true;
    }
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> RuleSet::aliases() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& rule : rules_) {
    for (const auto& alias : rule.meta.aliases) out.emplace_back(alias, rule.meta.id);
  }
  return out;
}

void RuleSet::sort_by_id() {
  std::sort(rules_.begin(), rules_.end(),
            [](const Rule& a, const Rule& b) { return a.meta.id < b.meta.id; });
}

std::vector<Finding> evaluate(const RuleSet& rules, const model::Graph& graph, unsigned jobs) {
  // One task per rule, each with its own findings, joined in rule order: the same list, in
  // the same order, whatever the number of threads.
  std::vector<std::vector<Finding>> per_rule(rules.rules().size());
  core::parallel_for(per_rule.size(), jobs, [&](size_t i) {
    const Rule& rule = rules.rules()[i];
    for (const auto& entity : graph.entities()) {
      if (entity.kind == rule.entity && entity.merged_into == model::kNoEntity) {
        match_entity(rule, graph, entity, per_rule[i]);
      }
    }
  });
  std::vector<Finding> findings;
  for (auto& found : per_rule) {
    findings.insert(findings.end(), std::make_move_iterator(found.begin()),
                    std::make_move_iterator(found.end()));
  }
  return findings;
}

}  // namespace fermata::rules
