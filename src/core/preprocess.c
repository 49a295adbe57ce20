/*
 * preprocess.c
 *		Imputers and scalers with the conventions of scikit-learn's
 *		SimpleImputer, StandardScaler, MinMaxScaler and RobustScaler.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "preprocess.h"
#include "rng.h"

/*
 * Columns gathered per walk over the rows for medians and quantiles: their
 * buffers take 8 * CC_GATHER_COLUMNS bytes per row at most, less than the
 * per-row state of k-means (ccseg.max_train_memory counts it) that is not
 * allocated yet while the preprocessing is fitted.
 */
#define CC_GATHER_COLUMNS	8

/* rows per block of a walk that goes column by column within a block */
#define CC_ROW_BLOCK		256

/* The words of the methods, indexed by CcImpute and CcScale. */
static const char *const impute_names[CC_IMPUTE_COUNT] = {"median", "mean", "zero", "drop"};
static const char *const scale_names[CC_SCALE_COUNT] = {"standard", "minmax", "robust", "none"};

/* Return the CcImpute for a word, or -1. */
int
cc_impute_parse(const char *word)
{
	int			i;

	for (i = 0; i < CC_IMPUTE_COUNT; i++)
		if (strcmp(word, impute_names[i]) == 0)
			return i;
	return -1;
}

const char *
cc_impute_name(CcImpute how)
{
	return impute_names[how];
}

/* Return the CcScale for a word, or -1. */
int
cc_scale_parse(const char *word)
{
	int			i;

	for (i = 0; i < CC_SCALE_COUNT; i++)
		if (strcmp(word, scale_names[i]) == 0)
			return i;
	return -1;
}

const char *
cc_scale_name(CcScale how)
{
	return scale_names[how];
}

/*
 * Copy the non-missing values of the w columns from j0 into bufs[0..w-1],
 * in row order, in one walk over the rows in memory order (a walk per
 * column would read the whole matrix for each one); m[c] gets how many
 * went into bufs[c].  Each buffer needs room for one more value than it
 * gets: a missing value is stored past the last one kept, then overwritten
 * or left there.
 */
static CC_ALWAYS_INLINE void
gather_columns_w(const double *x, size_t n, int d, int j0, int w,
				 double *const *bufs, size_t *m)
{
	double	   *out[CC_GATHER_COLUMNS];
	size_t		i;
	int			c;

	/* local write positions, so that the stores do not make them reload */
	for (c = 0; c < w; c++)
		out[c] = bufs[c];
	for (i = 0; i < n; i++)
	{
		const double *row = x + i * d + j0;

		for (c = 0; c < w; c++)
		{
			double		v = row[c];

			/* store always, advance only past a value: no branch on it */
			*out[c] = v;
			out[c] += !isnan(v);
		}
	}
	for (c = 0; c < w; c++)
		m[c] = (size_t) (out[c] - bufs[c]);
}

static void
gather_columns(const double *x, size_t n, int d, int j0, int w,
			   double *const *bufs, size_t *m)
{
	/* a constant width lets the compiler unroll the loop over the columns */
	switch (w)
	{
		case CC_GATHER_COLUMNS:
			gather_columns_w(x, n, d, j0, CC_GATHER_COLUMNS, bufs, m);
			break;
		case 4:
			gather_columns_w(x, n, d, j0, 4, bufs, m);
			break;
		default:
			gather_columns_w(x, n, d, j0, w, bufs, m);
			break;
	}
}

/* The mean of the middle pair lo and hi, as median_of takes it. */
static double
middle_mean(double lo, double hi)
{
	double		sum = lo + hi;

	/* halves first only when the sum overflows (they round subnormals) */
	if (isfinite(sum))
		return sum / 2.0;
	return lo / 2.0 + hi / 2.0;
}

/* Median of buf[0..m-1] (reorders buf); the mean of the middle pair when m is even. */
static double
median_of(double *buf, size_t m)
{
	size_t		mid = m / 2;

	cc_select(buf, m, mid);
	if (m % 2 == 1)
		return buf[mid];
	/* lower middle is the largest value before mid */
	{
		double		lo = buf[0];
		size_t		i;

		for (i = 1; i < mid; i++)
			if (buf[i] > lo)
				lo = buf[i];
		return middle_mean(lo, buf[mid]);
	}
}

/* qsort comparison of two doubles (no NaN). */
static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * The order statistics of cc_order_pairs for one pair of one column: the
 * bracket [lo, hi] from the sample, counts of the values below lo, equal to
 * lo, strictly inside and equal to hi, and the inside values (up to cap).
 */
typedef struct OrderPair
{
	double		lo,
				hi;
	size_t		below,
				at_lo,
				inside,
				at_hi;
	double	   *buf;			/* cap values strictly inside */
	size_t		cap;
} OrderPair;

/*
 * The value of rank r (0-based, in ascending order) from the counts of op,
 * selecting among the inside values (reorders them); false when r is
 * outside the bracket or the inside values overflowed their buffer.
 */
static bool
pair_rank_value(OrderPair *op, size_t r, double *out)
{
	if (r < op->below)
		return false;
	r -= op->below;
	if (r < op->at_lo)
	{
		*out = op->lo;
		return true;
	}
	r -= op->at_lo;
	if (r < op->inside)
	{
		if (op->inside > op->cap)
			return false;
		cc_select(op->buf, op->inside, r);
		*out = op->buf[r];
		return true;
	}
	r -= op->inside;
	if (r < op->at_hi)
	{
		*out = op->hi;
		return true;
	}
	return false;
}

/* One column's value v against one pair's bracket: counts, and v kept if inside. */
static CC_ALWAYS_INLINE void
order_take(OrderPair *op, double v)
{
	op->below += (v < op->lo);
	op->at_lo += (v == op->lo);
	op->at_hi += (v == op->hi) & (op->hi != op->lo);
	if ((v > op->lo) & (v < op->hi))
	{
		/* past cap, only counted: the caller then selects another way */
		if (op->inside < op->cap)
			op->buf[op->inside] = v;
		op->inside++;
	}
}

