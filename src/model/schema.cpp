#include "model/schema.hpp"

#include <array>
#include <iterator>

namespace fermata::model {
namespace {

TypePtr make(TypeKind kind) {
  auto type = std::make_shared<Type>();
  type->kind = kind;
  return type;
}

class RecordBuilder {
 public:
  RecordBuilder& add(std::string name, TypePtr type, std::string doc) {
    record_->fields.push_back(TypeField{std::move(name), std::move(type), std::move(doc)});
    return *this;
  }
  [[nodiscard]] TypePtr build() const { return record_; }

 private:
  std::shared_ptr<Type> record_ = std::make_shared<Type>(Type{TypeKind::kRecord, {}, {}, {}});
};

TypePtr entry_type() {
  return RecordBuilder()
      .add("key", string_type(), "the name (environment variable, header)")
      .add("value", string_type(), "the value as written")
      .build();
}

TypePtr literal_type() {
  return RecordBuilder()
      .add("source", string_type(),
           "where the literal sits: env | header | arg | url | command | setting | other")
      .add("key", string_type(), "its name; for an argument, the option before it (--token)")
      .add("value", string_type(), "the literal as written")
      .add("secret_kind", string_type(),
           "the credential format it matches (\"GitHub personal access token\", "
           "\"high-entropy token\"), or \"\" when it is no secret")
      .build();
}

TypePtr endpoint_type() {
  return RecordBuilder()
      .add("url", string_type(), "the URL as written")
      .add("scheme", string_type(), "lower-case scheme: http | https | ws | wss | unix | pipe")
      .add("host", string_type(), "lower-case host without brackets")
      .add("port", number_type(), "explicit port, or null")
      .add("path", string_type(), "path component")
      .add("loopback", bool_type(),
           "host is localhost, 127.0.0.0/8, ::1 or 0.0.0.0 (never leaves the machine)")
      .add("has_variables", bool_type(), "the URL holds ${...} references")
      .add("has_userinfo", bool_type(), "the URL carries user:password@")
      .add("query_keys", list_of(string_type()), "names of the query parameters")
      .build();
}

TypePtr launch_type() {
  return RecordBuilder()
      .add("launcher", string_type(),
           "npx | bunx | pnpm-dlx | yarn-dlx | uvx | pipx | uv-run | docker | podman | node | "
           "python | deno | bun | shell | binary | container (an image a cluster runs) | \"\"")
      .add("package", string_type(), "package (or image) launched, without version")
      .add("version", string_type(), "version as written, \"\" when none")
      .add("pinned", bool_type(), "exact version, or image digest")
      .add("image", string_type(), "container image without tag or digest")
      .add("image_tag", string_type(), "container image tag")
      .add("image_digest", string_type(), "container image digest")
      .add("package_args", list_of(string_type()), "the launched server's own arguments")
      .add("mounts", list_of(string_type()), "host paths mounted into a container")
      .add("host_paths", list_of(string_type()),
           "host paths the server is handed: the host side of its container mounts, or else "
           "its own arguments")
      .add("inline_shell", bool_type(), "code written into the config (sh -c, python -c, ...)")
      .add("shell_code", string_type(), "that code")
      .add("pipe_to_shell", bool_type(), "a download piped into an interpreter")
      .add("bridge_url", string_type(), "remote URL reached through a bridge (mcp-remote)")
      .build();
}

TypePtr auth_type() {
  return RecordBuilder()
      .add("configured", bool_type(), "any authentication is configured")
      .add("methods", list_of(string_type()),
           "header:<name> | oauth | bearer-env | headers-helper | provider:<type> | url-credential")
      .build();
}

// ---- Kubernetes, IAM and mesh entities -------------------------------------------------

TypePtr entries_type() {
  return list_of(RecordBuilder()
                     .add("key", string_type(), "the key (label, annotation)")
                     .add("value", string_type(), "the value as written")
                     .build());
}

TypePtr selector_type() {
  return RecordBuilder()
      .add("labels", entries_type(), "matchLabels (a Service's selector map)")
      .add("expressions",
           list_of(RecordBuilder()
                       .add("key", string_type(), "label key")
                       .add("operator", string_type(), "In | NotIn | Exists | DoesNotExist")
                       .add("values", list_of(string_type()), "values")
                       .build()),
           "matchExpressions")
      .build();
}

TypePtr resources_type() {
  return RecordBuilder()
      .add("cpu", string_type(), "CPU quantity as written; null when not set")
      .add("memory", string_type(), "memory quantity as written; null when not set")
      .build();
}

TypePtr container_type() {
  return RecordBuilder()
      .add("name", string_type(), "container name")
      .add("init", bool_type(), "an init container")
      .add("image", string_type(), "image reference as written")
      .add("image_name", string_type(), "registry and repository, without tag or digest")
      .add("image_tag", string_type(), "tag, \"\" when none is written")
      .add("image_digest", string_type(), "digest (sha256:...), \"\" when none is written")
      .add("privileged", bool_type(), "securityContext.privileged (false when not set)")
      .add("allow_privilege_escalation", bool_type(),
           "securityContext.allowPrivilegeEscalation; null when not set")
      .add("escalation_setting", string_type(),
           "that setting in words: true | false | not set, which allows it")
      .add("run_as_non_root", bool_type(),
           "runAsNonRoot of the container, else of the pod; null when neither sets it")
      .add("run_as_user", number_type(),
           "runAsUser of the container, else of the pod; null when neither sets it")
      .add("root_reason", string_type(),
           "why it may run as root (runAsUser 0, runAsNonRoot false, neither set); \"\" when it "
           "does not")
      .add("read_only_root_fs", bool_type(),
           "securityContext.readOnlyRootFilesystem; null when not set")
      .add("capabilities_add", list_of(string_type()), "capabilities.add")
      .add("capabilities_drop", list_of(string_type()), "capabilities.drop")
      .add("seccomp", string_type(),
           "seccomp profile type of the container, else of the pod, else of the legacy "
           "annotations (RuntimeDefault | Localhost | Unconfined); \"\" when none is set")
      .add("limits", resources_type(), "resources.limits")
      .add("requests", resources_type(), "resources.requests")
      .add("host_ports", list_of(number_type()), "hostPort of each port that sets one")
      .build();
}

TypePtr env_type() {
  return RecordBuilder()
      .add("container", string_type(), "the container that sets it")
      .add("key", string_type(), "variable name")
      .add("value", string_type(), "literal value as written; null when taken from a reference")
      .add("source", string_type(), "literal | secret | configmap | field | resource")
      .add("secret_name", string_type(), "the Secret a secretKeyRef reads, \"\" otherwise")
      .add("secret_kind", string_type(),
           "the credential format a literal value matches, or \"\" when it is no secret")
      .build();
}

TypePtr mtls_type() {
  return RecordBuilder()
      .add("port", number_type(), "the port a port-level setting covers; null for the workload")
      .add("mode", string_type(), "effective mode: STRICT | PERMISSIVE | DISABLE")
      .add("scope", string_type(),
           "where the mode comes from: workload | namespace | mesh | default (Istio's own "
           "PERMISSIVE when no policy decides)")
      .add("policy", string_type(), "the PeerAuthentication that decides it, \"\" for default")
      .add("decided_by", string_type(), "what decides it, in words")
      .build();
}

TypePtr traffic_rule_type() {
  return RecordBuilder()
      .add("any_peer", bool_type(),
           "the rule admits any peer: no from/to, or an ipBlock of 0.0.0.0/0 or ::/0")
      .add("cidrs", list_of(string_type()), "ipBlock CIDRs")
      .add("ports", list_of(string_type()), "ports the rule is limited to (empty: all)")
      .build();
}

TypePtr subject_type() {
  return RecordBuilder()
      .add("kind", string_type(), "ServiceAccount | User | Group")
      .add("name", string_type(), "subject name")
      .add("namespace", string_type(), "a ServiceAccount's namespace")
      .build();
}

void add_workload_schema(RecordBuilder& record) {
  record
      .add("kind", string_type(),
           "Pod | Deployment | StatefulSet | DaemonSet | ReplicaSet | ReplicationController | Job "
           "| CronJob, or another kind with a pod template")
      .add("namespace", string_type(), "metadata.namespace; \"\" when not set")
      .add("labels", entries_type(), "pod template labels (what selectors match)")
      .add("annotations", entries_type(), "pod template annotations")
      .add("service_account", string_type(), "serviceAccountName; \"default\" when not set")
      .add("automount_token", bool_type(),
           "automountServiceAccountToken of the pod spec; null when not set")
      .add("token_mounted", bool_type(),
           "the API token is mounted: the pod's setting, else its ServiceAccount's, else true")
      .add("identity", ref_to(EntityKind::kIdentity), "the ServiceAccount it runs as")
      .add("host_network", bool_type(), "hostNetwork")
      .add("host_pid", bool_type(), "hostPID")
      .add("host_ipc", bool_type(), "hostIPC")
      .add("host_namespaces", list_of(string_type()),
           "hostNetwork | hostPID | hostIPC: those set true, each at its line")
      .add(
          "volumes",
          list_of(RecordBuilder()
                      .add("name", string_type(), "volume name")
                      .add("host_path", string_type(), "hostPath.path, \"\" for other volume types")
                      .build()),
          "pod volumes")
      .add("containers", list_of(container_type()), "init, regular and ephemeral containers")
      .add("env", list_of(env_type()), "environment variables of every container")
      .add("inbound_policy", string_type(),
           "Linkerd default inbound policy: the pod's config.linkerd.io/default-inbound-policy, "
           "else its Namespace's; null when neither sets it")
      .add("network_policies", list_of(ref_to(EntityKind::kPolicy)),
           "NetworkPolicies that select it")
      .add("egress",
           RecordBuilder()
               .add("isolated", bool_type(), "a selecting NetworkPolicy restricts egress")
               .add("open", bool_type(), "it may send traffic to any address")
               .add("reason", string_type(), "why egress is open")
               .build(),
           "egress as its NetworkPolicies leave it")
      .add("mtls", list_of(mtls_type()),
           "Istio mutual TLS it accepts: the workload-wide mode first, then each port-level "
           "exception; empty when the repository declares no PeerAuthentication")
      .add("endpoints", list_of(ref_to(EntityKind::kEndpoint)), "Services that select it");
}

void add_identity_schema(RecordBuilder& record) {
  record
      .add("kind", string_type(),
           "ServiceAccount | AWS::IAM::Role | AWS::IAM::User | "
           "AWS::IAM::Group | aws_iam_role | aws_iam_user | aws_iam_group")
      .add("source", string_type(), "aws-iam for AWS principals; null for Kubernetes")
      .add("namespace", string_type(), "metadata.namespace; \"\" when not set")
      .add("declared", bool_type(),
           "declared in the repository (false: only referenced by a workload or binding)")
      .add("automount_token", bool_type(),
           "automountServiceAccountToken of the ServiceAccount; null when not set")
      .add("annotations", entries_type(), "metadata.annotations")
      .add("cloud_identity",
           RecordBuilder()
               .add("provider", string_type(), "aws | gcp | azure")
               .add("id", string_type(),
                    "the IAM role ARN (EKS IRSA), Google service account (GKE) or client id "
                    "(Azure workload identity)")
               .build(),
           "the cloud identity its workload-identity annotation maps it to; null when none")
      .add("cloud_role", ref_to(EntityKind::kIdentity),
           "the AWS role of this repository its IRSA annotation names; null when none")
      .add("grants", list_of(ref_to(EntityKind::kGrant)), "RBAC rules bound to it")
      .add("roles", list_of(string_type()), "names of the roles bound to it")
      .add("workloads", list_of(ref_to(EntityKind::kWorkload)), "workloads that run as it")
      .add("acting_for", list_of(string_type()),
           "derived: the MCP servers (and ServiceAccounts, for a cloud role) that act as it, "
           "each at the line that makes it so")
      .add("managed_policies", list_of(string_type()),
           "an AWS principal's managed policy ARNs (ManagedPolicyArns, policy attachments)")
      .add("policies", list_of(ref_to(EntityKind::kGrant)),
           "the AWS policies of the same template or plan attached to it")
      .add("trust_policy", ref_to(EntityKind::kGrant), "an AWS role's trust policy")
      .add("admin_policies",
           list_of(RecordBuilder()
                       .add("arn", string_type(), "the managed policy ARN")
                       .add("why", string_type(), "why the catalog counts it as admin")
                       .build()),
           "its managed policies that rules/catalog/iam-privilege.yaml counts as "
           "admin-equivalent");
}

TypePtr statement_type() {
  return RecordBuilder()
      .add("sid", string_type(), "Sid, \"\" when none")
      .add("effect", string_type(), "Allow | Deny")
      .add("actions", list_of(string_type()), "Action, each pattern at its line")
      .add("not_actions", list_of(string_type()), "NotAction")
      .add("resources", list_of(string_type()), "Resource")
      .add("not_resources", list_of(string_type()), "NotResource")
      .add("principals", list_of(string_type()),
           "Principal: \"*\", or \"AWS:<arn or account>\", \"Service:<service>\", "
           "\"Federated:<provider>\", \"CanonicalUser:<id>\"")
      .add("not_principals", list_of(string_type()), "NotPrincipal, written as principals")
      .add("conditions", list_of(string_type()), "Condition keys as \"<operator>:<key>\"")
      .add("has_condition", bool_type(), "the statement has a Condition")
      .add("admin", bool_type(), R"(an unconditioned Allow of Action "*" on Resource "*")")
      .add("wildcard_actions", list_of(string_type()),
           R"(actions that are "*" or a whole service ("iam:*"))")
      .add("open_to", string_type(),
           "whom an unconditioned Allow admits beyond any control: \"any AWS principal\" "
           "(Principal \"*\"), \"any identity of <provider>\" (web identity federation "
           "without a subject condition); \"\" otherwise")
      .add("external_accounts", list_of(string_type()),
           "AWS account ids written literally in AWS principals (a template's own account, "
           "${AWS::AccountId}, is not one)")
      .build();
}

void add_grant_schema(RecordBuilder& record) {
  record.add("source", string_type(), "kubernetes | aws-iam | gcp-iam | azure-rbac")
      .add("role", string_type(),
           "the Role or ClusterRole that holds the rule; the Google role a binding grants; the "
           "Azure role's name")
      .add("role_kind", string_type(), "Role | ClusterRole")
      .add("namespace", string_type(), "the Role's namespace; \"\" when not set")
      .add("rule_index", number_type(), "1-based position of the rule in the role")
      .add("verbs", list_of(string_type()), "verbs")
      .add("resources", list_of(string_type()), "resources (with subresources: pods/exec)")
      .add("api_groups", list_of(string_type()), "apiGroups (\"\" is the core group)")
      .add("resource_names", list_of(string_type()), "resourceNames (empty: every object)")
      .add("non_resource_urls", list_of(string_type()), "nonResourceURLs")
      .add("wildcards", list_of(string_type()),
           "the fields that hold \"*\" (apiGroups | resources | verbs | nonResourceURLs), each "
           "located at its \"*\"")
      .add("role_labels", entries_type(), "labels of the role (read by aggregation)")
      .add("aggregation", list_of(selector_type()),
           "clusterRoleSelectors of an aggregated ClusterRole (whose rules are the matched "
           "roles')")
      .add("bound", bool_type(), "a RoleBinding or ClusterRoleBinding in the repository binds it")
      .add("cluster_wide", bool_type(),
           "a ClusterRole rule not confined to a namespace: bound by a ClusterRoleBinding, or "
           "not bound in the repository at all")
      .add("subjects", list_of(subject_type()), "who holds it, through every binding")
      .add("identities", list_of(ref_to(EntityKind::kIdentity)), "ServiceAccounts that hold it")
      .add("bindings", list_of(ref_to(EntityKind::kPolicy)), "the bindings that grant it")
      .add("bound_to", string_type(),
           "the subjects in words (\"bound to ServiceAccount agents/tickets\"), or \"not bound "
           "in this repository\"")
      // AWS policy documents.
      .add("policy_type", string_type(),
           "an AWS policy's kind: identity | resource | trust (a role's AssumeRolePolicyDocument)")
      .add("carrier", string_type(),
           "what holds the policy: policy file, a CloudFormation type (AWS::IAM::Role), a "
           "Terraform type (aws_iam_policy), gcp policy, azure role")
      .add("attached_to", list_of(string_type()),
           "names of the AWS roles, users and groups the policy applies to")
      .add("statements", list_of(statement_type()), "an AWS policy's statements")
      .add("escalations",
           list_of(RecordBuilder()
                       .add("id", string_type(), "the catalog's id for the escalation path")
                       .add("name", string_type(), "what the holder can do")
                       .add("actions", list_of(string_type()), "the actions that make it")
                       .build()),
           "privilege-escalation action sets of rules/catalog/iam-privilege.yaml that the "
           "policy allows without a condition, on a wildcard resource, with no Deny; located "
           "at the statement that grants the first action")
      // Google Cloud bindings.
      .add("members", list_of(string_type()), "a Google binding's members")
      .add("public_members", list_of(string_type()),
           "allUsers and allAuthenticatedUsers among the members")
      .add("condition", string_type(), "a Google binding's condition expression, \"\" for none")
      .add("admin_equivalent", bool_type(),
           "the Google role is admin-equivalent in rules/catalog/iam-privilege.yaml")
      .add("admin_reason", string_type(), "why the catalog says so")
      // Azure role definitions.
      .add("actions", list_of(string_type()), "an Azure role's Actions")
      .add("not_actions", list_of(string_type()), "NotActions")
      .add("data_actions", list_of(string_type()), "DataActions")
      .add("not_data_actions", list_of(string_type()), "NotDataActions")
      .add("assignable_scopes", list_of(string_type()), "AssignableScopes");
}

TypePtr permissions_type() {
  return RecordBuilder()
      .add("default_mode", string_type(),
           "Claude Code permissions.defaultMode as written (default | acceptEdits | plan | "
           "bypassPermissions | dontAsk), \"\" when not set")
      .add("allow", list_of(string_type()), "rules that run without asking (Bash(npm test:*))")
      .add("ask", list_of(string_type()), "rules that always ask")
      .add("deny", list_of(string_type()), "rules that are refused")
      .add("additional_directories", list_of(string_type()),
           "directories outside the project the agent may use")
      .build();
}

TypePtr agent_tool_type() {
  return RecordBuilder()
      .add("name", string_type(), "the tool as written (a name, a toolset type, a class path)")
      .add("kind", string_type(),
           "mcp | shell | filesystem | fetch | code | agent | builtin | function | other")
      .add("server", string_type(), "the MCP server or toolset that provides it, \"\" if none")
      .add("require_approval", bool_type(), "a human approves each call (kagent requireApproval)")
      .add("capabilities", list_of(string_type()),
           "what the tool can do, from the capability catalog by name or else from its kind "
           "(shell, code: code_execution; filesystem: private_data, writes_files; fetch: "
           "untrusted_input, sends_out); empty for an MCP tool, whose server carries them "
           "(docs/capability-catalog.md)")
      .build();
}

TypePtr hook_type() {
  return RecordBuilder()
      .add("event", string_type(), "the event that fires it (PreToolUse, SessionStart, ...)")
      .add("type", string_type(), "command | http | prompt | agent")
      .add("command", string_type(), "the command line (or URL) it runs")
      .add("fetches_network", bool_type(),
           "the command downloads something (curl, wget, npx of a package, a URL) and runs it")
      .build();
}

TypePtr model_type() {
  return RecordBuilder()
      .add("name", string_type(), "the model alias or deployment name")
      .add("provider", string_type(), "openai | anthropic | azure | bedrock | vertex_ai | ...")
      .add("model", string_type(), "the provider's model id")
      .add("base_url", string_type(), "api_base / baseUrl as written, \"\" for the vendor's")
      .add("api_key", string_type(),
           "the key as written: a literal, os.environ/NAME, ${NAME}, or \"\"")
      .add("rpm", number_type(), "requests per minute limit, or null")
      .add("tpm", number_type(), "tokens per minute limit, or null")
      .add("max_budget", number_type(), "spending cap of this deployment, or null")
      .build();
}

TypePtr spending_limits_type() {
  return RecordBuilder()
      .add("max_budget", number_type(), "spending cap in the gateway's currency (USD), or null")
      .add("budget_duration", string_type(), "reset period (30d, 1h), \"\" when it never resets")
      .add("rpm_limit", number_type(), "requests per minute, or null")
      .add("tpm_limit", number_type(), "tokens per minute, or null")
      .build();
}

TypePtr registry_type() {
  return RecordBuilder()
      .add("name", string_type(), "server name in the registry (io.github.owner/name)")
      .add("version", string_type(), "the server's own version")
      .add("registry_type", string_type(), "npm | pypi | oci | nuget | mcpb | remote")
      .add("identifier", string_type(), "package name, image or download URL")
      .add("package_version", string_type(), "version of the package, \"\" when none")
      .add("pinned", bool_type(), "an exact version (or digest, or file hash for mcpb)")
      .add("file_sha256", string_type(), "fileSha256 of an mcpb package")
      .add("repository", string_type(), "source repository URL, \"\" when absent")
      .build();
}

TypePtr reach_type() {
  return RecordBuilder()
      .add("capability", string_type(),
           "untrusted_input | private_data | writes_files | code_execution | sends_out | "
           "modifies_infrastructure | spends_money")
      .add("via", string_type(), "what gives it, in words (MCP server 'github', tool 'shell')")
      .add("steps", list_of(string_type()), "the chain that gives it, each step at its line")
      .build();
}

TypePtr power_type() {
  return RecordBuilder()
      .add("power", string_type(),
           "cluster-admin | read-secrets | exec-pods | create-workloads | rbac-escalation | "
           "cloud-admin | cloud-escalation")
      .add("identity", string_type(), "the identity that holds it")
      .add("via", string_type(), "the MCP server or delegate the agent reaches it through")
      .add("grant", string_type(), "the grant that gives it, at its line (the line to change)")
      .add("steps", list_of(string_type()), "the chain from the agent to the grant")
      .build();
}

TypePtr flow_type() {
  return RecordBuilder()
      .add("source", string_type(), "where untrusted content comes in, in words")
      .add("target", string_type(), "the private data or privilege it can reach, in words")
      .add("sink", string_type(), "where it can send data or act, in words")
      .add("steps", list_of(string_type()), "every leg of the flow, each step at its line")
      .build();
}

void add_agent_schema(RecordBuilder& record) {
  record.add("kind", string_type(), "coding-assistant | agent")
      .add("client", string_type(),
           "the product or framework (Claude Code, OpenAI Codex, Gemini CLI, Cursor, CrewAI, "
           "kagent, Docker cagent, Google ADK, A2A, ...)")
      .add("config_format", string_type(), "the format it was read from")
      .add("profile", string_type(), "the configuration profile it stands for, \"\" for the base")
      .add("description", string_type(), "role, goal, instruction or description as written")
      .add("servers", list_of(ref_to(EntityKind::kMcpServer)), "MCP servers it uses")
      .add("server_names", list_of(string_type()),
           "MCP servers it names, resolved or not (kagent toolServer references, ...)")
      .add("tools", list_of(agent_tool_type()), "tools it can call")
      .add("delegate_names", list_of(string_type()),
           "agents it can hand work to, as written (sub-agents, agents as tools, crew members)")
      .add("delegates", list_of(ref_to(EntityKind::kAgent)), "those agents, where resolved")
      .add("models", list_of(model_type()), "models it calls")
      .add("approval", string_type(),
           "when it asks a human before acting: never | on-failure | on-request | untrusted | "
           "always, \"\" when the product's default applies")
      .add("approval_setting", string_type(),
           "the setting that decides it, as written (approval_policy = \"never\", "
           "defaultMode: bypassPermissions)")
      .add("sandbox", string_type(),
           "what confines its actions: none | read-only | workspace-write | full-access | "
           "container, \"\" when not configured")
      .add("network_access", bool_type(), "sandboxed commands may reach the network; null if unset")
      .add("writable_roots", list_of(string_type()), "extra writable directories of the sandbox")
      .add("permissions", permissions_type(), "permission rules (Claude Code, Gemini CLI)")
      .add("unrestricted_shell", bool_type(),
           "a shell tool that runs any command is pre-approved (Bash, Bash(*), "
           "run_shell_command, shell toolset without a command allow-list)")
      .add("code_execution", string_type(),
           "runs code it writes: none | safe (in a container) | unsafe (on the host)")
      .add("max_iterations", number_type(),
           "bound on reasoning or tool-call iterations; null if none")
      .add("max_execution_seconds", number_type(), "bound on one run's time; null if none")
      .add("max_rpm", number_type(), "bound on model requests per minute; null if none")
      .add("allow_delegation", bool_type(), "may hand work to other agents; null when not set")
      .add("enable_all_project_servers", bool_type(),
           "Claude Code enableAllProjectMcpServers: every project MCP server starts unasked")
      .add("enabled_servers", list_of(string_type()), "project MCP servers approved in advance")
      .add("hooks", list_of(hook_type()), "commands the product runs on events")
      .add("env", list_of(entry_type()), "environment it sets")
      .add("url", string_type(), "where it is served (A2A card url), as written")
      .add("endpoint", endpoint_type(), "that URL, parsed")
      .add("auth", auth_type(),
           "authentication its endpoint requires (A2A securitySchemes and security)")
      .add("security_schemes", list_of(string_type()),
           "A2A security scheme types: apiKey | http:<scheme> | oauth2 | openIdConnect | mutualTLS")
      .add("skills", list_of(string_type()), "A2A skills it advertises")
      .add("literals", list_of(literal_type()),
           "every literal string that may hold a credential (env, keys, headers), classified")
      .add("autonomy", string_type(),
           "derived: limited | semi-autonomous | fully-autonomous (docs/autonomy.md)")
      .add("autonomy_reasons", list_of(string_type()),
           "derived: the facts that decided its autonomy, each at its line")
      .add("unattended", bool_type(),
           "derived: it acts without a human approving (approval never, or fully autonomous)")
      .add("reach", list_of(reach_type()),
           "derived: every capability it has through its servers, tools, identities and "
           "delegates, with the chain")
      .add("powers", list_of(power_type()),
           "derived: Kubernetes and cloud permissions it can exercise through the workloads "
           "behind its servers (and its delegates')")
      .add("toxic_flows", list_of(flow_type()),
           "derived: untrusted input that can reach private data or a privileged identity and "
           "a way out (send data, change infrastructure)")
      .add("code_flows", list_of(flow_type()),
           "derived: untrusted input that can reach code execution")
      .add("spending",
           RecordBuilder()
               .add("can_spend", bool_type(), "it can spend money or metered credit")
               .add("kind", string_type(),
                    "money (payments, cloud provisioning) | llm (a model called with an API "
                    "key, billed per token) | \"\"")
               .add("via", string_type(), "what lets it spend, at its line")
               .add("steps", list_of(string_type()), "the chain")
               .add("capped", bool_type(),
                    "a budget enforced by configuration in the repository applies")
               .add("caps", list_of(string_type()), "those budgets, at their lines")
               .build(),
           "derived: its spending power and the caps enforced on it")
      .add("declared",
           RecordBuilder()
               .add("autonomy", string_type(), "the declared autonomy ceiling")
               .add("tools", list_of(string_type()), "the tools and servers allowed")
               .add("data_scopes", list_of(string_type()), "the data it may read")
               .add("spending_cap",
                    RecordBuilder()
                        .add("amount", number_type(), "amount")
                        .add("currency", string_type(), "ISO 4217 currency")
                        .add("period", string_type(), "hour | day | week | month")
                        .build(),
                    "the declared cap; null when none")
               .build(),
           "what .fermata.yaml declares for it (agents:); null when nothing is declared")
      .add("undeclared_tools", list_of(string_type()),
           "derived: servers and tools it uses that its declaration does not allow")
      .add("inherited", list_of(string_type()),
           "for a configuration profile (Codex [profiles.NAME]), the attributes it takes "
           "unchanged from the base configuration (approval, sandbox, network_access, "
           "writable_roots, models), so rules can report a base setting once");
}

void add_task_schema(RecordBuilder& record) {
  record.add("client", string_type(), "the framework (CrewAI)")
      .add("config_format", string_type(), "the format it was read from")
      .add("description", string_type(), "what the task asks, as written")
      .add("agent_name", string_type(), "the agent assigned to it, as written")
      .add("agent", ref_to(EntityKind::kAgent),
           "derived: that agent, when defined beside it (same directory)")
      .add("human_input", bool_type(), "a human reviews the result; null when not set")
      .add("tools", list_of(string_type()), "tools the task adds")
      .add("context", list_of(string_type()), "tasks whose output it reads")
      .add("async_execution", bool_type(), "runs without waiting; null when not set");
}

void add_gateway_schema(RecordBuilder& record) {
  record.add("product", string_type(), "LiteLLM | ...")
      .add("config_format", string_type(), "the format it was read from")
      .add("models", list_of(model_type()), "model deployments it routes to")
      .add("master_key", string_type(), "the admin key as written (literal or os.environ/NAME)")
      .add("database_url", string_type(), "where keys and spend are stored, as written")
      .add("limits", spending_limits_type(),
           "gateway-wide caps (litellm_settings max_budget, budget_duration)")
      .add("key_limits", spending_limits_type(),
           "upper bounds on the keys anyone can generate (upperbound_key_generate_params)")
      .add("default_key_limits", spending_limits_type(),
           "defaults for new keys (default_key_generate_params)")
      .add("team_limits", list_of(spending_limits_type()), "per-team caps configured in the file")
      .add("max_parallel_requests", number_type(), "concurrency cap; null when not set")
      .add("literals", list_of(literal_type()),
           "every literal string that may hold a credential (keys, URLs), classified");
}

void add_endpoint_schema(RecordBuilder& record) {
  record.add("kind", string_type(), "Service | Ingress")
      .add("namespace", string_type(), "metadata.namespace; \"\" when not set")
      .add("type", string_type(), "ClusterIP | NodePort | LoadBalancer | ExternalName | Ingress")
      .add("external", bool_type(),
           "reachable from outside the cluster (LoadBalancer, NodePort, "
           "Ingress)")
      .add("selector", selector_type(), "a Service's pod selector; null when it has none")
      .add("ports",
           list_of(RecordBuilder()
                       .add("port", number_type(), "service port")
                       .add("target_port", string_type(), "target port or its name")
                       .add("name", string_type(), "port name")
                       .build()),
           "a Service's ports")
      .add("hosts", list_of(string_type()), "an Ingress's hosts")
      .add("tls", bool_type(), "an Ingress terminates TLS")
      .add("services", list_of(string_type()), "Services an Ingress routes to")
      .add("workloads", list_of(ref_to(EntityKind::kWorkload)), "workloads a Service selects");
}

void add_policy_schema(RecordBuilder& record) {
  record
      .add("kind", string_type(),
           "RoleBinding | ClusterRoleBinding | NetworkPolicy | PeerAuthentication | "
           "DestinationRule | AuthorizationPolicy | Namespace")
      .add("namespace", string_type(), "metadata.namespace (a Namespace's own name)")
      .add("selector", selector_type(),
           "the pods it applies to (podSelector, Istio selector); null when it has none")
      .add("selects", list_of(ref_to(EntityKind::kWorkload)), "workloads it applies to")
      .add("role_ref", string_type(), "a binding's roleRef.name")
      .add("role_ref_kind", string_type(), "a binding's roleRef.kind")
      .add("subjects", list_of(subject_type()), "a binding's subjects")
      .add("subject_names", list_of(string_type()),
           R"(a binding's subjects in words: "ServiceAccount agents/planner", "Group oncall")")
      .add("grants", list_of(ref_to(EntityKind::kGrant)), "RBAC rules a binding grants")
      .add("policy_types", list_of(string_type()),
           "a NetworkPolicy's policyTypes, defaulted as the API server does")
      .add("ingress_rules", list_of(traffic_rule_type()),
           "a NetworkPolicy's ingress rules (an AuthorizationPolicy's rules)")
      .add("egress_rules", list_of(traffic_rule_type()), "a NetworkPolicy's egress rules")
      .add("scope", string_type(),
           "an Istio policy's reach: mesh (root namespace, no selector) | namespace | workload")
      .add("mtls_mode", string_type(),
           "a PeerAuthentication's mtls.mode: STRICT | PERMISSIVE | DISABLE | UNSET")
      .add("port_modes",
           list_of(RecordBuilder()
                       .add("port", number_type(), "port number")
                       .add("mode", string_type(), "mode for that port")
                       .build()),
           "a PeerAuthentication's portLevelMtls")
      .add("host", string_type(), "a DestinationRule's host")
      .add("tls",
           list_of(RecordBuilder()
                       .add("port", number_type(), "port of a port-level setting, or null")
                       .add("subset", string_type(), "subset name, \"\" for the host")
                       .add("mode", string_type(), "DISABLE | SIMPLE | MUTUAL | ISTIO_MUTUAL")
                       .add("target", string_type(),
                            "the host, with the subset and port the setting covers")
                       .build()),
           "a DestinationRule's TLS settings, host-wide, per subset and per port")
      .add("action", string_type(), "an AuthorizationPolicy's action (ALLOW when not set)")
      .add("labels", entries_type(), "a Namespace's labels")
      .add("annotations", entries_type(), "a Namespace's annotations")
      .add("inbound_policy", string_type(),
           "a Namespace's Linkerd config.linkerd.io/default-inbound-policy");
}

TypePtr build_schema(EntityKind kind) {
  RecordBuilder record;
  record.add("name", string_type(), "the entity's name as written");
  switch (kind) {
    case EntityKind::kAgent: add_agent_schema(record); break;
    case EntityKind::kMcpServer:
      record.add("client", ref_to(EntityKind::kAgent), "the agent whose config declares it")
          .add("config_format", string_type(),
               "claude-code | claude-desktop | cursor | vscode | windsurf | gemini | codex | "
               "kagent | mcp-registry | generic")
          .add("transport", string_type(), "stdio | http | sse | streamable-http | unknown")
          .add("remote", bool_type(), "reached over the network (transport is not stdio)")
          .add("disabled", bool_type(), "switched off in the config")
          .add("command", string_type(), "stdio command as written")
          .add("args", list_of(string_type()), "stdio arguments")
          .add("env", list_of(entry_type()), "environment variables")
          .add("headers", list_of(entry_type()), "HTTP headers")
          .add("cwd", string_type(), "working directory")
          .add("url", string_type(), "remote URL as written")
          .add("endpoint", endpoint_type(), "the remote URL, parsed (or the bridged URL)")
          .add("launch", launch_type(), "what the command line launches")
          .add("auth", auth_type(), "authentication configured for a remote server")
          .add("literals", list_of(literal_type()),
               "every literal string in env, headers, args and url, classified")
          .add("trust", bool_type(), "Gemini CLI trust: tool calls never ask for confirmation")
          .add("registry", registry_type(), "a registry server.json entry (package or remote)")
          .add("service", ref_to(EntityKind::kEndpoint),
               "linked: the Kubernetes Service its URL names (directly or through an Ingress)")
          .add("ingress", ref_to(EntityKind::kEndpoint), "linked: the Ingress its URL names")
          .add("workloads", list_of(ref_to(EntityKind::kWorkload)),
               "linked: the workloads that serve it")
          .add("enabled_tools", list_of(string_type()),
               "tools allowed, when the config limits them")
          .add("disabled_tools", list_of(string_type()), "tools switched off")
          .add("capabilities", list_of(string_type()),
               "what it can do: untrusted_input | private_data | writes_files | code_execution "
               "| sends_out | modifies_infrastructure | spends_money, each located at the fact "
               "that identified the server (docs/capability-catalog.md)")
          .add("catalog_entry", string_type(),
               "the capability catalog entry that matched (by package, image, host or name), "
               "\"\" when none did")
          .add("capability_source", string_type(),
               "catalog (from catalog_entry) | default (unknown server: untrusted_input and "
               "sends_out, plus code_execution for inline shell code)")
          .add("image", string_type(),
               "container image a cluster runs it from (kmcp or ToolHive MCPServer), as "
               "written; derive fills launch.image from it");
      break;
    case EntityKind::kWorkload: add_workload_schema(record); break;
    case EntityKind::kIdentity: add_identity_schema(record); break;
    case EntityKind::kGrant: add_grant_schema(record); break;
    case EntityKind::kEndpoint: add_endpoint_schema(record); break;
    case EntityKind::kPolicy: add_policy_schema(record); break;
    case EntityKind::kTask: add_task_schema(record); break;
    case EntityKind::kGateway: add_gateway_schema(record); break;
    case EntityKind::kTool: break;
  }
  return record.build();
}

}  // namespace

const TypeField* Type::field(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string to_string(const Type& type) {
  switch (type.kind) {
    case TypeKind::kAny: return "any";
    case TypeKind::kNull: return "null";
    case TypeKind::kBool: return "bool";
    case TypeKind::kNumber: return "number";
    case TypeKind::kString: return "string";
    case TypeKind::kList: return "list<" + to_string(*type.element) + ">";
    case TypeKind::kRecord: return "record";
    case TypeKind::kRef: return "ref<" + std::string(model::to_string(type.ref_kind)) + ">";
  }
  return "any";
}

TypePtr any_type() {
  static const TypePtr t = make(TypeKind::kAny);
  return t;
}
TypePtr null_type() {
  static const TypePtr t = make(TypeKind::kNull);
  return t;
}
TypePtr bool_type() {
  static const TypePtr t = make(TypeKind::kBool);
  return t;
}
TypePtr number_type() {
  static const TypePtr t = make(TypeKind::kNumber);
  return t;
}
TypePtr string_type() {
  static const TypePtr t = make(TypeKind::kString);
  return t;
}
TypePtr list_of(TypePtr element) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::kList;
  t->element = std::move(element);
  return t;
}
TypePtr ref_to(EntityKind kind) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::kRef;
  t->ref_kind = kind;
  return t;
}

