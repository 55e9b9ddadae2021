#include "parsers/k8s/k8s_manifest.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "discover/working_tree.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "parsers/syntax/yaml_reader.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

using namespace fermata;
using model::Value;

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string format_sample(const std::string& name) {
  return slurp(std::filesystem::path(FERMATA_SOURCE_DIR) / "fixtures/formats/k8s" / name);
}

struct Parsed {
  model::Graph graph;
  core::DiagnosticSink sink;
  bool recognised = false;
};

Parsed parse(const std::string& path, const std::string& text) {
  Parsed out;
  parsers::K8sManifestParser parser;
  const bool json = path.size() > 5 && path.substr(path.size() - 5) == ".json";
  auto document = json ? syntax::read_json(path, text, core::Limits{}, out.sink)
                       : syntax::read_yaml(path, text, core::Limits{}, out.sink);
  REQUIRE(document.has_value());
  out.recognised = parser.parse(*document, out.graph, out.sink);
  return out;
}

const model::Entity& find(const model::Graph& graph, model::EntityKind kind,
                          const std::string& name) {
  for (const auto& e : graph.entities()) {
    if (e.kind == kind && e.name == name) return e;
  }
  FAIL("no entity " << name);
  return graph.entities().front();
}

/// The value at a dotted path of records, with list indices as numbers: "containers.0.image".
const Value& at(const model::Entity& entity, const std::string& path) {
  const Value* current = &entity.attrs;
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '.')) {
    REQUIRE_MESSAGE(current != nullptr, path);
    if (!part.empty() && std::isdigit(static_cast<unsigned char>(part[0])) != 0) {
      const size_t index = std::stoul(part);
      REQUIRE_MESSAGE(index < current->items.size(), path);
      current = &current->items[index];
    } else {
      current = current->get(part);
    }
  }
  REQUIRE_MESSAGE(current != nullptr, path);
  return *current;
}

std::string where(const Value& value) {
  return std::to_string(value.loc.line()) + ":" + std::to_string(value.loc.column());
}

}  // namespace

TEST_CASE("k8s claims: manifests by their apiVersion and kind, templates under templates/") {
  parsers::K8sManifestParser parser;
  const auto yaml = parser.claims("deploy/app.yaml", "apiVersion: v1\nkind: Pod\n");
  CHECK(yaml.claimed);
  CHECK(yaml.certain);
  CHECK(yaml.syntax == parsers::Syntax::kYaml);
  CHECK_FALSE(yaml.templated);
  CHECK(parser.claims("a.yml", "# c\n---\nkind: List\napiVersion: v1\n").claimed);
  CHECK_FALSE(parser.claims("config.yaml", "model: gpt-4o\nkind: chat\n").claimed);
  CHECK_FALSE(parser.claims("notes.yaml", "text: |\n  apiVersion: v1\n  kind: Pod\n").claimed);
  CHECK_FALSE(parser.claims("app.toml", "apiVersion: v1\nkind: Pod\n").claimed);
  const auto json = parser.claims("pod.json", R"({"apiVersion": "v1", "kind": "Pod"})");
  CHECK(json.claimed);
  CHECK(json.syntax == parsers::Syntax::kJson);
  CHECK_FALSE(parser.claims("package.json", R"({"name": "x", "kind": "lib"})").claimed);
  const auto helm = parser.claims("chart/templates/svc.yaml", "{{- if .Values.on }}\nx: 1\n");
  CHECK(helm.claimed);
  CHECK(helm.templated);
  CHECK(parser.claims("chart/templates/_helpers.tpl", "{{- define \"x\" -}}\n").templated);
  CHECK_FALSE(parser.claims("docs/_helpers.tpl", "{{- define \"x\" -}}\n").claimed);
  CHECK(parser.claims("t.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .x }}\n")
            .templated);
}