/* cc_order_pairs' walk in vectors: up to 32 columns, four to a vector, and 4 pairs */
#define CC_ORDER_GROUPS 8
#define CC_ORDER_PAIRS 4

/*
 * cc_order_pairs' walk over the rows [from, to) for the w columns from j0,
 * npairs pairs each: counts into ops, and the values inside each bracket
 * into its buffer after those already there, in row order.  The rows go in
 * blocks that stay in the cache, pair by pair in a block.  Each row's
 * columns go four at a time against the brackets (vector types; the counts
 * in vectors of lanes), and only a vector with a value inside a bracket
 * goes on to keep it, a lane at a time: the brackets are narrow, so that is
 * rare enough to be a branch.  The columns past the last four go one at a
 * time.
 */
CC_SIMD_CLONES static void
order_walk_rows(const double *x, int d, int j0, int w, int npairs,
				OrderPair *ops, size_t from, size_t to)
{
	size_t		i0,
				i;
	int			c,
				p;
#if defined(__GNUC__)
	if (npairs <= CC_ORDER_PAIRS)
	{
		const CcV4l zero = {0, 0, 0, 0};
		CcV4d		lo[CC_ORDER_PAIRS][CC_ORDER_GROUPS],
					hi[CC_ORDER_PAIRS][CC_ORDER_GROUPS];
		CcV4l		two[CC_ORDER_PAIRS][CC_ORDER_GROUPS],
					below[CC_ORDER_PAIRS][CC_ORDER_GROUPS],
					at_lo[CC_ORDER_PAIRS][CC_ORDER_GROUPS],
					at_hi[CC_ORDER_PAIRS][CC_ORDER_GROUPS];
		int			groups = w / 4;
		int			g,
					l;

		for (p = 0; p < npairs; p++)
			for (g = 0; g < groups; g++)
			{
				for (l = 0; l < 4; l++)
				{
					const OrderPair *op = &ops[(4 * g + l) * npairs + p];

					lo[p][g][l] = op->lo;
					hi[p][g][l] = op->hi;
				}
				two[p][g] = hi[p][g] != lo[p][g];
				below[p][g] = at_lo[p][g] = at_hi[p][g] = zero;
			}
		for (i0 = from; i0 < to; i0 += CC_ROW_BLOCK)
		{
			size_t		i1 = (to - i0 < CC_ROW_BLOCK) ? to : i0 + CC_ROW_BLOCK;

			for (p = 0; p < npairs; p++)
				for (i = i0; i < i1; i++)
				{
					const double *row = x + i * d + j0;

					for (g = 0; g < groups; g++)
					{
						CcV4d		v;
						CcV4l		in;

						memcpy(&v, row + 4 * g, sizeof(v));
						below[p][g] -= v < lo[p][g];
						at_lo[p][g] -= v == lo[p][g];
						at_hi[p][g] -= (v == hi[p][g]) & two[p][g];
						in = (v > lo[p][g]) & (v < hi[p][g]);
						if ((in[0] | in[1]) | (in[2] | in[3]))
							for (l = 0; l < 4; l++)
								if (in[l])
								{
									OrderPair  *op = &ops[(4 * g + l) * npairs + p];

									if (op->inside < op->cap)
										op->buf[op->inside] = v[l];
									op->inside++;
								}
					}
					for (c = 4 * groups; c < w; c++)
						order_take(&ops[c * npairs + p], row[c]);
				}
		}
		for (p = 0; p < npairs; p++)
			for (g = 0; g < groups; g++)
				for (l = 0; l < 4; l++)
				{
					OrderPair  *op = &ops[(4 * g + l) * npairs + p];

					op->below += (size_t) below[p][g][l];
					op->at_lo += (size_t) at_lo[p][g][l];
					op->at_hi += (size_t) at_hi[p][g][l];
				}
		return;
	}
#endif
	for (i0 = from; i0 < to; i0 += CC_ROW_BLOCK)
	{
		size_t		i1 = (to - i0 < CC_ROW_BLOCK) ? to : i0 + CC_ROW_BLOCK;

		for (c = 0; c < w; c++)
			for (p = 0; p < npairs; p++)
				for (i = i0; i < i1; i++)
					order_take(&ops[c * npairs + p], x[i * d + j0 + c]);
	}
}

/* The walk split in parts of whole blocks of rows, one set of pairs each. */
typedef struct OrderWalk
{
	const double *x;
	size_t		n;
	int			d;
	int			j0;
	int			w;
	int			npairs;
	int			parts;
	OrderPair  *ops;			/* parts x (w x npairs) */
} OrderWalk;

/*
 * Parts for a walk over n rows in up to threads threads: one per thread,
 * at most one per block of CC_ROW_BLOCK rows.
 */
static int
block_parts(size_t n, int threads)
{
	size_t		blocks = (n + CC_ROW_BLOCK - 1) / CC_ROW_BLOCK;
	int			parts = threads > 1 ? threads : 1;

	if ((size_t) parts > blocks)
		parts = blocks > 0 ? (int) blocks : 1;
	return parts;
}

/*
 * The rows [*from, *to) of part "part" of n rows cut into "parts" parts of
 * whole blocks of CC_ROW_BLOCK rows, in row order.
 */
static void
block_part_rows(size_t n, int parts, int part, size_t *from, size_t *to)
{
	size_t		blocks = (n + CC_ROW_BLOCK - 1) / CC_ROW_BLOCK;
	size_t		lo = blocks * part / parts * CC_ROW_BLOCK;
	size_t		hi = blocks * (part + 1) / parts * CC_ROW_BLOCK;

	*from = lo < n ? lo : n;
	*to = hi < n ? hi : n;
}

