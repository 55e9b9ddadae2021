// model: attribute values of graph entities, each with the location it was read from.
// Parsers fill them; derive adds computed ones; rules read them through paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/source_loc.hpp"

namespace fermata::model {

using EntityId = uint32_t;
inline constexpr EntityId kNoEntity = UINT32_MAX;

enum class ValueKind { kNull, kBool, kNumber, kString, kList, kRecord, kRef };

struct Field;

/// A positioned value. Records keep field order; lists keep source order.
/// `secret` marks a literal the secret classifier recognised: reporters never print it.
struct Value {
  ValueKind kind = ValueKind::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;           ///< kString
  std::vector<Value> items;   ///< kList
  std::vector<Field> fields;  ///< kRecord
  EntityId ref = kNoEntity;   ///< kRef
  core::SourceLoc loc;

  static Value null(core::SourceLoc loc = {});
  static Value of_bool(bool b, core::SourceLoc loc = {});
  static Value of_number(double n, core::SourceLoc loc = {});
  static Value of_string(std::string s, core::SourceLoc loc = {});
  static Value list(core::SourceLoc loc = {});
  static Value record(core::SourceLoc loc = {});
  static Value of_ref(EntityId id, core::SourceLoc loc = {});

  [[nodiscard]] bool is_null() const { return kind == ValueKind::kNull; }
  /// Field lookup on a record; nullptr when absent or not a record.
  [[nodiscard]] const Value* get(std::string_view name) const;
  Value* get_mut(std::string_view name);
  /// Sets (or replaces) a record field; returns the stored value.
  Value& set(std::string name, Value value);
  Value& push(Value value);
};

struct Field {
  std::string name;
  Value value;
};

/// The text of a string value; "" for null, a missing value or another kind.
const std::string& text_of(const Value* value);
/// True only for a boolean value that is true.
bool is_true(const Value* value);
/// A list value with at least one element.
bool has_items(const Value* value);

/// Makes a record {key, value} — how maps (env, headers) are stored, so rules can
/// quantify over entries and point at the value's line.
Value make_entry(std::string key, core::SourceLoc key_loc, Value value);

}  // namespace fermata::model
