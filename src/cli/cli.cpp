#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/init.hpp"
#include "derive/agents.hpp"
#include "discover/git.hpp"
#include "discover/working_tree.hpp"
#include "gate/baseline.hpp"
#include "gate/config.hpp"
#include "gate/gate.hpp"
#include "gate/suppressions.hpp"
#include "report/graph_writer.hpp"
#include "report/reporter.hpp"
#include "report/rules_doc.hpp"
#include "report/threat_model.hpp"
#include "report/topology.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

#ifndef FERMATA_VERSION
#define FERMATA_VERSION "0.0.0"
#endif

namespace fermata::cli {
namespace {

namespace fs = std::filesystem;

struct OutputTarget {
  std::string format;
  std::string path;  ///< "" = standard output
};

bool env_set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}

void print_diagnostics(const core::DiagnosticSink& sink, std::ostream& err) {
  for (const auto& diagnostic : sink.items()) err << core::format_diagnostic(diagnostic) << "\n";
}

/// More threads than this only cost memory: a scan is bounded by the cores it runs on.
constexpr unsigned kMaxJobs = 1024;

/// Rules are a few kilobytes; anything this large in a rule directory is not a rule.
constexpr uintmax_t kMaxRuleFileBytes = 1U << 20U;

/// Reads every *.yaml / *.yml under `dir` (sorted) into the rule set.
bool load_rule_directory(const std::string& dir, rules::RuleSet& rule_set,
                         core::DiagnosticSink& sink) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    sink.report(core::make_diagnostic(core::DiagCode::kRuleSyntax, "rule directory does not exist",
                                      {dir, {}}));
    return false;
  }
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator
           it(dir, fs::directory_options::skip_permission_denied, error),
       end;
       !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    // Data catalogs sit beside rules (rules/catalog/) but are not rules.
    if (it->is_directory(error) && path.filename() == "catalog") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(error) && (path.extension() == ".yaml" || path.extension() == ".yml")) {
      files.push_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  bool ok = true;
  const fs::path root = fs::canonical(dir, error);
  for (const auto& path : files) {
    // A rule directory may arrive with a pull request: it must not make fermata read a file
    // elsewhere through a link (a credentials file of the CI runner), nor read without bound.
    std::error_code file_error;
    const fs::path target = fs::canonical(path, file_error);
    const auto inside = std::mismatch(root.begin(), root.end(), target.begin(), target.end());
    if (file_error || inside.first != root.end()) {
      sink.report(core::make_diagnostic(core::DiagCode::kRuleSyntax,
                                        "rule file is a symbolic link out of its rule directory",
                                        {path.generic_string(), {}}));
      ok = false;
      continue;
    }
    if (fs::file_size(target, file_error) > kMaxRuleFileBytes || file_error) {
      sink.report(core::make_diagnostic(
          core::DiagCode::kRuleSyntax,
          "rule file larger than " + std::to_string(kMaxRuleFileBytes >> 20U) + " MiB",
          {path.generic_string(), {}}));
      ok = false;
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in && !in.eof()) {
      sink.report(core::make_diagnostic(core::DiagCode::kRuleSyntax, "cannot read rule file",
                                        {path.generic_string(), {}}));
      ok = false;
      continue;
    }
    ok = rule_set.load(rules::RuleSource{path.generic_string(), buffer.str()}, sink) && ok;
  }
  return ok;
}

bool load_rules(const std::vector<std::string>& dirs, rules::RuleSet& rule_set, std::ostream& err) {
  core::DiagnosticSink sink;
  bool ok = rule_set.load_builtin(sink);
  for (const auto& dir : dirs) ok = load_rule_directory(dir, rule_set, sink) && ok;
  rule_set.sort_by_id();
  if (!ok || sink.has_errors()) {
    print_diagnostics(sink, err);
    err << "fermata: the rules could not be loaded\n";
    return false;
  }
  return true;
}

std::vector<rules::RuleMeta> metas(const rules::RuleSet& rule_set) {
  std::vector<rules::RuleMeta> out;
  for (const auto& rule : rule_set.rules()) out.push_back(rule.meta);
  return out;
}

/// Pairs each --output with the --format given just before it.
std::vector<OutputTarget> output_targets(const CLI::App& command, const CLI::Option* format,
                                         const CLI::Option* output, std::string& problem) {
  std::vector<OutputTarget> targets;
  size_t format_index = 0;
  size_t output_index = 0;
  for (const CLI::Option* option : command.parse_order()) {
    if (option == format) {
      targets.push_back(OutputTarget{format->results().at(format_index++), ""});
    } else if (option == output) {
      const std::string& path = output->results().at(output_index++);
      if (targets.empty()) {
        targets.push_back(OutputTarget{"text", path});
      } else if (!targets.back().path.empty()) {
        problem = "--output " + path + " follows another --output; give a --format before each";
        return {};
      } else {
        targets.back().path = path;
      }
    }
  }
  if (targets.empty()) targets.push_back(OutputTarget{"text", ""});
  int to_stdout = 0;
  for (const auto& target : targets) {
    if (report::find_reporter(target.format) == nullptr) {
      problem = "unknown format '" + target.format + "'";
      return {};
    }
    if (target.path.empty() || target.path == "-") ++to_stdout;
  }
  if (to_stdout > 1) {
    problem = "several formats write to standard output; give each but one an --output FILE";
    return {};
  }
  return targets;
}

