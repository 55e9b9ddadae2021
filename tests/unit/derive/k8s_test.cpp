#include "derive/k8s.hpp"

#include <doctest/doctest.h>

#include <utility>

#include "parsers/k8s/k8s_manifest.hpp"
#include "parsers/syntax/yaml_reader.hpp"

using namespace fermata;
using model::Value;

namespace {

/// Parses each file into one graph and derives it, as a scan would.
model::Graph derived(const std::vector<std::pair<std::string, std::string>>& files) {
  model::Graph graph;
  core::DiagnosticSink sink;
  parsers::K8sManifestParser parser;
  for (const auto& [path, text] : files) {
    auto document = syntax::read_yaml(path, text, core::Limits{}, sink);
    REQUIRE(document.has_value());
    model::Graph file_graph;
    parser.parse(*document, file_graph, sink);
    graph.merge(std::move(file_graph));
  }
  derive::SecretClassifier secrets({}, "none", sink);
  std::vector<std::string> found;
  derive::derive_k8s(graph, secrets, found);
  REQUIRE(sink.items().empty());
  return graph;
}

const model::Entity& find(const model::Graph& graph, const std::string& name) {
  for (const auto& e : graph.entities()) {
    if (e.name == name) return e;
  }
  FAIL("no entity " << name);
  return graph.entities().front();
}

std::vector<std::string> names(const model::Graph& graph, const Value* refs) {
  std::vector<std::string> out;
  if (refs == nullptr) return out;
  for (const auto& item : refs->items) out.push_back(graph.at(item.ref).name);
  return out;
}

Value labels(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  Value list = Value::list();
  for (const auto& [k, v] : pairs) list.push(model::make_entry(k, {}, Value::of_string(v)));
  return list;
}

Value expression(const char* key, const char* op, std::initializer_list<const char*> values) {
  Value e = Value::record();
  e.set("key", Value::of_string(key));
  e.set("operator", Value::of_string(op));
  Value list = Value::list();
  for (const char* v : values) list.push(Value::of_string(v));
  e.set("values", std::move(list));
  return e;
}

constexpr const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: %NAME%
  namespace: %NS%
  labels: {app: %NAME%}
spec:
  containers: [{name: c, image: "c:1"}]
)";

std::string pod(const std::string& name, const std::string& ns) {
  std::string text = kPod;
  for (const auto& [key, value] : {std::pair{"%NAME%", name}, std::pair{"%NS%", ns}}) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key))
      text.replace(at, std::string(key).size(), value);
  }
  return text;
}

}  // namespace

TEST_CASE("k8s label selectors: matchLabels and every matchExpressions operator") {
  const Value pod_labels = labels({{"app", "tickets"}, {"tier", "tools"}});
  Value selector = Value::record();
  selector.set("labels", labels({{"app", "tickets"}}));
  CHECK(derive::selector_matches(selector, pod_labels));
  selector.set("labels", labels({{"app", "other"}}));
  CHECK_FALSE(derive::selector_matches(selector, pod_labels));
  Value empty = Value::record();
  CHECK(derive::selector_matches(empty, pod_labels));

  auto with = [](Value expr) {
    Value s = Value::record();
    Value list = Value::list();
    list.push(std::move(expr));
    s.set("expressions", std::move(list));
    return s;
  };
  CHECK(derive::selector_matches(with(expression("tier", "In", {"tools", "agents"})), pod_labels));
  CHECK_FALSE(derive::selector_matches(with(expression("tier", "NotIn", {"tools"})), pod_labels));
  CHECK(derive::selector_matches(with(expression("zone", "NotIn", {"a"})), pod_labels));
  CHECK(derive::selector_matches(with(expression("app", "Exists", {})), pod_labels));
  CHECK_FALSE(derive::selector_matches(with(expression("app", "DoesNotExist", {})), pod_labels));
  CHECK_FALSE(derive::selector_matches(with(expression("app", "Sometimes", {})), pod_labels));
}

