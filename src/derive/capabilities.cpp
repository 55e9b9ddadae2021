#include "derive/capabilities.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <utility>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "parsers/syntax/yaml_reader.hpp"

namespace fermata::derive {
namespace {

using core::lower;

using model::Value;
using model::ValueKind;
using syntax::Node;

using model::text_of;

/// npm names are lower case; PyPI compares names lower-cased with every run of '-', '_'
/// and '.' read as one '-' (PEP 503). Extras (`pkg[cli]`) do not change what runs.
std::string normal_package(std::string_view package) {
  const std::string_view name = package.substr(0, package.find('['));
  std::string out;
  for (const char c : lower(name)) {
    const bool separator = c == '-' || c == '_' || c == '.';
    if (separator && !out.empty() && out.back() == '-') continue;
    out.push_back(separator ? '-' : c);
  }
  return out;
}

/// Docker Hub images are written with or without docker.io/ and library/, and a tag or
/// digest may still be attached (a registry identifier carries one).
std::string normal_image(std::string_view image) {
  std::string out = lower(image.substr(0, image.find('@')));
  const size_t slash = out.rfind('/');
  if (const size_t colon = out.rfind(':');
      colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    out.resize(colon);
  }
  for (const std::string_view prefix :
       {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
    if (out.rfind(prefix, 0) == 0) {
      out.erase(0, prefix.size());
      break;
    }
  }
  if (out.rfind("library/", 0) == 0) out.erase(0, 8);
  return out;
}

std::string normal_host(std::string_view host) {
  std::string out = lower(host);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

/// Frameworks write a tool as a name, a call, a class path or a permission rule
/// (`crewai_tools.SerperDevTool()`, `google.adk.tools.google_search`, `Bash(git:*)`): the
/// last dotted part before any parenthesis names it. Case is kept: tool names are
/// identifiers, and `Read` (Claude Code) is not any framework's `read`.
std::string normal_tool(std::string_view tool) {
  std::string_view name = tool.substr(0, tool.find('('));
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())) != 0)
    name.remove_suffix(1);
  if (const size_t dot = name.find_last_of(".:"); dot != std::string_view::npos)
    name.remove_prefix(dot + 1);
  return std::string(name);
}

bool host_covers(std::string_view entry, std::string_view host) {
  if (entry.empty() || host.size() < entry.size()) return false;
  if (host.substr(host.size() - entry.size()) != entry) return false;
  return host.size() == entry.size() || host[host.size() - entry.size() - 1] == '.';
}

template <typename Normal>
const CapabilityCatalog::Entry* find_in(const std::vector<CapabilityCatalog::Entry>& entries,
                                        std::vector<std::string> CapabilityCatalog::Entry::*keys,
                                        std::string_view wanted, Normal normal) {
  if (wanted.empty()) return nullptr;
  const std::string key = normal(wanted);
  for (const auto& entry : entries) {
    for (const auto& candidate : entry.*keys) {
      if (normal(candidate) == key) return &entry;
    }
  }
  return nullptr;
}

bool kebab_case(const std::string& id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

/// Reads one catalog entry; returns false when it is too broken to keep.
class EntryReader {
 public:
  EntryReader(const syntax::Document& doc, core::DiagnosticSink& sink) : doc_(doc), sink_(sink) {}

  void report(const core::Span& span, std::string message) {
    sink_.report(core::DiagCode::kCatalogInvalid, "capability catalog: " + std::move(message),
                 doc_.loc(span));
  }

  bool read(const Node& item, CapabilityCatalog::Entry& entry) {
    if (!item.is_object()) {
      report(item.span, "an entry is a mapping with id, name, match, capabilities and source");
      return false;
    }
    static constexpr std::string_view kFields[] = {"id", "name", "match", "capabilities", "source"};
    for (const auto& m : item.members) {
      if (std::find(std::begin(kFields), std::end(kFields), m.key) == std::end(kFields))
        report(m.key_span, "unknown field '" + m.key + "'");
    }
    entry.id = text(item, "id");
    entry.name = text(item, "name");
    entry.source = text(item, "source");
    if (!entry.id.empty() && !kebab_case(entry.id))
      report(item.get("id")->span, "id '" + entry.id + "' is not kebab-case");
    if (!entry.source.empty() && entry.source.rfind("https://", 0) != 0)
      report(item.get("source")->span, "source must be an https:// URL");
    read_match(item, entry);
    read_capabilities(item, entry);
    return !entry.id.empty();
  }

 private:
  std::string text(const Node& item, std::string_view key) {
    const Node* value = item.get(key);
    if (value == nullptr || !value->is_scalar() || value->text.empty()) {
      report(value != nullptr ? value->span : item.span, "missing '" + std::string(key) + "'");
      return "";
    }
    return value->text;
  }

  void read_match(const Node& item, CapabilityCatalog::Entry& entry) {
    const Node* match = item.get("match");
    if (match == nullptr || !match->is_object()) {
      report(match != nullptr ? match->span : item.span,
             "'match' must be a mapping of packages, images, hosts, tools or names");
      return;
    }
    size_t keys = 0;
    for (const auto& m : match->members) {
      std::vector<std::string>* into = nullptr;
      if (m.key == "packages") into = &entry.packages;
      if (m.key == "images") into = &entry.images;
      if (m.key == "hosts") into = &entry.hosts;
      if (m.key == "tools") into = &entry.tools;
      if (m.key == "names") into = &entry.names;
      if (into == nullptr) {
        report(m.key_span,
               "unknown match key '" + m.key + "' (known: packages, images, hosts, tools, names)");
        continue;
      }
      if (!m.value.is_array()) {
        report(m.value.span, "'" + m.key + "' must be a list");
        continue;
      }
      for (const auto& value : m.value.items) {
        if (!value.is_scalar() || value.text.empty()) {
          report(value.span, "a '" + m.key + "' item is a non-empty string");
          continue;
        }
        into->push_back(value.text);
        ++keys;
      }
    }
    if (keys == 0) report(match->span, "'match' names nothing to match");
  }

  void read_capabilities(const Node& item, CapabilityCatalog::Entry& entry) {
    const Node* list = item.get("capabilities");
    if (list == nullptr || !list->is_array()) {
      report(list != nullptr ? list->span : item.span,
             "'capabilities' must be a list (empty when the server has none)");
      return;
    }
    const auto& vocabulary = capability_vocabulary();
    std::vector<bool> present(vocabulary.size(), false);
    for (const auto& value : list->items) {
      const auto known = std::find(vocabulary.begin(), vocabulary.end(), value.text);
      if (!value.is_scalar() || known == vocabulary.end()) {
        std::string names;
        for (const auto name : vocabulary) names += (names.empty() ? "" : ", ") + std::string(name);
        report(value.span, "unknown capability '" + value.text + "' (known: " + names + ")");
        continue;
      }
      const auto index = static_cast<size_t>(known - vocabulary.begin());
      if (present[index]) report(value.span, "capability '" + value.text + "' listed twice");
      present[index] = true;
    }
    for (size_t i = 0; i < vocabulary.size(); ++i) {
      if (present[i]) entry.capabilities.emplace_back(vocabulary[i]);
    }
  }

  const syntax::Document& doc_;
  core::DiagnosticSink& sink_;
};

/// A match key claimed by two entries would make the result depend on file order.
/// `spans[i]` is where entry i's `match` is written.
void check_claims(const std::vector<CapabilityCatalog::Entry>& entries,
                  const std::vector<core::Span>& spans, EntryReader& reader) {
  struct Claim {
    std::string key;
    std::string owner;
  };
  std::vector<Claim> claims;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    auto claim = [&](const std::string& key) {
      const auto taken = std::find_if(claims.begin(), claims.end(), [&](const Claim& c) {
        return c.key == key && c.owner != entry.id;
      });
      if (taken != claims.end()) {
        reader.report(spans[i], "'" + key + "' is already matched by entry '" + taken->owner + "'");
        return;
      }
      claims.push_back({key, entry.id});
    };
    for (const auto& p : entry.packages) claim("package " + normal_package(p));
    for (const auto& image : entry.images) claim("image " + normal_image(image));
    for (const auto& h : entry.hosts) claim("host " + normal_host(h));
    for (const auto& t : entry.tools) claim("tool " + normal_tool(t));
    for (const auto& n : entry.names) claim("name " + lower(n));
  }
}

Value capability_list(const std::vector<std::string>& capabilities, const core::SourceLoc& at) {
  Value list = Value::list(at);
  for (const auto& capability : capabilities) list.push(Value::of_string(capability, at));
  return list;
}

/// The first located, non-empty string among the candidates.
const Value* first_text(std::initializer_list<const Value*> candidates) {
  for (const Value* value : candidates) {
    if (!text_of(value).empty()) return value;
  }
  return nullptr;
}

void classify_server(model::Entity& server, const CapabilityCatalog& catalog) {
  Value& attrs = server.attrs;
  const Value* launch = attrs.get("launch");
  const Value* package = launch != nullptr ? launch->get("package") : nullptr;
  const Value* image = launch != nullptr ? launch->get("image") : nullptr;
  const Value* endpoint = attrs.get("endpoint");
  const Value* host = endpoint != nullptr ? endpoint->get("host") : nullptr;
  const Value* name = attrs.get("name");
  const Value* registry = attrs.get("registry");
  const Value* identifier = registry != nullptr ? registry->get("identifier") : nullptr;
  const std::string& registry_type =
      text_of(registry != nullptr ? registry->get("registry_type") : nullptr);
  const bool registry_image = registry_type == "oci";

  const CapabilityCatalog::Entry* entry = nullptr;
  const Value* matched = nullptr;
  auto attempt = [&](const Value* fact, const CapabilityCatalog::Entry* found) {
    if (entry == nullptr && found != nullptr) {
      entry = found;
      matched = fact;
    }
  };
  attempt(package, catalog.by_package(text_of(package)));
  if (!registry_image) attempt(identifier, catalog.by_package(text_of(identifier)));
  attempt(image, catalog.by_image(text_of(image)));
  if (registry_image) attempt(identifier, catalog.by_image(text_of(identifier)));
  attempt(host, catalog.by_host(text_of(host)));
  attempt(name, catalog.by_name(server.name));

  if (entry != nullptr) {
    // The name match may come from the entity alone, without a located name attribute.
    const core::SourceLoc at = matched != nullptr ? matched->loc : server.loc;
    attrs.set("capabilities", capability_list(entry->capabilities, at));
    attrs.set("catalog_entry", Value::of_string(entry->id, at));
    attrs.set("capability_source", Value::of_string("catalog", at));
    return;
  }
  // Unknown: point at what identifies the server, so the note sits on the line to look at.
  const Value* identity = first_text({package, image, identifier, host, attrs.get("command")});
  const core::SourceLoc at =
      identity != nullptr ? identity->loc : (name != nullptr ? name->loc : server.loc);
  Value capabilities = Value::list(at);
  capabilities.push(Value::of_string("untrusted_input", at));
  const Value* inline_shell = launch != nullptr ? launch->get("inline_shell") : nullptr;
  const Value* pipe_to_shell = launch != nullptr ? launch->get("pipe_to_shell") : nullptr;
  if (inline_shell != nullptr && inline_shell->boolean) {
    capabilities.push(Value::of_string("code_execution", inline_shell->loc));
  } else if (pipe_to_shell != nullptr && pipe_to_shell->boolean) {
    capabilities.push(Value::of_string("code_execution", pipe_to_shell->loc));
  }
  capabilities.push(Value::of_string("sends_out", at));
  attrs.set("capabilities", std::move(capabilities));
  attrs.set("catalog_entry", Value::of_string("", at));
  attrs.set("capability_source", Value::of_string("default", at));
}

/// A tool's capabilities: its catalog entry by name, else what its kind implies. An MCP
/// tool gets none here: its server carries them.
void classify_tool(Value& tool, const CapabilityCatalog& catalog) {
  const Value* name = tool.get("name");
  const std::string& kind = text_of(tool.get("kind"));
  const core::SourceLoc at = name != nullptr ? name->loc : tool.loc;
  std::vector<std::string> capabilities;
  if (kind != "mcp") {
    if (const auto* entry = catalog.by_tool(text_of(name))) {
      capabilities = entry->capabilities;
    } else if (kind == "shell" || kind == "code") {
      capabilities = {"code_execution"};
    } else if (kind == "filesystem") {
      capabilities = {"private_data", "writes_files"};
    } else if (kind == "fetch") {
      capabilities = {"untrusted_input", "sends_out"};
    }
  }
  tool.set("capabilities", capability_list(capabilities, at));
}

}  // namespace