class Progress {
 public:
  Progress(bool enabled, std::ostream& err) : enabled_(enabled), err_(err) {}
  ~Progress() {
    if (shown_) err_ << "\r\033[K" << std::flush;
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(size_t done, size_t total) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    // Only a scan that lasts more than a moment gets a progress line, at most 10 a second.
    if (now - start_ < std::chrono::milliseconds(300) ||
        now - last_ < std::chrono::milliseconds(100))
      return;
    last_ = now;
    shown_ = true;
    err_ << "\rfermata: read " << done << " of " << total << " files" << std::flush;
  }

 private:
  bool enabled_;
  std::ostream& err_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

struct ScanFlags {
  std::string path = ".";
  std::string fail_on = "high";
  bool fail_on_given = false;
  std::vector<std::string> rule_dirs;
  core::Limits limits;  ///< --max-file-size, --max-depth and the other bounds on hostile input
  bool no_gitignore = false;
  bool allow_parse_errors = false;
  bool no_progress = false;
  std::string automation_id = "fermata/";
  std::string config_path;
  std::string baseline_path;
  std::string new_since;
  bool staged = false;
  bool sarif_keep_suppressed = false;
  std::string today;
  unsigned jobs = 0;  ///< --jobs: 0 = one thread per core
};

/// yyyy-mm-ddThh:mm:ss in UTC, as GitLab's security reports want it.
std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  std::array<char, 32> buffer{};
  if (std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%S", &parts) == 0) return "";
  return buffer.data();
}

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// Everything a scan needs, resolved from flags and .fermata.yaml before any file is read.
struct ScanPlan {
  gate::Config config;
  gate::GatePolicy policy;
  rules::RuleSet rules;
  discover::WalkOptions walk;
  gate::Date today;
  std::string baseline_path;
  std::string config_path;     ///< as read; "" without a configuration
  std::string config_in_tree;  ///< relative to the scanned root; "" when outside it
  unsigned jobs = 0;
};

/// Flags -> plan. Problems are printed and make the caller exit 2.
std::optional<ScanPlan> make_plan(const ScanFlags& flags, std::ostream& err) {
  ScanPlan plan;
  std::error_code error;
  if (!fs::exists(flags.path, error)) {
    err << "fermata: " << flags.path << ": no such file or directory\n";
    return std::nullopt;
  }
  core::DiagnosticSink sink;
  std::string config_path = flags.config_path;
  if (config_path.empty() && fs::is_directory(flags.path, error)) {
    for (const char* name : {".fermata.yaml", ".fermata.yml"}) {
      const fs::path candidate = fs::path(flags.path) / name;
      if (fs::is_regular_file(candidate, error)) {
        config_path = candidate.generic_string();
        break;
      }
    }
  }
  if (!config_path.empty()) {
    auto text = read_text_file(config_path);
    if (!text) {
      err << "fermata: cannot read the configuration " << config_path << "\n";
      return std::nullopt;
    }
    const std::string base = fs::path(config_path).parent_path().generic_string();
    auto config = gate::parse_config(config_path, *text, base, sink);
    if (!config) {
      print_diagnostics(sink, err);
      err << "fermata: the configuration is invalid\n";
      return std::nullopt;
    }
    plan.config = std::move(*config);
    // Findings about declarations point into the configuration, as a path of the scanned
    // tree when it sits inside it.
    if (fs::is_directory(flags.path, error)) {
      const fs::path relative = fs::path(config_path).lexically_relative(flags.path);
      if (!relative.empty() && *relative.begin() != "..") {
        plan.config_in_tree = relative.generic_string();
      }
    }
    plan.config_path = config_path;
  }
  const gate::Config& config = plan.config;

  // Flags given on the command line win over the configuration.
  if (flags.fail_on_given || (!config.fail_on && !config.fail_on_none)) {
    if (flags.fail_on == "none") {
      plan.policy.fail_on_none = true;
    } else {
      plan.policy.fail_on = *core::parse_severity(flags.fail_on);
    }
  } else if (config.fail_on_none) {
    plan.policy.fail_on_none = true;
  } else {
    plan.policy.fail_on = *config.fail_on;
  }
  plan.policy.allow_parse_errors = flags.allow_parse_errors;

  std::vector<std::string> rule_dirs = config.rule_directories;
  rule_dirs.insert(rule_dirs.end(), flags.rule_dirs.begin(), flags.rule_dirs.end());
  if (!load_rules(rule_dirs, plan.rules, err)) return std::nullopt;
  auto unknown_rule = [&](const std::string& id) {
    if (plan.rules.find(id) != nullptr) return false;
    core::Diagnostic diagnostic =
        core::make_diagnostic(core::DiagCode::kConfigUnknownRule,
                              "no rule '" + id + "' (see `fermata rules`)", config.rules_loc);
    sink.report(std::move(diagnostic));
    return true;
  };
  bool bad_rule = false;
  for (const auto& id : config.enable_rules) bad_rule = unknown_rule(id) || bad_rule;
  for (const auto& id : config.disable_rules) bad_rule = unknown_rule(id) || bad_rule;
  for (const auto& [id, severity] : config.severity_overrides) {
    bad_rule = unknown_rule(id) || bad_rule;
    plan.rules.set_severity(id, severity);
  }
  if (bad_rule) {
    print_diagnostics(sink, err);
    err << "fermata: the configuration is invalid\n";
    return std::nullopt;
  }
  if (!config.enable_rules.empty()) plan.rules.retain(config.enable_rules);
  plan.rules.remove(config.disable_rules);

  plan.walk.limits = flags.limits;
  plan.walk.honour_gitignore = !flags.no_gitignore;
  plan.walk.extra_ignores = config.ignore_paths;
  plan.baseline_path = flags.baseline_path.empty() ? config.baseline : flags.baseline_path;
  plan.jobs = flags.jobs;
  if (!flags.today.empty()) {
    auto today = gate::parse_date(flags.today);
    if (!today) {
      err << "fermata: --today takes a date written YYYY-MM-DD\n";
      return std::nullopt;
    }
    plan.today = *today;
  } else {
    plan.today = gate::today_utc();
  }
  return plan;
}

/// The findings and diagnostics of one scan, with suppressions applied.
struct ScanOutcome {
  scan::ScanResult result;
  bool ok = true;
};

ScanOutcome scan_provider(discover::FileProvider& files, const ScanPlan& plan,
                          const derive::SecretClassifier& secrets,
                          const std::function<void(size_t, size_t)>& progress) {
  scan::ScanOptions options;
  options.limits = plan.walk.limits;
  options.progress = progress;
  options.topology = gate::topology_inputs(plan.config, plan.config_in_tree);
  options.jobs = plan.jobs;
  ScanOutcome outcome;
  outcome.result = scan::run_scan(files, plan.rules, secrets, options);
  core::DiagnosticSink sink;
  gate::apply_suppressions(outcome.result.findings, *outcome.result.sources,
                           plan.config.suppressions, plan.rules.aliases(), plan.today, sink);
  for (auto& diagnostic : sink.take()) outcome.result.diagnostics.push_back(std::move(diagnostic));
  return outcome;
}

/// Scans what the flags name: the working tree, or (--staged) the index.
std::optional<scan::ScanResult> scan_current(const ScanFlags& flags, const ScanPlan& plan,
                                             const derive::SecretClassifier& secrets,
                                             discover::GitRepository* repo, std::ostream& err,
                                             const Terminal& terminal) {
  Progress progress(terminal.stderr_is_tty && !flags.no_progress && !env_set("CI"), err);
  auto report_progress = [&progress](size_t done, size_t total) { progress.update(done, total); };
  core::DiagnosticSink sink;
  std::unique_ptr<discover::FileProvider> files;
  if (flags.staged && repo != nullptr) {  // gather_scan opens the repository for --staged
    files = repo->staged_files(plan.walk, sink);
  } else {
    files = std::make_unique<discover::WorkingTreeProvider>(flags.path, plan.walk);
  }
  ScanOutcome outcome = scan_provider(*files, plan, secrets, report_progress);
  for (auto& diagnostic : sink.take()) outcome.result.diagnostics.push_back(std::move(diagnostic));
  return std::move(outcome.result);
}

/// The shipped secret classifier; nullopt (its problems printed) when the catalog is broken.
std::optional<derive::SecretClassifier> load_secret_classifier(std::ostream& err) {
  core::DiagnosticSink catalog_sink;
  derive::SecretClassifier secrets = scan::builtin_secret_classifier(catalog_sink);
  if (catalog_sink.has_errors()) {
    print_diagnostics(catalog_sink, err);
    return std::nullopt;
  }
  return secrets;
}

bool sort_diagnostics(std::vector<core::Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const core::Diagnostic& a, const core::Diagnostic& b) {
                     if (!(a.loc == b.loc)) return a.loc < b.loc;
                     return a.message < b.message;
                   });
  return true;
}

