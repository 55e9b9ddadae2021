#include "parsers/k8s/k8s_manifest.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "core/text.hpp"

namespace fermata::parsers {
namespace {

using core::starts_with;

using core::ends_with;

using core::lower;

using model::Value;
using syntax::Member;
using syntax::Node;
using syntax::NodeKind;

/// Istio's root namespace unless meshConfig says otherwise: a policy there without a
/// selector applies to the whole mesh.
constexpr std::string_view kMeshRootNamespace = "istio-system";

/// `key:` written at the start of a line (top-level YAML key).
bool has_line_start_key(std::string_view text, std::string_view key) {
  size_t at = 0;
  while ((at = text.find(key, at)) != std::string_view::npos) {
    if (at == 0 || text[at - 1] == '\n') return true;
    at += key.size();
  }
  return false;
}

/// A JSON key `"name"` followed by `:`.
bool has_json_key(std::string_view text, std::string_view name) {
  const std::string quoted = "\"" + std::string(name) + "\"";
  size_t at = text.find(quoted);
  while (at != std::string_view::npos) {
    size_t i = at + quoted.size();
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
    if (i < text.size() && text[i] == ':') return true;
    at = text.find(quoted, at + 1);
  }
  return false;
}

bool in_templates_dir(std::string_view path) {
  return starts_with(path, "templates/") || path.find("/templates/") != std::string_view::npos;
}

/// The workload kinds whose pod template sits at spec.template (CronJob nests one level
/// deeper, Pod is its own template). Other kinds with spec.template.spec.containers are read
/// the same way (Knative, Argo Rollouts, ...).
bool template_kind(std::string_view kind) {
  static constexpr std::array<std::string_view, 6> kKinds = {
      "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"};
  return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end();
}

/// The API group of an apiVersion ("rbac.authorization.k8s.io/v1" -> "rbac.authorization.k8s.io").
std::string_view api_group(std::string_view api_version) {
  const size_t slash = api_version.find('/');
  return slash == std::string_view::npos ? "" : api_version.substr(0, slash);
}

/// Booleans as the API server reads YAML (go-yaml accepts yes/no/on/off too).
std::optional<bool> truth_of(const Node* node) {
  if (node == nullptr) return std::nullopt;
  if (node->kind == NodeKind::kBool) return node->text == "true";
  if (node->kind != NodeKind::kString) return std::nullopt;
  const std::string word = lower(node->text);
  if (word == "true" || word == "yes" || word == "on" || word == "y") return true;
  if (word == "false" || word == "no" || word == "off" || word == "n") return false;
  return std::nullopt;
}

/// An integer written as digits (ports, UIDs); quantities and names are not numbers.
std::optional<double> integer_text(const std::string& text) {
  if (text.empty() || text.size() > 15) return std::nullopt;
  const bool digits = std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || text == "-") return std::nullopt;
  return std::stod(text);
}

std::optional<double> number_of(const Node* node) {
  if (node == nullptr || (node->kind != NodeKind::kNumber && node->kind != NodeKind::kString)) {
    return std::nullopt;
  }
  return integer_text(node->text);
}

/// Seccomp profile names of the deprecated annotations, as the field's type names them.
std::string seccomp_from_annotation(const std::string& value) {
  if (value == "runtime/default" || value == "docker/default") return "RuntimeDefault";
  if (value == "unconfined") return "Unconfined";
  if (starts_with(value, "localhost/")) return "Localhost";
  return value;
}

class ManifestReader {
 public:
  ManifestReader(const syntax::Document& document, model::Graph& graph)
      : document_(document), graph_(graph) {}

  /// Reads one object (recursing into `kind: List`); returns true when it is a Kubernetes
  /// object at all.
  bool read(const Node& object, uint32_t depth) {
    if (!object.is_object()) return false;
    const Node* api_version = object.get("apiVersion");
    const Node* kind = object.get("kind");
    if (api_version == nullptr || kind == nullptr || !api_version->is_string() ||
        !kind->is_string()) {
      return false;
    }
    const std::string& kind_name = kind->text;
    if (const Node* items = object.get("items");
        items != nullptr && items->is_array() && ends_with(kind_name, "List") && depth < 4) {
      for (const auto& item : items->items) read(item, depth + 1);
      return true;
    }
    Object obj{&object, kind, api_version->text, metadata(object)};
    const std::string_view group = api_group(api_version->text);
    if (kind_name == "Pod") {
      if (const Member* spec = object.member("spec"); spec != nullptr && spec->value.is_object()) {
        read_workload(obj, object.get("metadata"), *spec);
      }
    } else if (kind_name == "CronJob") {
      const Node* job = path(object, {"spec", "jobTemplate", "spec", "template"});
      if (job != nullptr) read_template(obj, *job);
    } else if (template_kind(kind_name) || generic_template(object)) {
      if (const Node* tmpl = path(object, {"spec", "template"})) read_template(obj, *tmpl);
    } else if (generic_pod_spec(object)) {
      // Kinds whose spec is itself a pod spec (Knative Revision, ...).
      read_workload(obj, object.get("metadata"), *object.member("spec"));
    } else if (kind_name == "ServiceAccount") {
      read_service_account(obj);
    } else if ((kind_name == "Role" || kind_name == "ClusterRole") &&
               group == "rbac.authorization.k8s.io") {
      read_role(obj);
    } else if ((kind_name == "RoleBinding" || kind_name == "ClusterRoleBinding") &&
               group == "rbac.authorization.k8s.io") {
      read_binding(obj);
    } else if (kind_name == "Service" && group.empty()) {
      read_service(obj);
    } else if (kind_name == "Ingress") {
      read_ingress(obj);
    } else if (kind_name == "NetworkPolicy" && group == "networking.k8s.io") {
      read_network_policy(obj);
    } else if (kind_name == "PeerAuthentication" && group == "security.istio.io") {
      read_peer_authentication(obj);
    } else if (kind_name == "DestinationRule" && group == "networking.istio.io") {
      read_destination_rule(obj);
    } else if (kind_name == "AuthorizationPolicy" && group == "security.istio.io") {
      read_authorization_policy(obj);
    } else if (kind_name == "Namespace" && group.empty()) {
      read_namespace(obj);
    }
    // Other kinds (CRDs, ConfigMaps, custom resources) are Kubernetes objects fermata does
    // not model: accepted silently.
    return true;
  }

