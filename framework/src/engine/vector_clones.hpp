// ABLATE_VECTOR_CLONES: compile a function twice, for AVX2 and for any x86-64, and let the
// dynamic loader pick the one this CPU runs (GCC's target_clones). The engine is built for
// the baseline x86-64 (SSE2) like Debian's packages; the fused loops that use it are
// memory-bound, and twice the vector width keeps them ahead of LibTorch's own AVX2 kernels.
// Clones give the same results: they differ in vector width only, not in operations (no
// FMA contraction, which -mavx2 alone does not enable).
#pragma once

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define ABLATE_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ABLATE_VECTOR_CLONES
#endif
