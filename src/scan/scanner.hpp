// scan: runs the pipeline — discover, parse, derive, evaluate — over one file provider.
// The gate and the reporters come after, in the CLI; this stage only gathers facts and
// findings, so tests and the fixture harness drive it with in-memory files.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/limits.hpp"
#include "derive/secrets.hpp"
#include "discover/file_provider.hpp"
#include "link/topology.hpp"
#include "model/graph.hpp"
#include "report/report.hpp"
#include "rules/rule_set.hpp"

namespace fermata::scan {

struct ScanOptions {
  core::Limits limits;
  /// Called after each file is read: (files done, files in total). Optional; called from
  /// worker threads, one call at a time, with `done` counting up by one.
  std::function<void(size_t, size_t)> progress;
  /// What the configuration declares about agents and cloud identities, for linking.
  link::TopologyInputs topology;
  /// Threads that read, parse and evaluate: 0 for one per hardware thread, 1 for a sequential
  /// scan. The result is the same for every value.
  unsigned jobs = 0;
};

struct ScanResult {
  model::Graph graph;
  std::vector<rules::Finding> findings;       ///< sorted, fingerprinted, messages masked, not gated
  std::vector<core::Diagnostic> diagnostics;  ///< sorted by location
  std::vector<report::Artifact> artifacts;    ///< files a parser recognised, sorted
  uint64_t files_discovered = 0;
  std::shared_ptr<report::SourceCache> sources;
  report::Redactor redactor;  ///< masks every literal secret seen, in every output
};

ScanResult run_scan(discover::FileProvider& files, const rules::RuleSet& rules,
                    const derive::SecretClassifier& secrets, const ScanOptions& options);

/// The secret classifier built from the shipped catalog.
derive::SecretClassifier builtin_secret_classifier(core::DiagnosticSink& sink);

}  // namespace fermata::scan