TEST_CASE("k8s image references split into name, tag and digest") {
  auto ref = parsers::parse_image_ref("registry.example:5000/shop/web:2.1@sha256:abc");
  CHECK(ref.name == "registry.example:5000/shop/web");
  CHECK(ref.tag == "2.1");
  CHECK(ref.digest == "sha256:abc");
  ref = parsers::parse_image_ref("localhost:5000/web");
  CHECK(ref.name == "localhost:5000/web");
  CHECK(ref.tag.empty());
  ref = parsers::parse_image_ref("busybox");
  CHECK(ref.name == "busybox");
  CHECK(ref.tag.empty());
  CHECK(ref.digest.empty());
  CHECK(parsers::parse_image_ref("nginx@sha256:ff").tag.empty());
}

TEST_CASE("k8s workloads: a pod template per object, every fact located") {
  Parsed p = parse("workloads.yaml", format_sample("workloads.yaml"));
  CHECK(p.recognised);
  CHECK(p.sink.items().empty());
  const auto& pod = find(p.graph, model::EntityKind::kWorkload, "Pod/shop/web");
  CHECK(pod.loc.line() == 5);
  CHECK(at(pod, "kind").text == "Pod");
  CHECK(at(pod, "namespace").text == "shop");
  CHECK(at(pod, "labels.0.key").text == "app");
  CHECK(at(pod, "service_account").text == "web");
  CHECK(where(at(pod, "service_account")) == "9:23");
  CHECK_FALSE(at(pod, "automount_token").boolean);
  CHECK(where(at(pod, "automount_token")) == "10:33");
  CHECK(at(pod, "host_network").boolean);
  CHECK(where(at(pod, "host_network")) == "11:16");
  CHECK_FALSE(at(pod, "host_pid").boolean);
  REQUIRE(at(pod, "host_namespaces").items.size() == 1);
  CHECK(at(pod, "host_namespaces.0").text == "hostNetwork");
  CHECK(at(pod, "volumes.0.host_path").text == "/var/log");
  CHECK(where(at(pod, "volumes.0.host_path")) == "17:24");

  const Value& web = at(pod, "containers.0");
  CHECK(web.get("name")->text == "web");
  CHECK_FALSE(web.get("init")->boolean);
  CHECK(web.get("image_name")->text == "registry.example:5000/shop/web");
  CHECK(web.get("image_tag")->text == "2.1");
  CHECK(web.get("image_digest")->text == "sha256:0123456789abcdef");
  CHECK(web.get("privileged")->boolean);
  CHECK(where(*web.get("privileged")) == "22:21");
  CHECK(web.get("allow_privilege_escalation")->boolean);
  CHECK(web.get("read_only_root_fs")->boolean);
  // Inherited from the pod's securityContext, located there.
  CHECK(web.get("run_as_user")->number == 1000);
  CHECK(where(*web.get("run_as_user")) == "13:16");
  CHECK(web.get("run_as_non_root")->is_null());
  CHECK(web.get("root_reason")->text.empty());
  CHECK(web.get("seccomp")->text == "RuntimeDefault");
  CHECK(web.get("capabilities_add")->items.at(0).text == "NET_ADMIN");
  CHECK(web.get("capabilities_add")->loc.line() == 26);
  CHECK(web.get("capabilities_drop")->items.at(0).text == "ALL");
  CHECK(web.get("host_ports")->items.at(0).number == 80);
  CHECK(web.get("limits")->get("cpu")->text == "500m");
  CHECK(web.get("requests")->get("memory")->is_null());

  REQUIRE(at(pod, "env").items.size() == 2);
  CHECK(at(pod, "env.0.key").text == "MODE");
  CHECK(at(pod, "env.0.value").text == "production");
  CHECK(at(pod, "env.0.source").text == "literal");
  CHECK(at(pod, "env.0.container").text == "web");
  CHECK(at(pod, "env.1.source").text == "secret");
  CHECK(at(pod, "env.1.secret_name").text == "db");
  CHECK(at(pod, "env.1.value").is_null());

  const auto& api = find(p.graph, model::EntityKind::kWorkload, "Deployment/api");
  CHECK(at(api, "service_account").text == "default");
  CHECK(at(api, "automount_token").is_null());
  CHECK(at(api, "labels.0.value").text == "api");
  CHECK(at(api, "containers.0.image_tag").text.empty());
  CHECK(at(api, "containers.0.root_reason").text.find("neither") == 0);
  CHECK(at(find(p.graph, model::EntityKind::kWorkload, "DaemonSet/agent"), "host_pid").boolean);
  find(p.graph, model::EntityKind::kWorkload, "StatefulSet/db");
  find(p.graph, model::EntityKind::kWorkload, "ReplicaSet/rs");
  find(p.graph, model::EntityKind::kWorkload, "Job/once");
  const auto& cron = find(p.graph, model::EntityKind::kWorkload, "CronJob/nightly");
  REQUIRE(at(cron, "containers").items.size() == 2);
  CHECK(at(cron, "containers.0.init").boolean);
  CHECK(at(cron, "containers.1.seccomp").text == "RuntimeDefault");
  CHECK(at(cron, "containers.1.seccomp").loc.line() == 95);
  const auto& knative = find(p.graph, model::EntityKind::kWorkload, "Service/hello");
  CHECK(at(knative, "containers.0.image").text == "hello:1");
}

