// Runs the fermata command line in-process for end-to-end tests.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace fermata::testing {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

/// `fermata ARGS...` with standard output and error captured; not a terminal.
inline CliRun run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "fermata");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  CliRun run;
  run.code = cli::run(static_cast<int>(argv.size()), argv.data(), out, err, {});
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace fermata::testing
