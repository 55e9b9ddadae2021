#include "rules/expr.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <system_error>
#include <utility>

namespace fermata::rules {
namespace {

using model::Type;
using model::TypeKind;
using model::TypePtr;

enum class Tok { kEnd, kIdent, kString, kNumber, kPunct };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  ///< identifier, decoded string, number text, or punctuation
  uint32_t offset = 0;
};

/// Thrown inside this file only; compile_expression turns it into an ExprError.
struct Failure {
  ExprError error;
};

[[noreturn]] void fail(uint32_t offset, std::string message, bool regex = false) {
  throw Failure{ExprError{offset, std::move(message), regex}};
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token token;
    token.offset = static_cast<uint32_t>(i);
    if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_') {
      size_t j = i;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) != 0 || text[j] == '_')) {
        ++j;
      }
      token.kind = Tok::kIdent;
      token.text = std::string(text.substr(i, j - i));
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
               (c == '-' && i + 1 < text.size() &&
                std::isdigit(static_cast<unsigned char>(text[i + 1])) != 0)) {
      size_t j = i + 1;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) != 0) ++j;
      if (j + 1 < text.size() && text[j] == '.' &&
          std::isdigit(static_cast<unsigned char>(text[j + 1])) != 0) {
        ++j;
        while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) != 0) ++j;
      }
      token.kind = Tok::kNumber;
      token.text = std::string(text.substr(i, j - i));
      i = j;
    } else if (c == '"' || c == '\'') {
      std::string value;
      size_t j = i + 1;
      bool closed = false;
      while (j < text.size()) {
        if (text[j] == c) {
          closed = true;
          ++j;
          break;
        }
        if (text[j] == '\\') {
          if (j + 1 >= text.size()) break;
          const char e = text[j + 1];
          switch (e) {
            case 'n': value += '\n'; break;
            case 't': value += '\t'; break;
            case '\\': value += '\\'; break;
            case '"': value += '"'; break;
            case '\'': value += '\''; break;
            default:
              // Unknown escapes are kept as written, so RE2 patterns like "\d" and "\." work.
              value += '\\';
              value += e;
          }
          j += 2;
          continue;
        }
        value += text[j];
        ++j;
      }
      if (!closed) fail(token.offset, "unterminated string");
      token.kind = Tok::kString;
      token.text = std::move(value);
      i = j;
    } else {
      static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">="};
      token.kind = Tok::kPunct;
      bool matched = false;
      for (auto op : kTwo) {
        if (text.substr(i, 2) == op) {
          token.text = std::string(op);
          i += 2;
          matched = true;
          break;
        }
      }
      if (!matched) {
        if (std::string_view("()[],.:<>").find(c) == std::string_view::npos) {
          fail(token.offset, std::string("unexpected character '") + c + "'");
        }
        token.text = std::string(1, c);
        ++i;
      }
    }
    tokens.push_back(std::move(token));
  }
  Token end;
  end.offset = static_cast<uint32_t>(text.size());
  tokens.push_back(end);
  return tokens;
}

bool is_keyword(std::string_view word) {
  static constexpr std::string_view kKeywords[] = {
      "and",   "or",   "not",      "in",         "any",      "all",    "true",
      "false", "null", "contains", "startswith", "endswith", "matches"};
  return std::find(std::begin(kKeywords), std::end(kKeywords), word) != std::end(kKeywords);
}

bool is_function(std::string_view word) {
  return word == "lower" || word == "upper" || word == "len" || word == "basename";
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case Tok::kEnd: return "end of expression";
    case Tok::kString: return "string \"" + token.text + "\"";
    default: return "'" + token.text + "'";
  }
}