 private:
  struct Meta {
    std::string name;
    std::string ns;
    core::SourceLoc name_loc;
    core::SourceLoc ns_loc;
    const Node* labels = nullptr;
    const Node* annotations = nullptr;
  };

  struct Object {
    const Node* node;
    const Node* kind;
    std::string api_version;
    Meta meta;
  };

  [[nodiscard]] core::SourceLoc loc(const Node& node) const { return document_.loc(node.span); }
  [[nodiscard]] core::SourceLoc loc(const core::Span& span) const { return document_.loc(span); }

  static const Node* path(const Node& from, std::initializer_list<std::string_view> keys) {
    const Node* node = &from;
    for (auto key : keys) {
      if (!node->is_object()) return nullptr;
      node = node->get(key);
      if (node == nullptr) return nullptr;
    }
    return node;
  }

  static bool generic_pod_spec(const Node& object) {
    const Node* containers = path(object, {"spec", "containers"});
    return containers != nullptr && containers->is_array() &&
           std::all_of(containers->items.begin(), containers->items.end(),
                       [](const Node& c) { return c.is_object() && c.get("image") != nullptr; });
  }

  static bool generic_template(const Node& object) {
    const Node* containers = path(object, {"spec", "template", "spec", "containers"});
    return containers != nullptr && containers->is_array();
  }

  Meta metadata(const Node& object) const {
    Meta meta;
    const Node* md = object.get("metadata");
    meta.name_loc = loc(object);
    meta.name_loc.span.end_line = meta.name_loc.span.line;
    meta.name_loc.span.end_column = meta.name_loc.span.column;
    if (md == nullptr || !md->is_object()) return meta;
    if (const Node* name = md->get("name"); name != nullptr && name->is_scalar()) {
      meta.name = name->text;
      meta.name_loc = loc(*name);
    } else if (const Node* generate = md->get("generateName");
               generate != nullptr && generate->is_scalar()) {
      meta.name = generate->text;
      meta.name_loc = loc(*generate);
    }
    meta.ns_loc = meta.name_loc;
    if (const Node* ns = md->get("namespace"); ns != nullptr && ns->is_scalar()) {
      meta.ns = ns->text;
      meta.ns_loc = loc(*ns);
    }
    meta.labels = md->get("labels");
    meta.annotations = md->get("annotations");
    return meta;
  }

  Value text(const Node* node, const core::SourceLoc& fallback) const {
    if (node == nullptr || !node->is_scalar()) return Value::null(fallback);
    return Value::of_string(node->text, loc(*node));
  }

  Value text_or(const Node* node, std::string fallback_text,
                const core::SourceLoc& fallback) const {
    if (node == nullptr || !node->is_scalar())
      return Value::of_string(std::move(fallback_text), fallback);
    return Value::of_string(node->text, loc(*node));
  }

  Value boolean(const Node* node, const core::SourceLoc& fallback) const {
    const auto truth = truth_of(node);
    if (!truth) return Value::null(fallback);
    return Value::of_bool(*truth, loc(*node));
  }

  Value number(const Node* node, const core::SourceLoc& fallback) const {
    const auto n = number_of(node);
    if (!n) return Value::null(fallback);
    return Value::of_number(*n, loc(*node));
  }

  /// A list of strings located at `key_loc` (the line that names the list); each item keeps
  /// its own position. A single scalar counts as a one-element list.
  Value strings(const Node* node, const core::SourceLoc& key_loc) const {
    Value list = Value::list(key_loc);
    if (node == nullptr) return list;
    if (node->is_scalar()) {
      list.push(Value::of_string(node->text, loc(*node)));
      return list;
    }
    if (!node->is_array()) return list;
    for (const auto& item : node->items) {
      if (item.is_scalar()) list.push(Value::of_string(item.text, loc(item)));
    }
    return list;
  }

  Value strings_at(const Node& parent, std::string_view key,
                   const core::SourceLoc& fallback) const {
    const Member* member = parent.is_object() ? parent.member(key) : nullptr;
    if (member == nullptr) return Value::list(fallback);
    return strings(&member->value, loc(member->key_span));
  }

  /// A map of strings (labels, annotations) as a list of {key, value} entries.
  Value entries(const Node* node, const core::SourceLoc& fallback) const {
    Value list = Value::list(node != nullptr ? loc(*node) : fallback);
    if (node == nullptr || !node->is_object()) return list;
    for (const auto& member : node->members) {
      if (!member.value.is_scalar()) continue;
      list.push(model::make_entry(member.key, loc(member.key_span),
                                  Value::of_string(member.value.text, loc(member.value))));
    }
    return list;
  }

  static const Node* entry_value(const Node* map, std::string_view key) {
    if (map == nullptr || !map->is_object()) return nullptr;
    const Node* value = map->get(key);
    return value != nullptr && value->is_scalar() ? value : nullptr;
  }

  /// A label selector: {labels, expressions}. `plain_map` reads a Service's bare map.
  Value selector(const Node& node, bool plain_map) const {
    Value sel = Value::record(loc(node));
    Value expressions = Value::list(loc(node));
    if (plain_map) {
      sel.set("labels", entries(&node, loc(node)));
    } else {
      sel.set("labels", entries(node.get("matchLabels"), loc(node)));
      if (const Node* exprs = node.get("matchExpressions"); exprs != nullptr && exprs->is_array()) {
        for (const auto& item : exprs->items) {
          if (!item.is_object()) continue;
          Value expr = Value::record(loc(item));
          expr.set("key", text_or(item.get("key"), "", loc(item)));
          expr.set("operator", text_or(item.get("operator"), "", loc(item)));
          expr.set("values", strings_at(item, "values", loc(item)));
          expressions.push(std::move(expr));
        }
      }
    }
    sel.set("expressions", std::move(expressions));
    return sel;
  }

