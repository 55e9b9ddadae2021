// Secrets never leak: fixtures/canary/repo plants canary credentials of every kind the
// classifier knows (GitHub, AWS key id and secret, Slack, Anthropic, OpenAI, a bearer header,
// a password in a URL, a high-entropy *_TOKEN, private keys escaped and in block scalars) in
// every format fermata reads secrets from (MCP client configurations, agent-framework
// manifests, Kubernetes workloads), plus a file that does not parse. Every registered reporter and
// every other command runs over it, and no output may hold a canary or any eight characters of one
// after its first four (the most a mask shows).
//
// A new input format that can hold secrets must add its own canary file under
// fixtures/canary/repo/ (and its values to canaries.txt); a new output format is covered as
// soon as it is registered.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "report/reporter.hpp"

namespace {

namespace fs = std::filesystem;

struct Output {
  std::string name;  ///< which command and stream
  std::string text;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int run(std::vector<std::string> args, std::vector<Output>& outputs, bool terminal = false) {
  std::string label = "fermata";
  for (const auto& arg : args) label += " " + arg;
  args.insert(args.begin(), "fermata");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int code = fermata::cli::run(static_cast<int>(argv.size()), argv.data(), out, err,
                                     fermata::cli::Terminal{terminal, terminal});
  outputs.push_back({label + " (stdout)", out.str()});
  outputs.push_back({label + " (stderr)", err.str()});
  return code;
}

std::vector<std::string> canaries() {
  std::vector<std::string> out;
  std::ifstream in(std::string(FERMATA_SOURCE_DIR) + "/fixtures/canary/canaries.txt");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return out;
}

/// Where `canary` shows in `text`: whole, or eight characters of it past the four a mask
/// may keep. Returns "" when it does not.
std::string leak(const std::string& text, const std::string& canary) {
  constexpr size_t kShown = 4;
  constexpr size_t kWindow = 8;
  if (text.find(canary) != std::string::npos) return canary;
  for (size_t i = kShown; i + kWindow <= canary.size(); ++i) {
    const std::string piece = canary.substr(i, kWindow);
    if (text.find(piece) != std::string::npos) return piece;
  }
  return "";
}

}  // namespace

TEST_CASE("canary secrets appear in no output of any format or command") {
  const std::vector<std::string> planted = canaries();
  REQUIRE(planted.size() >= 73);
  const std::string repo = std::string(FERMATA_SOURCE_DIR) + "/fixtures/canary/repo";
  const fs::path dir = fs::temp_directory_path() / ("fermata-canary-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  std::vector<Output> outputs;
  std::vector<std::string> args = {"scan", repo, "--no-progress", "--no-gitignore"};
  for (const auto& reporter : fermata::report::reporters()) {
    args.insert(args.end(), {"--format", std::string(reporter.name), "--output",
                             (dir / ("report." + std::string(reporter.name))).string()});
  }
  CHECK(run(args, outputs) == 1);
  for (const auto& reporter : fermata::report::reporters()) {
    const std::string name(reporter.name);
    outputs.push_back({"--format " + name, slurp(dir / ("report." + name))});
    // Each format once more on standard output, the way CI logs capture it (text in colour).
    run({"scan", repo, "--no-progress", "--no-gitignore", "--format", name}, outputs,
        name == "text");
  }
  for (const std::string format : {"mermaid", "dot", "json"}) {
    run({"graph", repo, "--no-progress", "--no-gitignore", "--format", format}, outputs);
    run({"graph", repo, "--no-progress", "--no-gitignore", "--all", "--format", format}, outputs);
  }
  run({"explain", "mcp-hardcoded-secret"}, outputs);
  for (const std::string format : {"text", "markdown", "json"}) {
    run({"rules", "--format", format}, outputs);
  }
  run({"rules", "schema"}, outputs);

  // The canaries were recognised: nine secrets in each of the four MCP configurations that
  // parse and a private key written with JSON escapes, two in the registry server.json (an
  // environment default and a header value), six in the MCP servers of the agent frameworks
  // (cagent env and header, ADK env, kagent header, kmcp and ToolHive env), and two in the
  // Codex configuration's servers; seven in the Kubernetes workload; six in the LiteLLM
  // configuration; eleven in agents' own settings: five in the Claude Code settings (one in a
  // hook's command line), three in the Codex configuration, one in the A2A card's URL, one in
  // a kagent agent's environment and one in a CrewAI agent's MCP URL.
  const auto json = nlohmann::json::parse(slurp(dir / "report.json"));
  size_t mcp_secrets = 0;
  size_t k8s_secrets = 0;
  size_t gateway_secrets = 0;
  size_t agent_secrets = 0;
  for (const auto& finding : json.at("findings")) {
    if (finding.at("rule_id") == "mcp-hardcoded-secret") ++mcp_secrets;
    if (finding.at("rule_id") == "agent-hardcoded-secret") ++agent_secrets;
    if (finding.at("rule_id") == "k8s-env-literal-secret") ++k8s_secrets;
    if (finding.at("rule_id") == "gateway-hardcoded-secret") ++gateway_secrets;
  }
  CHECK(mcp_secrets == 47);
  CHECK(k8s_secrets == 7);
  CHECK(gateway_secrets == 6);
  CHECK(agent_secrets == 11);
  bool broken_reported = false;
  for (const auto& diagnostic : json.at("diagnostics")) {
    if (diagnostic.at("location").at("file") == "broken/.mcp.json") broken_reported = true;
  }
  CHECK(broken_reported);

  for (const auto& output : outputs) {
    for (const auto& canary : planted) {
      const std::string shown = leak(output.text, canary);
      CHECK_MESSAGE(shown.empty(), output.name << " shows '" << shown << "' of a canary");
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}
