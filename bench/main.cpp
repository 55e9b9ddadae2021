// fermata_bench: how fast fermata scans monorepos of 100 to 50,000 files, against the I/O
// floor (list and read every file) and the parse floor (read and parse every claimed file),
// each measured as a child process in the same run; plus the real corpus and a pre-commit
// (`--staged`) scan of a 2,000-file git repository. Prints Markdown tables (BENCHMARKS.md).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/child_process.hpp"
#include "bench/floors.hpp"
#include "bench/repo_generator.hpp"
#include "bench/yaml_parsers.hpp"
#include "core/parallel.hpp"

namespace fs = std::filesystem;
using fermata::bench::Measurement;

namespace {

struct Settings {
  std::string fermata = FERMATA_BINARY;
  std::string work_dir;
  std::vector<uint64_t> sizes = {100, 1000, 10000, 50000};
  std::string corpus;
  uint64_t staged_files = 2000;
  unsigned repeat = 3;
  unsigned jobs = 0;
  uint64_t seed = 20250109;
  std::string markdown;
};

/// One measured command: its best run (least wall time) of `repeat`, and the largest RSS.
struct Row {
  std::string name;
  Measurement best;
};

struct Target {
  uint64_t files = 0;
  double megabytes = 0;
  std::vector<Row> rows;  ///< io floor, parse floor, scan, scan --jobs 1
};

std::string self_path() { return fs::read_symlink("/proc/self/exe").string(); }

Measurement best_of(const std::vector<std::string>& argv, unsigned repeat,
                    const std::string& directory = "") {
  Measurement best;
  double peak = 0;
  for (unsigned i = 0; i < repeat; ++i) {
    const Measurement m = fermata::bench::run_measured(argv, directory);
    if (m.exit_code != 0) {
      std::string command;
      for (const auto& arg : argv) command += " " + arg;
      throw std::runtime_error("exit " + std::to_string(m.exit_code) + " from" + command);
    }
    peak = std::max(peak, m.peak_rss_mib);
    if (i == 0 || m.wall_seconds < best.wall_seconds) best = m;
  }
  best.peak_rss_mib = peak;
  return best;
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

std::string grouped(uint64_t value) {
  std::string digits = std::to_string(value);
  for (auto i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<size_t>(i), ",");
  }
  return digits;
}

/// Files and bytes as the floors see them (after .gitignore), read from the I/O floor child.
fermata::bench::FloorResult count_files(const std::string& root) {
  return fermata::bench::run_floor(fermata::bench::Floor::kIo, root, 1);
}

Target measure(const std::string& root, const Settings& settings, const std::string& report) {
  const fermata::bench::FloorResult counted = count_files(root);
  Target target;
  target.files = counted.files;
  target.megabytes = static_cast<double>(counted.bytes) / 1e6;
  const std::string jobs = std::to_string(settings.jobs);
  std::cerr << "  io floor\n";
  target.rows.push_back(
      {"I/O floor", best_of({self_path(), "floor", "io", root, "--jobs", jobs}, settings.repeat)});
  std::cerr << "  parse floor\n";
  target.rows.push_back(
      {"parse floor",
       best_of({self_path(), "floor", "parse", root, "--jobs", jobs}, settings.repeat)});
  const std::vector<std::string> scan = {settings.fermata, "scan", root,       "--no-progress",
                                         "--fail-on",      "none", "--format", "json",
                                         "--output",       report, "--jobs"};
  std::cerr << "  scan\n";
  auto parallel = scan;
  parallel.push_back(jobs);
  target.rows.push_back({"scan", best_of(parallel, settings.repeat)});
  std::cerr << "  scan --jobs 1\n";
  auto sequential = scan;
  sequential.emplace_back("1");
  target.rows.push_back({"scan --jobs 1", best_of(sequential, settings.repeat)});
  return target;
}

void print_target(std::ostream& out, const std::string& title, const Target& target) {
  const double parse_wall = target.rows[1].best.wall_seconds;
  const double parse_cpu = target.rows[1].best.cpu_seconds;
  out << "\n### " << title << ": " << grouped(target.files) << " files, "
      << fixed(target.megabytes, 1) << " MB\n\n"
      << "| run | wall s | CPU s | peak RSS MiB | files/s | MB/s | wall / parse floor | CPU / "
         "parse floor |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const Row& row : target.rows) {
    const Measurement& m = row.best;
    const double wall = std::max(m.wall_seconds, 1e-6);
    out << "| " << row.name << " | " << fixed(m.wall_seconds, 3) << " | " << fixed(m.cpu_seconds, 3)
        << " | " << fixed(m.peak_rss_mib, 1) << " | "
        << grouped(static_cast<uint64_t>(std::llround(static_cast<double>(target.files) / wall)))
        << " | " << fixed(target.megabytes / wall, 1) << " | "
        << fixed(m.wall_seconds / parse_wall, 2) << " | "
        << fixed(m.cpu_seconds / std::max(parse_cpu, 1e-6), 2) << " |\n";
  }
}