  model::Entity& add(model::EntityKind kind, const Object& obj, const std::string& suffix = "") {
    std::string name = obj.kind->text + "/";
    if (!obj.meta.ns.empty()) name += obj.meta.ns + "/";
    name += obj.meta.name + suffix;
    model::Entity& entity = graph_.add(kind, name, obj.meta.name_loc);
    entity.attrs.set("name", Value::of_string(obj.meta.name, obj.meta.name_loc));
    entity.attrs.set("kind", Value::of_string(obj.kind->text, loc(*obj.kind)));
    entity.attrs.set("namespace", Value::of_string(obj.meta.ns, obj.meta.ns_loc));
    return entity;
  }

  // ---- workloads --------------------------------------------------------------------------

  void read_template(const Object& obj, const Node& tmpl) {
    if (!tmpl.is_object()) return;
    const Member* spec = tmpl.member("spec");
    if (spec == nullptr || !spec->value.is_object()) return;
    read_workload(obj, tmpl.get("metadata"), *spec);
  }

  struct PodContext {
    const Node* security = nullptr;  ///< pod-level securityContext
    const Node* annotations = nullptr;
    core::SourceLoc spec_loc;
  };

  void read_workload(const Object& obj, const Node* pod_meta, const Member& spec_member) {
    const Node& spec = spec_member.value;
    const core::SourceLoc spec_loc = loc(spec_member.key_span);
    model::Entity& workload = add(model::EntityKind::kWorkload, obj);
    Value& attrs = workload.attrs;
    const Node* labels =
        pod_meta != nullptr && pod_meta->is_object() ? pod_meta->get("labels") : nullptr;
    const Node* annotations =
        pod_meta != nullptr && pod_meta->is_object() ? pod_meta->get("annotations") : nullptr;
    attrs.set("labels", entries(labels, spec_loc));
    attrs.set("annotations", entries(annotations, spec_loc));

    const Node* sa = spec.get("serviceAccountName");
    if (sa == nullptr || !sa->is_scalar() || sa->text.empty()) sa = spec.get("serviceAccount");
    if (sa != nullptr && sa->is_scalar() && !sa->text.empty()) {
      attrs.set("service_account", Value::of_string(sa->text, loc(*sa)));
    } else {
      attrs.set("service_account", Value::of_string("default", spec_loc));
    }
    attrs.set("automount_token", boolean(spec.get("automountServiceAccountToken"), spec_loc));
    Value shared = Value::list(spec_loc);
    for (const auto& [field, key] :
         {std::pair{"host_network", "hostNetwork"}, std::pair{"host_pid", "hostPID"},
          std::pair{"host_ipc", "hostIPC"}}) {
      Value flag = boolean(spec.get(key), spec_loc);
      if (flag.is_null()) flag = Value::of_bool(false, spec_loc);
      if (flag.boolean) shared.push(Value::of_string(key, flag.loc));
      attrs.set(field, std::move(flag));
    }
    attrs.set("host_namespaces", std::move(shared));
    Value inbound = Value::null(spec_loc);
    if (const Node* policy = entry_value(annotations, "config.linkerd.io/default-inbound-policy")) {
      inbound = Value::of_string(policy->text, loc(*policy));
    }
    attrs.set("inbound_policy", std::move(inbound));

    Value volumes = Value::list(spec_loc);
    if (const Node* vols = spec.get("volumes"); vols != nullptr && vols->is_array()) {
      for (const auto& vol : vols->items) {
        if (!vol.is_object()) continue;
        Value volume = Value::record(loc(vol));
        volume.set("name", text_or(vol.get("name"), "", loc(vol)));
        const Node* host = vol.get("hostPath");
        const Node* host_path = host != nullptr && host->is_object() ? host->get("path") : nullptr;
        volume.set("host_path", text_or(host_path, "", loc(vol)));
        volumes.push(std::move(volume));
      }
    }
    attrs.set("volumes", std::move(volumes));

    PodContext pod{spec.get("securityContext"), annotations, spec_loc};
    if (pod.security != nullptr && !pod.security->is_object()) pod.security = nullptr;
    Value containers = Value::list(spec_loc);
    Value env = Value::list(spec_loc);
    for (const auto& [key, init] :
         {std::pair{"initContainers", true}, std::pair{"containers", false},
          std::pair{"ephemeralContainers", false}}) {
      const Node* list = spec.get(key);
      if (list == nullptr || !list->is_array()) continue;
      for (const auto& item : list->items) {
        if (!item.is_object()) continue;
        containers.push(container(item, init, pod, env));
      }
    }
    attrs.set("containers", std::move(containers));
    attrs.set("env", std::move(env));
  }

