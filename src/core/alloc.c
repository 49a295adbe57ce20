/*
 * alloc.c
 *		Allocation through a caller's CcAllocator, and one on top of malloc.
 */
#include <stdint.h>
#include <stdlib.h>

#include "alloc.h"

static void *
malloc_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size ? size : 1);
}

static void
malloc_release(void *ctx, void *ptr)
{
	(void) ctx;
	free(ptr);
}

const CcAllocator cc_malloc_allocator = {malloc_alloc, malloc_release, NULL};

/* Allocate n * size bytes through the allocator, NULL on overflow. */
void *
cc_alloc_array(const CcAllocator *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return a->alloc(a->ctx, n * size);
}

/* Release memory obtained from cc_alloc_array; NULL is ignored. */
void
cc_release(const CcAllocator *a, void *ptr)
{
	if (ptr != NULL)
		a->release(a->ctx, ptr);
}
