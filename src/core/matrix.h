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

#include "alloc.h"
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
 * Four independent distances, out[r] = cc_sqdist(a[r], b[r], d) bit for bit:
 * the four chains of additions interleaved, so that each waits less on the
 * latency of its own (one distance over a few features is bound by it).
 */
static inline void
cc_sqdist_pairs4(const double *const *restrict a, const double *const *restrict b,
				 int d, double *restrict out)
{
	const double *a0 = a[0],
			   *a1 = a[1],
			   *a2 = a[2],
			   *a3 = a[3];
	const double *b0 = b[0],
			   *b1 = b[1],
			   *b2 = b[2],
			   *b3 = b[3];
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			j;

	for (j = 0; j < d; j++)
	{
		double		t0 = a0[j] - b0[j],
					t1 = a1[j] - b1[j],
					t2 = a2[j] - b2[j],
					t3 = a3[j] - b3[j];

		s0 += t0 * t0;
		s1 += t1 * t1;
		s2 += t2 * t2;
		s3 += t3 * t3;
	}
	out[0] = s0;
	out[1] = s1;
	out[2] = s2;
	out[3] = s3;
}

#if defined(__GNUC__)
/* two doubles in one SSE2 register: every x86-64 has them */
typedef double CcV2d __attribute__((vector_size(16)));

/*
 * four doubles: one AVX register in the AVX2 clones (CC_SIMD_CLONES), two
 * SSE2 registers elsewhere; either way each lane does the same IEEE
 * operations in the same order, so the results are the same bits
 */
typedef double CcV4d __attribute__((vector_size(32)));
typedef int64_t CcV4l __attribute__((vector_size(32)));
typedef float CcV4f __attribute__((vector_size(16)));	/* four floats, to and
														 * from CcV4d */
#endif

/*
 * Squared distances from x to k centroids stored transposed, ct[j * ld + c]
 * holding feature j of centroid c (ld >= k).  Each sum runs over the features in the
 * same order as cc_sqdist, so the results are bit-identical to it.  With
 * GCC or clang the centroids go in blocks of 8, then 4 and 2, written with
 * vector types so that the sums of a block stay in registers over the whole
 * feature loop; the last one, or all of them elsewhere, one at a time.
 */
static inline void
cc_sqdist_many_ld(const double *restrict x, const double *restrict ct,
				  size_t ld, int k, int d, double *restrict out)
{
	int			c0 = 0;
	int			j;

#if defined(__GNUC__)
	for (; c0 + 8 <= k; c0 += 8)
	{
		CcV4d		a0 = {0.0, 0.0, 0.0, 0.0},
					a1 = {0.0, 0.0, 0.0, 0.0};

		for (j = 0; j < d; j++)
		{
			const double *row = ct + (size_t) j * ld + c0;
			CcV4d		xj = {x[j], x[j], x[j], x[j]};
			CcV4d		r0,
						r1;

			memcpy(&r0, row, sizeof(r0));
			memcpy(&r1, row + 4, sizeof(r1));
			r0 = xj - r0;
			r1 = xj - r1;
			a0 += r0 * r0;
			a1 += r1 * r1;
		}
		memcpy(out + c0, &a0, sizeof(a0));
		memcpy(out + c0 + 4, &a1, sizeof(a1));
	}
	for (; c0 + 4 <= k; c0 += 4)
	{
		CcV4d		a0 = {0.0, 0.0, 0.0, 0.0};

		for (j = 0; j < d; j++)
		{
			CcV4d		xj = {x[j], x[j], x[j], x[j]};
			CcV4d		r0;

			memcpy(&r0, ct + (size_t) j * ld + c0, sizeof(r0));
			r0 = xj - r0;
			a0 += r0 * r0;
		}
		memcpy(out + c0, &a0, sizeof(a0));
	}
	for (; c0 + 2 <= k; c0 += 2)
	{
		CcV2d		a0 = {0.0, 0.0};

		for (j = 0; j < d; j++)
		{
			CcV2d		xj = {x[j], x[j]};
			CcV2d		r0;

			memcpy(&r0, ct + (size_t) j * ld + c0, sizeof(r0));
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
			double		t = x[j] - ct[(size_t) j * ld + c0];

			s += t * t;
		}
		out[c0] = s;
	}
}

/* The same with ct holding exactly k columns (ld = k). */
static inline void
cc_sqdist_many(const double *restrict x, const double *restrict ct, int k,
			   int d, double *restrict out)
{
	cc_sqdist_many_ld(x, ct, (size_t) k, k, d, out);
}