  Value container(const Node& node, bool init, const PodContext& pod, Value& env) const {
    const core::SourceLoc at = loc(node);
    Value c = Value::record(at);
    const std::string name = node.get("name") != nullptr && node.get("name")->is_scalar()
                                 ? node.get("name")->text
                                 : std::string();
    c.set("name", text_or(node.get("name"), "", at));
    c.set("init", Value::of_bool(init, at));
    const Node* image = node.get("image");
    if (image != nullptr && image->is_scalar()) {
      const ImageRef ref = parse_image_ref(image->text);
      const core::SourceLoc image_loc = loc(*image);
      c.set("image", Value::of_string(image->text, image_loc));
      c.set("image_name", Value::of_string(ref.name, image_loc));
      c.set("image_tag", Value::of_string(ref.tag, image_loc));
      c.set("image_digest", Value::of_string(ref.digest, image_loc));
    } else {
      for (const char* field : {"image", "image_name", "image_tag", "image_digest"})
        c.set(field, Value::null(at));
    }

    const Member* sc_member = node.member("securityContext");
    const Node* sc =
        sc_member != nullptr && sc_member->value.is_object() ? &sc_member->value : nullptr;
    // A setting the container leaves out is reported where it would be added: in its
    // securityContext when it has one.
    const core::SourceLoc sc_loc = sc != nullptr ? loc(sc_member->key_span) : at;
    auto container_field = [&](std::string_view key) -> const Node* {
      return sc != nullptr ? sc->get(key) : nullptr;
    };
    // Pod-level settings apply to every container that does not override them.
    auto effective = [&](std::string_view key) -> const Node* {
      const Node* own = container_field(key);
      if (own != nullptr && own->kind != NodeKind::kNull) return own;
      return pod.security != nullptr ? pod.security->get(key) : nullptr;
    };
    Value privileged = boolean(container_field("privileged"), sc_loc);
    if (privileged.is_null()) privileged = Value::of_bool(false, sc_loc);
    c.set("privileged", std::move(privileged));
    Value escalation = boolean(container_field("allowPrivilegeEscalation"), sc_loc);
    c.set("escalation_setting", Value::of_string(escalation.is_null() ? "not set, which allows it"
                                                 : escalation.boolean ? "true"
                                                                      : "false",
                                                 escalation.loc));
    c.set("allow_privilege_escalation", std::move(escalation));
    Value non_root = boolean(effective("runAsNonRoot"), sc_loc);
    Value user = number(effective("runAsUser"), sc_loc);
    std::string root_reason;
    if (!user.is_null() && user.number == 0) {
      root_reason = "runAsUser is 0";
    } else if (user.is_null() && !non_root.is_null() && !non_root.boolean) {
      root_reason = "runAsNonRoot is false and no runAsUser is set";
    } else if (user.is_null() && non_root.is_null()) {
      root_reason = "neither runAsNonRoot nor runAsUser is set, so the image's user applies";
    }
    c.set("root_reason", Value::of_string(root_reason, user.is_null() ? non_root.loc : user.loc));
    c.set("run_as_non_root", std::move(non_root));
    c.set("run_as_user", std::move(user));
    c.set("read_only_root_fs", boolean(container_field("readOnlyRootFilesystem"), sc_loc));
    const Node* caps = container_field("capabilities");
    if (caps != nullptr && !caps->is_object()) caps = nullptr;
    c.set("capabilities_add",
          caps != nullptr ? strings_at(*caps, "add", sc_loc) : Value::list(sc_loc));
    c.set("capabilities_drop",
          caps != nullptr ? strings_at(*caps, "drop", sc_loc) : Value::list(sc_loc));

    Value seccomp = Value::of_string("", sc_loc);
    const Node* profile = effective("seccompProfile");
    if (const Node* type =
            profile != nullptr && profile->is_object() ? profile->get("type") : nullptr;
        type != nullptr && type->is_scalar()) {
      seccomp = Value::of_string(type->text, loc(*type));
    } else if (const Node* own = entry_value(
                   pod.annotations, "container.seccomp.security.alpha.kubernetes.io/" + name)) {
      seccomp = Value::of_string(seccomp_from_annotation(own->text), loc(*own));
    } else if (const Node* all =
                   entry_value(pod.annotations, "seccomp.security.alpha.kubernetes.io/pod")) {
      seccomp = Value::of_string(seccomp_from_annotation(all->text), loc(*all));
    } else if (const Node* fallback = entry_value(
                   pod.annotations, "seccomp.security.alpha.kubernetes.io/defaultProfileName")) {
      seccomp = Value::of_string(seccomp_from_annotation(fallback->text), loc(*fallback));
    }
    c.set("seccomp", std::move(seccomp));

    const Member* resources = node.member("resources");
    const core::SourceLoc resources_loc = resources != nullptr ? loc(resources->key_span) : at;
    for (const auto& [field, key] :
         {std::pair{"limits", "limits"}, std::pair{"requests", "requests"}}) {
      const Member* section = resources != nullptr && resources->value.is_object()
                                  ? resources->value.member(key)
                                  : nullptr;
      const core::SourceLoc section_loc =
          section != nullptr ? loc(section->key_span) : resources_loc;
      Value record = Value::record(section_loc);
      const Node* values = section != nullptr ? &section->value : nullptr;
      record.set("cpu", text(entry_value(values, "cpu"), section_loc));
      record.set("memory", text(entry_value(values, "memory"), section_loc));
      c.set(field, std::move(record));
    }

    Value host_ports = Value::list(at);
    if (const Node* ports = node.get("ports"); ports != nullptr && ports->is_array()) {
      for (const auto& port : ports->items) {
        if (!port.is_object()) continue;
        Value host = number(port.get("hostPort"), loc(port));
        if (!host.is_null()) host_ports.push(std::move(host));
      }
    }
    c.set("host_ports", std::move(host_ports));

    if (const Node* vars = node.get("env"); vars != nullptr && vars->is_array()) {
      for (const auto& var : vars->items) {
        if (!var.is_object()) continue;
        env.push(env_entry(var, name, at));
      }
    }
    return c;
  }

