// model: the one typed graph of an agent system — agents, MCP servers, tools, workloads,
// identities, grants, endpoints, policies, tasks, gateways — and the edges between them. Parsers
// add, derive computes, rules read. Entities keep the location of the fact that declared them.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/source_loc.hpp"
#include "model/value.hpp"

namespace fermata::model {

enum class EntityKind {
  kAgent,
  kMcpServer,
  kTool,
  kWorkload,
  kIdentity,
  kGrant,
  kEndpoint,
  kPolicy,
  kTask,
  kGateway
};
inline constexpr EntityKind kAllEntityKinds[] = {
    EntityKind::kAgent,    EntityKind::kMcpServer, EntityKind::kTool,     EntityKind::kWorkload,
    EntityKind::kIdentity, EntityKind::kGrant,     EntityKind::kEndpoint, EntityKind::kPolicy,
    EntityKind::kTask,     EntityKind::kGateway};

std::string_view to_string(EntityKind kind);  ///< "agent", "mcp_server", ...
std::optional<EntityKind> parse_entity_kind(std::string_view text);

enum class EdgeKind { kUsesServer, kProvidesTool, kRunsAs, kGrants, kDelegatesTo, kReaches };
std::string_view to_string(EdgeKind kind);

/// A node of the graph. `attrs` is a record whose fields follow the kind's schema
/// (model/schema.hpp); `key` identifies the entity across scans (for fingerprints).
struct Entity {
  EntityId id = kNoEntity;
  EntityKind kind = EntityKind::kAgent;
  std::string name;
  std::string key;  ///< stable identity: "<file>#<kind>/<name>"
  core::SourceLoc loc;
  Value attrs = Value::record();
  /// Another entity stands for this one (a coding assistant's MCP config folded into the
  /// agent its settings describe): rules and the topology read that one instead.
  EntityId merged_into = kNoEntity;
};

struct Edge {
  EntityId from = kNoEntity;
  EntityId to = kNoEntity;
  EdgeKind kind = EdgeKind::kUsesServer;
  core::SourceLoc loc;  ///< the fact that justifies the edge
};

class Graph {
 public:
  /// Adds an entity; its id is assigned here. Returns a stable reference (deque storage).
  Entity& add(EntityKind kind, std::string name, core::SourceLoc loc);
  void connect(EntityId from, EntityId to, EdgeKind kind, core::SourceLoc loc);

  [[nodiscard]] const Entity& at(EntityId id) const { return entities_.at(id); }
  Entity& at_mut(EntityId id) { return entities_.at(id); }
  [[nodiscard]] const std::deque<Entity>& entities() const { return entities_; }
  std::deque<Entity>& entities_mut() { return entities_; }
  [[nodiscard]] const std::vector<Edge>& edges() const { return edges_; }
  [[nodiscard]] std::vector<const Edge*> edges_from(EntityId id) const;
  [[nodiscard]] std::vector<const Edge*> edges_to(EntityId id) const;
  [[nodiscard]] size_t size() const { return entities_.size(); }

  /// Appends every entity and edge of `other`, renumbering its ids (refs included).
  void merge(Graph&& other);

 private:
  std::deque<Entity> entities_;
  std::vector<Edge> edges_;
};

}  // namespace fermata::model
