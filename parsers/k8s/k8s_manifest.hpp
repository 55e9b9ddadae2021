// parsers/k8s: Kubernetes manifests (YAML, multi-document, `kind: List`, or JSON) — pod
// templates of every workload kind, service accounts, RBAC roles and bindings, Services and
// Ingresses, NetworkPolicies, Istio and Linkerd policies. Each object becomes graph facts on
// its own; which policy selects which pod, and who holds which role, is derived later
// (derive/k8s.hpp), since those joins cross documents and files.
#pragma once

#include <string>
#include <string_view>

#include "parsers/parser.hpp"

namespace fermata::parsers {

/// An image reference split into its parts: `registry/repo:tag@sha256:...`.
struct ImageRef {
  std::string name;    ///< registry and repository, without tag or digest
  std::string tag;     ///< "" when none is written
  std::string digest;  ///< "sha256:..." or ""
};
ImageRef parse_image_ref(std::string_view image);

/// True when the text holds template actions (`{{ ... }}` of Helm and Go templates, `{% %}`
/// of Jinja) — a file that then fails to parse is an unrendered template.
bool has_template_syntax(std::string_view text);

class K8sManifestParser final : public Parser {
 public:
  [[nodiscard]] std::string_view id() const override { return "k8s-manifest"; }
  [[nodiscard]] Claim claims(std::string_view path, std::string_view text) const override;
  bool parse(const syntax::Document& document, model::Graph& graph,
             core::DiagnosticSink& sink) const override;
};

}  // namespace fermata::parsers