TEST_CASE("k8s identities and RBAC: service accounts, one grant per role rule, bindings") {
  Parsed p = parse("identity-rbac.yaml", format_sample("identity-rbac.yaml"));
  CHECK(p.sink.items().empty());
  const auto& tickets =
      find(p.graph, model::EntityKind::kIdentity, "ServiceAccount/agents/tickets");
  CHECK(at(tickets, "declared").boolean);
  CHECK_FALSE(at(tickets, "automount_token").boolean);
  CHECK(at(tickets, "cloud_identity.provider").text == "aws");
  CHECK(at(tickets, "cloud_identity.id").text == "arn:aws:iam::111122223333:role/tickets-mcp");
  CHECK(where(at(tickets, "cloud_identity.id")) == "7:33");
  CHECK(at(find(p.graph, model::EntityKind::kIdentity, "ServiceAccount/agents/planner"),
           "cloud_identity.provider")
            .text == "gcp");
  CHECK(at(find(p.graph, model::EntityKind::kIdentity, "ServiceAccount/agents/researcher"),
           "cloud_identity.provider")
            .text == "azure");

  const auto& reader = find(p.graph, model::EntityKind::kGrant, "Role/agents/reader rule 1");
  CHECK(at(reader, "source").text == "kubernetes");
  CHECK(at(reader, "role").text == "reader");
  CHECK(at(reader, "role_kind").text == "Role");
  CHECK(at(reader, "rule_index").number == 1);
  CHECK(at(reader, "verbs.0").text == "get");
  CHECK(where(at(reader, "verbs")) == "35:5");
  CHECK(at(reader, "resource_names.0").text == "agent-config");
  CHECK(at(reader, "api_groups.0").text.empty());
  const auto& metrics = find(p.graph, model::EntityKind::kGrant, "ClusterRole/monitoring rule 2");
  CHECK(at(metrics, "non_resource_urls.0").text == "/metrics");
  CHECK(at(metrics, "role_labels.0.key").text == "acme.example/aggregate-to-monitoring");
  const auto& aggregated =
      find(p.graph, model::EntityKind::kGrant, "ClusterRole/monitoring-all (aggregated)");
  CHECK(at(aggregated, "aggregation.0.labels.0.value").text == "true");
  CHECK(at(aggregated, "verbs").items.empty());

  const auto& binding =
      find(p.graph, model::EntityKind::kPolicy, "ClusterRoleBinding/planner-monitoring");
  CHECK(at(binding, "role_ref").text == "monitoring-all");
  CHECK(where(at(binding, "role_ref")) == "87:9");
  CHECK(at(binding, "role_ref_kind").text == "ClusterRole");
  CHECK(at(binding, "subjects.1.kind").text == "Group");
  CHECK(at(binding, "subject_names.0").text == "ServiceAccount agents/planner");
  CHECK(at(binding, "subject_names.1").text == "Group sre");
  // A ServiceAccount subject without a namespace takes the binding's.
  const auto& rb = find(p.graph, model::EntityKind::kPolicy, "RoleBinding/agents/tickets-reader");
  CHECK(at(rb, "subjects.0.namespace").text == "agents");
}