static void
order_walk_part(void *arg, int part)
{
	const OrderWalk *ow = arg;
	size_t		from,
				to;

	block_part_rows(ow->n, ow->parts, part, &from, &to);
	order_walk_rows(ow->x, ow->d, ow->j0, ow->w, ow->npairs,
					ow->ops + (size_t) part * ow->w * ow->npairs, from, to);
}

/*
 * The walk of cc_order_pairs over all n rows into ops (counts at zero,
 * buffers empty), split between up to threads threads: each part of the
 * rows counts into its own copy of the pairs, with a buffer as large as
 * the pair's, and the parts are added up in row order, their inside values
 * one after the other.  So the counts and the buffers, in their order, are
 * those of one walk; a buffer that overflows in the sum overflows in one
 * walk too.  false when poll asked to stop.
 */
static bool
order_walk(const double *x, size_t n, int d, int j0, int w, int npairs,
		   OrderPair *ops, int threads, CcPollFn poll, void *poll_arg,
		   const CcAllocator *alloc)
{
	int			np = w * npairs;
	int			parts = block_parts(n, threads);
	OrderWalk	ow;
	bool		done;
	int			t,
				q;

	if (parts == 1)
	{
		order_walk_rows(x, d, j0, w, npairs, ops, 0, n);
		return true;
	}
	ow.x = x;
	ow.n = n;
	ow.d = d;
	ow.j0 = j0;
	ow.w = w;
	ow.npairs = npairs;
	ow.parts = parts;
	ow.ops = cc_alloc_array(alloc, (size_t) parts * np, sizeof(OrderPair));
	memcpy(ow.ops, ops, sizeof(OrderPair) * np);
	for (t = 1; t < parts; t++)
		for (q = 0; q < np; q++)
		{
			OrderPair  *tp = &ow.ops[t * np + q];

			*tp = ops[q];
			tp->buf = cc_alloc_array(alloc, tp->cap + 1, sizeof(double));
		}
	done = cc_run_parts(order_walk_part, &ow, parts, threads, poll, poll_arg);
	for (q = 0; q < np; q++)
	{
		OrderPair  *op = &ops[q];

		*op = ow.ops[q];
		for (t = 1; t < parts; t++)
		{
			OrderPair  *tp = &ow.ops[t * np + q];

			op->below += tp->below;
			op->at_lo += tp->at_lo;
			op->at_hi += tp->at_hi;
			if (op->inside + tp->inside <= op->cap)
				memcpy(op->buf + op->inside, tp->buf, sizeof(double) * tp->inside);
			op->inside += tp->inside;
			cc_release(alloc, tp->buf);
		}
	}
	cc_release(alloc, ow.ops);
	return done;
}

/*
 * Values of ranks k and k + 1 of the present values of the columns j0 ..
 * j0 + w - 1, without sorting or copying the columns (R. W. Floyd and R. L.
 * Rivest, "Expected time bounds for selection", CACM 18(3), 1975: a sample
 * brackets each rank tightly, one walk counts what falls below and keeps
 * the few values inside).  For column c (0 <= c < w) and pair p (0 <= p <
 * npairs), rank[c * npairs + p] = k < present[c] (the number of present
 * values); lo_out[c * npairs + p] gets the value of rank k and hi_out[...]
 * that of rank k + 1 (of rank k when k + 1 = present[c]).  Returns a mask
 * of the columns whose every pair was found (bit c for column c; w <= 32);
 * the others, whose values fell outside a bracket (rare: the brackets hold
 * the rank with a margin of several standard deviations), are left to the
 * caller.  The values are those of a sort, but of a +0/-0 tie either may
 * come out.  The sample's generator is seeded with a constant: the same
 * input gives the same result, whatever the number of threads the walk
 * over the rows is split between (order_walk).  When poll asks to stop,
 * *stopped is set and nothing found.
 */
uint32_t
cc_order_pairs(const double *x, size_t n, int d, int j0, int w, int npairs,
			   const size_t *present, const size_t *rank, double *lo_out,
			   double *hi_out, int threads, CcPollFn poll, void *poll_arg,
			   bool *stopped, const CcAllocator *alloc)
{
	enum
	{
		SAMPLE = 4096,			/* values drawn per column */
		MARGIN = 128			/* sample positions on each side of a rank */
	};
	int			np = w * npairs;
	OrderPair  *ops = cc_alloc_array(alloc, np, sizeof(OrderPair));
	double	   *sample = cc_alloc_array(alloc, SAMPLE, sizeof(double));
	uint32_t	found = 0;
	CcRng		rng;
	int			c,
				p;

	*stopped = false;
	cc_rng_seed(&rng, 0x0dd5a3, 0);
	for (c = 0; c < w; c++)
	{
		size_t		got = 0;
		size_t		tries;

		/* draw present values; a column mostly missing gives fewer */
		for (tries = 0; tries < 4 * SAMPLE && got < SAMPLE; tries++)
		{
			double		v = x[cc_rng_below(&rng, n) * d + j0 + c];

			if (!isnan(v))
				sample[got++] = v;
		}
		qsort(sample, got, sizeof(double), cmp_double);
		for (p = 0; p < npairs; p++)
		{
			OrderPair  *op = &ops[c * npairs + p];
			size_t		k = rank[c * npairs + p];
			double		at = got > 0 ?
				((double) k + 1.0) / (double) present[c] * (double) got : 0.0;
			double		from = at - MARGIN,
						to = at + MARGIN;

			memset(op, 0, sizeof(*op));
			op->lo = (got == 0 || from < 0.0) ? -INFINITY : sample[(size_t) from];
			op->hi = (got == 0 || to >= (double) got) ? INFINITY : sample[(size_t) to];
			/* inside values expected: 2 MARGIN / got of them; room for 4x */
			op->cap = (size_t) ((double) present[c] * (8.0 * MARGIN) / (double) (got > 0 ? got : 1)) + 64;
			if (op->cap > present[c])
				op->cap = present[c];
			op->buf = cc_alloc_array(alloc, op->cap + 1, sizeof(double));
		}
	}
	cc_release(alloc, sample);

	/* one walk over the rows, in parts: counts, and the values inside each bracket */
	if (!order_walk(x, n, d, j0, w, npairs, ops, threads, poll, poll_arg, alloc))
	{
		for (p = 0; p < np; p++)
			cc_release(alloc, ops[p].buf);
		cc_release(alloc, ops);
		*stopped = true;
		return 0;
	}

	for (c = 0; c < w; c++)
	{
		bool		ok = true;

		for (p = 0; p < npairs && ok; p++)
		{
			OrderPair  *op = &ops[c * npairs + p];
			size_t		k = rank[c * npairs + p];

			ok = pair_rank_value(op, k, &lo_out[c * npairs + p]);
			if (ok && k + 1 < present[c])
				ok = pair_rank_value(op, k + 1, &hi_out[c * npairs + p]);
			else if (ok)
				hi_out[c * npairs + p] = lo_out[c * npairs + p];
		}
		if (ok)
			found |= (uint32_t) 1 << c;
	}
	for (p = 0; p < np; p++)
		cc_release(alloc, ops[p].buf);
	cc_release(alloc, ops);
	return found;
}