const Type& entity_schema(EntityKind kind) {
  static const std::array<TypePtr, std::size(kAllEntityKinds)> kSchemas = [] {
    std::array<TypePtr, std::size(kAllEntityKinds)> schemas;
    for (auto k : kAllEntityKinds) schemas.at(static_cast<size_t>(k)) = build_schema(k);
    return schemas;
  }();
  return *kSchemas.at(static_cast<size_t>(kind));
}

std::string_view entity_doc(EntityKind kind) {
  switch (kind) {
    case EntityKind::kAgent:
      return "An agent, including a coding assistant configured by a repository.";
    case EntityKind::kMcpServer: return "An MCP server an agent is configured to use.";
    case EntityKind::kTool: return "A tool an agent can call.";
    case EntityKind::kWorkload:
      return "A workload something runs in: one Kubernetes pod template (Pod, Deployment, "
             "StatefulSet, DaemonSet, Job, CronJob, ...).";
    case EntityKind::kIdentity:
      return "An identity something acts as: a Kubernetes ServiceAccount, an AWS IAM role, user "
             "or group.";
    case EntityKind::kGrant:
      return "A permission granted to an identity: one rule of a Kubernetes Role or "
             "ClusterRole, an AWS IAM policy document, a Google Cloud IAM binding, an Azure role "
             "definition.";
    case EntityKind::kEndpoint: return "A network endpoint: a Kubernetes Service or Ingress.";
    case EntityKind::kPolicy:
      return "A policy object that governs other entities: an RBAC binding, a NetworkPolicy, an "
             "Istio PeerAuthentication, DestinationRule or AuthorizationPolicy, a Namespace's "
             "policy settings.";
    case EntityKind::kTask:
      return "A unit of work assigned to an agent (a CrewAI task), and whether a human reviews "
             "it.";
    case EntityKind::kGateway:
      return "An LLM gateway agents reach models through (a LiteLLM proxy): its models, keys "
             "and spending caps.";
  }
  return "";
}

}  // namespace fermata::model