void print_yaml_comparison(std::ostream& out, const std::string& title, const std::string& root) {
  const auto comparison = fermata::bench::compare_yaml_parsers(root);
  const double megabytes = static_cast<double>(comparison.bytes) / 1e6;
  out << "\n### YAML front end, " << title << ": " << grouped(comparison.files)
      << " claimed YAML files, " << fixed(megabytes, 1)
      << " MB in memory, one thread\n\n| parser | CPU s | MB/s | rejected "
         "|\n|---|---:|---:|---:|\n";
  for (const auto& timing : comparison.timings) {
    out << "| " << timing.name << " | " << fixed(timing.cpu_seconds, 3) << " | "
        << fixed(megabytes / std::max(timing.cpu_seconds, 1e-6), 1) << " | " << timing.failures
        << " |\n";
  }
}

/// A committed 2,000-file repository with a few files changed and staged, then timed scans
/// of the index as a pre-commit hook runs them.
Measurement measure_staged(const Settings& settings, const fs::path& root) {
  fs::remove_all(root);
  fermata::bench::generate_repository(root, settings.staged_files, settings.seed + 1);
  const std::string dir = root.string();
  const std::vector<std::string> git = {"git", "-c", "user.name=bench", "-c",
                                        "user.email=bench@example.com"};
  auto git_command = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = git;
    argv.insert(argv.end(), args.begin(), args.end());
    fermata::bench::run_checked(argv, dir);
  };
  git_command({"init", "-q"});
  git_command({"add", "-A"});
  git_command({"commit", "-q", "-m", "initial"});
  // Change a few configurations, as a commit would, and stage them.
  std::vector<std::string> changed;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (changed.size() == 5) break;
    const std::string path = entry.path().string();
    if (path.find("/.git/") != std::string::npos || entry.path().extension() != ".yaml") continue;
    std::ofstream(entry.path(), std::ios::app) << "# changed in this commit\n";
    changed.push_back(fs::relative(entry.path(), root).string());
  }
  std::vector<std::string> add = {"add"};
  add.insert(add.end(), changed.begin(), changed.end());
  git_command(add);
  return best_of({settings.fermata, "scan", "--staged", "--no-progress", "--fail-on", "none",
                  "--jobs", std::to_string(settings.jobs)},
                 std::max(settings.repeat, 5U), dir);
}

std::string machine_description() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  double ram_gib = 0;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("MemTotal:", 0) == 0) {
      ram_gib = std::stod(line.substr(9)) / (1024.0 * 1024.0);
      break;
    }
  }
  return std::to_string(fermata::core::default_jobs()) + " hardware threads, " + model + ", " +
         fixed(ram_gib, 1) + " GiB RAM";
}

int run_benchmark(Settings settings) {
  if (settings.jobs == 0) settings.jobs = fermata::core::default_jobs();
  const fs::path work = settings.work_dir.empty() ? fs::temp_directory_path() / "fermata-bench"
                                                  : fs::path(settings.work_dir);
  fs::create_directories(work);
  const std::string report = (work / "report.json").string();
  std::ostringstream out;
  out << "Machine: " << machine_description() << "; scans and floors on " << settings.jobs
      << " threads; best of " << settings.repeat << " runs (peak RSS: the largest).\n";

  struct Checked {
    uint64_t size;
    Target target;
  };
  std::vector<Checked> results;
  for (const uint64_t size : settings.sizes) {
    const fs::path root = work / ("repo-" + std::to_string(size));
    fs::remove_all(root);
    std::cerr << "generating " << size << " files in " << root.string() << "\n";
    const auto start = std::chrono::steady_clock::now();
    const auto stats = fermata::bench::generate_repository(root, size, settings.seed);
    const double generation =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Target target = measure(root.string(), settings, report);
    print_target(out, "Synthetic, " + grouped(size) + " files", target);
    out << "\nGenerated in " << fixed(generation, 2) << " s: " << stats.kubernetes
        << " Kubernetes manifests, " << stats.mcp << " MCP client configurations, " << stats.iam
        << " IAM documents, " << stats.other << " other files.\n";
    if (size == 10000) print_yaml_comparison(out, "synthetic 10,000 files", root.string());
    results.push_back({size, std::move(target)});
    fs::remove_all(root);
  }
  if (!settings.corpus.empty()) {
    std::cerr << "real corpus " << settings.corpus << "\n";
    print_target(out, "Real corpus", measure(settings.corpus, settings, report));
    print_yaml_comparison(out, "real corpus", settings.corpus);
  }
  std::cerr << "staged scan of a " << settings.staged_files << "-file git repository\n";
  const Measurement staged = measure_staged(settings, work / "staged");
  fs::remove_all(work / "staged");
  out << "\n### Pre-commit: `fermata scan --staged`, " << grouped(settings.staged_files)
      << "-file git repository, 5 files staged\n\nwall " << fixed(staged.wall_seconds, 3)
      << " s, CPU " << fixed(staged.cpu_seconds, 3) << " s, peak RSS "
      << fixed(staged.peak_rss_mib, 1) << " MiB\n";

  out << "\n### Targets\n\n";
  for (const auto& [size, target] : results) {
    const Measurement& scan = target.rows[2].best;
    const double ratio = scan.wall_seconds / target.rows[1].best.wall_seconds;
    if (size == 10000) {
      out << "- 10,000 files within 1.5x the parse floor: " << fixed(ratio, 2) << "x — "
          << (ratio <= 1.5 ? "met" : "NOT met") << "\n";
    }
    if (size == 50000) {
      out << "- 50,000 files under 2 GiB peak RSS: " << fixed(scan.peak_rss_mib, 0) << " MiB — "
          << (scan.peak_rss_mib < 2048 ? "met" : "NOT met") << "\n";
    }
  }
  out << "- `--staged` on " << grouped(settings.staged_files)
      << " files under 1 s: " << fixed(staged.wall_seconds, 3) << " s — "
      << (staged.wall_seconds < 1 ? "met" : "NOT met") << "\n";
  std::cout << out.str();
  if (!settings.markdown.empty()) std::ofstream(settings.markdown) << out.str();
  return 0;
}

}  // namespace