const std::vector<std::string_view>& capability_vocabulary() {
  static const std::vector<std::string_view> kVocabulary = {
      "untrusted_input",         "private_data", "writes_files", "code_execution", "sends_out",
      "modifies_infrastructure", "spends_money"};
  return kVocabulary;
}

const CapabilityCatalog::Entry* CapabilityCatalog::by_package(std::string_view package) const {
  return find_in(entries, &Entry::packages, package, normal_package);
}

const CapabilityCatalog::Entry* CapabilityCatalog::by_image(std::string_view image) const {
  return find_in(entries, &Entry::images, image, normal_image);
}

const CapabilityCatalog::Entry* CapabilityCatalog::by_host(std::string_view host) const {
  if (host.empty()) return nullptr;
  const std::string wanted = normal_host(host);
  for (const auto& entry : entries) {
    for (const auto& candidate : entry.hosts) {
      if (host_covers(normal_host(candidate), wanted)) return &entry;
    }
  }
  return nullptr;
}

const CapabilityCatalog::Entry* CapabilityCatalog::by_tool(std::string_view tool) const {
  return find_in(entries, &Entry::tools, tool, normal_tool);
}

const CapabilityCatalog::Entry* CapabilityCatalog::by_name(std::string_view name) const {
  return find_in(entries, &Entry::names, name, lower);
}