/*
 * Count the non-missing values of each column in one walk over the rows:
 * count[j] for j < d.  With GCC or clang, each row's columns go four at a
 * time (vector types, the counts in vectors of lanes, up to 32 columns per
 * walk), the columns past the last four one at a time.
 */
CC_SIMD_CLONES static void
count_present(const double *x, size_t n, int d, size_t *count)
{
	size_t		i0;
	int			j;

	for (j = 0; j < d; j++)
		count[j] = 0;
#if defined(__GNUC__)
	if (d <= 4 * CC_ORDER_GROUPS)
	{
		const CcV4l zero = {0, 0, 0, 0};
		CcV4l		present[CC_ORDER_GROUPS];
		int			groups = d / 4;
		int			g;
		size_t		i;

		for (g = 0; g < groups; g++)
			present[g] = zero;
		for (i = 0; i < n; i++)
		{
			const double *row = x + i * d;

			for (g = 0; g < groups; g++)
			{
				CcV4d		v;

				memcpy(&v, row + 4 * g, sizeof(v));
				present[g] -= v == v;
			}
			for (j = 4 * groups; j < d; j++)
				count[j] += !isnan(row[j]);
		}
		for (g = 0; g < groups; g++)
			for (j = 0; j < 4; j++)
				count[4 * g + j] += (size_t) present[g][j];
		return;
	}
#endif
	/* blocks of rows that stay in the cache, a column at a time in each */
	for (i0 = 0; i0 < n; i0 += CC_ROW_BLOCK)
	{
		size_t		i1 = (n - i0 < CC_ROW_BLOCK) ? n : i0 + CC_ROW_BLOCK;

		for (j = 0; j < d; j++)
		{
			const double *col = x + j;
			size_t		m = 0;
			size_t		i;

			for (i = i0; i < i1; i++)
				m += !isnan(col[i * d]);
			count[j] += m;
		}
	}
}

/*
 * Sum the non-missing values of each column, compensated (CcSum), in row
 * order, in one walk over the rows: the sums of a column-by-column loop that
 * skips missing values, bit for bit.  A missing value adds +0 in its place,
 * which leaves a compensated sum unchanged bit for bit (neither part of it
 * is ever -0: both start at +0, and a sum is -0 only when both terms are).
 */
static CC_SIMD_CLONES void
sum_present(const double *x, size_t n, int d, double *sums)
{
	int			j0;

	for (j0 = 0; j0 < d; j0 += CC_COLUMN_BLOCK)
	{
		int			w = (d - j0 < CC_COLUMN_BLOCK) ? d - j0 : CC_COLUMN_BLOCK;
		CcSum		s[CC_COLUMN_BLOCK];
		size_t		i;
		int			c;

		for (c = 0; c < w; c++)
			s[c].sum = s[c].comp = 0.0;
		for (i = 0; i < n; i++)
		{
			const double *row = x + i * d + j0;

			for (c = 0; c < w; c++)
			{
				double		v = row[c];

				cc_sum_add(&s[c], isnan(v) ? 0.0 : v);
			}
		}
		for (c = 0; c < w; c++)
			sums[j0 + c] = cc_sum_value(&s[c]);
	}
}

/*
 * The ranks of the pair whose values give the median of m values: the
 * middle one (m odd) or the lower of the middle two (m even).
 */
static size_t
median_rank(size_t m)
{
	return (m % 2 == 1) ? m / 2 : m / 2 - 1;
}

/*
 * The median of the present values of each column (count[j] of them, at
 * least one): by cc_order_pairs on long columns, up to 32 columns per walk
 * over the rows; by gathering the column and selecting in it on short
 * ones, and for a column whose values fell outside the brackets.
 */
