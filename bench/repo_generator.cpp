#include "bench/repo_generator.hpp"

#include <array>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <string_view>

namespace fermata::bench {
namespace {

namespace fs = std::filesystem;

/// splitmix64: a tiny generator whose output is the same on every platform and standard
/// library (std::uniform_int_distribution is not), which keeps the repositories identical.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }
  uint64_t below(uint64_t bound) { return next() % bound; }
  bool chance(uint64_t percent) { return below(100) < percent; }
  template <typename T, size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(N)];
  }
  std::string token(size_t length) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    out.reserve(length);
    for (size_t i = 0; i < length; ++i) out += kAlphabet[below(kAlphabet.size())];
    return out;
  }
  std::string hex(size_t length) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(length);
    for (size_t i = 0; i < length; ++i) out += kDigits[below(16)];
    return out;
  }

 private:
  uint64_t state_;
};

constexpr std::array<std::string_view, 12> kWords = {"billing", "search",  "ingest",  "ledger",
                                                     "notify",  "profile", "catalog", "orders",
                                                     "support", "reports", "gateway", "scheduler"};
constexpr std::array<std::string_view, 6> kRegistries = {
    "ghcr.io/acme",
    "registry.example.com/platform",
    "docker.io/acme",
    "quay.io/acme",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    "gcr.io/acme-prod"};

/// One service's names, shared by the files that describe it so they link across files.
struct Service {
  std::string name;       ///< "orders-0042"
  std::string ns;         ///< its Kubernetes namespace, shared by ~20 services
  std::string role_name;  ///< the AWS role its ServiceAccount assumes (EKS IRSA)
  bool irsa = false;
};

class Writer {
 public:
  Writer(fs::path root, uint64_t budget, RepoStats& stats)
      : root_(std::move(root)), budget_(budget), stats_(stats) {}

  [[nodiscard]] bool full() const { return stats_.files >= budget_; }

  /// Writes `text` at `relative` unless the budget is spent; counts it under `family`.
  void write(const std::string& relative, const std::string& text, uint64_t RepoStats::*family) {
    if (full()) return;
    const fs::path path = root_ / relative;
    const fs::path parent = path.parent_path();
    if (made_dirs_.insert(parent.string()).second) fs::create_directories(parent);
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) throw std::runtime_error("cannot create " + path.string());
    const size_t written = std::fwrite(text.data(), 1, text.size(), file);
    if (std::fclose(file) != 0 || written != text.size()) {
      throw std::runtime_error("cannot write " + path.string());
    }
    ++stats_.files;
    stats_.bytes += text.size();
    ++(stats_.*family);
  }

 private:
  fs::path root_;
  uint64_t budget_;
  RepoStats& stats_;
  std::set<std::string> made_dirs_;
};

std::string deployment_yaml(const Service& s, Random& random) {
  const std::string image = std::string(random.pick(kRegistries)) + "/" + s.name;
  const bool pinned = random.chance(60);
  const bool privileged = random.chance(5);
  std::string out;
  out += "# " + s.name + ": generated for the fermata benchmark\n";
  out += "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: " + s.name +
         "\n  namespace: " + s.ns + "\n";
  if (s.irsa) {
    out += "  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/" +
           s.role_name + "\n";
  }
  if (random.chance(40)) out += "automountServiceAccountToken: false\n";
  out += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + s.name +
         "\n  namespace: " + s.ns + "\n  labels:\n    app: " + s.name + "\n    team: " + s.ns +
         "\nspec:\n  replicas: " + std::to_string(1 + random.below(5)) +
         "\n  selector:\n    matchLabels:\n      app: " + s.name +
         "\n  template:\n    metadata:\n      labels:\n        app: " + s.name +
         "\n        team: " + s.ns +
         "\n      annotations:\n        prometheus.io/scrape: \"true\"" +
         "\n    spec:\n      serviceAccountName: " + s.name +
         "\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001" +
         "\n        seccompProfile: {type: RuntimeDefault}\n      containers:\n";
  const uint64_t containers = 1 + random.below(2);
  for (uint64_t c = 0; c < containers; ++c) {
    out += "        - name: " + std::string(c == 0 ? "app" : "sidecar") +
           "\n          image: " + image + (c == 0 ? "" : "-proxy") + ":" +
           std::to_string(1 + random.below(9)) + "." + std::to_string(random.below(20)) + ".0";
    if (pinned) out += "@sha256:" + random.hex(64);
    out += "\n          ports:\n            - containerPort: " + std::to_string(8080 + c) +
           "\n              name: http" + std::to_string(c) +
           "\n          env:\n            - name: LOG_LEVEL\n              value: info\n" +
           "            - name: DATABASE_URL\n              valueFrom:\n" +
           "                secretKeyRef: {name: " + s.name + "-db, key: url}\n";
    if (random.chance(4)) {
      out += "            - name: API_TOKEN\n              value: tok_" + random.token(32) + "\n";
    }
    out += "          securityContext:\n            allowPrivilegeEscalation: false\n" +
           std::string("            readOnlyRootFilesystem: true\n") +
           "            capabilities: {drop: [\"ALL\"]}\n";
    if (privileged) out += "            privileged: true\n";
    out += "          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n" +
           std::string("            requests: {cpu: 100m, memory: 128Mi}\n") +
           "          readinessProbe:\n            httpGet: {path: /healthz, port: " +
           std::to_string(8080 + c) + "}\n            periodSeconds: 10\n";
  }
  return out;
}