  Value env_entry(const Node& var, const std::string& container, const core::SourceLoc& at) const {
    const core::SourceLoc var_loc = loc(var);
    Value entry = Value::record(var_loc);
    entry.set("container", Value::of_string(container, at));
    entry.set("key", text_or(var.get("name"), "", var_loc));
    std::string source = "literal";
    Value value = Value::null(var_loc);
    Value secret = Value::of_string("", var_loc);
    if (const Node* literal = var.get("value"); literal != nullptr && literal->is_scalar()) {
      value = Value::of_string(literal->text, loc(*literal));
    }
    if (const Node* from = var.get("valueFrom"); from != nullptr && from->is_object()) {
      if (const Node* ref = from->get("secretKeyRef"); ref != nullptr && ref->is_object()) {
        source = "secret";
        secret = text_or(ref->get("name"), "", loc(*ref));
      } else if (from->get("configMapKeyRef") != nullptr) {
        source = "configmap";
      } else if (from->get("fieldRef") != nullptr) {
        source = "field";
      } else if (from->get("resourceFieldRef") != nullptr) {
        source = "resource";
      }
    }
    entry.set("value", std::move(value));
    entry.set("source", Value::of_string(source, var_loc));
    entry.set("secret_name", std::move(secret));
    return entry;
  }

  // ---- identities and RBAC -------------------------------------------------------------

  void read_service_account(const Object& obj) {
    model::Entity& sa = add(model::EntityKind::kIdentity, obj);
    Value& attrs = sa.attrs;
    attrs.set("declared", Value::of_bool(true, obj.meta.name_loc));
    attrs.set("automount_token",
              boolean(obj.node->get("automountServiceAccountToken"), obj.meta.name_loc));
    attrs.set("annotations", entries(obj.meta.annotations, obj.meta.name_loc));
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kClouds = {{
        {"eks.amazonaws.com/role-arn", "aws"},
        {"iam.gke.io/gcp-service-account", "gcp"},
        {"azure.workload.identity/client-id", "azure"},
    }};
    Value cloud = Value::null(obj.meta.name_loc);
    for (const auto& [annotation, provider] : kClouds) {
      const Node* value = entry_value(obj.meta.annotations, annotation);
      if (value == nullptr || value->text.empty()) continue;
      cloud = Value::record(loc(*value));
      cloud.set("provider", Value::of_string(std::string(provider), loc(*value)));
      cloud.set("id", Value::of_string(value->text, loc(*value)));
      break;
    }
    attrs.set("cloud_identity", std::move(cloud));
  }

  void read_role(const Object& obj) {
    const core::SourceLoc at = obj.meta.name_loc;
    Value labels = entries(obj.meta.labels, at);
    auto role_entity = [&](const std::string& suffix, int index) -> model::Entity& {
      model::Entity& grant = add(model::EntityKind::kGrant, obj, suffix);
      grant.attrs.set("source", Value::of_string("kubernetes", at));
      grant.attrs.set("role", Value::of_string(obj.meta.name, at));
      grant.attrs.set("role_kind", Value::of_string(obj.kind->text, loc(*obj.kind)));
      grant.attrs.set("rule_index", Value::of_number(index, at));
      grant.attrs.set("role_labels", labels);
      return grant;
    };
    if (const Member* aggregation = obj.node->member("aggregationRule");
        aggregation != nullptr && aggregation->value.is_object() &&
        obj.kind->text == "ClusterRole") {
      // Its rules are those of the ClusterRoles its selectors match (joined in derive).
      model::Entity& grant = role_entity(" (aggregated)", 0);
      Value selectors = Value::list(loc(aggregation->key_span));
      if (const Node* list = aggregation->value.get("clusterRoleSelectors");
          list != nullptr && list->is_array()) {
        for (const auto& item : list->items) {
          if (item.is_object()) selectors.push(selector(item, false));
        }
      }
      grant.attrs.set("aggregation", std::move(selectors));
      for (const char* field :
           {"verbs", "resources", "api_groups", "resource_names", "non_resource_urls"}) {
        grant.attrs.set(field, Value::list(at));
      }
    }
    const Node* rules = obj.node->get("rules");
    if (rules == nullptr || !rules->is_array()) return;
    int index = 0;
    for (const auto& rule : rules->items) {
      ++index;
      if (!rule.is_object()) continue;
      model::Entity& grant = role_entity(" rule " + std::to_string(index), index);
      const core::SourceLoc rule_loc = loc(rule);
      grant.loc = rule_loc;
      grant.attrs.set("verbs", strings_at(rule, "verbs", rule_loc));
      grant.attrs.set("resources", strings_at(rule, "resources", rule_loc));
      grant.attrs.set("api_groups", strings_at(rule, "apiGroups", rule_loc));
      grant.attrs.set("resource_names", strings_at(rule, "resourceNames", rule_loc));
      grant.attrs.set("non_resource_urls", strings_at(rule, "nonResourceURLs", rule_loc));
    }
  }

  void read_binding(const Object& obj) {
    model::Entity& binding = add(model::EntityKind::kPolicy, obj);
    Value& attrs = binding.attrs;
    const core::SourceLoc at = obj.meta.name_loc;
    const Node* ref = obj.node->get("roleRef");
    if (ref != nullptr && !ref->is_object()) ref = nullptr;
    attrs.set("role_ref", text_or(ref != nullptr ? ref->get("name") : nullptr, "", at));
    attrs.set("role_ref_kind", text_or(ref != nullptr ? ref->get("kind") : nullptr, "", at));
    Value subjects = Value::list(at);
    Value names = Value::list(at);
    if (const Member* list = obj.node->member("subjects");
        list != nullptr && list->value.is_array()) {
      subjects.loc = loc(list->key_span);
      names.loc = subjects.loc;
      for (const auto& item : list->value.items) {
        if (!item.is_object()) continue;
        const core::SourceLoc item_loc = loc(item);
        Value subject = Value::record(item_loc);
        Value kind = text_or(item.get("kind"), "", item_loc);
        Value name = text_or(item.get("name"), "", item_loc);
        Value ns = text_or(item.get("namespace"), "", item_loc);
        // A ServiceAccount subject without a namespace is the binding's own namespace's.
        if (kind.text == "ServiceAccount" && ns.text.empty()) ns.text = obj.meta.ns;
        names.push(Value::of_string(
            kind.text + " " + (ns.text.empty() ? "" : ns.text + "/") + name.text, item_loc));
        subject.set("kind", std::move(kind));
        subject.set("name", std::move(name));
        subject.set("namespace", std::move(ns));
        subjects.push(std::move(subject));
      }
    }
    attrs.set("subjects", std::move(subjects));
    attrs.set("subject_names", std::move(names));
  }