static bool
medians(const double *x, size_t n, int d, const size_t *count, double *values,
		int threads, CcPollFn poll, void *poll_arg, const CcAllocator *alloc)
{
	int			j0;

	for (j0 = 0; j0 < d; j0 += 32)
	{
		int			w = (d - j0 < 32) ? d - j0 : 32;
		size_t		rank[32];
		double		lo[32],
					hi[32];
		uint32_t	found = 0;
		int			c;

		for (c = 0; c < w; c++)
			rank[c] = median_rank(count[j0 + c]);
		if (n >= CC_ORDER_PAIRS_MIN_ROWS)
		{
			bool		stopped;

			found = cc_order_pairs(x, n, d, j0, w, 1, count + j0, rank, lo, hi,
								   threads, poll, poll_arg, &stopped, alloc);
			if (stopped)
				return false;
		}
		for (c = 0; c < w; c++)
		{
			size_t		m = count[j0 + c];

			if (found & ((uint32_t) 1 << c))
				values[j0 + c] = (m % 2 == 1) ? lo[c] : middle_mean(lo[c], hi[c]);
			else
			{
				double	   *buf = cc_alloc_array(alloc, m + 1, sizeof(double));
				size_t		got;

				gather_columns(x, n, d, j0 + c, 1, &buf, &got);
				values[j0 + c] = median_of(buf, got);
				cc_release(alloc, buf);
			}
		}
	}
	return true;
}

/*
 * Fit imputation values; returns -1, or the first column that is all
 * missing (then values is not filled).  The rows are read in memory order,
 * several columns per walk: medians gather CC_GATHER_COLUMNS columns at a
 * time into buffers of their non-missing values.
 */
int
cc_impute_fit(const double *x, size_t n, int d, CcImpute how, double *values,
			  const CcAllocator *alloc)
{
	return cc_impute_fit_parallel(x, n, d, how, values, 1, NULL, NULL, alloc);
}

/* The counts of count_present for the rows of a part (CountParts). */
typedef struct CountParts
{
	const double *x;
	size_t		n;
	int			d;
	int			parts;
	size_t	   *count;			/* parts x d */
} CountParts;

static void
count_part(void *arg, int part)
{
	const CountParts *cp = arg;
	size_t		from,
				to;

	block_part_rows(cp->n, cp->parts, part, &from, &to);
	count_present(cp->x + from * cp->d, to - from, cp->d,
				  cp->count + (size_t) part * cp->d);
}

/* count_present, the rows split between up to threads threads. */
static bool
count_present_parallel(const double *x, size_t n, int d, size_t *count,
					   int threads, CcPollFn poll, void *poll_arg,
					   const CcAllocator *alloc)
{
	CountParts	cp;
	bool		done;
	int			t,
				j;

	cp.parts = block_parts(n, threads);
	if (cp.parts == 1)
	{
		count_present(x, n, d, count);
		return true;
	}
	cp.x = x;
	cp.n = n;
	cp.d = d;
	cp.count = cc_alloc_array(alloc, (size_t) cp.parts * d, sizeof(size_t));
	done = cc_run_parts(count_part, &cp, cp.parts, threads, poll, poll_arg);
	for (j = 0; j < d; j++)
	{
		count[j] = 0;
		for (t = 0; t < cp.parts; t++)
			count[j] += cp.count[(size_t) t * d + j];
	}
	cc_release(alloc, cp.count);
	return done;
}

/* cc_impute_fit, its walks over the rows in threads; see preprocess.h. */
int
cc_impute_fit_parallel(const double *x, size_t n, int d, CcImpute how,
					   double *values, int threads, CcPollFn poll,
					   void *poll_arg, const CcAllocator *alloc)
{
	size_t	   *count = cc_alloc_array(alloc, d ? d : 1, sizeof(size_t));
	int			bad = -1;
	int			j;

	if (!count_present_parallel(x, n, d, count, threads, poll, poll_arg, alloc))
	{
		cc_release(alloc, count);
		return CC_IMPUTE_FIT_STOPPED;
	}
	for (j = 0; j < d; j++)
		if (count[j] == 0)
		{
			bad = j;
			break;
		}
	if (bad >= 0)
	{
		cc_release(alloc, count);
		return bad;
	}

	switch (how)
	{
		case CC_IMPUTE_MEDIAN:
			if (!medians(x, n, d, count, values, threads, poll, poll_arg, alloc))
				bad = CC_IMPUTE_FIT_STOPPED;
			break;
		case CC_IMPUTE_MEAN:
			sum_present(x, n, d, values);
			for (j = 0; j < d; j++)
				values[j] /= (double) count[j];
			break;
		case CC_IMPUTE_ZERO:
			for (j = 0; j < d; j++)
				values[j] = 0.0;
			break;
		case CC_IMPUTE_DROP:
			for (j = 0; j < d; j++)
				values[j] = NAN;
			break;
		case CC_IMPUTE_COUNT:
			break;				/* not a method */
	}
	cc_release(alloc, count);
	return bad;
}

/* Fill or drop missing values in place; return the number of rows kept. */
size_t
cc_impute_apply(double *x, size_t n, int d, CcImpute how, const double *values)
{
	size_t		i;
	int			j;

	if (how != CC_IMPUTE_DROP)
	{
		for (i = 0; i < n; i++)
			for (j = 0; j < d; j++)
				if (isnan(x[i * d + j]))
					x[i * d + j] = values[j];
		return n;
	}
	else
	{
		size_t		kept = 0;

		for (i = 0; i < n; i++)
		{
			bool		missing = false;

			for (j = 0; j < d; j++)
				if (isnan(x[i * d + j]))
				{
					missing = true;
					break;
				}
			if (missing)
				continue;
			if (kept != i)
				memmove(x + kept * d, x + i * d, sizeof(double) * d);
			kept++;
		}
		return kept;
	}
}

/*
 * Smallest and largest value of each column, in one walk over the rows: the
 * same comparisons, in the same row order, as a walk down each column.
 */
static void
columns_min_max(const double *x, size_t n, int d, double *lo, double *hi)
{
	size_t		i;
	int			j;

	for (j = 0; j < d; j++)
		lo[j] = hi[j] = x[j];
	for (i = 1; i < n; i++)
	{
		const double *row = x + i * d;

		for (j = 0; j < d; j++)
		{
			double		v = row[j];

			if (v < lo[j])
				lo[j] = v;
			if (v > hi[j])
				hi[j] = v;
		}
	}
}