TEST_CASE("k8s exposure and network policy") {
  Parsed p = parse("network.yaml", format_sample("network.yaml"));
  CHECK(p.sink.items().empty());
  const auto& svc = find(p.graph, model::EntityKind::kEndpoint, "Service/agents/tickets");
  CHECK(at(svc, "type").text == "LoadBalancer");
  CHECK(at(svc, "external").boolean);
  CHECK(at(svc, "selector.labels.0.value").text == "tickets");
  CHECK(at(svc, "ports.0.port").number == 443);
  CHECK(at(svc, "ports.0.target_port").text == "8080");
  const auto& ingress = find(p.graph, model::EntityKind::kEndpoint, "Ingress/agents/tickets");
  CHECK(at(ingress, "tls").boolean);
  CHECK(at(ingress, "hosts.0").text == "tickets.example.com");
  CHECK(at(ingress, "services.0").text == "tickets");
  const auto& deny = find(p.graph, model::EntityKind::kPolicy, "NetworkPolicy/agents/default-deny");
  CHECK(at(deny, "selector.labels").items.empty());
  CHECK(at(deny, "policy_types").items.size() == 2);
  CHECK(at(deny, "egress_rules").items.empty());
  const auto& egress =
      find(p.graph, model::EntityKind::kPolicy, "NetworkPolicy/agents/tickets-egress");
  // Egress rules written without policyTypes make the API default to both types.
  REQUIRE(at(egress, "policy_types").items.size() == 2);
  CHECK(at(egress, "policy_types.1").text == "Egress");
  CHECK(at(egress, "egress_rules.0.any_peer").boolean);
  CHECK(where(at(egress, "egress_rules.0.any_peer")) == "49:27");
  CHECK(at(egress, "egress_rules.0.cidrs.0").text == "0.0.0.0/0");
}

TEST_CASE("k8s mesh policies: Istio PeerAuthentication, DestinationRule, AuthorizationPolicy") {
  Parsed p = parse("mesh.yaml", format_sample("mesh.yaml"));
  CHECK(p.sink.items().empty());
  const auto& mesh =
      find(p.graph, model::EntityKind::kPolicy, "PeerAuthentication/istio-system/default");
  CHECK(at(mesh, "scope").text == "mesh");
  CHECK(at(mesh, "mtls_mode").text == "STRICT");
  CHECK(where(at(mesh, "mtls_mode")) == "7:16");
  CHECK(at(mesh, "selector").is_null());
  const auto& pa = find(p.graph, model::EntityKind::kPolicy, "PeerAuthentication/agents/tickets");
  CHECK(at(pa, "scope").text == "workload");
  CHECK(at(pa, "mtls_mode").text == "UNSET");
  CHECK(at(pa, "port_modes.0.port").number == 9090);
  CHECK(at(pa, "port_modes.0.mode").text == "PERMISSIVE");
  const auto& dr = find(p.graph, model::EntityKind::kPolicy, "DestinationRule/agents/tickets");
  CHECK(at(dr, "host").text == "tickets.agents.svc.cluster.local");
  CHECK(at(dr, "tls.0.mode").text == "ISTIO_MUTUAL");
  CHECK(at(dr, "tls.0.port").is_null());
  const auto& authz =
      find(p.graph, model::EntityKind::kPolicy, "AuthorizationPolicy/agents/tickets-callers");
  CHECK(at(authz, "action").text == "ALLOW");
  CHECK_FALSE(at(authz, "ingress_rules.0.any_peer").boolean);
  const auto& ns = find(p.graph, model::EntityKind::kPolicy, "Namespace/agents");
  CHECK(at(ns, "namespace").text == "agents");
  CHECK(at(ns, "inbound_policy").text == "all-authenticated");
}