  // ---- exposure ------------------------------------------------------------------------

  void read_service(const Object& obj) {
    model::Entity& service = add(model::EntityKind::kEndpoint, obj);
    Value& attrs = service.attrs;
    const core::SourceLoc at = obj.meta.name_loc;
    const Node* spec = obj.node->get("spec");
    if (spec != nullptr && !spec->is_object()) spec = nullptr;
    const Node* type = spec != nullptr ? spec->get("type") : nullptr;
    attrs.set("type", text_or(type, "ClusterIP", at));
    const std::string type_name = type != nullptr && type->is_scalar() ? type->text : "ClusterIP";
    attrs.set("external", Value::of_bool(type_name == "LoadBalancer" || type_name == "NodePort",
                                         type != nullptr ? loc(*type) : at));
    const Node* sel = spec != nullptr ? spec->get("selector") : nullptr;
    attrs.set("selector",
              sel != nullptr && sel->is_object() ? selector(*sel, true) : Value::null(at));
    Value ports = Value::list(at);
    if (const Node* list = spec != nullptr ? spec->get("ports") : nullptr;
        list != nullptr && list->is_array()) {
      for (const auto& item : list->items) {
        if (!item.is_object()) continue;
        Value port = Value::record(loc(item));
        port.set("port", number(item.get("port"), loc(item)));
        const Node* target = item.get("targetPort");
        port.set("target_port", target != nullptr ? text(target, loc(item))
                                                  : text_or(item.get("port"), "", loc(item)));
        port.set("name", text_or(item.get("name"), "", loc(item)));
        ports.push(std::move(port));
      }
    }
    attrs.set("ports", std::move(ports));
    attrs.set("hosts", Value::list(at));
    attrs.set("tls", Value::of_bool(false, at));
    attrs.set("services", Value::list(at));
  }

  void read_ingress(const Object& obj) {
    model::Entity& ingress = add(model::EntityKind::kEndpoint, obj);
    Value& attrs = ingress.attrs;
    const core::SourceLoc at = obj.meta.name_loc;
    const Node* spec = obj.node->get("spec");
    if (spec != nullptr && !spec->is_object()) spec = nullptr;
    attrs.set("type", Value::of_string("Ingress", at));
    attrs.set("external", Value::of_bool(true, at));
    attrs.set("selector", Value::null(at));
    attrs.set("ports", Value::list(at));
    Value hosts = Value::list(at);
    Value services = Value::list(at);
    auto add_backend = [&](const Node* backend) {
      if (backend == nullptr || !backend->is_object()) return;
      const Node* name = path(*backend, {"service", "name"});
      if (name == nullptr) name = backend->get("serviceName");
      if (name != nullptr && name->is_scalar())
        services.push(Value::of_string(name->text, loc(*name)));
    };
    if (spec != nullptr) {
      add_backend(spec->get("defaultBackend"));
      add_backend(spec->get("backend"));
      if (const Node* rules = spec->get("rules"); rules != nullptr && rules->is_array()) {
        for (const auto& rule : rules->items) {
          if (!rule.is_object()) continue;
          if (const Node* host = rule.get("host"); host != nullptr && host->is_scalar())
            hosts.push(Value::of_string(host->text, loc(*host)));
          const Node* paths = path(rule, {"http", "paths"});
          if (paths == nullptr || !paths->is_array()) continue;
          for (const auto& p : paths->items) {
            if (p.is_object()) add_backend(p.get("backend"));
          }
        }
      }
    }
    const Node* tls = spec != nullptr ? spec->get("tls") : nullptr;
    attrs.set("tls", Value::of_bool(tls != nullptr && tls->is_array() && !tls->items.empty(),
                                    tls != nullptr ? loc(*tls) : at));
    attrs.set("hosts", std::move(hosts));
    attrs.set("services", std::move(services));
  }

  // ---- network and mesh policy -----------------------------------------------------------

  /// One egress (or ingress) rule's peers: it allows any peer when it has no `to`/`from`, or
  /// an ipBlock of the whole address space.
  Value traffic_rule(const Node& rule, std::string_view peers_key) const {
    const core::SourceLoc at = loc(rule);
    Value record = Value::record(at);
    const Node* peers = rule.is_object() ? rule.get(peers_key) : nullptr;
    bool any = peers == nullptr || (peers->is_array() && peers->items.empty());
    core::SourceLoc any_loc = at;
    Value cidrs = Value::list(at);
    if (peers != nullptr && peers->is_array()) {
      for (const auto& peer : peers->items) {
        const Node* cidr = peer.is_object() ? path(peer, {"ipBlock", "cidr"}) : nullptr;
        if (cidr == nullptr || !cidr->is_scalar()) continue;
        cidrs.push(Value::of_string(cidr->text, loc(*cidr)));
        if (cidr->text == "0.0.0.0/0" || cidr->text == "::/0") {
          if (!any) any_loc = loc(*cidr);
          any = true;
        }
      }
    }
    Value ports = Value::list(at);
    if (const Node* list = rule.is_object() ? rule.get("ports") : nullptr;
        list != nullptr && list->is_array()) {
      for (const auto& port : list->items) {
        const Node* number = port.is_object() ? port.get("port") : nullptr;
        if (number != nullptr && number->is_scalar())
          ports.push(Value::of_string(number->text, loc(*number)));
      }
    }
    record.set("any_peer", Value::of_bool(any, any_loc));
    record.set("cidrs", std::move(cidrs));
    record.set("ports", std::move(ports));
    return record;
  }

