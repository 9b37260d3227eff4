// How a process that trains uses the machine: the heap, LibTorch's and OpenBLAS's
// threads, and OpenMP's wait policy. Each choice was measured (docs/performance.md);
// the why is next to each function. LibTorch-free header: the runner includes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ablate {

// Keeps glibc's malloc from unmapping LibTorch's large buffers after every step; does
// nothing under tcmalloc. Call once, early in main().
void tune_heap_for_training();

// Hands the heap's free pages back to the system (between training and evaluation).
void release_free_memory();

// The same, only once more than 1 GiB is free (after an evaluation batch).
void release_free_memory_if_large();

// Keeps LibTorch's operations in this process on the calling thread. For the runner's
// main process, which cells are forked from: fork() copies only the calling thread, so
// an OpenMP thread pool started before it would be waited on forever in the child.
void keep_torch_single_threaded();

// LibTorch's intra-op threads for this process, and one OpenBLAS thread per caller.
void use_torch_threads(std::int64_t threads);

// Whether cells should wait passively (OMP_WAIT_POLICY=PASSIVE): when other work already
// keeps the cores busy and the user chose no policy (`user_policy` is OMP_WAIT_POLICY, or
// null). Busy: a 1-minute load average of at least `cores`, and, where it was measured,
// the cores' busy share over the last moment (`busy_now`, 0 to 1) at least all cores but
// half of one: the load average alone still counts work that ended up to a minute ago.
bool should_wait_passively(double load_average, std::optional<double> busy_now, std::int64_t cores,
                           const char* user_policy);

// On a machine whose cores are busy (should_wait_passively with this process's load and
// environment): sets OMP_WAIT_POLICY=PASSIVE in this process's environment, for the cell
// processes it starts from now on (libgomp reads the policy only when a process starts,
// so those cells must be fresh processes, not forks), and returns a note saying so.
// nullopt, changing nothing, otherwise.
std::optional<std::string> wait_passively_if_cores_busy(std::int64_t cores);

}  // namespace ablate
