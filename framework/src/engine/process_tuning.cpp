// How a process that trains uses the machine (process_tuning.hpp).
#include "engine/process_tuning.hpp"

#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <thread>

#include <fmt/format.h>
#include <torch/torch.h>

#include "ablate/error.hpp"

namespace ablate {

namespace {

// The machine's CPU time so far (/proc/stat's first line, in clock ticks): busy and total.
struct CpuTimes {
  unsigned long long busy = 0;
  unsigned long long total = 0;
};

std::optional<CpuTimes> read_cpu_times() {
  std::ifstream stat("/proc/stat");
  std::string label;
  // user nice system idle iowait irq softirq steal (guest time is inside user already)
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (!(stat >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) || label != "cpu") {
    return std::nullopt;
  }
  const unsigned long long busy = user + nice + system + irq + softirq + steal;
  return CpuTimes{busy, busy + idle + iowait};
}

// The share (0 to 1) of the last `window` that all cores together spent busy; nullopt
// where /proc/stat cannot be read.
std::optional<double> busy_share(std::chrono::milliseconds window) {
  const auto before = read_cpu_times();
  std::this_thread::sleep_for(window);
  const auto after = read_cpu_times();
  if (!before || !after || after->total <= before->total) return std::nullopt;
  return static_cast<double>(after->busy - before->busy) / static_cast<double>(after->total - before->total);
}

// tcmalloc's own C API, looked up so that the engine does not depend on it.
using ReleaseFreeMemory = void (*)();

ReleaseFreeMemory tcmalloc_release() {
  static const auto release =
      reinterpret_cast<ReleaseFreeMemory>(dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
  return release;
}

// Debian's LibTorch calls OpenBLAS (libopenblas0-pthread) for matrix products and for
// the convolutions oneDNN hands to a GEMM. LibTorch already spreads work over its OpenMP
// threads; OpenBLAS's own thread pool on top of them oversubscribes the cores, and its
// idle threads spin in sched_yield between calls (perf: a quarter of the baseline's
// training time at 28 px). One OpenBLAS thread per caller: encoder at 28 px +20%,
// baseline +12%, neutral at 64 and 128 (docs/performance.md). Looked up at run time, as
// the system's BLAS may be another library.
void use_one_openblas_thread() {
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
}

// True when the process runs on tcmalloc (the runner links it, ABLATE_WITH_TCMALLOC).
bool heap_is_tcmalloc() { return tcmalloc_release() != nullptr; }

}  // namespace

// The allocator matters to LibTorch on the CPU: every step allocates and frees its
// activation buffers. tcmalloc keeps them cheap and the heap compact. glibc's malloc
// would return every large buffer to the OS after each step and map it again on the next
// (millions of page faults): keeping them mapped nearly doubles training speed (DESIGN
// §11), at the price of a more fragmented heap.
void tune_heap_for_training() {
#if defined(__GLIBC__)
  if (heap_is_tcmalloc()) return;
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
}

// The allocator keeps freed buffers for reuse (tcmalloc's page heap; without tcmalloc,
// glibc's malloc tuned not to unmap), so training's activations stay resident when
// evaluation, with its larger batches, asks for blocks they do not fit: peak memory would
// be the sum of both phases. Handing the free pages back between phases makes it the
// larger of the two (and costs a few page faults).
void release_free_memory() {
  if (const auto release = tcmalloc_release()) {
    release();
    return;
  }
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// With glibc's malloc tuned not to unmap (a runner built without tcmalloc), evaluation
// batches of different sizes (the last one is smaller) leave holes that the next batch's
// large tensors do not fit, and the heap grows batch after batch. Handing back free pages
// once more than 1 GiB is free bounds it. Smaller batches never get here, and must not:
// re-faulting the pages of every batch made evaluation at 64x64 2x slower. Under tcmalloc
// glibc's heap stays empty and this does nothing; tcmalloc's page heap does not grow so.
void release_free_memory_if_large() {
#if defined(__GLIBC__)
  constexpr std::size_t kFreeBytesWorthReleasing = std::size_t{1} << 30;
  if (mallinfo2().fordblks > kFreeBytesWorthReleasing) malloc_trim(0);
#endif
}

void keep_torch_single_threaded() { torch::set_num_threads(1); }

void use_torch_threads(std::int64_t threads) {
  // Checked, not cast: 2^32 + k threads would silently become k (the runner refuses more
  // than the cores earlier; this holds for every caller).
  if (threads < 1 || threads > std::numeric_limits<int>::max()) {
    throw ConfigError(fmt::format("{} LibTorch threads: expected 1 to {}", threads, std::numeric_limits<int>::max()));
  }
  torch::set_num_threads(static_cast<int>(threads));
  use_one_openblas_thread();
}

// LibTorch's OpenMP threads spin for a while between operations before they sleep
// (libgomp's default policy). On cores of their own that is the fastest way to wait: 7-23%
// faster at 28x28 than OMP_WAIT_POLICY=PASSIVE. On cores other work already keeps busy a
// spinning thread takes the time slice its peer needs (several times slower under a load
// of 4 on 2 cores; docs/performance.md, BENCHMARKS.md).
bool should_wait_passively(double load_average, std::optional<double> busy_now, std::int64_t cores,
                           const char* user_policy) {
  if (user_policy != nullptr || load_average < static_cast<double>(cores)) return false;
  // The load average trails by a minute: work that has just ended (a build, the previous
  // program of a benchmark) still fills it. Busy now means all cores but half of one.
  return !busy_now || *busy_now * static_cast<double>(cores) >= static_cast<double>(cores) - 0.5;
}

std::optional<std::string> wait_passively_if_cores_busy(std::int64_t cores) {
  double load = 0;
  const char* user_policy = std::getenv("OMP_WAIT_POLICY");
  // The cheap test first: on a machine whose load average is below the cores (the usual
  // case) nothing is sampled and the runner starts at once.
  if (getloadavg(&load, 1) != 1 || !should_wait_passively(load, std::nullopt, cores, user_policy)) {
    return std::nullopt;
  }
  const std::optional<double> busy = busy_share(std::chrono::milliseconds(200));
  if (!should_wait_passively(load, busy, cores, user_policy)) return std::nullopt;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  return fmt::format("the load average is {:.1f} on {} core(s){}: other work is using them, so the cells start as "
                     "fresh processes with OMP_WAIT_POLICY=PASSIVE, whose idle threads sleep instead of spinning "
                     "against it (set OMP_WAIT_POLICY yourself to choose; docs/performance.md)",
                     load, cores, busy ? fmt::format(", {:.0f}% busy now", *busy * 100) : "");
}

}  // namespace ablate
