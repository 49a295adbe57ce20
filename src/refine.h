/*
 * refine.h
 *		Lloyd passes over every row of a relation, for a model whose k-means
 *		ran on a sample of it: refine.c runs them, lloyd_pass.c is the
 *		aggregate that computes one pass.
 */
#ifndef CCSEG_REFINE_H
#define CCSEG_REFINE_H

#include "kmeans.h"
#include "pass.h"
#include "prepare.h"

/*
 * When p holds a sample, Lloyd passes over every row of p's relation from
 * kr's centroids, until the squared shift is at most tol, a pass lowers the
 * inertia by at most gain_tol of it (relative; 0 turns this off) or max_iter
 * passes, or until a pass leaves every centroid as it was (its statistics
 * are then those of the final centroids: no other pass is run); kr's sizes,
 * sse and inertia then cover every row (*rows of them), and its labels are
 * stale.  *passes_run (when not NULL) receives the passes over the rows
 * (refine.c).
 */
extern void ccseg_refine_full(const CcsegPrepared *p, CcKmeansResult *kr, int k,
							  double tol, double gain_tol, int max_iter,
							  size_t *rows, int *passes_run);

/* Read the bytes _ccseg_lloyd_pass returns (lloyd_pass.c). */
extern void ccseg_pass_read(bytea *bytes, CcPass *p, MemoryContext cxt);

/*
 * One row of a pass, as the aggregate takes it (lloyd_pass.c): raw holds the
 * model's d features in original units, NaN for null; the row is imputed,
 * transformed, scaled and added to p, with the aggregate's errors for a
 * value outside a transform's domain or too large.  Returns false for a row
 * that impute = drop leaves out.  z and dist are room for d and k doubles,
 * ct the centroids transposed (cc_model_transpose).
 */
extern bool ccseg_pass_add_row(CcPass *p, const CcModel *m, const double *ct,
							   const double *raw, double *z, double *dist);

/* The error of a pass for a NaN or an infinite value of feature j. */
extern void ccseg_pass_bad_value(const CcModel *m, int j) pg_attribute_noreturn();

#endif							/* CCSEG_REFINE_H */