/// Deepest nesting of parentheses, lists, calls, `not` and quantifiers. The parser, the
/// checker, the evaluator and the tree's destructor all recurse once per level, and a rule
/// directory can come from a pull request: without a bound, a few kilobytes of '(' overflow
/// the stack. Real rules nest a handful of levels.
constexpr int kMaxExpressionDepth = 64;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::unique_ptr<Expr> parse_all() {
    auto expr = disjunction();
    if (peek().kind != Tok::kEnd) fail(peek().offset, "unexpected " + describe(peek()));
    return expr;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool at_word(std::string_view word) const {
    return peek().kind == Tok::kIdent && peek().text == word;
  }
  bool at_punct(std::string_view p) const { return peek().kind == Tok::kPunct && peek().text == p; }
  void expect_punct(std::string_view p) {
    if (!at_punct(p))
      fail(peek().offset, "expected '" + std::string(p) + "', found " + describe(peek()));
    next();
  }

  /// Counts one level of nesting for as long as it lives.
  class Nesting {
   public:
    Nesting(Parser& parser, uint32_t offset) : parser_(parser) {
      if (++parser_.depth_ > kMaxExpressionDepth) {
        fail(offset,
             "expression nested deeper than " + std::to_string(kMaxExpressionDepth) + " levels");
      }
    }
    ~Nesting() { --parser_.depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& parser_;
  };

  static std::unique_ptr<Expr> node(ExprKind kind, uint32_t offset) {
    auto expr = std::make_unique<Expr>();
    expr->kind = kind;
    expr->offset = offset;
    return expr;
  }

  std::unique_ptr<Expr> binary_chain(ExprKind kind, std::string_view word,
                                     std::unique_ptr<Expr> (Parser::*operand)()) {
    auto first = (this->*operand)();
    if (!at_word(word)) return first;
    auto chain = node(kind, first->offset);
    chain->children.push_back(std::move(first));
    while (at_word(word)) {
      next();
      chain->children.push_back((this->*operand)());
    }
    return chain;
  }

  std::unique_ptr<Expr> disjunction() {
    return binary_chain(ExprKind::kOr, "or", &Parser::conjunction);
  }
  std::unique_ptr<Expr> conjunction() {
    return binary_chain(ExprKind::kAnd, "and", &Parser::negation);
  }

  std::unique_ptr<Expr> negation() {
    if (at_word("not")) {
      const Nesting nesting(*this, peek().offset);
      auto expr = node(ExprKind::kNot, next().offset);
      expr->children.push_back(negation());
      return expr;
    }
    if (at_word("any") || at_word("all")) {
      // `any` / `all` are quantifiers only when a variable follows; otherwise an attribute.
      const Token& after = tokens_[pos_ + 1];
      if (after.kind == Tok::kIdent && !is_keyword(after.text)) return quantified();
    }
    return comparison();
  }

  std::unique_ptr<Expr> quantified() {
    const Nesting nesting(*this, peek().offset);
    const Token& quantifier = next();
    auto expr = node(ExprKind::kQuantifier, quantifier.offset);
    expr->all = quantifier.text == "all";
    expr->name = next().text;
    if (!at_word("in"))
      fail(peek().offset, "expected 'in' after '" + quantifier.text + " " + expr->name + "'");
    next();
    expr->children.push_back(operand());
    expect_punct(":");
    expr->children.push_back(negation());
    return expr;
  }

  std::unique_ptr<Expr> comparison() {
    auto left = operand();
    std::optional<CompareOp> op;
    const uint32_t op_offset = peek().offset;
    if (peek().kind == Tok::kPunct) {
      const std::string& p = peek().text;
      if (p == "==")
        op = CompareOp::kEq;
      else if (p == "!=")
        op = CompareOp::kNe;
      else if (p == "<")
        op = CompareOp::kLt;
      else if (p == "<=")
        op = CompareOp::kLe;
      else if (p == ">")
        op = CompareOp::kGt;
      else if (p == ">=")
        op = CompareOp::kGe;
    } else if (peek().kind == Tok::kIdent) {
      const std::string& w = peek().text;
      if (w == "contains")
        op = CompareOp::kContains;
      else if (w == "startswith")
        op = CompareOp::kStartsWith;
      else if (w == "endswith")
        op = CompareOp::kEndsWith;
      else if (w == "matches")
        op = CompareOp::kMatches;
      else if (w == "in")
        op = CompareOp::kIn;
      else if (w == "not" && tokens_[pos_ + 1].kind == Tok::kIdent &&
               tokens_[pos_ + 1].text == "in") {
        next();
        op = CompareOp::kNotIn;
      }
    }
    if (!op) return left;
    next();
    auto expr = node(ExprKind::kCompare, left->offset);
    expr->op = *op;
    expr->children.push_back(std::move(left));
    if (*op == CompareOp::kMatches) {
      if (peek().kind != Tok::kString) fail(peek().offset, "'matches' takes a string pattern");
      const Token& pattern = next();
      RE2::Options options;
      options.set_log_errors(false);
      auto regex = std::make_shared<re2::RE2>(pattern.text, options);
      if (!regex->ok()) fail(pattern.offset, "invalid RE2 pattern: " + regex->error(), true);
      expr->regex = std::move(regex);
      auto literal = node(ExprKind::kLiteral, pattern.offset);
      literal->literal = model::Value::of_string(pattern.text);
      expr->children.push_back(std::move(literal));
    } else {
      expr->children.push_back(operand());
    }
    (void)op_offset;
    return expr;
  }

  std::unique_ptr<Expr> operand() {
    const Token& token = peek();
    switch (token.kind) {
      case Tok::kString: {
        auto expr = node(ExprKind::kLiteral, next().offset);
        expr->literal = model::Value::of_string(token.text);
        return expr;
      }
      case Tok::kNumber: {
        // from_chars, not stod: a 400-digit number is an error at its offset, not an
        // out_of_range exception with the message "stod".
        double number = 0;
        const char* first = token.text.data();
        const char* last = first + token.text.size();
        const auto [end, problem] = std::from_chars(first, last, number);
        if (problem != std::errc() || end != last) {
          fail(token.offset, "number " + token.text.substr(0, 20) +
                                 (token.text.size() > 20 ? "..." : "") + " is out of range");
        }
        auto expr = node(ExprKind::kLiteral, next().offset);
        expr->literal = model::Value::of_number(number);
        return expr;
      }
      case Tok::kPunct:
        if (token.text == "(") {
          const Nesting nesting(*this, token.offset);
          next();
          auto inner = disjunction();
          expect_punct(")");
          return inner;
        }
        if (token.text == "[") {
          const Nesting nesting(*this, token.offset);
          return list();
        }
        fail(token.offset, "expected a value, found " + describe(token));
      case Tok::kEnd: fail(token.offset, "expected a value, found end of expression");
      case Tok::kIdent: break;
    }
    if (token.text == "true" || token.text == "false") {
      auto expr = node(ExprKind::kLiteral, next().offset);
      expr->literal = model::Value::of_bool(token.text == "true");
      return expr;
    }
    if (token.text == "null") {
      auto expr = node(ExprKind::kLiteral, next().offset);
      return expr;
    }
    if (is_function(token.text) && tokens_[pos_ + 1].kind == Tok::kPunct &&
        tokens_[pos_ + 1].text == "(") {
      const Nesting nesting(*this, token.offset);
      auto expr = node(ExprKind::kCall, next().offset);
      expr->name = token.text;
      next();
      expr->children.push_back(operand());
      expect_punct(")");
      return expr;
    }
    if (is_keyword(token.text) && token.text != "any" && token.text != "all") {
      fail(token.offset, "expected a value, found keyword '" + token.text + "'");
    }
    auto expr = node(ExprKind::kPath, next().offset);
    expr->path.push_back(token.text);
    while (at_punct(".")) {
      next();
      if (peek().kind != Tok::kIdent) fail(peek().offset, "expected a name after '.'");
      expr->path.push_back(next().text);
    }
    return expr;
  }

  std::unique_ptr<Expr> list() {
    auto expr = node(ExprKind::kList, next().offset);
    if (!at_punct("]")) {
      expr->children.push_back(operand());
      while (at_punct(",")) {
        next();
        expr->children.push_back(operand());
      }
    }
    expect_punct("]");
    return expr;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// ---- type checking -------------------------------------------------------------------

bool is(const TypePtr& type, TypeKind kind) {
  return type->kind == kind || type->kind == TypeKind::kAny;
}

bool comparable(const TypePtr& a, const TypePtr& b) {
  if (a->kind == TypeKind::kAny || b->kind == TypeKind::kAny) return true;
  if (a->kind == TypeKind::kNull || b->kind == TypeKind::kNull) return true;
  return a->kind == b->kind && a->kind != TypeKind::kList && a->kind != TypeKind::kRecord;
}

class Checker {
 public:
  explicit Checker(const TypeScope& scope) : scope_(scope) {}

  TypePtr check(Expr& expr) {
    expr.type = infer(expr);
    return expr.type;
  }

  void require_bool(Expr& expr, std::string_view what) {
    TypePtr type = check(expr);
    if (!is(type, TypeKind::kBool)) {
      fail(expr.offset, std::string(what) + " must be a condition (bool), but this is " +
                            model::to_string(*type));
    }
  }

 private:
  TypePtr infer(Expr& expr) {
    switch (expr.kind) {
      case ExprKind::kLiteral:
        switch (expr.literal.kind) {
          case model::ValueKind::kBool: return model::bool_type();
          case model::ValueKind::kNumber: return model::number_type();
          case model::ValueKind::kString: return model::string_type();
          default: return model::null_type();
        }
      case ExprKind::kPath: return resolve(expr);
      case ExprKind::kList: {
        TypePtr element = model::any_type();
        for (auto& child : expr.children) element = check(*child);
        return model::list_of(expr.children.empty() ? model::any_type() : element);
      }
      case ExprKind::kCall: {
        TypePtr arg = check(*expr.children[0]);
        if (expr.name == "len") {
          if (!is(arg, TypeKind::kString) && !is(arg, TypeKind::kList)) {
            fail(expr.children[0]->offset,
                 "len() takes a string or a list, not " + model::to_string(*arg));
          }
          return model::number_type();
        }
        if (!is(arg, TypeKind::kString)) {
          fail(expr.children[0]->offset,
               expr.name + "() takes a string, not " + model::to_string(*arg));
        }
        return model::string_type();
      }
      case ExprKind::kNot:
        require_bool(*expr.children[0], "the operand of 'not'");
        return model::bool_type();
      case ExprKind::kAnd:
      case ExprKind::kOr:
        for (auto& child : expr.children) {
          require_bool(*child,
                       expr.kind == ExprKind::kAnd ? "each side of 'and'" : "each side of 'or'");
        }
        return model::bool_type();
      case ExprKind::kQuantifier: {
        TypePtr source = check(*expr.children[0]);
        if (!is(source, TypeKind::kList)) {
          fail(expr.children[0]->offset, "'" + std::string(expr.all ? "all" : "any") +
                                             "' ranges over a list, not " +
                                             model::to_string(*source));
        }
        for (const auto& [name, type] : variables_) {
          if (name == expr.name) fail(expr.offset, "variable '" + expr.name + "' is already bound");
        }
        variables_.emplace_back(
            expr.name, source->kind == TypeKind::kList ? source->element : model::any_type());
        require_bool(*expr.children[1], "the body of a quantifier");
        variables_.pop_back();
        return model::bool_type();
      }
      case ExprKind::kCompare: return compare(expr);
    }
    return model::any_type();
  }

  TypePtr compare(Expr& expr) {
    TypePtr left = check(*expr.children[0]);
    TypePtr right = check(*expr.children[1]);
    const uint32_t at = expr.children[1]->offset;
    switch (expr.op) {
      case CompareOp::kEq:
      case CompareOp::kNe:
        if (!comparable(left, right)) {
          fail(at,
               "cannot compare " + model::to_string(*left) + " with " + model::to_string(*right));
        }
        break;
      case CompareOp::kLt:
      case CompareOp::kLe:
      case CompareOp::kGt:
      case CompareOp::kGe:
        if (!is(left, TypeKind::kNumber) || !is(right, TypeKind::kNumber)) {
          fail(at, "ordering comparisons take numbers, not " + model::to_string(*left) + " and " +
                       model::to_string(*right));
        }
        break;
      case CompareOp::kContains:
        if (is(left, TypeKind::kList) && left->kind == TypeKind::kList) {
          if (!comparable(left->element, right))
            fail(at, "list of " + model::to_string(*left->element) + " cannot contain " +
                         model::to_string(*right));
        } else if (!is(left, TypeKind::kString) || !is(right, TypeKind::kString)) {
          fail(at, "'contains' takes a string or a list on the left and a string on the right");
        }
        break;
      case CompareOp::kStartsWith:
      case CompareOp::kEndsWith:
      case CompareOp::kMatches:
        if (!is(left, TypeKind::kString) || !is(right, TypeKind::kString)) {
          fail(expr.children[0]->offset,
               "this operator takes strings, not " + model::to_string(*left));
        }
        break;
      case CompareOp::kIn:
      case CompareOp::kNotIn:
        if (!is(right, TypeKind::kList))
          fail(at, "'in' takes a list on the right, not " + model::to_string(*right));
        if (right->kind == TypeKind::kList && !comparable(left, right->element)) {
          fail(at, "cannot look for " + model::to_string(*left) + " in a list of " +
                       model::to_string(*right->element));
        }
        break;
    }
    return model::bool_type();
  }

  TypePtr resolve(Expr& expr) {
    TypePtr current;
    size_t start = 0;
    const auto bound = std::find_if(variables_.rbegin(), variables_.rend(),
                                    [&](const auto& var) { return var.first == expr.path[0]; });
    if (bound != variables_.rend()) {
      current = bound->second;
      start = 1;
    }
    if (!current) {
      for (const auto& [name, type] : scope_.variables) {
        if (name == expr.path[0]) {
          current = type;
          start = 1;
          break;
        }
      }
    }
    model::EntityKind entity = scope_.entity;
    if (!current) {
      const model::TypeField* field = model::entity_schema(entity).field(expr.path[0]);
      if (field == nullptr) {
        fail(expr.offset, "unknown attribute '" + expr.path[0] + "' of " +
                              std::string(model::to_string(entity)) +
                              known_fields(model::entity_schema(entity)));
      }
      current = field->type;
      start = 1;
    }
    for (size_t i = start; i < expr.path.size(); ++i) {
      const Type* record = nullptr;
      std::string owner;
      if (current->kind == TypeKind::kRef) {
        record = &model::entity_schema(current->ref_kind);
        owner = std::string(model::to_string(current->ref_kind));
      } else if (current->kind == TypeKind::kRecord) {
        record = current.get();
        owner = expr.path[i - 1];
      } else if (current->kind == TypeKind::kAny) {
        return model::any_type();
      } else {
        fail(expr.offset, "'" + expr.path[i - 1] + "' is a " + model::to_string(*current) +
                              " and has no attribute '" + expr.path[i] + "'");
      }
      const model::TypeField* field = record->field(expr.path[i]);
      if (field == nullptr) {
        fail(expr.offset,
             "unknown attribute '" + expr.path[i] + "' of " + owner + known_fields(*record));
      }
      current = field->type;
    }
    return current;
  }

  static std::string known_fields(const Type& record) {
    std::string out = " (known: ";
    for (size_t i = 0; i < record.fields.size(); ++i) {
      if (i > 0) out += ", ";
      out += record.fields[i].name;
    }
    return out + ")";
  }

  const TypeScope& scope_;
  std::vector<std::pair<std::string, TypePtr>> variables_;
};

}  // namespace

std::unique_ptr<Expr> compile_expression(std::string_view text, const TypeScope& scope,
                                         bool want_bool, ExprError& error) {
  try {
    Parser parser(tokenize(text));
    auto expr = parser.parse_all();
    Checker checker(scope);
    if (want_bool) {
      checker.require_bool(*expr, "a rule's 'where'");
    } else {
      checker.check(*expr);
    }
    return expr;
  } catch (const Failure& failure) {
    error = failure.error;
    return nullptr;
  } catch (const std::exception& e) {
    error = ExprError{0, e.what(), false};
    return nullptr;
  }
}

}  // namespace fermata::rules