CapabilityCatalog parse_capability_catalog(std::string_view path, std::string_view yaml_text,
                                           core::DiagnosticSink& sink) {
  CapabilityCatalog catalog;
  core::DiagnosticSink yaml_sink;
  const auto doc = syntax::read_yaml(path, yaml_text, core::Limits{}, yaml_sink);
  for (const auto& d : yaml_sink.items()) {
    sink.report(core::DiagCode::kCatalogInvalid, "capability catalog: " + d.message, d.loc);
  }
  if (!doc) return catalog;
  EntryReader reader(*doc, sink);
  if (doc->roots.size() != 1 || !doc->roots.front().is_object()) {
    reader.report({1, 1, 1, 1}, "expected one mapping with a list 'entries'");
    return catalog;
  }
  const Node& root = doc->roots.front();
  for (const auto& m : root.members) {
    if (m.key != "entries") reader.report(m.key_span, "unknown field '" + m.key + "'");
  }
  const Node* entries = root.get("entries");
  if (entries == nullptr || !entries->is_array()) {
    reader.report(root.span, "missing list 'entries'");
    return catalog;
  }
  std::vector<core::Span> match_spans;
  for (const auto& item : entries->items) {
    CapabilityCatalog::Entry entry;
    if (!reader.read(item, entry)) continue;
    const bool duplicate = std::any_of(catalog.entries.begin(), catalog.entries.end(),
                                       [&](const auto& e) { return e.id == entry.id; });
    if (duplicate) {
      reader.report(item.get("id")->span, "duplicate id '" + entry.id + "'");
      continue;
    }
    const Node* match = item.get("match");
    match_spans.push_back(match != nullptr ? match->span : item.span);
    catalog.entries.push_back(std::move(entry));
  }
  check_claims(catalog.entries, match_spans, reader);
  return catalog;
}

void derive_capabilities(model::Graph& graph, const CapabilityCatalog& catalog) {
  for (auto& entity : graph.entities_mut()) {
    if (entity.kind == model::EntityKind::kMcpServer) {
      classify_server(entity, catalog);
    } else if (entity.kind == model::EntityKind::kAgent) {
      if (Value* tools = entity.attrs.get_mut("tools")) {
        for (auto& tool : tools->items) {
          if (tool.kind == ValueKind::kRecord) classify_tool(tool, catalog);
        }
      }
    }
  }
}

}  // namespace fermata::derive
