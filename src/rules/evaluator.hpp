// rules: evaluates compiled expressions on one entity of the graph.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "model/graph.hpp"
#include "rules/expr.hpp"

namespace fermata::rules {

/// What an expression sees: the graph, the entity being matched, bound variables, and
/// storage for values computed during evaluation (function results, list literals).
class EvalContext {
 public:
  EvalContext(const model::Graph& graph, const model::Entity& entity)
      : graph_(graph), entity_(entity) {}

  void bind(std::string name, const model::Value* value) {
    vars_.emplace_back(std::move(name), value);
  }
  void unbind() { vars_.pop_back(); }

  /// The condition's truth; a non-boolean result counts as false.
  bool condition(const Expr& expr);
  /// The expression's value; nullptr stands for null (missing attributes included).
  const model::Value* value(const Expr& expr);

 private:
  const model::Value* path(const Expr& expr);
  bool compare(const Expr& expr);
  const model::Value* keep(model::Value value);

  const model::Graph& graph_;
  const model::Entity& entity_;
  std::vector<std::pair<std::string, const model::Value*>> vars_;
  std::deque<model::Value> temps_;
};

/// Renders a value for messages: strings as written, numbers without trailing zeros,
/// lists comma-separated, references by entity name, null as "".
std::string display(const model::Graph& graph, const model::Value* value);

}  // namespace fermata::rules