/* The rank below quantile q of n values and how far toward the next. */
static size_t
quantile_rank(size_t n, double q, double *t)
{
	double		pos = q * (double) (n - 1);
	size_t		lo = (size_t) pos;

	*t = pos - (double) lo;
	if (lo >= n - 1)
	{
		*t = 0.0;
		return n - 1;
	}
	return lo;
}

/*
 * The quartiles q1, q3 and the median of each column (n > 0 rows, none
 * missing), the values cc_quantile and median_of give: three rank pairs per
 * column by cc_order_pairs on long columns, up to 10 columns per walk; by
 * gathering and selecting on short ones, and for a column whose values fell
 * outside the brackets.
 */
static void
robust_fit(const double *x, size_t n, int d, double *q1, double *q3,
		   double *median, const CcAllocator *alloc)
{
	static const double qs[2] = {0.25, 0.75};
	int			j0;

	for (j0 = 0; j0 < d; j0 += 10)
	{
		int			w = (d - j0 < 10) ? d - j0 : 10;
		size_t		present[10];
		size_t		rank[30];
		double		lo[30],
					hi[30],
					t[2];
		uint32_t	found = 0;
		int			c,
					p;

		for (c = 0; c < w; c++)
		{
			present[c] = n;
			for (p = 0; p < 2; p++)
				rank[c * 3 + p] = quantile_rank(n, qs[p], &t[p]);
			rank[c * 3 + 2] = median_rank(n);
		}
		if (n >= CC_ORDER_PAIRS_MIN_ROWS)
		{
			bool		stopped;

			found = cc_order_pairs(x, n, d, j0, w, 3, present, rank, lo, hi,
								   1, NULL, NULL, &stopped, alloc);
		}
		for (c = 0; c < w; c++)
		{
			if (found & ((uint32_t) 1 << c))
			{
				double	   *out[2] = {q1, q3};

				for (p = 0; p < 2; p++)
					out[p][j0 + c] = (t[p] == 0.0) ? lo[c * 3 + p] :
						cc_lerp(lo[c * 3 + p], hi[c * 3 + p], t[p]);
				median[j0 + c] = (n % 2 == 1) ? lo[c * 3 + 2] :
					middle_mean(lo[c * 3 + 2], hi[c * 3 + 2]);
			}
			else
			{
				double	   *buf = cc_alloc_array(alloc, n + 1, sizeof(double));
				size_t		got;

				/* the selections cc_quantile and median_of make, in this order */
				gather_columns(x, n, d, j0 + c, 1, &buf, &got);
				q1[j0 + c] = cc_quantile(buf, got, 0.25);
				q3[j0 + c] = cc_quantile(buf, got, 0.75);
				median[j0 + c] = median_of(buf, got);
				cc_release(alloc, buf);
			}
		}
	}
}

/*
 * The standard scaler of a column from its mean and population variance
 * over n rows: center and scale; returns whether the variance is within
 * rounding error of zero (then the caller sets the scale to 1).
 */
static bool
standard_from_moments(double mean, double var, size_t n, double *center,
					  double *scale)
{
	double		nd = (double) n;
	double		bound;

	/* rounding-error bound on the variance of a constant column */
	bound = nd * DBL_EPSILON * var +
		(nd * mean * DBL_EPSILON) * (nd * mean * DBL_EPSILON);
	*center = mean;
	*scale = sqrt(var);
	return var <= bound;
}

/*
 * The standard scaler from the means and population variances of the d
 * columns (cc_columns_mean_var's, over the n rows): what cc_scale_fit
 * gives with CC_SCALE_STANDARD, bit for bit, without reading the rows again
 * when the caller has the moments already.
 */
void
cc_scale_fit_standard_moments(const double *mean, const double *var, size_t n,
							  int d, double *center, double *scale,
							  bool *constant)
{
	int			j;

	for (j = 0; j < d; j++)
	{
		bool		zero = standard_from_moments(mean[j], var[j], n, &center[j],
												 &scale[j]);

		if (zero)
			scale[j] = 1.0;
		if (constant)
			constant[j] = zero;
	}
}

/*
 * Fit center and scale per column; spread-less columns get scale 1.  The
 * rows are read in memory order, all columns (or CC_GATHER_COLUMNS of them
 * for quantiles) per walk.
 */
void
cc_scale_fit(const double *x, size_t n, int d, CcScale how, double *center,
			 double *scale, bool *constant, const CcAllocator *alloc)
{
	double	   *a = NULL;
	double	   *b = NULL;
	int			j;

	if (how == CC_SCALE_STANDARD || how == CC_SCALE_MINMAX)
	{
		a = cc_alloc_array(alloc, d ? d : 1, sizeof(double));
		b = cc_alloc_array(alloc, d ? d : 1, sizeof(double));
		if (how == CC_SCALE_STANDARD)
			cc_columns_mean_var(x, n, d, 0, d, a, b);	/* means, variances */
		else
			columns_min_max(x, n, d, a, b); /* lows, highs */
	}
	else if (how == CC_SCALE_ROBUST)
	{
		a = cc_alloc_array(alloc, d ? d : 1, sizeof(double));	/* quartile 1 */
		b = cc_alloc_array(alloc, d ? d : 1, sizeof(double));	/* quartile 3 */
		robust_fit(x, n, d, a, b, center, alloc);
	}

	for (j = 0; j < d; j++)
	{
		bool		zero = false;

		switch (how)
		{
			case CC_SCALE_STANDARD:
				zero = standard_from_moments(a[j], b[j], n, &center[j], &scale[j]);
				break;
			case CC_SCALE_MINMAX:
				center[j] = a[j];
				scale[j] = b[j] - a[j];
				zero = !(scale[j] > 10.0 * DBL_EPSILON);
				break;
			case CC_SCALE_ROBUST:
				scale[j] = b[j] - a[j];
				zero = !(scale[j] > 10.0 * DBL_EPSILON);
				break;
			case CC_SCALE_NONE:
				center[j] = 0.0;
				scale[j] = 1.0;
				break;
			case CC_SCALE_COUNT:
				break;			/* not a method */
		}
		if (zero)
			scale[j] = 1.0;
		if (constant)
			constant[j] = zero;
	}
	cc_release(alloc, a);
	cc_release(alloc, b);
}

