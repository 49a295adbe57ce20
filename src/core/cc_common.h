/*
 * cc_common.h
 *		Shared definitions of the ccseg numeric core.
 *
 * The core is plain C99 without PostgreSQL headers, so that it can be unit
 * tested, fuzzed and run under sanitizers on its own.  It allocates only
 * through the caller's CcAllocator (alloc.h), which this header brings in
 * for every core module.
 */
#ifndef CC_COMMON_H
#define CC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

/*
 * Hot loops are compiled twice, for AVX2 and for the baseline, and the
 * loader picks one for the CPU at hand.  The results are the same bit for
 * bit: the core is built with -ffp-contract=off, so neither version fuses
 * multiplications and additions, and both sum in the same order.  Defining
 * CC_NO_SIMD_CLONES builds the baseline alone, which "make unittest-clones"
 * uses to compare the two.
 */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(__clang__) \
	&& !defined(CC_NO_SIMD_CLONES)
#define CC_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CC_SIMD_CLONES
#endif

/*
 * For the helpers of a cloned function: inlined into each clone, so that
 * they are compiled for its instruction set too.
 */
#if defined(__GNUC__)
#define CC_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define CC_ALWAYS_INLINE inline
#endif

/*
 * Called from every loop that may run long; the PostgreSQL glue checks for
 * query cancel there.  May not return (longjmp), so the core keeps no state
 * that needs cleaning beyond what the allocator owns.
 */
typedef void (*CcCheckFn) (void *arg);

#endif							/* CC_COMMON_H */