/// A scan of what the flags name, compared with a baseline or a revision as they ask, gathered
/// into a Report; the graph stays beside it for the commands that read it.
struct GatheredScan {
  report::Report report;
  model::Graph graph;
};

/// Scans, compares and gates; nullopt (the problem printed) on a usage error.
std::optional<GatheredScan> gather_scan(const ScanFlags& flags, const ScanPlan& plan,
                                        const derive::SecretClassifier& secrets,
                                        const std::string& started_at, bool with_topology,
                                        std::ostream& err, const Terminal& terminal) {
  if (flags.staged && !flags.baseline_path.empty() && !flags.new_since.empty()) {
    err << "fermata: give either --baseline or --new-since, not both\n";
    return std::nullopt;
  }

  std::unique_ptr<discover::GitRepository> repo;
  core::DiagnosticSink git_sink;
  if (flags.staged || !flags.new_since.empty()) {
    repo = discover::GitRepository::open(flags.path, git_sink);
    if (!repo) {
      print_diagnostics(git_sink, err);
      return std::nullopt;
    }
  }
  std::optional<std::string> earlier_commit;
  // `--new-since HEAD` before the first commit (a pre-commit hook's first run): the commit
  // adds everything, so everything is new.
  const bool before_first_commit =
      !flags.new_since.empty() && flags.new_since == "HEAD" && repo->head_unborn();
  if (!flags.new_since.empty() && !before_first_commit) {
    earlier_commit = repo->comparison_commit(flags.new_since, git_sink);
    if (!earlier_commit) {
      print_diagnostics(git_sink, err);
      return std::nullopt;
    }
  }

  auto current = scan_current(flags, plan, secrets, repo.get(), err, terminal);
  scan::ScanResult& result = *current;

  GatheredScan gathered;
  report::Report& report = gathered.report;
  core::DiagnosticSink compare_sink;
  if (earlier_commit) {
    auto files = repo->tree_files(*earlier_commit, plan.walk);
    ScanOutcome earlier = scan_provider(*files, plan, secrets, {});
    const auto renames = repo->renames_since(*earlier_commit, flags.staged, compare_sink);
    const gate::Baseline baseline = gate::baseline_of(
        earlier.result.findings, earlier.result.diagnostics, "revision " + flags.new_since);
    report.fixed = gate::compare_with(result.findings, result.diagnostics, baseline, renames, false,
                                      compare_sink)
                       .absent;
    report.compared_with =
        "revision " + flags.new_since + " (" + earlier_commit->substr(0, 12) + ")";
    for (const auto& secret : earlier.result.redactor.secrets()) {
      result.redactor.add_secret(secret);
    }
  } else if (before_first_commit) {
    const gate::Baseline nothing = gate::baseline_of({}, {}, "revision HEAD");
    report.fixed =
        gate::compare_with(result.findings, result.diagnostics, nothing, {}, false, compare_sink)
            .absent;
    report.compared_with = "revision HEAD (no commit yet: everything is new)";
  } else if (!plan.baseline_path.empty()) {
    auto text = read_text_file(plan.baseline_path);
    if (!text) {
      err << "fermata: cannot read the baseline " << plan.baseline_path
          << " (create it with `fermata baseline create -o " << plan.baseline_path << "`)\n";
      return std::nullopt;
    }
    core::DiagnosticSink baseline_sink;
    auto baseline = gate::read_baseline(plan.baseline_path, *text, baseline_sink);
    if (!baseline) {
      print_diagnostics(baseline_sink, err);
      return std::nullopt;
    }
    report.fixed =
        gate::compare_with(result.findings, result.diagnostics, *baseline, {}, true, compare_sink)
            .absent;
    report.compared_with = "baseline " + plan.baseline_path;
  }
  for (auto& diagnostic : git_sink.take()) result.diagnostics.push_back(std::move(diagnostic));
  for (auto& diagnostic : compare_sink.take()) result.diagnostics.push_back(std::move(diagnostic));
  sort_diagnostics(result.diagnostics);

  report.tool_version = FERMATA_VERSION;
  report.started_at = started_at;
  report.finished_at = utc_timestamp();
  report.scan_root = flags.path;
  report.rules = metas(plan.rules);
  report.exit_code = gate::apply_gate(result.findings, result.diagnostics, plan.policy);
  report.findings = std::move(result.findings);
  report.diagnostics = std::move(result.diagnostics);
  report.artifacts = std::move(result.artifacts);
  report.files_discovered = result.files_discovered;
  report.fail_on = plan.policy.fail_on;
  report.fail_on_none = plan.policy.fail_on_none;
  report.automation_id = flags.automation_id;
  report.sources = result.sources;
  report.redactor = std::move(result.redactor);
  for (auto& fixed : report.fixed) fixed.message = report.redactor.redact(fixed.message);
  if (with_topology) {
    report.topology = std::make_shared<const report::Topology>(
        report::build_topology(result.graph, report.findings, report.redactor));
  }
  gathered.graph = std::move(result.graph);
  return gathered;
}

