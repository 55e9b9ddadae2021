// derive: recognises literal secrets in configuration values — known credential formats
// (from the data catalog rules/catalog/secret-patterns.yaml) and high-entropy tokens under
// secret-sounding names — while leaving references (${X}, ${env:X}, ${input:x}, $X,
// os.environ/X, {{ secrets.X }}) and obvious placeholders alone. Precision over recall.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"

namespace fermata::derive {

struct SecretPattern {
  std::string id;     ///< "github-pat"
  std::string name;   ///< "GitHub personal access token"
  std::string regex;  ///< RE2; must match the whole value or a token within it
};

class SecretClassifier {
 public:
  /// Compiles the patterns; an invalid RE2 pattern is a catalog.invalid diagnostic at
  /// `catalog_file` and the pattern is dropped.
  SecretClassifier(std::vector<SecretPattern> patterns, std::string_view catalog_file,
                   core::DiagnosticSink& sink);
  ~SecretClassifier();
  SecretClassifier(SecretClassifier&&) noexcept;
  SecretClassifier& operator=(SecretClassifier&&) noexcept;

  struct Match {
    std::string kind;    ///< pattern name, or "high-entropy token"
    std::string secret;  ///< the exact substring that is secret (to mask everywhere)
  };

  /// Classifies `value`, found under `key` ("" when it has none, e.g. an argument; the
  /// previous argument, like "--api-key", may be passed as the key).
  [[nodiscard]] std::optional<Match> classify(std::string_view key, std::string_view value) const;

  static bool is_reference(std::string_view value);
  static bool is_placeholder(std::string_view value);
  static double shannon_entropy(std::string_view value);

 private:
  struct Compiled;
  std::vector<std::unique_ptr<Compiled>> compiled_;
};

/// Parses the catalog's YAML text (list under `patterns:` of {id, name, regex}); problems
/// are catalog.invalid diagnostics with file:line.
std::vector<SecretPattern> parse_secret_catalog(std::string_view path, std::string_view yaml_text,
                                                core::DiagnosticSink& sink);

}  // namespace fermata::derive