/*
 * Squared distances from 4 rows to the 4 points in columns 0..3 of ct
 * (transposed, leading dimension ld): out[r * 4 + c], each bit-identical to
 * cc_sqdist.  The 16 sums are four chains of four-wide additions, one per
 * row (eight two-wide chains without AVX), where one row against a few
 * points makes one or two: what bounds the speed of a distance over a few
 * features is the latency of those chains.
 */
static inline void
cc_sqdist_4x4(const double *const *restrict rows, const double *restrict ct,
			  size_t ld, int d, double *restrict out)
{
	const double *x0 = rows[0],
			   *x1 = rows[1],
			   *x2 = rows[2],
			   *x3 = rows[3];
	int			j;

#if defined(__GNUC__)
	CcV4d		a0 = {0.0, 0.0, 0.0, 0.0},
				a1 = {0.0, 0.0, 0.0, 0.0},
				a2 = {0.0, 0.0, 0.0, 0.0},
				a3 = {0.0, 0.0, 0.0, 0.0};

	for (j = 0; j < d; j++)
	{
		CcV4d		c,
					t0,
					t1,
					t2,
					t3;

		memcpy(&c, ct + (size_t) j * ld, sizeof(c));
		t0 = (CcV4d) {x0[j], x0[j], x0[j], x0[j]} - c;
		t1 = (CcV4d) {x1[j], x1[j], x1[j], x1[j]} - c;
		t2 = (CcV4d) {x2[j], x2[j], x2[j], x2[j]} - c;
		t3 = (CcV4d) {x3[j], x3[j], x3[j], x3[j]} - c;
		a0 += t0 * t0;
		a1 += t1 * t1;
		a2 += t2 * t2;
		a3 += t3 * t3;
	}
	memcpy(out, &a0, sizeof(a0));
	memcpy(out + 4, &a1, sizeof(a1));
	memcpy(out + 8, &a2, sizeof(a2));
	memcpy(out + 12, &a3, sizeof(a3));
#else
	int			r,
				c;

	for (r = 0; r < 4; r++)
		for (c = 0; c < 4; c++)
		{
			double		s = 0.0;

			for (j = 0; j < d; j++)
			{
				double		t = rows[r][j] - ct[(size_t) j * ld + c];

				s += t * t;
			}
			out[r * 4 + c] = s;
		}
#endif
}

/*
 * Squared distances from nrows (1 to 4) rows to the kp points of ct (kp a
 * multiple of 4, leading dimension kp): out[r * kp + c], bit-identical to
 * cc_sqdist.  Fewer than 4 rows repeat the last one.
 */
static inline void
cc_sqdist_block(const double *const *restrict rows, int nrows,
				const double *restrict ct, int kp, int d, double *restrict out)
{
	const double *r4[4];
	double		tile[16];
	int			r,
				c0,
				c;

	for (r = 0; r < 4; r++)
		r4[r] = rows[r < nrows ? r : nrows - 1];
	for (c0 = 0; c0 < kp; c0 += 4)
	{
		cc_sqdist_4x4(r4, ct + c0, (size_t) kp, d, tile);
		for (r = 0; r < nrows; r++)
			for (c = 0; c < 4; c++)
				out[r * kp + c0 + c] = tile[r * 4 + c];
	}
}

/* k rounded up to a multiple of 4: the width of a matrix for cc_sqdist_block. */
static inline int
cc_round4(int k)
{
	return (k + 3) & ~3;
}

/*
 * Squared distances from n rows of x (n x d) to one point b: out[i] is
 * bit-identical to cc_sqdist(x + i * d, b, d).  With GCC or clang eight
 * rows go at once, two per vector, in four independent chains.
 */
static inline void
cc_sqdist_rows(const double *restrict x, size_t n, int d,
			   const double *restrict b, double *restrict out)
{
	size_t		i = 0;
	int			j;

#if defined(__GNUC__)
	for (; i + 8 <= n; i += 8)
	{
		const double *x0 = x + i * d;
		CcV2d		a0 = {0.0, 0.0},
					a1 = {0.0, 0.0},
					a2 = {0.0, 0.0},
					a3 = {0.0, 0.0};

		for (j = 0; j < d; j++)
		{
			CcV2d		bv = {b[j], b[j]};
			CcV2d		t0 = (CcV2d) {x0[j], x0[d + j]} - bv;
			CcV2d		t1 = (CcV2d) {x0[2 * d + j], x0[3 * d + j]} - bv;
			CcV2d		t2 = (CcV2d) {x0[4 * d + j], x0[5 * d + j]} - bv;
			CcV2d		t3 = (CcV2d) {x0[6 * d + j], x0[7 * d + j]} - bv;

			a0 += t0 * t0;
			a1 += t1 * t1;
			a2 += t2 * t2;
			a3 += t3 * t3;
		}
		memcpy(out + i, &a0, sizeof(a0));
		memcpy(out + i + 2, &a1, sizeof(a1));
		memcpy(out + i + 4, &a2, sizeof(a2));
		memcpy(out + i + 6, &a3, sizeof(a3));
	}
#endif
	for (; i < n; i++)
		out[i] = cc_sqdist(x + i * d, b, d);
}