  void read_network_policy(const Object& obj) {
    model::Entity& policy = add(model::EntityKind::kPolicy, obj);
    Value& attrs = policy.attrs;
    const core::SourceLoc at = obj.meta.name_loc;
    const Member* spec_member = obj.node->member("spec");
    const Node* spec =
        spec_member != nullptr && spec_member->value.is_object() ? &spec_member->value : nullptr;
    const core::SourceLoc spec_loc = spec_member != nullptr ? loc(spec_member->key_span) : at;
    const Member* pod_selector = spec != nullptr ? spec->member("podSelector") : nullptr;
    if (pod_selector != nullptr && pod_selector->value.is_object()) {
      attrs.set("selector", selector(pod_selector->value, false));
      attrs.get_mut("selector")->loc = loc(pod_selector->key_span);
    } else if (pod_selector != nullptr) {
      // `podSelector:` with nothing after it is the empty selector: every pod.
      Value all = Value::record(loc(pod_selector->key_span));
      all.set("labels", Value::list(loc(pod_selector->key_span)));
      all.set("expressions", Value::list(loc(pod_selector->key_span)));
      attrs.set("selector", std::move(all));
    } else {
      attrs.set("selector", Value::null(spec_loc));
    }
    const Member* ingress = spec != nullptr ? spec->member("ingress") : nullptr;
    const Member* egress = spec != nullptr ? spec->member("egress") : nullptr;
    // policyTypes defaults to Ingress, plus Egress when egress rules are written; an empty
    // list is defaulted the same way by the API server.
    const Member* types = spec != nullptr ? spec->member("policyTypes") : nullptr;
    Value policy_types = Value::list(types != nullptr ? loc(types->key_span) : spec_loc);
    if (types != nullptr && types->value.is_array() && !types->value.items.empty()) {
      policy_types = strings(&types->value, loc(types->key_span));
    } else {
      policy_types.push(Value::of_string("Ingress", policy_types.loc));
      if (egress != nullptr) policy_types.push(Value::of_string("Egress", policy_types.loc));
    }
    attrs.set("policy_types", std::move(policy_types));
    for (const auto& [field, member, peers] :
         {std::tuple{"ingress_rules", ingress, "from"}, std::tuple{"egress_rules", egress, "to"}}) {
      Value rules = Value::list(member != nullptr ? loc(member->key_span) : spec_loc);
      if (member != nullptr && member->value.is_array()) {
        for (const auto& rule : member->value.items) rules.push(traffic_rule(rule, peers));
      }
      attrs.set(field, std::move(rules));
    }
  }

  static std::string mode_of(const Node* node) {
    return node != nullptr && node->is_scalar() ? node->text : "UNSET";
  }

  void read_peer_authentication(const Object& obj) {
    model::Entity& policy = add(model::EntityKind::kPolicy, obj);
    Value& attrs = policy.attrs;
    const core::SourceLoc at = obj.meta.name_loc;
    const Node* spec = obj.node->get("spec");
    if (spec != nullptr && !spec->is_object()) spec = nullptr;
    const Node* sel = spec != nullptr ? spec->get("selector") : nullptr;
    const bool has_selector = sel != nullptr && sel->is_object() && !sel->members.empty();
    attrs.set("selector", has_selector ? selector(*sel, false) : Value::null(at));
    const std::string scope = has_selector                        ? "workload"
                              : obj.meta.ns == kMeshRootNamespace ? "mesh"
                                                                  : "namespace";
    attrs.set("scope", Value::of_string(scope, at));
    const Member* mtls = spec != nullptr ? spec->member("mtls") : nullptr;
    const Node* mode =
        mtls != nullptr && mtls->value.is_object() ? mtls->value.get("mode") : nullptr;
    core::SourceLoc mode_loc = mtls != nullptr ? loc(mtls->key_span) : at;
    if (mode != nullptr && mode->is_scalar()) mode_loc = loc(*mode);
    attrs.set("mtls_mode", Value::of_string(mode_of(mode), mode_loc));
    Value ports = Value::list(at);
    if (const Node* levels = spec != nullptr ? spec->get("portLevelMtls") : nullptr;
        levels != nullptr && levels->is_object()) {
      for (const auto& member : levels->members) {
        const Node* port_mode = member.value.is_object() ? member.value.get("mode") : nullptr;
        Value record = Value::record(loc(member.key_span));
        const auto port = integer_text(member.key);
        record.set("port", port ? Value::of_number(*port, loc(member.key_span))
                                : Value::null(loc(member.key_span)));
        record.set("mode",
                   Value::of_string(mode_of(port_mode),
                                    port_mode != nullptr ? loc(*port_mode) : loc(member.key_span)));
        ports.push(std::move(record));
      }
    }
    attrs.set("port_modes", std::move(ports));
  }

