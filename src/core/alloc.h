/*
 * alloc.h
 *		Memory allocation for the ccseg numeric core.
 *
 * The core never allocates with malloc directly: the caller hands in a
 * CcAllocator, which lets the PostgreSQL glue place every byte in a memory
 * context that is released even when a long computation is cancelled.
 */
#ifndef CC_ALLOC_H
#define CC_ALLOC_H

#include <stddef.h>

/* Memory allocation supplied by the caller. */
typedef struct CcAllocator
{
	void	   *(*alloc) (void *ctx, size_t size);	/* must not return NULL */
	void		(*release) (void *ctx, void *ptr);
	void	   *ctx;
} CcAllocator;

/* Allocate n elements of the given size, or NULL when n * size overflows. */
extern void *cc_alloc_array(const CcAllocator *a, size_t n, size_t size);
extern void cc_release(const CcAllocator *a, void *ptr);

/* An allocator on top of malloc/free, for unit tests and tools. */
extern const CcAllocator cc_malloc_allocator;

#endif							/* CC_ALLOC_H */
