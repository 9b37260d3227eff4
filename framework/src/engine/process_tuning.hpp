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

// Advice to print when other work already keeps the cores busy and OpenMP's threads
// would spin against it; nothing when the load is lower or the user chose a policy.
std::optional<std::string> busy_cores_advice(std::int64_t cores);

}  // namespace ablate