TEST_CASE("k8s service accounts: declared or implied, bound rules, token mount, cloud identity") {
  model::Graph graph = derived({
      {"rbac.yaml", R"(apiVersion: v1
kind: ServiceAccount
metadata: {name: tickets, namespace: agents}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: agents}
rules:
  - {apiGroups: [""], resources: [configmaps], verbs: [get]}
  - {apiGroups: [""], resources: [secrets], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: tickets-reader, namespace: agents}
subjects: [{kind: ServiceAccount, name: tickets}]
roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: planner-admin}
subjects: [{kind: ServiceAccount, name: planner, namespace: agents}]
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
)"},
      {"pods.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: tickets, namespace: agents}
spec:
  serviceAccountName: tickets
  containers: [{name: c, image: "c:1"}]
---
apiVersion: v1
kind: Pod
metadata: {name: override, namespace: agents}
spec:
  serviceAccountName: tickets
  automountServiceAccountToken: true
  containers: [{name: c, image: "c:1"}]
---
apiVersion: v1
kind: Pod
metadata: {name: plain, namespace: agents}
spec:
  containers: [{name: c, image: "c:1"}]
)"},
  });
  const auto& tickets = find(graph, "ServiceAccount/agents/tickets");
  CHECK(names(graph, tickets.attrs.get("grants")) ==
        std::vector<std::string>{"Role/agents/reader rule 1", "Role/agents/reader rule 2"});
  CHECK(tickets.attrs.get("roles")->items.at(0).text == "reader");
  CHECK(names(graph, tickets.attrs.get("workloads")) ==
        std::vector<std::string>{"Pod/agents/tickets", "Pod/agents/override"});

  const auto& rule = find(graph, "Role/agents/reader rule 2");
  CHECK(rule.attrs.get("bound")->boolean);
  CHECK_FALSE(rule.attrs.get("cluster_wide")->boolean);
  CHECK(rule.attrs.get("bound_to")->text == "bound to ServiceAccount agents/tickets");
  CHECK(names(graph, rule.attrs.get("bindings")) ==
        std::vector<std::string>{"RoleBinding/agents/tickets-reader"});

  // The pod inherits its ServiceAccount's setting, located there; its own setting wins.
  const auto& pod = find(graph, "Pod/agents/tickets");
  CHECK_FALSE(pod.attrs.get("token_mounted")->boolean);
  CHECK(pod.attrs.get("token_mounted")->loc.line() == 4);
  CHECK(graph.at(pod.attrs.get("identity")->ref).name == "ServiceAccount/agents/tickets");
  CHECK(find(graph, "Pod/agents/override").attrs.get("token_mounted")->boolean);

  // Accounts only referenced still get an identity, so bindings to built-in roles show.
  const auto& planner = find(graph, "ServiceAccount/agents/planner");
  CHECK_FALSE(planner.attrs.get("declared")->boolean);
  CHECK(planner.attrs.get("roles")->items.at(0).text == "cluster-admin");
  CHECK(planner.attrs.get("grants")->items.empty());
  const auto& plain = find(graph, "Pod/agents/plain");
  CHECK(graph.at(plain.attrs.get("identity")->ref).name == "ServiceAccount/agents/default");
  CHECK(plain.attrs.get("token_mounted")->boolean);
}

