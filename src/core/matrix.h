/*
 * matrix.h
 *		Dense row-major matrices of doubles and the small kernels on them.
 *
 * A data set of n rows and d features is one contiguous array of n * d
 * doubles, row i at x + i * d.  Missing values are NaN.
 */
#ifndef CC_MATRIX_H
#define CC_MATRIX_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

#if defined(__GNUC__)
/* two doubles in one SSE2 register: every x86-64 has them */
typedef double CcV2d __attribute__((vector_size(16)));
typedef int64_t CcV2l __attribute__((vector_size(16)));
#endif

/*
 * Squared distances from x to k centroids stored transposed, ct[j * k + c]
 * holding feature j of centroid c.  Each sum runs over the features in the
 * same order as cc_sqdist, so the results are bit-identical to it.  With
 * GCC or clang the centroids go in blocks of 8, then 4 and 2, written with
 * vector types so that the sums of a block stay in registers over the whole
 * feature loop; the last one, or all of them elsewhere, one at a time.
 */
static inline void
cc_sqdist_many(const double *restrict x, const double *restrict ct, int k,
			   int d, double *restrict out)
{
	int			c0 = 0;
	int			j;

#if defined(__GNUC__)
	for (; c0 + 8 <= k; c0 += 8)
	{
		CcV2d		a0 = {0.0, 0.0},
					a1 = {0.0, 0.0},
					a2 = {0.0, 0.0},
					a3 = {0.0, 0.0};

		for (j = 0; j < d; j++)
		{
			const double *row = ct + (size_t) j * k + c0;
			CcV2d		xj = {x[j], x[j]};
			CcV2d		r0,
						r1,
						r2,
						r3;

			memcpy(&r0, row, sizeof(r0));
			memcpy(&r1, row + 2, sizeof(r1));
			memcpy(&r2, row + 4, sizeof(r2));
			memcpy(&r3, row + 6, sizeof(r3));
			r0 = xj - r0;
			r1 = xj - r1;
			r2 = xj - r2;
			r3 = xj - r3;
			a0 += r0 * r0;
			a1 += r1 * r1;
			a2 += r2 * r2;
			a3 += r3 * r3;
		}
		memcpy(out + c0, &a0, sizeof(a0));
		memcpy(out + c0 + 2, &a1, sizeof(a1));
		memcpy(out + c0 + 4, &a2, sizeof(a2));
		memcpy(out + c0 + 6, &a3, sizeof(a3));
	}
	for (; c0 + 4 <= k; c0 += 4)
	{
		CcV2d		a0 = {0.0, 0.0},
					a1 = {0.0, 0.0};

		for (j = 0; j < d; j++)
		{
			const double *row = ct + (size_t) j * k + c0;
			CcV2d		xj = {x[j], x[j]};
			CcV2d		r0,
						r1;

			memcpy(&r0, row, sizeof(r0));
			memcpy(&r1, row + 2, sizeof(r1));
			r0 = xj - r0;
			r1 = xj - r1;
			a0 += r0 * r0;
			a1 += r1 * r1;
		}
		memcpy(out + c0, &a0, sizeof(a0));
		memcpy(out + c0 + 2, &a1, sizeof(a1));
	}
	for (; c0 + 2 <= k; c0 += 2)
	{
		CcV2d		a0 = {0.0, 0.0};

		for (j = 0; j < d; j++)
		{
			CcV2d		xj = {x[j], x[j]};
			CcV2d		r0;

			memcpy(&r0, ct + (size_t) j * k + c0, sizeof(r0));
			r0 = xj - r0;
			a0 += r0 * r0;
		}
		memcpy(out + c0, &a0, sizeof(a0));
	}
#endif
	for (; c0 < k; c0++)
	{
		double		s = 0.0;

		for (j = 0; j < d; j++)
		{
			double		t = x[j] - ct[(size_t) j * k + c0];

			s += t * t;
		}
		out[c0] = s;
	}
}

/*
 * Squared distances from n rows of x (n x d) to one point b: out[i] is
 * bit-identical to cc_sqdist(x + i * d, b, d).  With GCC or clang two rows
 * go at once, one per vector lane, which halves the chain of dependent
 * additions that bounds cc_sqdist.
 */
static inline void
cc_sqdist_rows(const double *restrict x, size_t n, int d,
			   const double *restrict b, double *restrict out)
{
	size_t		i = 0;
	int			j;

#if defined(__GNUC__)
	for (; i + 2 <= n; i += 2)
	{
		const double *x0 = x + i * d;
		const double *x1 = x0 + d;
		CcV2d		acc = {0.0, 0.0};

		for (j = 0; j < d; j++)
		{
			CcV2d		xv = {x0[j], x1[j]};
			CcV2d		bv = {b[j], b[j]};
			CcV2d		t = xv - bv;

			acc += t * t;
		}
		memcpy(out + i, &acc, sizeof(acc));
	}
#endif
	for (; i < n; i++)
		out[i] = cc_sqdist(x + i * d, b, d);
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
	bool		sum_bigger = fabs(s->sum) >= fabs(v);
	double		big = sum_bigger ? s->sum : v;
	double		small = sum_bigger ? v : s->sum;

	/* selects, not a branch: which term is bigger is a coin toss in a sum of products */
	s->comp += (big - t) + small;
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
