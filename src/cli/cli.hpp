// cli: flags -> a validated plan -> the pipeline stages -> reporters -> exit code.
// Lives in the core library so end-to-end tests run it in-process.
#pragma once

#include <iosfwd>

namespace fermata::cli {

/// Runs fermata with `argv` and returns the exit code (0 clean, 1 blocking, 2 usage or
/// configuration error). `out`/`err` replace stdout/stderr; `interactive` says whether
/// they are a terminal (colour, progress).
struct Terminal {
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;
};
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        const Terminal& terminal);

}  // namespace fermata::cli