namespace {

int run_main(int argc, char** argv) {
  CLI::App app{"fermata_bench: scan speed against the I/O and parse floors", "fermata_bench"};
  Settings settings;
  app.add_option("--fermata", settings.fermata, "The fermata binary to measure");
  app.add_option("--work-dir", settings.work_dir,
                 "Where repositories are generated (default: $TMPDIR/fermata-bench)");
  app.add_option("--sizes", settings.sizes, "Repository sizes in files")->delimiter(',');
  app.add_option("--corpus", settings.corpus, "A real repository corpus to scan as well");
  app.add_option("--staged-files", settings.staged_files, "Files in the --staged repository");
  app.add_option("--repeat", settings.repeat, "Runs of each measurement (the best is kept)")
      ->check(CLI::PositiveNumber);
  app.add_option("--jobs", settings.jobs, "Threads for scans and floors (default: all)");
  app.add_option("--seed", settings.seed, "Seed of the generated repositories");
  app.add_option("--markdown", settings.markdown, "Also write the tables to FILE");

  CLI::App* floor = app.add_subcommand("floor", "Run one floor (the benchmark runs it itself)");
  std::string floor_kind;
  std::string floor_root;
  unsigned floor_jobs = 0;
  floor->add_option("kind", floor_kind, "io | parse")
      ->required()
      ->check(CLI::IsMember({"io", "parse"}));
  floor->add_option("root", floor_root, "Directory")->required();
  floor->add_option("--jobs", floor_jobs, "Threads (default: all)");

  CLI::App* generate = app.add_subcommand("generate", "Write one synthetic repository");
  std::string generate_root;
  uint64_t generate_files = 1000;
  generate->add_option("root", generate_root, "Directory to create")->required();
  generate->add_option("--files", generate_files, "Number of files");

  CLI::App* yaml = app.add_subcommand("yaml", "Time the YAML parsers on one directory");
  std::string yaml_root;
  yaml->add_option("root", yaml_root, "Directory")->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (floor->parsed()) {
      const auto result = fermata::bench::run_floor(
          floor_kind == "io" ? fermata::bench::Floor::kIo : fermata::bench::Floor::kParse,
          floor_root, floor_jobs == 0 ? fermata::core::default_jobs() : floor_jobs);
      std::printf("%llu files, %llu bytes, %llu parsed\n",
                  static_cast<unsigned long long>(result.files),
                  static_cast<unsigned long long>(result.bytes),
                  static_cast<unsigned long long>(result.parsed));
      return 0;
    }
    if (yaml->parsed()) {
      print_yaml_comparison(std::cout, yaml_root, yaml_root);
      return 0;
    }
    if (generate->parsed()) {
      const auto stats =
          fermata::bench::generate_repository(generate_root, generate_files, settings.seed);
      std::printf("%llu files, %llu bytes\n", static_cast<unsigned long long>(stats.files),
                  static_cast<unsigned long long>(stats.bytes));
      return 0;
    }
    return run_benchmark(settings);
  } catch (const std::exception& e) {
    std::cerr << "fermata_bench: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (...) {
    std::cerr << "fermata_bench: unexpected error\n";
    return 1;
  }
}
