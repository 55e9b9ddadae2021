// rules: the match-expression language — its syntax tree, parser and type checker.
// An expression is checked once, at load time, against the entity schema
// (model/schema.hpp); evaluation (rules/evaluator.hpp) then cannot meet an unknown name.
//
// Grammar (EBNF; keywords are case-sensitive, whitespace between tokens is free):
//
//   expression  = disjunction ;
//   disjunction = conjunction , { "or" , conjunction } ;
//   conjunction = negation , { "and" , negation } ;
//   negation    = "not" , negation | quantified | comparison ;
//   quantified  = ( "any" | "all" ) , identifier , "in" , operand , ":" , negation ;
//   comparison  = operand , [ compare_op , operand
//                           | [ "not" ] , "in" , operand
//                           | "matches" , string ] ;
//   compare_op  = "==" | "!=" | "<" | "<=" | ">" | ">="
//               | "contains" | "startswith" | "endswith" ;
//   operand     = path | string | number | "true" | "false" | "null"
//               | call | list | "(" , expression , ")" ;
//   path        = identifier , { "." , identifier } ;
//   call        = ( "lower" | "upper" | "len" | "basename" ) , "(" , operand , ")" ;
//   list        = "[" , [ operand , { "," , operand } ] , "]" ;
//   string      = '"' , { character | escape } , '"' | "'" , { character | escape } , "'" ;
//   number      = [ "-" ] , digit , { digit } , [ "." , digit , { digit } ] ;
//
// Semantics:
// - A path names an attribute of the matched entity, or starts with a variable bound by
//   `any`/`all` or by the rule's `for_each`. Following a ref<kind> attribute continues in
//   the referenced entity's attributes. A missing attribute is null.
// - Comparisons with null are false, except `== null` and `!= null`. `<`..`>=` take numbers.
// - `contains`: substring of a string, or element of a list. `in`: equal to an element of
//   the right-hand list. `matches`: RE2 partial match (anchor with ^ and $); the pattern is
//   compiled at load time, and a bad pattern is a load error.
// - `any x in L: e` is true when e holds for some element of L (false for an empty or
//   missing L); `all` when e holds for every element (true for an empty or missing L).
// - `and`/`or` short-circuit; their operands, `not`'s operand and a bare path used as a
//   condition must be booleans.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/schema.hpp"
#include "model/value.hpp"

namespace re2 {
class RE2;
}

namespace fermata::rules {

enum class ExprKind { kLiteral, kPath, kList, kCall, kNot, kAnd, kOr, kCompare, kQuantifier };

enum class CompareOp {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kContains,
  kStartsWith,
  kEndsWith,
  kMatches,
  kIn,
  kNotIn
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  uint32_t offset = 0;            ///< byte offset of the expression in its source text
  model::Value literal;           ///< kLiteral
  std::vector<std::string> path;  ///< kPath
  std::string name;               ///< kCall: function; kQuantifier: variable
  bool all = false;               ///< kQuantifier: all (true) or any (false)
  CompareOp op = CompareOp::kEq;  ///< kCompare
  std::vector<std::unique_ptr<Expr>> children;
  std::shared_ptr<const re2::RE2> regex;  ///< kCompare with kMatches
  model::TypePtr type;                    ///< set by the checker
};

/// A problem in an expression, at a byte offset into its text.
struct ExprError {
  uint32_t offset = 0;
  std::string message;
  bool regex = false;  ///< the problem is an RE2 pattern
};

/// Variables in scope while checking: name and type.
struct TypeScope {
  model::EntityKind entity = model::EntityKind::kAgent;
  std::vector<std::pair<std::string, model::TypePtr>> variables;
};

/// Parses and type-checks `text`. `want_bool` requires a condition (where:), otherwise any
/// value (at:, message placeholders). Returns nullptr and sets `error` on failure.
std::unique_ptr<Expr> compile_expression(std::string_view text, const TypeScope& scope,
                                         bool want_bool, ExprError& error);

}  // namespace fermata::rules
