// core: independent pieces of work spread over the machine's cores. The scan parses files
// and evaluates rules this way; callers keep results in per-index slots and combine them in
// index order, so output never depends on the number of threads or their timing.
#pragma once

#include <cstddef>
#include <functional>

namespace fermata::core {

/// The worker count a scan uses unless told otherwise: one per hardware thread (at least 1).
unsigned default_jobs();

/// Calls `task(i)` once for every i in [0, count) on up to `jobs` threads, the calling thread
/// among them; with `jobs` <= 1 (or one item) it runs in order on the calling thread. Items
/// are handed out one at a time, so a large file does not hold up a fixed share of others.
/// The first exception a task throws is rethrown here once every thread has stopped.
void parallel_for(size_t count, unsigned jobs, const std::function<void(size_t)>& task);

}  // namespace fermata::core