std::string service_yaml(const Service& s) {
  return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + s.name + "\n  namespace: " + s.ns +
         "\nspec:\n  selector:\n    app: " + s.name +
         "\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n";
}

std::string rbac_yaml(const Service& s, Random& random) {
  std::string out =
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: " + s.name +
      "-reader\n  namespace: " + s.ns + "\nrules:\n" +
      "  - apiGroups: [\"\"]\n    resources: [configmaps, pods]\n" +
      "    verbs: [get, list, watch]\n";
  if (random.chance(10))
    out += "  - apiGroups: [\"\"]\n    resources: [secrets]\n    verbs: [get]\n";
  out += "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: " +
         s.name + "-reader\n  namespace: " + s.ns + "\nsubjects:\n  - kind: ServiceAccount\n" +
         "    name: " + s.name + "\n    namespace: " + s.ns +
         "\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: " + s.name +
         "-reader\n";
  if (random.chance(3)) {
    out += "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n" +
           std::string("  name: ") + s.name + "-admin\nsubjects:\n  - kind: ServiceAccount\n" +
           "    name: " + s.name + "\n    namespace: " + s.ns +
           "\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n" +
           "  name: cluster-admin\n";
  }
  return out;
}

std::string namespace_yaml(const std::string& ns) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns +
         "\n  labels:\n    istio-injection: enabled\n---\n" +
         "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: "
         "default-deny\n" +
         "  namespace: " + ns + "\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n" +
         "  egress:\n    - ports:\n        - {port: 53, protocol: UDP}\n";
}

std::string mcp_json(const Service& s, Random& random, bool vscode) {
  const std::string_view top = vscode ? "servers" : "mcpServers";
  std::string out = "{\n  \"" + std::string(top) + "\": {\n";
  const uint64_t servers = 1 + random.below(4);
  for (uint64_t i = 0; i < servers; ++i) {
    const std::string id = std::string(random.pick(kWords)) + "-" + std::to_string(i);
    out += "    \"" + id + "\": {\n";
    switch (random.below(4)) {
      case 0:
        out += "      \"command\": \"npx\",\n      \"args\": [\"-y\", \"@acme/" + id + "-mcp" +
               (random.chance(50) ? "@1.2." + std::to_string(random.below(9)) : "") + "\"],\n";
        break;
      case 1:
        out +=
            "      \"command\": \"docker\",\n      \"args\": [\"run\", \"-i\", \"--rm\", \"-e\", "
            "\"GITHUB_TOKEN\", \"ghcr.io/acme/" +
            id + ":" + std::to_string(random.below(5)) + ".1\"],\n";
        break;
      case 2:
        out += "      \"type\": \"http\",\n      \"url\": \"" +
               std::string(random.chance(20) ? "http" : "https") + "://" + s.name +
               ".internal.example.com/mcp\",\n";
        break;
      default:
        out += "      \"command\": \"uvx\",\n      \"args\": [\"" + id + "-server==0.4." +
               std::to_string(random.below(9)) + "\", \"--root\", \"./data\"],\n";
        break;
    }
    out += "      \"env\": {\n        \"LOG_LEVEL\": \"debug\",\n        \"GITHUB_TOKEN\": \"";
    out += random.chance(15) ? "ghp_" + random.token(36) : "${env:GITHUB_TOKEN}";
    out += "\"\n      }\n    }";
    out += i + 1 < servers ? ",\n" : "\n";
  }
  out += "  }\n}\n";
  return out;
}

std::string policy_json(const Service& s, Random& random) {
  std::string out = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n";
  out +=
      "    {\n      \"Sid\": \"Read\",\n      \"Effect\": \"Allow\",\n      \"Action\": "
      "[\"s3:GetObject\", \"s3:ListBucket\"],\n      \"Resource\": [\"arn:aws:s3:::" +
      s.name + "-data\", \"arn:aws:s3:::" + s.name + "-data/*\"]\n    }";
  if (random.chance(8)) {
    out +=
        ",\n    {\n      \"Sid\": \"Ops\",\n      \"Effect\": \"Allow\",\n      \"Action\": "
        "[\"iam:PassRole\", \"lambda:CreateFunction\"],\n      \"Resource\": \"*\"\n    }";
  }
  out += "\n  ]\n}\n";
  return out;
}