/* Scale rows in place: (x - center) / scale, the same operations as scikit-learn. */
void
cc_scale_apply(double *x, size_t n, int d, const double *center,
			   const double *scale)
{
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		double	   *row = x + i * d;

		for (j = 0; j < d; j++)
			row[j] = (row[j] - center[j]) / scale[j];
	}
}

/* ---------- transforms ---------- */

static double
identity(double v, double a, double b)
{
	(void) a;
	(void) b;
	return v;
}

/* log(1 + v): NaN below -1, -inf at -1 */
static double
log1p_forward(double v, double a, double b)
{
	(void) a;
	(void) b;
	return log1p(v);
}

static double
log1p_inverse(double v, double a, double b)
{
	(void) a;
	(void) b;
	return expm1(v);
}

/* winsorising: values below a become a, above b become b */
static double
clip_forward(double v, double a, double b)
{
	return v < a ? a : v > b ? b : v;
}

/* The transforms, indexed by CcTransform (see preprocess.h). */
const CcTransformOps cc_transforms[CC_TRANSFORM_COUNT] = {
	{"none", NAN, identity, identity},
	{"log1p", -1.0, log1p_forward, log1p_inverse},
	{"clip", NAN, clip_forward, identity},
};

/* Parse "none", "log1p", "clip" or "clip(lo,hi)"; see preprocess.h. */
int
cc_transform_parse(const char *word, double *qlo, double *qhi)
{
	int			i;

	*qlo = *qhi = NAN;
	for (i = 0; i < CC_TRANSFORM_COUNT; i++)
		if (strcmp(word, cc_transforms[i].name) == 0)
		{
			if (i == CC_TRANSFORM_CLIP)
			{
				*qlo = 0.01;
				*qhi = 0.99;
			}
			return i;
		}
	if (strncmp(word, "clip(", 5) == 0)
	{
		const char *p = word + 5;
		char	   *end;
		double		lo,
					hi;

		lo = strtod(p, &end);
		if (end == p || *end != ',')
			return -1;
		p = end + 1;
		hi = strtod(p, &end);
		if (end == p || strcmp(end, ")") != 0)
			return -1;
		if (!(lo >= 0.0 && lo < hi && hi <= 1.0))
			return -2;
		*qlo = lo;
		*qhi = hi;
		return CC_TRANSFORM_CLIP;
	}
	return -1;
}

/* Fit the parameters of one column's transform; see preprocess.h. */
void
cc_transform_fit(const double *x, size_t n, int d, int j, CcTransform how,
				 double qlo, double qhi, double *a, double *b,
				 const CcAllocator *alloc)
{
	*a = *b = NAN;
	if (how == CC_TRANSFORM_CLIP && n > 0)
	{
		double	   *buf = cc_alloc_array(alloc, n, sizeof(double));
		size_t		i;

		for (i = 0; i < n; i++)
			buf[i] = x[i * d + j];
		*a = cc_quantile(buf, n, qlo);
		*b = cc_quantile(buf, n, qhi);
		cc_release(alloc, buf);
	}
}

/* Whether fm transforms any feature. */
bool
cc_map_has_transform(const CcFeatureMap *fm)
{
	int			j;

	if (fm->transform == NULL)
		return false;
	for (j = 0; j < fm->d; j++)
		if (fm->transform[j] != CC_TRANSFORM_NONE)
			return true;
	return false;
}

/* Original units to the space of k-means; see preprocess.h. */
int
cc_map_forward(const CcFeatureMap *fm, const double *in, double *out)
{
	int			bad = -1;
	int			j;

	for (j = 0; j < fm->d; j++)
	{
		double		v = in[j];

		if (fm->transform != NULL && fm->transform[j] != CC_TRANSFORM_NONE)
		{
			const CcTransformOps *op = &cc_transforms[fm->transform[j]];

			if (v <= op->domain_lo && bad < 0)
				bad = j;
			v = op->forward(v, fm->ta[j], fm->tb[j]);
		}
		v = (v - fm->center[j]) / fm->scale[j];
		if (fm->weight != NULL)
			v *= fm->weight[j];
		out[j] = v;
	}
	return bad;
}

/* The space of k-means back to original units; see preprocess.h. */
void
cc_map_inverse(const CcFeatureMap *fm, const double *in, double *out)
{
	int			j;

	for (j = 0; j < fm->d; j++)
	{
		double		v = in[j];

		if (fm->weight != NULL)
			v /= fm->weight[j];
		v = v * fm->scale[j] + fm->center[j];
		if (fm->transform != NULL && fm->transform[j] != CC_TRANSFORM_NONE)
			v = cc_transforms[fm->transform[j]].inverse(v, fm->ta[j], fm->tb[j]);
		out[j] = v;
	}
}

/* Transform n rows in place; see preprocess.h. */
ptrdiff_t
cc_transform_apply(double *x, size_t n, const CcFeatureMap *fm)
{
	int			d = fm->d;
	int			j;

	if (fm->transform == NULL)
		return -1;
	for (j = 0; j < d; j++)
	{
		const CcTransformOps *op = &cc_transforms[fm->transform[j]];
		double		a = fm->ta[j],
					b = fm->tb[j];
		size_t		i;

		if (fm->transform[j] == CC_TRANSFORM_NONE)
			continue;
		for (i = 0; i < n; i++)
		{
			double		v = x[i * d + j];

			if (v <= op->domain_lo)
				return (ptrdiff_t) (i * d + j);
			x[i * d + j] = op->forward(v, a, b);
		}
	}
	return -1;
}