TEST_CASE("k8s lists, JSON manifests and kinds fermata does not model") {
  Parsed list = parse("list.yaml", format_sample("list.yaml"));
  CHECK(list.recognised);
  CHECK(list.sink.items().empty());
  CHECK(list.graph.size() == 1);
  find(list.graph, model::EntityKind::kIdentity, "ServiceAccount/listed");

  Parsed json = parse("pod.json", format_sample("pod.json"));
  const auto& pod = find(json.graph, model::EntityKind::kWorkload, "Pod/agents/json-pod");
  CHECK(at(pod, "host_ipc").boolean);
  CHECK(where(at(pod, "host_ipc")) == "6:16");
  CHECK(at(pod, "containers.0.run_as_user").number == 0);
  CHECK(at(pod, "containers.0.root_reason").text == "runAsUser is 0");

  Parsed crd = parse("crd.yaml",
                     "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                     "metadata: {name: x.example.com}\nspec: {group: example.com}\n");
  CHECK(crd.recognised);
  CHECK(crd.graph.size() == 0);
  Parsed other = parse("x.yaml", "name: x\nkind: thing\n---\n- a\n- b\n");
  CHECK_FALSE(other.recognised);
}

TEST_CASE("k8s odd shapes are read quietly, never crash") {
  for (const char* text : {
           "apiVersion: v1\nkind: Pod\nspec: 3\n",
           "apiVersion: v1\nkind: Pod\nmetadata: []\nspec:\n  containers: {a: 1}\n",
           "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - 1\n    - image: [x]\n"
           "      securityContext: true\n      env: [1, {name: [a]}]\n",
           "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template: x\n",
           "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules: [1, {verbs: 2}]\n",
           "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nroleRef: x\n"
           "subjects: [x]\n",
           "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  podSelector:\n"
           "  egress: [{to: [1, {ipBlock: 2}]}]\n",
           "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nspec:\n"
           "  portLevelMtls: {http: 1}\n",
           "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: List\n"
           "    items: [{apiVersion: v1, kind: Pod}]\n",
       }) {
    INFO(text);
    Parsed p = parse("odd.yaml", text);
    CHECK(p.recognised);
    CHECK(p.sink.items().empty());
  }
}

TEST_CASE("k8s a Helm chart: unrendered templates are skipped with a note, the rest is read") {
  core::DiagnosticSink sink;
  rules::RuleSet rules;
  REQUIRE(rules.load_builtin(sink));
  derive::SecretClassifier secrets = scan::builtin_secret_classifier(sink);
  discover::WalkOptions walk;
  walk.honour_gitignore = false;
  discover::WorkingTreeProvider files(
      std::filesystem::path(FERMATA_SOURCE_DIR) / "fixtures/formats/k8s/chart", walk);
  scan::ScanResult result = scan::run_scan(files, rules, secrets, {});
  std::vector<std::string> diagnostics;
  for (const auto& d : result.diagnostics) diagnostics.push_back(core::format_diagnostic(d));
  REQUIRE(diagnostics.size() == 2);
  CHECK(diagnostics[0].rfind("templates/_helpers.tpl:1:3: note: unrendered Helm template", 0) == 0);
  CHECK(diagnostics[1].rfind("templates/deployment.yaml:6:7: note: unrendered Helm template", 0) ==
        0);
  CHECK(diagnostics[1].find("[parse.skipped-template]") != std::string::npos);
  // A template that is YAML as it stands is read like any manifest.
  bool service = false;
  for (const auto& artifact : result.artifacts)
    service = service || artifact.path == "templates/service.yaml";
  CHECK(service);
}
