/*
 * pass.h
 *		One Lloyd pass as mergeable statistics: for every row, its nearest
 *		centroid gets the row added to its sum, one to its count and the
 *		squared distance to its error.  The sums are CcXsum, so the result
 *		of a pass does not depend on the order of the rows or on how they
 *		were split between processes and merged.
 */
#ifndef CC_PASS_H
#define CC_PASS_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "exactsum.h"

typedef struct CcPass
{
	int			k;
	int			d;
	int64_t		rows;			/* rows added */
	int64_t    *counts;			/* k */
	CcXsum	   *sums;			/* k x d */
	CcXsum	   *sse;			/* k */
} CcPass;

/* Largest k * (d + 1) a pass takes: its statistics stay below 30 MB. */
#define CC_PASS_MAX_CELLS	65536

extern void cc_pass_init(CcPass *p, int k, int d, const CcAllocator *alloc);
extern void cc_pass_release(CcPass *p, const CcAllocator *alloc);

/*
 * Add the row z (d values, finite) given the centroids transposed (ct, d x
 * k, see cc_model_transpose); dist is room for k doubles.  The nearest
 * centroid is chosen as cc_nearest would (lowest index on ties).  Returns it.
 */
extern int	cc_pass_add(CcPass *p, const double *z, const double *ct, double *dist);
extern void cc_pass_merge(CcPass *into, const CcPass *from);

/* The pass's totals: sums (k x d, rounded), counts (k), sse (k). */
extern void cc_pass_result(const CcPass *p, double *sums, int64_t *counts, double *sse);

/* A flat byte form, to travel between processes of one machine. */
extern size_t cc_pass_flat_size(int k, int d);
extern void cc_pass_flatten(const CcPass *p, void *out);
/* NULL when buf holds a valid pass, else what is wrong; release p either way */
extern const char *cc_pass_unflatten(const void *buf, size_t len, CcPass *p,
									 const CcAllocator *alloc);

#endif							/* CC_PASS_H */
