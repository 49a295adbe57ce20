/*
 * matrix.h
 *		Dense row-major matrices of doubles and the small kernels on them.
 *
 * A data set of n rows and d features is one contiguous array of n * d
 * doubles, row i at x + i * d.  Missing values are NaN.
 */
#ifndef CC_MATRIX_H
#define CC_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "cc_common.h"

/* Squared Euclidean distance between two d-vectors. */
static inline double
cc_sqdist(const double *a, const double *b, int d)
{
	double		s = 0.0;
	int			j;

	for (j = 0; j < d; j++)
	{
		double		t = a[j] - b[j];

		s += t * t;
	}
	return s;
}

/*
 * Squared distances from x to k centroids stored transposed, ct[j * k + c]
 * holding feature j of centroid c.  Each sum runs over the features in the
 * same order as cc_sqdist, so the results are bit-identical to it; the
 * inner loop over centroids has no dependency chain and vectorizes.
 */
static inline void
cc_sqdist_many(const double *restrict x, const double *restrict ct, int k,
			   int d, double *restrict out)
{
	int			j,
				c;

	for (c = 0; c < k; c++)
		out[c] = 0.0;
	for (j = 0; j < d; j++)
	{
		const double xj = x[j];
		const double *restrict row = ct + (size_t) j * k;

		for (c = 0; c < k; c++)
		{
			double		t = xj - row[c];

			out[c] += t * t;
		}
	}
}

/* Write the k x d row-major matrix m transposed into t (d x k). */
static inline void
cc_transpose(const double *restrict m, int k, int d, double *restrict t)
{
	int			c,
				j;

	for (c = 0; c < k; c++)
		for (j = 0; j < d; j++)
			t[(size_t) j * k + c] = m[(size_t) c * d + j];
}

/* Index of the nearest of k centroids (lowest index on ties); *best gets its squared distance. */
static inline int
cc_nearest(const double *x, const double *centroids, int k, int d, double *best)
{
	int			arg = 0;
	double		bd = cc_sqdist(x, centroids, d);
	int			c;

	for (c = 1; c < k; c++)
	{
		double		dist = cc_sqdist(x, centroids + (size_t) c * d, d);

		if (dist < bd)
		{
			bd = dist;
			arg = c;
		}
	}
	*best = bd;
	return arg;
}

/* Compensated (Neumaier) summation, for means and variances of long columns. */
typedef struct CcSum
{
	double		sum;
	double		comp;
} CcSum;

static inline void
cc_sum_add(CcSum *s, double v)
{
	double		t = s->sum + v;

	if ((s->sum >= 0 ? s->sum : -s->sum) >= (v >= 0 ? v : -v))
		s->comp += (s->sum - t) + v;
	else
		s->comp += (v - t) + s->sum;
	s->sum = t;
}

static inline double
cc_sum_value(const CcSum *s)
{
	return s->sum + s->comp;
}

/* Mean and population variance of column j (two passes, compensated sums). */
extern void cc_column_mean_var(const double *x, size_t n, int d, int j,
							   double *mean, double *var);
/*
 * The same for the w columns from j0 at once: the same results, reading the
 * matrix row by row (one pass per CC_COLUMN_BLOCK columns).
 */
#define CC_COLUMN_BLOCK 32
extern void cc_columns_mean_var(const double *x, size_t n, int d, int j0, int w,
								double *mean, double *var);

/*
 * Rearrange a[0..n-1] so that a[kth] holds the value it would have after
 * sorting, smaller-or-equal values before it and greater-or-equal after it.
 */
extern void cc_select(double *a, size_t n, size_t kth);

/*
 * Quantile q in [0, 1] of a[0..n-1] (n > 0, no NaN) with linear interpolation
 * between closest ranks, as numpy's default percentile; reorders a.
 */
extern double cc_quantile(double *a, size_t n, double q);

/* Smallest value of a[0..n-1], n > 0. */
extern double cc_min(const double *a, size_t n);

#endif							/* CC_MATRIX_H */