/*
 * Write the k x d row-major matrix m transposed into t, d rows of kp >= k
 * columns; columns k to kp - 1 repeat column 0 (finite, to be ignored).
 */
static inline void
cc_transpose_padded(const double *restrict m, int k, int d, int kp,
					double *restrict t)
{
	int			c,
				j;

	for (j = 0; j < d; j++)
		for (c = 0; c < kp; c++)
			t[(size_t) j * kp + c] = m[(size_t) (c < k ? c : 0) * d + j];
}

/* Write the k x d row-major matrix m transposed into t (d x k). */
static inline void
cc_transpose(const double *restrict m, int k, int d, double *restrict t)
{
	cc_transpose_padded(m, k, d, k, t);
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

/*
 * Compensated summation, for means and variances of long columns: the sum,
 * and apart the exact rounding errors of its additions (D. E. Knuth's
 * TwoSum, TAOCP vol. 2, 4.2.2: exact without comparing the magnitudes of
 * the terms, so without a branch or a select), added back at the end.
 */
typedef struct CcSum
{
	double		sum;
	double		comp;
} CcSum;

static inline void
cc_sum_add(CcSum *s, double v)
{
	double		t = s->sum + v;
	double		v_in = t - s->sum;	/* what of v went into t */

	s->comp += (s->sum - (t - v_in)) + (v - v_in);
	s->sum = t;
}

static inline double
cc_sum_value(const CcSum *s)
{
	return s->sum + s->comp;
}

#if defined(__GNUC__)
/*
 * cc_sum_add on four sums at once, lane by lane the same operations (so the
 * same bits): sum and comp hold the four sums and their compensations, term
 * points to the four terms (32-byte vectors do not go by value in SSE2
 * code).
 */
static inline void
cc_sum4_add(CcV4d *sum, CcV4d *comp, const CcV4d *term)
{
	CcV4d		s = *sum;
	CcV4d		v = *term;
	CcV4d		t = s + v;
	CcV4d		v_in = t - s;

	*comp += (s - (t - v_in)) + (v - v_in);
	*sum = t;
}
#endif

/*
 * Mean and population variance of column j: two passes, each a compensated
 * sum in row order within blocks of CC_MOMENT_ROWS rows, the blocks' sums
 * then added in order into another compensated sum.  The blocks let the
 * threads of cc_columns_mean_var_parallel share the rows and give the same
 * bits; up to CC_MOMENT_ROWS rows they are the compensated sums in row order.
 */
#define CC_MOMENT_ROWS 65536

extern void cc_column_mean_var(const double *x, size_t n, int d, int j,
							   double *mean, double *var);
/*
 * The same for the w columns from j0 at once: the same results, several
 * columns per pass.  CC_COLUMN_BLOCK: how many columns callers with a
 * buffer per column hand it at a time.
 */
#define CC_COLUMN_BLOCK 32
extern void cc_columns_mean_var(const double *x, size_t n, int d, int j0, int w,
								double *mean, double *var);

/*
 * One block's sums of w <= CC_COLUMN_BLOCK columns, taken row by row as a
 * walk hands the block's rows over, a few at a time and in order: of the
 * values (mu NULL: the moments' first walk), or of their squared
 * deviations from mu.  A compensated sum per column (with GCC or clang,
 * four columns to a vector), the moments' own code, so a walk that writes
 * the rows anyway (cc_impute_apply_parallel, cc_scale_rows_parallel) gives
 * the bits of the moments' walk while the rows are in cache.
 */
typedef struct CcColumnSums
{
	int			w;
	int			j0;				/* the first column */
	bool		centered;		/* mu given */
#if defined(__GNUC__)
	CcV4d		s[CC_COLUMN_BLOCK / 4];
	CcV4d		sc[CC_COLUMN_BLOCK / 4];
	CcV4d		mv[CC_COLUMN_BLOCK / 4];
#else
	CcSum		s[CC_COLUMN_BLOCK];
	double		mu[CC_COLUMN_BLOCK];
#endif
} CcColumnSums;

static inline void
cc_column_sums_start(CcColumnSums *cs, int j0, int w, const double *mu)
{
	int			g;

	cs->w = w;
	cs->j0 = j0;
	cs->centered = (mu != NULL);
#if defined(__GNUC__)
	for (g = 0; g < (w + 3) / 4; g++)
	{
		const CcV4d zero = {0.0, 0.0, 0.0, 0.0};

		cs->s[g] = cs->sc[g] = zero;
		if (mu)
		{
			double		t[4] = {0.0, 0.0, 0.0, 0.0};

			memcpy(t, mu + 4 * g, sizeof(double) * (4 * g + 4 <= w ? 4 : w % 4));
			memcpy(&cs->mv[g], t, sizeof(t));
		}
	}
#else
	for (g = 0; g < w; g++)
	{
		cs->s[g].sum = cs->s[g].comp = 0.0;
		cs->mu[g] = mu ? mu[g] : 0.0;
	}
#endif
}

/* Add the next m rows of the block (x: the first of them, d columns). */
static inline void
cc_column_sums_add(CcColumnSums *cs, const double *x, size_t m, int d)
{
	int			w = cs->w;
	size_t		i;

#if defined(__GNUC__)
	int			full = w / 4;	/* groups of four columns */
	int			rest = w % 4;	/* columns in a last, partial group */
	int			g;

	for (i = 0; i < m; i++)
	{
		const double *row = x + i * d + cs->j0;
		CcV4d		v;

		for (g = 0; g < full; g++)
		{
			memcpy(&v, row + 4 * g, sizeof(v));
			if (cs->centered)
			{
				v -= cs->mv[g];
				v *= v;
			}
			cc_sum4_add(&cs->s[g], &cs->sc[g], &v);
		}
		if (rest > 0)
		{
			double		t[4] = {0.0, 0.0, 0.0, 0.0};

			/* the other lanes hold zero: their sums stay zero, never stored */
			memcpy(t, row + 4 * full, sizeof(double) * rest);
			memcpy(&v, t, sizeof(v));
			if (cs->centered)
			{
				v -= cs->mv[full];
				v *= v;
			}
			cc_sum4_add(&cs->s[full], &cs->sc[full], &v);
		}
	}
#else
	int			c;

	for (i = 0; i < m; i++)
		for (c = 0; c < w; c++)
		{
			double		t = x[i * d + cs->j0 + c];

			if (cs->centered)
			{
				t -= cs->mu[c];
				t *= t;
			}
			cc_sum_add(&cs->s[c], t);
		}
#endif
}

/* The block's sums, each rounded, into out[0..w-1]. */
static inline void
cc_column_sums_end(const CcColumnSums *cs, double *out)
{
	int			c;

#if defined(__GNUC__)
	int			g;

	for (g = 0; g < (cs->w + 3) / 4; g++)
	{
		double		t[4];
		CcV4d		q = cs->s[g] + cs->sc[g];

		memcpy(t, &q, sizeof(t));
		for (c = 0; c < 4 && 4 * g + c < cs->w; c++)
			out[4 * g + c] = t[c];
	}
#else
	for (c = 0; c < cs->w; c++)
		out[c] = cc_sum_value(&cs->s[c]);
#endif
}

/*
 * The same for all d columns, the blocks of rows shared between up to
 * threads threads, their sums added in block order: the same bits.  false
 * when poll (a CcPollFn, parallel.h; may be NULL) asked to stop.
 */
extern bool cc_columns_mean_var_parallel(const double *x, size_t n, int d,
										 double *mean, double *var, int threads,
										 bool (*poll) (void *arg), void *poll_arg,
										 const CcAllocator *alloc);

/*
 * The same when a walk over the rows has taken the first walk's sums
 * already: block_sums holds, for each block of CC_MOMENT_ROWS rows in
 * order, the sums of its d columns (d at most CC_COLUMN_BLOCK), as
 * CcColumnSums gives them.  Only the second walk is left.
 */
extern bool cc_columns_mean_var_given(const double *x, size_t n, int d,
									  const double *block_sums, double *mean,
									  double *var, int threads,
									  bool (*poll) (void *arg), void *poll_arg,
									  const CcAllocator *alloc);

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

/*
 * The quantile between the values vlo and vhi of two neighbouring ranks, t
 * of the way (0 < t < 1): what cc_quantile returns from them.
 */
extern double cc_lerp(double vlo, double vhi, double t);

/* Smallest value of a[0..n-1], n > 0. */
extern double cc_min(const double *a, size_t n);

#endif							/* CC_MATRIX_H */