std::string cloudformation_yaml(const Service& s, Random& random) {
  std::string out = "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: role of " + s.name +
                    "\nResources:\n  ServiceRole:\n    Type: AWS::IAM::Role\n    Properties:\n" +
                    "      RoleName: " + s.role_name +
                    "\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n" +
                    "        Statement:\n          - Effect: Allow\n            Principal:\n" +
                    "              Federated: !Sub arn:aws:iam::${AWS::AccountId}:oidc-provider/" +
                    "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE\n" +
                    "            Action: sts:AssumeRoleWithWebIdentity\n" +
                    "      Policies:\n        - PolicyName: " + s.name +
                    "\n          PolicyDocument:\n            Version: \"2012-10-17\"\n" +
                    "            Statement:\n              - Effect: Allow\n" +
                    "                Action: [dynamodb:GetItem, dynamodb:Query]\n" +
                    "                Resource: !Sub arn:aws:dynamodb:${AWS::Region}:" +
                    "${AWS::AccountId}:table/" + s.name + "\n";
  if (random.chance(10)) {
    out += "              - Effect: Allow\n                Action: \"s3:*\"\n" +
           std::string("                Resource: \"*\"\n");
  }
  out += "  DataBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: " + s.name +
         "-data\n";
  return out;
}

std::string python_source(const Service& s, Random& random) {
  std::string out = R"(""")" + s.name +
                    ": request handlers.\"\"\"\nimport json\nimport logging\n\n" +
                    "LOG = logging.getLogger(__name__)\n\n";
  const uint64_t functions = 3 + random.below(12);
  for (uint64_t i = 0; i < functions; ++i) {
    out += "\ndef handle_" + std::string(random.pick(kWords)) + "_" + std::to_string(i) +
           "(event, context):\n    payload = json.loads(event.get(\"body\") or \"{}\")\n" +
           "    LOG.info(\"handling %s\", payload.get(\"id\"))\n    if not payload:\n" +
           "        return {\"statusCode\": 400}\n    return {\"statusCode\": 200, \"body\": " +
           "json.dumps(payload)}\n";
  }
  return out;
}

std::string typescript_source(const Service& s, Random& random) {
  std::string out = "// " + s.name + " agent tools\nimport { z } from \"zod\";\n\n";
  const uint64_t tools = 2 + random.below(10);
  for (uint64_t i = 0; i < tools; ++i) {
    out += "export const " + std::string(random.pick(kWords)) + "Tool" + std::to_string(i) +
           " = {\n  name: \"" + s.name + "_" + std::to_string(i) +
           "\",\n  input: z.object({ id: z.string(), limit: z.number().optional() }),\n" +
           "  async run(input: { id: string }) {\n    const res = await fetch(`https://" + s.name +
           ".internal/api/${input.id}`);\n    return res.json();\n  },\n};\n\n";
  }
  return out;
}

std::string markdown(const Service& s, Random& random) {
  std::string out = "# " + s.name + "\n\nOwned by team " + s.ns + ".\n\n## Running\n\n";
  const uint64_t paragraphs = 2 + random.below(6);
  for (uint64_t i = 0; i < paragraphs; ++i) {
    out += "The " + std::string(random.pick(kWords)) +
           " component reads its settings from the environment and writes audit events to "
           "the shared log pipeline. See the runbook before changing its permissions.\n\n";
  }
  out += "```yaml\napiVersion: v1\nkind: ConfigMap\n```\n";
  return out;
}

std::string package_json(const Service& s, Random& random) {
  return "{\n  \"name\": \"@acme/" + s.name + "\",\n  \"version\": \"1." +
         std::to_string(random.below(30)) +
         ".0\",\n  \"private\": true,\n  \"scripts\": {\"build\": \"tsc -p .\", \"test\": "
         "\"vitest run\"},\n  \"dependencies\": {\"zod\": \"^3.23.0\", "
         "\"@modelcontextprotocol/sdk\": \"^1.0.0\"},\n  \"devDependencies\": {\"typescript\": "
         "\"^5.4.0\", \"vitest\": \"^1.6.0\"}\n}\n";
}

std::string data_json(Random& random) {
  std::string out = "[\n";
  const uint64_t rows = 5 + random.below(40);
  for (uint64_t i = 0; i < rows; ++i) {
    out += R"(  {"id": )" + std::to_string(i) + R"(, "name": ")" +
           std::string(random.pick(kWords)) + R"(", "weight": )" +
           std::to_string(random.below(1000)) + R"(.5, "tags": ["a", "b"]})";
    out += i + 1 < rows ? ",\n" : "\n";
  }
  out += "]\n";
  return out;
}

