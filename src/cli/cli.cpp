#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "discover/working_tree.hpp"
#include "gate/gate.hpp"
#include "report/reporter.hpp"
#include "report/rules_doc.hpp"
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
  for (const auto& path : files) {
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
  std::vector<std::string> rule_dirs;
  uint64_t max_file_bytes = core::Limits{}.max_file_bytes;
  bool no_gitignore = false;
  bool allow_parse_errors = false;
  bool no_progress = false;
  std::string automation_id = "fermata/";
};

int run_scan_command(const CLI::App& command, const CLI::Option* format, const CLI::Option* output,
                     const ScanFlags& flags, std::ostream& out, std::ostream& err,
                     const Terminal& terminal) {
  std::string problem;
  const auto targets = output_targets(command, format, output, problem);
  if (!problem.empty()) {
    err << "fermata: " << problem << "\n";
    return gate::kExitUsage;
  }
  gate::GatePolicy policy;
  if (flags.fail_on == "none") {
    policy.fail_on_none = true;
  } else {
    policy.fail_on = *core::parse_severity(flags.fail_on);
  }
  policy.allow_parse_errors = flags.allow_parse_errors;

  rules::RuleSet rule_set;
  if (!load_rules(flags.rule_dirs, rule_set, err)) return gate::kExitUsage;
  core::DiagnosticSink catalog_sink;
  derive::SecretClassifier secrets = scan::builtin_secret_classifier(catalog_sink);
  if (catalog_sink.has_errors()) {
    print_diagnostics(catalog_sink, err);
    return gate::kExitUsage;
  }

  std::error_code error;
  if (!fs::exists(flags.path, error)) {
    err << "fermata: " << flags.path << ": no such file or directory\n";
    return gate::kExitUsage;
  }
  discover::WalkOptions walk;
  walk.limits.max_file_bytes = flags.max_file_bytes;
  walk.honour_gitignore = !flags.no_gitignore;
  discover::WorkingTreeProvider files(flags.path, walk);
  scan::ScanOptions options;
  options.limits = walk.limits;
  Progress progress(terminal.stderr_is_tty && !flags.no_progress && !env_set("CI"), err);
  options.progress = [&progress](size_t done, size_t total) { progress.update(done, total); };
  scan::ScanResult result = scan::run_scan(files, rule_set, secrets, options);

  report::Report report;
  report.tool_version = FERMATA_VERSION;
  report.scan_root = flags.path;
  report.rules = metas(rule_set);
  report.exit_code = gate::apply_gate(result.findings, result.diagnostics, policy);
  report.findings = std::move(result.findings);
  report.diagnostics = std::move(result.diagnostics);
  report.artifacts = std::move(result.artifacts);
  report.files_discovered = result.files_discovered;
  report.fail_on = policy.fail_on;
  report.fail_on_none = policy.fail_on_none;
  report.automation_id = flags.automation_id;
  report.sources = result.sources;
  report.redactor = std::move(result.redactor);

  for (const auto& target : targets) {
    const report::ReporterInfo* reporter = report::find_reporter(target.format);
    report::ReporterOptions reporter_options;
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
  scan->add_option("--fail-on", flags.fail_on,
                   "Lowest severity that fails the build (default: high)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "none"}));
  scan->add_option("--rules", flags.rule_dirs, "Extra rule directory (repeatable)")
      ->expected(1)
      ->take_all();
  scan->add_option("--max-file-size", flags.max_file_bytes,
                   "Skip files larger than BYTES (default: 8 MiB)");
  scan->add_flag("--no-gitignore", flags.no_gitignore, "Scan files that .gitignore excludes");
  scan->add_flag("--allow-parse-errors", flags.allow_parse_errors,
                 "Do not fail the build on files that could not be parsed");
  scan->add_flag("--no-progress", flags.no_progress, "Never show progress on standard error");
  scan->add_option("--automation-id", flags.automation_id,
                   "SARIF runAutomationDetails.id (category/run), default fermata/");

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
  explain->add_option("id", explain_id, "Rule id")->required();
  explain->add_option("--rules", explain_dirs, "Extra rule directory (repeatable)")
      ->expected(1)
      ->take_all();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? 0 : gate::kExitUsage;
  }

  try {
    if (scan->parsed()) return run_scan_command(*scan, format, output, flags, out, err, terminal);
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
    if (explain->parsed()) {
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