/* ---------- the per-row steps in threads ---------- */

#define CC_ROWS_PER_PART 32768
#define CC_ROWS_IN_CACHE 256	/* rows a part steps through before summing them */

typedef struct RowParts
{
	double	   *x;
	size_t		n;
	int			d;
	size_t		part_rows;		/* CC_ROWS_PER_PART, or CC_MOMENT_ROWS with sums */
	double	   *sums;			/* parts x d: the columns' sums per part, or NULL */
	const double *values;		/* imputation */
	const double *center;		/* scaling */
	const double *scale;
	const double *weight;
	double		limit;
	ptrdiff_t  *first_big;		/* per part */
} RowParts;

/*
 * Parts of the rows for a walk; with sums (d at most CC_COLUMN_BLOCK), a
 * part is a block of the column moments and the walk takes its first sums.
 */
static int
row_parts_init(RowParts *rp, double *x, size_t n, int d, double *sums)
{
	memset(rp, 0, sizeof(*rp));
	rp->x = x;
	rp->n = n;
	rp->d = d;
	rp->sums = (d <= CC_COLUMN_BLOCK) ? sums : NULL;
	rp->part_rows = rp->sums ? CC_MOMENT_ROWS : CC_ROWS_PER_PART;
	return (int) ((n + rp->part_rows - 1) / rp->part_rows);
}

static void
row_part_bounds(const RowParts *rp, int part, size_t *lo, size_t *hi)
{
	*lo = (size_t) part * rp->part_rows;
	*hi = *lo + rp->part_rows < rp->n ? *lo + rp->part_rows : rp->n;
}

/*
 * Run step over the rows of a part, CC_ROWS_IN_CACHE at a time, and with
 * sums add each batch of rows to the part's column sums right after it.
 */
static CC_ALWAYS_INLINE void
walk_part(RowParts *rp, int part,
		  void (*step) (RowParts *rp, int part, size_t lo, size_t hi))
{
	CcColumnSums cs;
	size_t		lo,
				hi,
				i;

	row_part_bounds(rp, part, &lo, &hi);
	cc_column_sums_start(&cs, 0, rp->sums ? rp->d : 0, NULL);
	for (i = lo; i < hi; i += CC_ROWS_IN_CACHE)
	{
		size_t		end = (hi - i < CC_ROWS_IN_CACHE) ? hi : i + CC_ROWS_IN_CACHE;

		step(rp, part, i, end);
		if (rp->sums)
			cc_column_sums_add(&cs, rp->x + i * rp->d, end - i, rp->d);
	}
	if (rp->sums)
		cc_column_sums_end(&cs, rp->sums + (size_t) part * rp->d);
}

static void
impute_rows(RowParts *rp, int part, size_t lo, size_t hi)
{
	(void) part;
	/* every method but drop puts the column's value in place of a missing one */
	(void) cc_impute_apply(rp->x + lo * rp->d, hi - lo, rp->d, CC_IMPUTE_MEDIAN,
						   rp->values);
}

CC_SIMD_CLONES static void
impute_part(void *arg, int part)
{
	walk_part(arg, part, impute_rows);
}

/* cc_impute_apply for a method other than drop, in threads; see preprocess.h. */
bool
cc_impute_apply_parallel(double *x, size_t n, int d, const double *values,
						 int threads, CcPollFn poll, void *poll_arg,
						 double *sums)
{
	RowParts	rp;
	int			parts = row_parts_init(&rp, x, n, d, sums);

	rp.values = values;
	return cc_run_parts(impute_part, &rp, parts, threads, poll, poll_arg);
}

static void
scale_rows(RowParts *rp, int part, size_t lo, size_t hi)
{
	int			d = rp->d;
	size_t		i;
	int			j;

	double	   *v = rp->x + lo * d;
	size_t		m = (hi - lo) * d;
	bool		over = false;
	size_t		q;

	cc_scale_apply(v, hi - lo, d, rp->center, rp->scale);
	if (rp->weight)
		for (i = lo; i < hi; i++)
			for (j = 0; j < d; j++)
				rp->x[i * d + j] *= rp->weight[j];
	if (rp->first_big[part] >= 0)
		return;
	/* whether any value is too large, without a branch; then which first */
	for (q = 0; q < m; q++)
		over |= fabs(v[q]) > rp->limit;
	for (q = 0; over && q < m; q++)
		if (fabs(v[q]) > rp->limit)
		{
			rp->first_big[part] = (ptrdiff_t) (lo * d + q);
			break;
		}
}

CC_SIMD_CLONES static void
scale_part(void *arg, int part)
{
	RowParts   *rp = arg;

	rp->first_big[part] = -1;
	walk_part(rp, part, scale_rows);
}

/* Scale, weigh and check rows in threads; see preprocess.h. */
bool
cc_scale_rows_parallel(double *x, size_t n, int d, const double *center,
					   const double *scale, const double *weight, double limit,
					   int threads, CcPollFn poll, void *poll_arg,
					   ptrdiff_t *first_big, double *sums,
					   const CcAllocator *alloc)
{
	RowParts	rp;
	int			parts = row_parts_init(&rp, x, n, d, sums);
	int			p;
	bool		done;

	rp.center = center;
	rp.scale = scale;
	rp.weight = weight;
	rp.limit = limit;
	rp.first_big = cc_alloc_array(alloc, parts > 0 ? parts : 1, sizeof(ptrdiff_t));
	done = cc_run_parts(scale_part, &rp, parts, threads, poll, poll_arg);
	*first_big = -1;
	for (p = 0; done && p < parts; p++)
		if (rp.first_big[p] >= 0)
		{
			*first_big = rp.first_big[p];
			break;
		}
	cc_release(alloc, rp.first_big);
	return done;
}