std::string settings_yaml(const Service& s, Random& random) {
  std::string out =
      "# application settings (not a Kubernetes object)\nservice: " + s.name + "\nfeatures:\n";
  const uint64_t features = 3 + random.below(15);
  for (uint64_t i = 0; i < features; ++i) {
    out += "  - name: " + std::string(random.pick(kWords)) + "_" + std::to_string(i) +
           "\n    enabled: " + (random.chance(50) ? "true" : "false") +
           "\n    rollout: " + std::to_string(random.below(100)) + "\n";
  }
  out += "limits:\n  requests_per_minute: 600\n  burst: 50\n";
  return out;
}

std::string workflow_yaml(const Service& s) {
  return "name: ci\non:\n  push:\n    branches: [main]\n  pull_request: {}\njobs:\n  test:\n" +
         std::string(
             "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n") +
         "      - run: make test SERVICE=" + s.name + "\n";
}

/// One service of the monorepo, in one of four shapes; files are written until the budget
/// is spent, so the last service may be partial.
void write_service(Writer& out, uint64_t index, Random& random) {
  Service s;
  s.name = std::string(kWords[index % kWords.size()]) + "-" + std::to_string(index);
  s.ns = "team-" + std::to_string(index / 20);
  s.role_name = s.name + "-role";
  s.irsa = random.chance(30);
  const std::string dir = "services/" + s.ns + "/" + s.name + "/";
  uint64_t RepoStats::*const k8s = &RepoStats::kubernetes;
  uint64_t RepoStats::*const mcp = &RepoStats::mcp;
  uint64_t RepoStats::*const iam = &RepoStats::iam;
  uint64_t RepoStats::*const other = &RepoStats::other;
  if (index % 20 == 0)
    out.write("platform/namespaces/" + s.ns + ".yaml", namespace_yaml(s.ns), k8s);
  switch (random.below(4)) {
    case 0:  // a Kubernetes service
      out.write(dir + "deploy/deployment.yaml", deployment_yaml(s, random), k8s);
      out.write(dir + "deploy/service.yaml", service_yaml(s), k8s);
      out.write(dir + "deploy/rbac.yaml", rbac_yaml(s, random), k8s);
      out.write(dir + "src/handlers.py", python_source(s, random), other);
      out.write(dir + "src/models.py", python_source(s, random), other);
      out.write(dir + "README.md", markdown(s, random), other);
      out.write(dir + "config/settings.yaml", settings_yaml(s, random), other);
      break;
    case 1: {  // an agent with MCP servers, deployed on Kubernetes
      const uint64_t client = random.below(3);
      const std::string config = client == 0   ? ".mcp.json"
                                 : client == 1 ? ".cursor/mcp.json"
                                               : ".vscode/mcp.json";
      out.write(dir + config, mcp_json(s, random, client == 2), mcp);
      out.write(dir + "deploy/deployment.yaml", deployment_yaml(s, random), k8s);
      out.write(dir + "src/tools.ts", typescript_source(s, random), other);
      out.write(dir + "src/index.ts", typescript_source(s, random), other);
      out.write(dir + "package.json", package_json(s, random), other);
      out.write(dir + "README.md", markdown(s, random), other);
      break;
    }
    case 2:  // cloud permissions
      out.write(dir + "iam/policy.json", policy_json(s, random), iam);
      out.write(dir + "iam/role.yaml", cloudformation_yaml(s, random), iam);
      out.write(dir + "deploy/deployment.yaml", deployment_yaml(s, random), k8s);
      out.write(dir + "deploy/rbac.yaml", rbac_yaml(s, random), k8s);
      out.write(dir + "scripts/deploy.py", python_source(s, random), other);
      out.write(dir + "docs/permissions.md", markdown(s, random), other);
      break;
    default:  // a library: no configuration fermata reads
      out.write(dir + "lib/core.ts", typescript_source(s, random), other);
      out.write(dir + "lib/util.py", python_source(s, random), other);
      out.write(dir + "fixtures/sample.json", data_json(random), other);
      out.write(dir + "config/settings.yaml", settings_yaml(s, random), other);
      out.write(dir + ".github/workflows/ci.yml", workflow_yaml(s), other);
      out.write(dir + "README.md", markdown(s, random), other);
      break;
  }
}

}  // namespace

RepoStats generate_repository(const fs::path& root, uint64_t file_count, uint64_t seed) {
  if (fs::exists(root)) throw std::runtime_error(root.string() + " already exists");
  fs::create_directories(root);
  RepoStats stats;
  Writer out(root, file_count, stats);
  out.write(".gitignore", "node_modules/\ndist/\n*.log\n", &RepoStats::other);
  Random random(seed);
  for (uint64_t index = 0; !out.full(); ++index) write_service(out, index, random);
  return stats;
}

}  // namespace fermata::bench