int run_scan_command(const CLI::App& command, const CLI::Option* format, const CLI::Option* output,
                     const ScanFlags& flags, std::ostream& out, std::ostream& err,
                     const Terminal& terminal) {
  std::string problem;
  const auto targets = output_targets(command, format, output, problem);
  if (!problem.empty()) {
    err << "fermata: " << problem << "\n";
    return gate::kExitUsage;
  }
  const std::string started_at = utc_timestamp();
  auto plan = make_plan(flags, err);
  if (!plan) return gate::kExitUsage;
  auto classifier = load_secret_classifier(err);
  if (!classifier) return gate::kExitUsage;
  const bool draws_topology = std::any_of(targets.begin(), targets.end(), [](const auto& target) {
    return target.format == "markdown";
  });
  auto gathered = gather_scan(flags, *plan, *classifier, started_at, draws_topology, err, terminal);
  if (!gathered) return gate::kExitUsage;
  const report::Report& report = gathered->report;

  for (const auto& target : targets) {
    const report::ReporterInfo* reporter = report::find_reporter(target.format);
    report::ReporterOptions reporter_options;
    reporter_options.sarif_keep_suppressed = flags.sarif_keep_suppressed;
    const bool to_stdout = target.path.empty() || target.path == "-";
    reporter_options.color = to_stdout && terminal.stdout_is_tty && target.format == "text" &&
                             !env_set("NO_COLOR") && !env_set("CI");
    if (to_stdout) {
      reporter->write(report, out, reporter_options);
      out.flush();
      continue;
    }
    std::ofstream file(target.path, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "fermata: cannot write " << target.path << "\n";
      return gate::kExitUsage;
    }
    reporter->write(report, file, reporter_options);
    file.close();
    if (!file) {
      err << "fermata: failed writing " << target.path << "\n";
      return gate::kExitUsage;
    }
  }
  return report.exit_code;
}

