#include "model/value.hpp"

namespace fermata::model {

Value Value::null(core::SourceLoc loc) {
  Value v;
  v.loc = std::move(loc);
  return v;
}

Value Value::of_bool(bool b, core::SourceLoc loc) {
  Value v;
  v.kind = ValueKind::kBool;
  v.boolean = b;
  v.loc = std::move(loc);
  return v;
}

Value Value::of_number(double n, core::SourceLoc loc) {
  Value v;
  v.kind = ValueKind::kNumber;
  v.number = n;
  v.loc = std::move(loc);
  return v;
}

Value Value::of_string(std::string s, core::SourceLoc loc) {
  Value v;
  v.kind = ValueKind::kString;
  v.text = std::move(s);
  v.loc = std::move(loc);
  return v;
}

Value Value::list(core::SourceLoc loc) {
  Value v;
  v.kind = ValueKind::kList;
  v.loc = std::move(loc);
  return v;
}

Value Value::record(core::SourceLoc loc) {
  Value v;
  v.kind = ValueKind::kRecord;
  v.loc = std::move(loc);
  return v;
}

Value Value::of_ref(EntityId id, core::SourceLoc loc) {
  Value v;
  v.kind = ValueKind::kRef;
  v.ref = id;
  v.loc = std::move(loc);
  return v;
}

const Value* Value::get(std::string_view name) const {
  if (kind != ValueKind::kRecord) return nullptr;
  for (const auto& field : fields) {
    if (field.name == name) return &field.value;
  }
  return nullptr;
}

Value* Value::get_mut(std::string_view name) {
  if (kind != ValueKind::kRecord) return nullptr;
  for (auto& field : fields) {
    if (field.name == name) return &field.value;
  }
  return nullptr;
}

Value& Value::set(std::string name, Value value) {
  kind = ValueKind::kRecord;
  if (Value* existing = get_mut(name)) {
    *existing = std::move(value);
    return *existing;
  }
  fields.push_back(Field{std::move(name), std::move(value)});
  return fields.back().value;
}

Value& Value::push(Value value) {
  kind = ValueKind::kList;
  items.push_back(std::move(value));
  return items.back();
}

Value make_entry(std::string key, core::SourceLoc key_loc, Value value) {
  Value entry = Value::record(value.loc);
  entry.set("key", Value::of_string(std::move(key), std::move(key_loc)));
  entry.set("value", std::move(value));
  return entry;
}

const std::string& text_of(const Value* value) {
  static const std::string kEmpty;
  return value != nullptr && value->kind == ValueKind::kString ? value->text : kEmpty;
}

bool is_true(const Value* value) {
  return value != nullptr && value->kind == ValueKind::kBool && value->boolean;
}

bool has_items(const Value* value) {
  return value != nullptr && value->kind == ValueKind::kList && !value->items.empty();
}

}  // namespace fermata::model