  void read_destination_rule(const Object& obj) {
    model::Entity& policy = add(model::EntityKind::kPolicy, obj);
    Value& attrs = policy.attrs;
    const core::SourceLoc at = obj.meta.name_loc;
    const Node* spec = obj.node->get("spec");
    if (spec != nullptr && !spec->is_object()) spec = nullptr;
    const Node* host = spec != nullptr ? spec->get("host") : nullptr;
    attrs.set("host", text(host, at));
    const std::string host_name = host != nullptr && host->is_scalar() ? host->text : "";
    Value tls = Value::list(at);
    auto add_tls = [&](const Node* traffic, const std::string& subset) {
      if (traffic == nullptr || !traffic->is_object()) return;
      std::string target = host_name;
      if (!subset.empty()) target += ", subset " + subset;
      if (const Node* mode = path(*traffic, {"tls", "mode"});
          mode != nullptr && mode->is_scalar()) {
        Value record = Value::record(loc(*mode));
        record.set("port", Value::null(loc(*mode)));
        record.set("subset", Value::of_string(subset, loc(*mode)));
        record.set("mode", Value::of_string(mode->text, loc(*mode)));
        record.set("target", Value::of_string(target, loc(*mode)));
        tls.push(std::move(record));
      }
      const Node* levels = traffic->get("portLevelSettings");
      if (levels == nullptr || !levels->is_array()) return;
      for (const auto& level : levels->items) {
        const Node* mode = level.is_object() ? path(level, {"tls", "mode"}) : nullptr;
        if (mode == nullptr || !mode->is_scalar()) continue;
        Value record = Value::record(loc(*mode));
        Value port = number(path(level, {"port", "number"}), loc(*mode));
        const std::string port_text =
            port.is_null() ? std::string()
                           : ", port " + std::to_string(static_cast<long>(port.number));
        record.set("port", std::move(port));
        record.set("subset", Value::of_string(subset, loc(*mode)));
        record.set("mode", Value::of_string(mode->text, loc(*mode)));
        record.set("target", Value::of_string(target + port_text, loc(*mode)));
        tls.push(std::move(record));
      }
    };
    if (spec != nullptr) {
      add_tls(spec->get("trafficPolicy"), "");
      if (const Node* subsets = spec->get("subsets"); subsets != nullptr && subsets->is_array()) {
        for (const auto& subset : subsets->items) {
          if (!subset.is_object()) continue;
          const Node* name = subset.get("name");
          add_tls(subset.get("trafficPolicy"),
                  name != nullptr && name->is_scalar() ? name->text : std::string());
        }
      }
    }
    attrs.set("tls", std::move(tls));
  }

  void read_authorization_policy(const Object& obj) {
    model::Entity& policy = add(model::EntityKind::kPolicy, obj);
    Value& attrs = policy.attrs;
    const core::SourceLoc at = obj.meta.name_loc;
    const Node* spec = obj.node->get("spec");
    if (spec != nullptr && !spec->is_object()) spec = nullptr;
    const Node* sel = spec != nullptr ? spec->get("selector") : nullptr;
    const bool has_selector = sel != nullptr && sel->is_object() && !sel->members.empty();
    attrs.set("selector", has_selector ? selector(*sel, false) : Value::null(at));
    attrs.set("scope", Value::of_string(has_selector                        ? "workload"
                                        : obj.meta.ns == kMeshRootNamespace ? "mesh"
                                                                            : "namespace",
                                        at));
    attrs.set("action", text_or(spec != nullptr ? spec->get("action") : nullptr, "ALLOW", at));
    // A rule with no `from`, `to` or `when` matches every request; `from` with a source of
    // principals ["*"] or no constraint matches any caller.
    Value rules = Value::list(at);
    if (const Node* list = spec != nullptr ? spec->get("rules") : nullptr;
        list != nullptr && list->is_array()) {
      for (const auto& rule : list->items) {
        Value record = Value::record(loc(rule));
        const bool any_source = !rule.is_object() || rule.get("from") == nullptr;
        record.set("any_peer", Value::of_bool(any_source, loc(rule)));
        record.set("cidrs", Value::list(loc(rule)));
        record.set("ports", Value::list(loc(rule)));
        rules.push(std::move(record));
      }
    }
    attrs.set("ingress_rules", std::move(rules));
  }

  void read_namespace(const Object& obj) {
    model::Entity& ns = add(model::EntityKind::kPolicy, obj);
    Value& attrs = ns.attrs;
    const core::SourceLoc at = obj.meta.name_loc;
    // A Namespace's own namespace is itself: policies in it are matched by this name.
    attrs.set("namespace", Value::of_string(obj.meta.name, at));
    attrs.set("labels", entries(obj.meta.labels, at));
    attrs.set("annotations", entries(obj.meta.annotations, at));
    Value inbound = Value::null(at);
    if (const Node* policy =
            entry_value(obj.meta.annotations, "config.linkerd.io/default-inbound-policy")) {
      inbound = Value::of_string(policy->text, loc(*policy));
    }
    attrs.set("inbound_policy", std::move(inbound));
  }

  const syntax::Document& document_;
  model::Graph& graph_;
};

}  // namespace

ImageRef parse_image_ref(std::string_view image) {
  ImageRef ref;
  std::string_view rest = image;
  if (const size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
  }
  // A colon after the last slash separates the tag; one before it is a registry port.
  const size_t slash = rest.rfind('/');
  const size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  ref.name = std::string(rest);
  return ref;
}

bool has_template_syntax(std::string_view text) {
  return text.find("{{") != std::string_view::npos || text.find("{%") != std::string_view::npos;
}

Claim K8sManifestParser::claims(std::string_view path, std::string_view text) const {
  const std::string lowered = lower(path);
  const bool templated = has_template_syntax(text);
  if (ends_with(lowered, ".yaml") || ends_with(lowered, ".yml")) {
    if (has_line_start_key(text, "apiVersion:") && has_line_start_key(text, "kind:")) {
      return {true, Syntax::kYaml, true, templated};
    }
    // A chart template whose header is itself templated still belongs to Kubernetes.
    if (templated && in_templates_dir(lowered)) return {true, Syntax::kYaml, false, true};
    return {};
  }
  if (ends_with(lowered, ".tpl") && in_templates_dir(lowered)) {
    return {true, Syntax::kYaml, false, templated};
  }
  if (ends_with(lowered, ".json") && has_json_key(text, "apiVersion") &&
      has_json_key(text, "kind")) {
    return {true, Syntax::kJson, false, false};
  }
  return {};
}

bool K8sManifestParser::parse(const syntax::Document& document, model::Graph& graph,
                              core::DiagnosticSink& /*sink*/) const {
  ManifestReader reader(document, graph);
  bool any = false;
  for (const auto& root : document.roots) any = reader.read(root, 0) || any;
  return any;
}

}  // namespace fermata::parsers
