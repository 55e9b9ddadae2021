// model: the declared shape of each entity kind's attributes. The rule loader type-checks
// match expressions against it, so a misspelt attribute is a load error, never a silent
// no-op; `fermata rules schema` prints it for rule authors.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/graph.hpp"

namespace fermata::model {

enum class TypeKind { kAny, kNull, kBool, kNumber, kString, kList, kRecord, kRef };

struct Type;
using TypePtr = std::shared_ptr<const Type>;

struct TypeField {
  std::string name;
  TypePtr type;
  std::string doc;
};

struct Type {
  TypeKind kind = TypeKind::kAny;
  TypePtr element;                           ///< kList
  std::vector<TypeField> fields;             ///< kRecord
  EntityKind ref_kind = EntityKind::kAgent;  ///< kRef

  [[nodiscard]] const TypeField* field(std::string_view name) const;
};

/// "string", "list<record>", "ref<mcp_server>", ...
std::string to_string(const Type& type);

TypePtr any_type();
TypePtr null_type();
TypePtr bool_type();
TypePtr number_type();
TypePtr string_type();
TypePtr list_of(TypePtr element);
TypePtr ref_to(EntityKind kind);

/// The record type of an entity kind's attributes (always has `name`).
const Type& entity_schema(EntityKind kind);
/// One-line description of an entity kind, for the schema reference.
std::string_view entity_doc(EntityKind kind);

}  // namespace fermata::model
