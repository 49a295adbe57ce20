/*
 * cc_common.h
 *		Shared definitions of the ccseg numeric core.
 *
 * The core is plain C99 without PostgreSQL headers, so that it can be unit
 * tested, fuzzed and run under sanitizers on its own.  It never allocates
 * with malloc directly: the caller hands in a CcAllocator, which lets the
 * PostgreSQL glue place every byte in a memory context that is released
 * even when a long computation is cancelled.
 */
#ifndef CC_COMMON_H
#define CC_COMMON_H

#include <stddef.h>
#include <stdint.h>

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

/* Memory allocation supplied by the caller. */
typedef struct CcAllocator
{
	void	   *(*alloc) (void *ctx, size_t size);	/* must not return NULL */
	void		(*release) (void *ctx, void *ptr);
	void	   *ctx;
} CcAllocator;

/*
 * Called from every loop that may run long; the PostgreSQL glue checks for
 * query cancel there.  May not return (longjmp), so the core keeps no state
 * that needs cleaning beyond what the allocator owns.
 */
typedef void (*CcCheckFn) (void *arg);

/* Allocate n elements of the given size, or NULL when n * size overflows. */
extern void *cc_alloc_array(const CcAllocator *a, size_t n, size_t size);
extern void cc_release(const CcAllocator *a, void *ptr);

/* An allocator on top of malloc/free, for unit tests and tools. */
extern const CcAllocator cc_malloc_allocator;

#endif							/* CC_COMMON_H */
