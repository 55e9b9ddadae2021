// bench: runs one command as a child process and measures it as the kernel accounts it —
// wall time, user and system CPU, and peak resident memory (getrusage of that child alone).
#pragma once

#include <string>
#include <vector>

namespace fermata::bench {

struct Measurement {
  double wall_seconds = 0;
  double cpu_seconds = 0;  ///< user + system
  double peak_rss_mib = 0;
  int exit_code = -1;  ///< -1 when the child died of a signal
};

/// Runs `argv` (argv[0] is a path) in `directory` with standard input, output and error on
/// /dev/null, waits for it and returns its figures. Throws when it cannot start.
Measurement run_measured(const std::vector<std::string>& argv, const std::string& directory = "");

/// Runs `argv` in `directory` and throws unless it exits 0 (setup steps such as `git add`).
void run_checked(const std::vector<std::string>& argv, const std::string& directory);

}  // namespace fermata::bench