struct GraphFlags {
  ScanFlags scan;
  std::string format = "mermaid";
  std::string output;  ///< "" or "-" = standard output
  bool all_entities = false;
};

/// `fermata graph`: the same discovery, configuration and rules as `scan`, then the topology
/// instead of the findings. Findings only colour the graph here: no gate, exit 0.
int run_graph_command(const GraphFlags& flags, std::ostream& out, std::ostream& err,
                      const Terminal& terminal) {
  auto plan = make_plan(flags.scan, err);
  if (!plan) return gate::kExitUsage;
  auto secrets = load_secret_classifier(err);
  if (!secrets) return gate::kExitUsage;
  auto result = scan_current(flags.scan, *plan, *secrets, nullptr, err, terminal);
  size_t problems = 0;
  for (const auto& diagnostic : result->diagnostics) {
    if (diagnostic.level != core::DiagLevel::kNote) ++problems;
  }
  if (problems > 0) {
    err << "fermata: " << problems << (problems == 1 ? " problem" : " problems")
        << " reading the files; `fermata scan` lists them\n";
  }
  report::TopologyOptions options;
  options.all_entities = flags.all_entities;
  const report::Topology topology =
      report::build_topology(result->graph, result->findings, result->redactor, options);
  auto write = [&](std::ostream& stream) {
    if (flags.format == "dot") {
      report::write_dot(topology, stream);
    } else if (flags.format == "json") {
      report::write_graph_json(topology, stream);
    } else {
      report::write_mermaid(topology, stream);
    }
  };
  if (flags.output.empty() || flags.output == "-") {
    write(out);
    out.flush();
    return gate::kExitClean;
  }
  std::ofstream file(flags.output, std::ios::binary | std::ios::trunc);
  if (!file) {
    err << "fermata: cannot write " << flags.output << "\n";
    return gate::kExitUsage;
  }
  write(file);
  file.close();
  if (!file) {
    err << "fermata: failed writing " << flags.output << "\n";
    return gate::kExitUsage;
  }
  return gate::kExitClean;
}

struct ReportFlags {
  ScanFlags scan;
  std::string format = "markdown";
  std::string output;  ///< "" or "-" = standard output
};

/// `fermata report`: the same scan, comparison and gate as `scan`, written as a MAESTRO threat
/// model (docs/threat-model.md). The report is documentation, not a gate: exit 0 once written.
int run_report_command(const ReportFlags& flags, std::ostream& out, std::ostream& err,
                       const Terminal& terminal) {
  const std::string started_at = utc_timestamp();
  auto plan = make_plan(flags.scan, err);
  if (!plan) return gate::kExitUsage;
  auto classifier = load_secret_classifier(err);
  if (!classifier) return gate::kExitUsage;
  auto gathered = gather_scan(flags.scan, *plan, *classifier, started_at, true, err, terminal);
  if (!gathered) return gate::kExitUsage;
  size_t problems = 0;
  for (const auto& diagnostic : gathered->report.diagnostics) {
    if (diagnostic.level != core::DiagLevel::kNote) ++problems;
  }
  if (problems > 0) {
    err << "fermata: " << problems << (problems == 1 ? " problem" : " problems")
        << " reading the files; `fermata scan` lists them\n";
  }
  const report::ThreatModel model = report::build_threat_model(gathered->report, gathered->graph);
  auto write = [&](std::ostream& stream) {
    if (flags.format == "html") {
      report::write_threat_model_html(gathered->report, model, stream);
    } else {
      report::write_threat_model_markdown(gathered->report, model, stream);
    }
  };
  if (flags.output.empty() || flags.output == "-") {
    write(out);
    out.flush();
    return gate::kExitClean;
  }
  std::ofstream file(flags.output, std::ios::binary | std::ios::trunc);
  if (!file) {
    err << "fermata: cannot write " << flags.output << "\n";
    return gate::kExitUsage;
  }
  write(file);
  file.close();
  if (!file) {
    err << "fermata: failed writing " << flags.output << "\n";
    return gate::kExitUsage;
  }
  return gate::kExitClean;
}

