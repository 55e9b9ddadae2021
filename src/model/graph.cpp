#include "model/graph.hpp"

#include <array>
#include <functional>

namespace fermata::model {
namespace {

constexpr std::array<std::string_view, 10> kEntityNames = {
    "agent", "mcp_server", "tool",   "workload", "identity",
    "grant", "endpoint",   "policy", "task",     "gateway"};

void shift_refs(Value& value, EntityId offset) {
  if (value.kind == ValueKind::kRef && value.ref != kNoEntity) value.ref += offset;
  for (auto& item : value.items) shift_refs(item, offset);
  for (auto& field : value.fields) shift_refs(field.value, offset);
}

}  // namespace

std::string_view to_string(EntityKind kind) { return kEntityNames.at(static_cast<size_t>(kind)); }

std::optional<EntityKind> parse_entity_kind(std::string_view text) {
  for (size_t i = 0; i < kEntityNames.size(); ++i) {
    if (kEntityNames[i] == text) return static_cast<EntityKind>(i);
  }
  return std::nullopt;
}

std::string_view to_string(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::kUsesServer: return "uses-server";
    case EdgeKind::kProvidesTool: return "provides-tool";
    case EdgeKind::kRunsAs: return "runs-as";
    case EdgeKind::kGrants: return "grants";
    case EdgeKind::kDelegatesTo: return "delegates-to";
    case EdgeKind::kReaches: return "reaches";
  }
  return "uses-server";
}

Entity& Graph::add(EntityKind kind, std::string name, core::SourceLoc loc) {
  Entity entity;
  entity.id = static_cast<EntityId>(entities_.size());
  entity.kind = kind;
  entity.key = loc.file + "#" + std::string(to_string(kind)) + "/" + name;
  entity.name = std::move(name);
  entity.loc = std::move(loc);
  entities_.push_back(std::move(entity));
  return entities_.back();
}

void Graph::connect(EntityId from, EntityId to, EdgeKind kind, core::SourceLoc loc) {
  edges_.push_back(Edge{from, to, kind, std::move(loc)});
}

std::vector<const Edge*> Graph::edges_from(EntityId id) const {
  std::vector<const Edge*> out;
  for (const auto& edge : edges_) {
    if (edge.from == id) out.push_back(&edge);
  }
  return out;
}

std::vector<const Edge*> Graph::edges_to(EntityId id) const {
  std::vector<const Edge*> out;
  for (const auto& edge : edges_) {
    if (edge.to == id) out.push_back(&edge);
  }
  return out;
}

void Graph::merge(Graph&& other) {
  const auto offset = static_cast<EntityId>(entities_.size());
  for (auto& entity : other.entities_) {
    entity.id += offset;
    if (entity.merged_into != kNoEntity) entity.merged_into += offset;
    shift_refs(entity.attrs, offset);
    entities_.push_back(std::move(entity));
  }
  for (auto& edge : other.edges_) {
    edge.from += offset;
    edge.to += offset;
    edges_.push_back(std::move(edge));
  }
  other.entities_.clear();
  other.edges_.clear();
}

}  // namespace fermata::model
