/*
 * linalg.h
 *		Small dense linear algebra for the core: covariance and the
 *		eigen-decomposition of a symmetric matrix, for PCA.
 */
#ifndef CC_LINALG_H
#define CC_LINALG_H

#include <stddef.h>

#include <stdbool.h>

#include "alloc.h"
#include "cc_common.h"
#include "parallel.h"

/*
 * Covariance (divided by n) of the n x d matrix x around the given column
 * means, into cov (d x d, symmetric).  Each entry is a compensated sum
 * (cc_sum_add) of plain sums of the products of CC_COV_ROWS rows at a time,
 * in row order; the lower triangle mirrors the upper.
 */
#define CC_COV_ROWS 32

extern void cc_covariance(const double *x, size_t n, int d, const double *mean,
						  double *cov, CcCheckFn check, void *arg);

/*
 * The same, the sums of the groups of CC_COV_ROWS rows computed by up to
 * threads threads a chunk at a time and folded by the calling thread in
 * row order: the same bits whatever the number of threads.  check (from
 * the calling thread, between chunks) and poll (while threads run) may be
 * NULL and share arg.  false when poll asked to stop.
 */
extern bool cc_covariance_parallel(const double *x, size_t n, int d,
								   const double *mean, double *cov,
								   int threads, CcCheckFn check,
								   CcPollFn poll, void *arg,
								   const CcAllocator *alloc);

/*
 * Eigenvalues and eigenvectors of the symmetric d x d matrix a (destroyed),
 * by cyclic Jacobi rotations (C. G. J. Jacobi, 1846; see Golub and Van Loan,
 * "Matrix Computations", section 8.5).  Eigenvalues go to values in
 * decreasing order; eigenvector i to row i of vectors (d x d), with the sign
 * chosen so that its entry of largest magnitude is positive.
 */
extern void cc_symmetric_eigen(double *a, int d, double *values,
							   double *vectors, const CcAllocator *alloc);

/*
 * Principal components of the n x d matrix x: explained variance ratios of
 * all d axes (decreasing) into ratio, the first ncomp axes into components
 * (ncomp x d; rows beyond d left NaN).  Ratios are those of scikit-learn's
 * PCA; the sign of each axis makes its largest loading positive.
 */
extern void cc_pca(const double *x, size_t n, int d, int ncomp, double *ratio,
				   double *components, const CcAllocator *alloc,
				   CcCheckFn check, void *arg);

/*
 * cc_pca with the means of x's columns given (as cc_columns_mean_var gives
 * them: the same bits), or NULL to compute them.
 */
extern void cc_pca_mean(const double *x, size_t n, int d,
						const double *given_mean, int ncomp, double *ratio,
						double *components, const CcAllocator *alloc,
						CcCheckFn check, void *arg);

/*
 * cc_pca_mean with the covariance from cc_covariance_parallel: the same
 * bits.  false when poll asked to stop (ratio and components then not
 * filled).
 */
extern bool cc_pca_parallel(const double *x, size_t n, int d,
							const double *given_mean, int ncomp, double *ratio,
							double *components, int threads, CcCheckFn check,
							CcPollFn poll, void *arg, const CcAllocator *alloc);

#endif							/* CC_LINALG_H */
