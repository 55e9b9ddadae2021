#include "rules/evaluator.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace fermata::rules {
namespace {

using model::Value;
using model::ValueKind;

bool equal(const Value* a, const Value* b) {
  const bool a_null = a == nullptr || a->kind == ValueKind::kNull;
  const bool b_null = b == nullptr || b->kind == ValueKind::kNull;
  if (a_null || b_null) return a_null && b_null;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case ValueKind::kBool: return a->boolean == b->boolean;
    case ValueKind::kNumber: return a->number == b->number;
    case ValueKind::kString: return a->text == b->text;
    case ValueKind::kRef: return a->ref == b->ref;
    default: return false;
  }
}

const std::string* as_string(const Value* v) {
  return v != nullptr && v->kind == ValueKind::kString ? &v->text : nullptr;
}

std::string basename_of(const std::string& path) {
  const size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

const Value* EvalContext::keep(Value value) {
  temps_.push_back(std::move(value));
  return &temps_.back();
}

const Value* EvalContext::path(const Expr& expr) {
  const Value* current = nullptr;
  size_t start = 0;
  // The innermost binding of a name wins.
  const auto bound = std::find_if(vars_.rbegin(), vars_.rend(),
                                  [&](const auto& var) { return var.first == expr.path[0]; });
  if (bound != vars_.rend()) {
    current = bound->second;
    start = 1;
  } else {
    current = &entity_.attrs;
  }
  for (size_t i = start; i < expr.path.size(); ++i) {
    if (current == nullptr) return nullptr;
    if (current->kind == ValueKind::kRef) {
      if (current->ref >= graph_.size()) return nullptr;
      current = &graph_.at(current->ref).attrs;
    }
    current = current->get(expr.path[i]);
  }
  return current;
}

const Value* EvalContext::value(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kLiteral: return expr.literal.is_null() ? nullptr : &expr.literal;
    case ExprKind::kPath: return path(expr);
    case ExprKind::kList: {
      Value list = Value::list();
      for (const auto& child : expr.children) {
        const Value* item = value(*child);
        list.push(item == nullptr ? Value::null() : *item);
      }
      return keep(std::move(list));
    }
    case ExprKind::kCall: {
      const Value* arg = value(*expr.children[0]);
      if (arg == nullptr) return nullptr;
      if (expr.name == "len") {
        if (arg->kind == ValueKind::kString)
          return keep(Value::of_number(static_cast<double>(arg->text.size())));
        if (arg->kind == ValueKind::kList)
          return keep(Value::of_number(static_cast<double>(arg->items.size())));
        return nullptr;
      }
      const std::string* text = as_string(arg);
      if (text == nullptr) return nullptr;
      std::string result = *text;
      if (expr.name == "lower") {
        std::transform(result.begin(), result.end(), result.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      } else if (expr.name == "upper") {
        std::transform(result.begin(), result.end(), result.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      } else if (expr.name == "basename") {
        result = basename_of(result);
      }
      return keep(Value::of_string(std::move(result), arg->loc));
    }
    default: return keep(Value::of_bool(condition(expr)));
  }
}

bool EvalContext::compare(const Expr& expr) {
  const Value* left = value(*expr.children[0]);
  if (expr.op == CompareOp::kMatches) {
    const std::string* text = as_string(left);
    return text != nullptr && RE2::PartialMatch(*text, *expr.regex);
  }
  const Value* right = value(*expr.children[1]);
  switch (expr.op) {
    case CompareOp::kEq: return equal(left, right);
    case CompareOp::kNe: return !equal(left, right);
    case CompareOp::kLt:
    case CompareOp::kLe:
    case CompareOp::kGt:
    case CompareOp::kGe: {
      if (left == nullptr || right == nullptr || left->kind != ValueKind::kNumber ||
          right->kind != ValueKind::kNumber) {
        return false;
      }
      const double a = left->number;
      const double b = right->number;
      if (expr.op == CompareOp::kLt) return a < b;
      if (expr.op == CompareOp::kLe) return a <= b;
      if (expr.op == CompareOp::kGt) return a > b;
      return a >= b;
    }
    case CompareOp::kContains:
      if (left != nullptr && left->kind == ValueKind::kList) {
        return std::any_of(left->items.begin(), left->items.end(),
                           [&](const Value& item) { return equal(&item, right); });
      }
      if (const std::string* text = as_string(left); text != nullptr) {
        const std::string* needle = as_string(right);
        return needle != nullptr && text->find(*needle) != std::string::npos;
      }
      return false;
    case CompareOp::kStartsWith:
    case CompareOp::kEndsWith: {
      const std::string* text = as_string(left);
      const std::string* affix = as_string(right);
      if (text == nullptr || affix == nullptr || affix->size() > text->size()) return false;
      return expr.op == CompareOp::kStartsWith
                 ? text->compare(0, affix->size(), *affix) == 0
                 : text->compare(text->size() - affix->size(), affix->size(), *affix) == 0;
    }
    case CompareOp::kIn:
    case CompareOp::kNotIn: {
      if (left == nullptr) return false;
      bool found = false;
      if (right != nullptr && right->kind == ValueKind::kList) {
        found = std::any_of(right->items.begin(), right->items.end(),
                            [&](const Value& item) { return equal(left, &item); });
      }
      return expr.op == CompareOp::kIn ? found : !found;
    }
    case CompareOp::kMatches: break;
  }
  return false;
}

bool EvalContext::condition(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kNot: return !condition(*expr.children[0]);
    case ExprKind::kAnd:
      return std::all_of(expr.children.begin(), expr.children.end(),
                         [&](const auto& child) { return condition(*child); });
    case ExprKind::kOr:
      return std::any_of(expr.children.begin(), expr.children.end(),
                         [&](const auto& child) { return condition(*child); });
    case ExprKind::kCompare: return compare(expr);
    case ExprKind::kQuantifier: {
      const Value* source = value(*expr.children[0]);
      if (source == nullptr || source->kind != ValueKind::kList) return expr.all;
      for (const Value& item : source->items) {
        bind(expr.name, &item);
        const bool holds = condition(*expr.children[1]);
        unbind();
        if (expr.all && !holds) return false;
        if (!expr.all && holds) return true;
      }
      return expr.all;
    }
    default: {
      const Value* result = value(expr);
      return result != nullptr && result->kind == ValueKind::kBool && result->boolean;
    }
  }
}

std::string display(const model::Graph& graph, const Value* value) {
  if (value == nullptr) return "";
  switch (value->kind) {
    case ValueKind::kNull: return "";
    case ValueKind::kBool: return value->boolean ? "true" : "false";
    case ValueKind::kNumber: {
      if (std::floor(value->number) == value->number && std::fabs(value->number) < 1e15) {
        return std::to_string(static_cast<long long>(value->number));
      }
      std::array<char, 32> buffer{};
      const auto [end, error] =
          std::to_chars(buffer.data(), buffer.data() + buffer.size(), value->number);
      return error == std::errc{} ? std::string(buffer.data(), end) : std::string();
    }
    case ValueKind::kString: return value->text;
    case ValueKind::kRef: return value->ref < graph.size() ? graph.at(value->ref).name : "";
    case ValueKind::kList: {
      std::string out;
      for (const auto& item : value->items) {
        if (!out.empty()) out += ", ";
        out += display(graph, &item);
      }
      return out;
    }
    case ValueKind::kRecord: {
      const Value* name = value->get("name");
      if (name == nullptr) name = value->get("value");
      return display(graph, name);
    }
  }
  return "";
}

}  // namespace fermata::rules