/// The bounds on hostile input, shared by every command that reads a repository.
void add_limit_options(CLI::App& command, core::Limits& limits) {
  command.add_option("--max-file-size", limits.max_file_bytes,
                     "Skip files larger than BYTES (default: 8 MiB)");
  command
      .add_option("--max-depth", limits.max_depth,
                  "Refuse files nested deeper than N levels (default: 200, at most 1000)")
      ->check(CLI::Range(1U, core::kMaxDepthCeiling));
  command
      .add_option("--max-nodes", limits.max_nodes,
                  "Refuse files with more than N values, aliases counted each time they expand "
                  "(default: 2000000)")
      ->check(CLI::PositiveNumber);
  command
      .add_option("--max-documents", limits.max_documents,
                  "Refuse YAML files with more than N documents (default: 10000)")
      ->check(CLI::PositiveNumber);
  command
      .add_option("--max-files", limits.max_files, "Stop listing after N files (default: 1000000)")
      ->check(CLI::PositiveNumber);
  command
      .add_option("--max-line-length", limits.max_line_bytes,
                  "Skip files with a line longer than BYTES (default: 1 MiB)")
      ->check(CLI::PositiveNumber);
}

int run_baseline_create(const ScanFlags& flags, const std::string& output_path, std::ostream& out,
                        std::ostream& err, const Terminal& terminal) {
  auto plan = make_plan(flags, err);
  if (!plan) return gate::kExitUsage;
  core::DiagnosticSink catalog_sink;
  derive::SecretClassifier secrets = scan::builtin_secret_classifier(catalog_sink);
  auto current = scan_current(flags, *plan, secrets, nullptr, err, terminal);
  const gate::Baseline baseline =
      gate::baseline_of(current->findings, current->diagnostics, "baseline");
  std::ofstream file(output_path, std::ios::binary | std::ios::trunc);
  file << gate::write_baseline(baseline, FERMATA_VERSION);
  file.close();
  if (!file) {
    err << "fermata: cannot write " << output_path << "\n";
    return gate::kExitUsage;
  }
  out << "fermata: recorded " << baseline.entries.size() << " findings in " << output_path;
  if (!baseline.unparsed_files.empty()) {
    out << "; " << baseline.unparsed_files.size()
        << " files could not be parsed and are compared as incomparable";
  }
  out << "\n";
  return gate::kExitClean;
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        const Terminal& terminal) {
  CLI::App app{"fermata: a CI/CD policy gate and IaC scanner for agentic AI systems", "fermata"};
  app.set_version_flag("--version", std::string("fermata ") + FERMATA_VERSION);
  app.require_subcommand(1);

  ScanFlags flags;
  CLI::App* scan =
      app.add_subcommand("scan", "Scan a repository (or one file) and gate on the findings");
  scan->add_option("path", flags.path, "Directory or file to scan (default: .)");
  std::string format_help = "Output format, repeatable:";
  for (const auto& reporter : report::reporters()) format_help += " " + std::string(reporter.name);
  format_help += ". Each --output FILE after a --format writes that format to the file";
  std::vector<std::string> formats;
  std::vector<std::string> outputs;
  CLI::Option* format =
      scan->add_option("-f,--format", formats, format_help)->expected(1)->take_all();
  CLI::Option* output =
      scan->add_option("-o,--output", outputs, "Write the preceding --format to FILE")
          ->expected(1)
          ->take_all();
  CLI::Option* fail_on = scan->add_option("--fail-on", flags.fail_on,
                                          "Lowest severity that fails the build (default: high)")
                             ->check(CLI::IsMember({"critical", "high", "medium", "low", "none"}));
  scan->add_option("--rules", flags.rule_dirs, "Extra rule directory (repeatable)")
      ->expected(1)
      ->take_all();
  add_limit_options(*scan, flags.limits);
  scan->add_option("-j,--jobs", flags.jobs,
                   "Threads that read, parse and evaluate (default: one per core; 1: "
                   "sequential). Reports are the same for every value")
      ->check(CLI::Range(1U, kMaxJobs));
  scan->add_flag("--no-gitignore", flags.no_gitignore, "Scan files that .gitignore excludes");
  scan->add_flag("--allow-parse-errors", flags.allow_parse_errors,
                 "Do not fail the build on files that could not be parsed");
  scan->add_flag("--no-progress", flags.no_progress, "Never show progress on standard error");
  scan->add_option("--automation-id", flags.automation_id,
                   "SARIF runAutomationDetails.id (category/run), default fermata/");
  scan->add_option("--config", flags.config_path,
                   "Configuration file (default: PATH/.fermata.yaml)");
  scan->add_option("--baseline", flags.baseline_path,
                   "Block only on findings not recorded in this baseline");
  scan->add_option("--new-since", flags.new_since,
                   "Block only on findings absent at this git revision (its merge-base with HEAD)");
  scan->add_flag("--staged", flags.staged,
                 "Scan the staged content (the git index), for pre-commit");
  scan->add_flag(
      "--sarif-keep-suppressed", flags.sarif_keep_suppressed,
      "Keep suppressed findings in SARIF, with `suppressions` (GitHub shows them as open)");
  scan->add_option("--today", flags.today,
                   "Date for suppression expiry (YYYY-MM-DD; default: today, UTC)")
      ->group("");

  CLI::App* baseline_cmd = app.add_subcommand("baseline", "Record findings so only new ones block");
  baseline_cmd->require_subcommand(1);
  CLI::App* baseline_create =
      baseline_cmd->add_subcommand("create", "Scan PATH and write its findings to FILE");
  ScanFlags baseline_flags;
  std::string baseline_output;
  baseline_create->add_option("path", baseline_flags.path, "Directory to scan (default: .)");
  baseline_create->add_option("-o,--output", baseline_output, "Baseline file to write")->required();
  baseline_create->add_option("--config", baseline_flags.config_path, "Configuration file");
  baseline_create
      ->add_option("--rules", baseline_flags.rule_dirs, "Extra rule directory (repeatable)")
      ->expected(1)
      ->take_all();
  baseline_create
      ->add_option("-j,--jobs", baseline_flags.jobs,
                   "Threads that read, parse and evaluate (default: one per core)")
      ->check(CLI::Range(1U, kMaxJobs));
  baseline_create->add_flag("--no-gitignore", baseline_flags.no_gitignore,
                            "Scan files that .gitignore excludes");
  baseline_create->add_option("--today", baseline_flags.today, "Date for suppression expiry")
      ->group("");

  CLI::App* graph_cmd = app.add_subcommand(
      "graph", "Draw the reconstructed topology: agents, servers, workloads, identities");
  GraphFlags graph_flags;
  graph_cmd->add_option("path", graph_flags.scan.path, "Directory or file to read (default: .)");
  graph_cmd->add_option("-f,--format", graph_flags.format, "mermaid (default) | dot | json")
      ->check(CLI::IsMember({"mermaid", "dot", "json"}));
  graph_cmd->add_option("-o,--output", graph_flags.output, "Write to FILE instead of stdout");
  graph_cmd->add_flag("--all", graph_flags.all_entities,
                      "Draw every entity (tools, grants, policies too), not the readable view");
  graph_cmd->add_option("--config", graph_flags.scan.config_path,
                        "Configuration file (default: PATH/.fermata.yaml)");
  graph_cmd->add_option("--rules", graph_flags.scan.rule_dirs, "Extra rule directory (repeatable)")
      ->expected(1)
      ->take_all();
  graph_cmd->add_flag("--no-gitignore", graph_flags.scan.no_gitignore,
                      "Read files that .gitignore excludes");
  graph_cmd->add_flag("--no-progress", graph_flags.scan.no_progress,
                      "Never show progress on standard error");
  add_limit_options(*graph_cmd, graph_flags.scan.limits);
  graph_cmd->add_option("--today", graph_flags.scan.today, "Date for suppression expiry")
      ->group("");

  CLI::App* report_cmd = app.add_subcommand(
      "report", "Write a MAESTRO threat model of the scanned system (Markdown or HTML)");
  ReportFlags report_flags;
  report_cmd->add_option("path", report_flags.scan.path, "Directory or file to read (default: .)");
  report_cmd->add_option("-f,--format", report_flags.format, "markdown (default) | html")
      ->check(CLI::IsMember({"markdown", "html"}));
  report_cmd->add_option("-o,--output", report_flags.output, "Write to FILE instead of stdout");
  report_cmd->add_option("--config", report_flags.scan.config_path,
                         "Configuration file (default: PATH/.fermata.yaml)");
  report_cmd
      ->add_option("--rules", report_flags.scan.rule_dirs, "Extra rule directory (repeatable)")
      ->expected(1)
      ->take_all();
  report_cmd->add_option("--baseline", report_flags.scan.baseline_path,
                         "Set aside the findings recorded in this baseline");
  report_cmd->add_option("--new-since", report_flags.scan.new_since,
                         "Add a 'what changed' section: threats added and removed since this "
                         "git revision (its merge-base with HEAD)");
  report_cmd
      ->add_option("--fail-on", report_flags.scan.fail_on,
                   "Severity counted as blocking in the verdict (default: high)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "none"}));
  report_cmd->add_flag("--no-gitignore", report_flags.scan.no_gitignore,
                       "Read files that .gitignore excludes");
  report_cmd->add_flag("--no-progress", report_flags.scan.no_progress,
                       "Never show progress on standard error");
  add_limit_options(*report_cmd, report_flags.scan.limits);
  report_cmd->add_option("--today", report_flags.scan.today, "Date for suppression expiry")
      ->group("");
  CLI::Option* report_fail_on = report_cmd->get_option("--fail-on");

  CLI::App* rules_cmd = app.add_subcommand("rules", "List the rules (text, markdown or json)");
  std::string rules_format = "text";
  std::vector<std::string> rules_dirs;
  rules_cmd->add_option("-f,--format", rules_format, "text | markdown | json")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  rules_cmd->add_option("--rules", rules_dirs, "Extra rule directory (repeatable)")
      ->expected(1)
      ->take_all();
  CLI::App* schema_cmd =
      rules_cmd->add_subcommand("schema", "Print the entity attributes rules can match");
  CLI::App* validate_cmd = rules_cmd->add_subcommand("validate", "Check rule directories and exit");
  std::vector<std::string> validate_dirs;
  validate_cmd->add_option("dirs", validate_dirs, "Rule directories")->required();

  CLI::App* explain =
      app.add_subcommand("explain", "Describe a rule: what it finds, why, and the fix");
  std::string explain_id;
  std::vector<std::string> explain_dirs;
  explain->add_option("id", explain_id, "Rule id, or `autonomy` for how autonomy is derived")
      ->required();
  explain->add_option("--rules", explain_dirs, "Extra rule directory (repeatable)")
      ->expected(1)
      ->take_all();

  CLI::App* init_cmd = app.add_subcommand(
      "init", "Write a commented .fermata.yaml and, on request, the CI or hook files");
  InitOptions init_options;
  init_cmd->add_option("path", init_options.root, "Repository root (default: .)");
  init_cmd->add_flag("--github", init_options.github,
                     "Also write .github/workflows/fermata.yml (the GitHub Action)");
  init_cmd->add_flag("--gitlab", init_options.gitlab,
                     "Also write .gitlab-ci.yml including the fermata GitLab template");
  init_cmd->add_flag("--pre-commit", init_options.pre_commit,
                     "Also write .pre-commit-config.yaml with the fermata hook");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? 0 : gate::kExitUsage;
  }

  try {
    if (scan->parsed()) {
      flags.fail_on_given = fail_on->count() > 0;
      return run_scan_command(*scan, format, output, flags, out, err, terminal);
    }
    if (graph_cmd->parsed()) return run_graph_command(graph_flags, out, err, terminal);
    if (report_cmd->parsed()) {
      report_flags.scan.fail_on_given = report_fail_on->count() > 0;
      return run_report_command(report_flags, out, err, terminal);
    }
    if (baseline_create->parsed()) {
      baseline_flags.no_progress = true;
      return run_baseline_create(baseline_flags, baseline_output, out, err, terminal);
    }
    if (rules_cmd->parsed()) {
      if (schema_cmd->parsed()) {
        report::write_schema_markdown(out);
        return 0;
      }
      rules::RuleSet rule_set;
      if (validate_cmd->parsed()) {
        // Only the named directories: they may hold the shipped rules' sources themselves.
        core::DiagnosticSink sink;
        bool ok = true;
        for (const auto& dir : validate_dirs) ok = load_rule_directory(dir, rule_set, sink) && ok;
        print_diagnostics(sink, err);
        if (!ok || sink.has_errors()) return gate::kExitUsage;
        out << rule_set.rules().size() << " rules valid\n";
        return 0;
      }
      if (!load_rules(rules_dirs, rule_set, err)) return gate::kExitUsage;
      const auto list = metas(rule_set);
      if (rules_format == "markdown") {
        report::write_rules_markdown(list, out);
      } else if (rules_format == "json") {
        report::write_rules_json(list, out);
      } else {
        report::write_rules_text(list, out);
      }
      return 0;
    }
    if (init_cmd->parsed()) return run_init(init_options, out, err);
    if (explain->parsed()) {
      if (explain_id == "autonomy") {
        out << derive::autonomy_explanation();
        return 0;
      }
      rules::RuleSet rule_set;
      if (!load_rules(explain_dirs, rule_set, err)) return gate::kExitUsage;
      const rules::Rule* rule = rule_set.find(explain_id);
      if (rule == nullptr) {
        err << "fermata: no rule '" << explain_id << "' (see `fermata rules`)\n";
        return gate::kExitUsage;
      }
      report::write_explain(rule->meta, out);
      return 0;
    }
  } catch (const std::exception& e) {
    // A crash is a bug; still, never exit 0 on one.
    err << "fermata: internal error: " << e.what() << "\n";
    return gate::kExitUsage;
  }
  return gate::kExitUsage;
}

}  // namespace fermata::cli