TEST_CASE("k8s aggregated ClusterRoles give their bindings the matched roles' rules") {
  model::Graph graph = derived({{"rbac.yaml", R"(apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-edit
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true", team: widgets}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: team-all}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {team: widgets}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: a}
subjects: [{kind: ServiceAccount, name: a, namespace: x}]
roleRef: {kind: ClusterRole, name: team-all}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: y}
subjects: [{kind: ServiceAccount, name: b}]
roleRef: {kind: ClusterRole, name: edit}
)"}});
  const auto& rule = find(graph, "ClusterRole/widgets-edit rule 1");
  CHECK(rule.attrs.get("bound_to")->text == "bound to ServiceAccount x/a, ServiceAccount y/b");
  // Bound by a ClusterRoleBinding through the aggregate: cluster-wide.
  CHECK(rule.attrs.get("cluster_wide")->boolean);
  CHECK(rule.attrs.get("wildcards")->items.at(0).text == "verbs");
  CHECK(names(graph, find(graph, "ServiceAccount/y/b").attrs.get("grants")) ==
        std::vector<std::string>{"ClusterRole/widgets-edit rule 1"});
}

TEST_CASE("k8s NetworkPolicies: selection by namespace and labels, egress verdicts") {
  model::Graph graph = derived({
      {"pods.yaml", pod("a", "shop") + "---\n" + pod("b", "shop") + "---\n" + pod("c", "other") +
                        "---\n" + pod("d", "dns")},
      {"netpol.yaml", R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-a, namespace: shop}
spec:
  podSelector: {matchLabels: {app: a}}
  policyTypes: [Egress]
  egress:
    - to: [{podSelector: {matchLabels: {app: b}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: b}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: dns}
spec:
  podSelector: {}
  egress:
    - ports: [{port: 53, protocol: UDP}]
)"},
  });
  const auto& a = find(graph, "Pod/shop/a");
  CHECK(names(graph, a.attrs.get("network_policies")) ==
        std::vector<std::string>{"NetworkPolicy/shop/only-a"});
  CHECK(a.attrs.get("egress")->get("isolated")->boolean);
  CHECK_FALSE(a.attrs.get("egress")->get("open")->boolean);
  const auto& b = find(graph, "Pod/shop/b");
  CHECK(b.attrs.get("egress")->get("open")->boolean);
  CHECK(b.attrs.get("egress")->loc.line() == 13);
  CHECK(find(graph, "Pod/other/c").attrs.get("network_policies")->items.empty());
  CHECK_FALSE(find(graph, "Pod/dns/d").attrs.get("egress")->get("open")->boolean);
  CHECK(names(graph, find(graph, "NetworkPolicy/shop/only-a").attrs.get("selects")) ==
        std::vector<std::string>{"Pod/shop/a"});
}

TEST_CASE("k8s Istio mutual TLS: workload, namespace and mesh scopes in Istio's order") {
  const std::string policies = R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: mesh, namespace: istio-system}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: shop, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: a, namespace: shop}
spec:
  selector: {matchLabels: {app: a}}
  mtls: {mode: DISABLE}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: b, namespace: shop}
spec:
  selector: {matchLabels: {app: b}}
  portLevelMtls: {8080: {mode: PERMISSIVE}, 9090: {mode: STRICT}}
)";
  model::Graph graph =
      derived({{"mesh.yaml", policies},
               {"pods.yaml", pod("a", "shop") + "---\n" + pod("b", "shop") + "---\n" +
                                 pod("c", "shop") + "---\n" + pod("d", "other")}});
  auto mtls = [&](const std::string& name) { return find(graph, name).attrs.get("mtls"); };
  CHECK(mtls("Pod/shop/a")->items.at(0).get("mode")->text == "DISABLE");
  CHECK(mtls("Pod/shop/a")->items.at(0).get("scope")->text == "workload");
  // No workload-wide mode: the namespace decides, and one port is an exception.
  REQUIRE(mtls("Pod/shop/b")->items.size() == 2);
  CHECK(mtls("Pod/shop/b")->items.at(0).get("mode")->text == "STRICT");
  CHECK(mtls("Pod/shop/b")->items.at(0).get("policy")->text == "shop");
  CHECK(mtls("Pod/shop/b")->items.at(1).get("port")->number == 8080);
  CHECK(mtls("Pod/shop/b")->items.at(1).get("mode")->text == "PERMISSIVE");
  CHECK(mtls("Pod/shop/c")->items.at(0).get("mode")->text == "STRICT");
  CHECK(mtls("Pod/other/d")->items.at(0).get("scope")->text == "mesh");
  CHECK(mtls("Pod/other/d")->items.at(0).get("mode")->text == "PERMISSIVE");
  CHECK(mtls("Pod/other/d")->items.at(0).loc.line() == 4);
}

TEST_CASE("k8s Services select pods; Linkerd policy comes from the pod or its namespace") {
  model::Graph graph = derived({{"all.yaml", pod("a", "shop") + R"(---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: shop}
spec:
  selector: {app: a}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: shop}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {config.linkerd.io/default-inbound-policy: all-unauthenticated}
)"}});
  const auto& a = find(graph, "Pod/shop/a");
  CHECK(names(graph, a.attrs.get("endpoints")) == std::vector<std::string>{"Service/shop/a"});
  CHECK(find(graph, "Service/shop/manual").attrs.get("workloads")->items.empty());
  CHECK(a.attrs.get("inbound_policy")->text == "all-unauthenticated");
  CHECK(a.attrs.get("inbound_policy")->loc.line() == 27);
}
