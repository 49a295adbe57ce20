/*
 * matrix.c
 *		Column means and variances, selection and quantiles for the ccseg
 *		core.
 */
#include "matrix.h"
#include "parallel.h"
#include "rng.h"

/*
 * The column moments' sums go in blocks of CC_MOMENT_ROWS rows (matrix.h):
 * a compensated sum in row order within a block, and the blocks' sums, each
 * rounded, added in block order into another compensated sum.  Up to
 * CC_MOMENT_ROWS rows, that is the compensated sum in row order, bit for
 * bit (a compensated sum from zero takes its one term exactly).
 */

/* Mean and population variance of one column of a row-major matrix. */
void
cc_column_mean_var(const double *x, size_t n, int d, int j, double *mean,
				   double *var)
{
	CcSum		total = {0, 0};
	double		mu = 0.0;
	size_t		b0,
				i;
	int			pass;

	for (pass = 0; pass < 2; pass++)
	{
		for (b0 = 0; b0 < n; b0 += CC_MOMENT_ROWS)
		{
			size_t		b1 = (n - b0 < CC_MOMENT_ROWS) ? n : b0 + CC_MOMENT_ROWS;
			CcSum		s = {0, 0};

			for (i = b0; i < b1; i++)
			{
				double		t = x[i * d + j];

				if (pass == 1)
				{
					t -= mu;
					t *= t;
				}
				cc_sum_add(&s, t);
			}
			cc_sum_add(&total, cc_sum_value(&s));
		}
		if (pass == 0)
			mu = cc_sum_value(&total) / (double) n;
		else
			*var = cc_sum_value(&total) / (double) n;
		total.sum = total.comp = 0.0;
	}
	*mean = mu;
}

/*
 * One block's sums of the w <= CC_COLUMN_BLOCK columns from j0 over its m
 * rows, each rounded, into out[0..w-1]: of the values, or with mu (w
 * values) of their squared deviations from it.  The sums of
 * cc_column_mean_var lane by lane: the same additions in the same row
 * order, so the same bits.  With GCC or clang the rows are walked in memory
 * order, every column of a row at once (four to a vector), so that a pass
 * reads the block once whatever the number of columns.
 */
static CC_ALWAYS_INLINE void
columns_block_sums(const double *x, size_t m, int d, int j0, int w,
				   const double *mu, double *out)
{
	CcColumnSums cs;

	cc_column_sums_start(&cs, j0, w, mu);
	cc_column_sums_add(&cs, x, m, d);
	cc_column_sums_end(&cs, out);
}

/*
 * Mean and population variance of columns j0 .. j0 + w - 1 into mean[0..w-1]
 * and var[0..w-1], bit-identical to calling cc_column_mean_var for each: up
 * to CC_COLUMN_BLOCK columns per two passes over the blocks of rows
 * (columns_block_sums).
 */
CC_SIMD_CLONES void
cc_columns_mean_var(const double *x, size_t n, int d, int j0, int w,
					double *mean, double *var)
{
	double		out[CC_COLUMN_BLOCK];
	CcSum		total[CC_COLUMN_BLOCK];
	int			c0,
				c,
				pass;

	for (c0 = 0; c0 < w; c0 += CC_COLUMN_BLOCK)
	{
		int			cw = (w - c0 < CC_COLUMN_BLOCK) ? w - c0 : CC_COLUMN_BLOCK;

		for (pass = 0; pass < 2; pass++)
		{
			size_t		b0;

			for (c = 0; c < cw; c++)
				total[c].sum = total[c].comp = 0.0;
			for (b0 = 0; b0 < n; b0 += CC_MOMENT_ROWS)
			{
				size_t		m = (n - b0 < CC_MOMENT_ROWS) ? n - b0 : CC_MOMENT_ROWS;

				columns_block_sums(x + b0 * d, m, d, j0 + c0, cw,
								   pass == 0 ? NULL : mean + c0, out);
				for (c = 0; c < cw; c++)
					cc_sum_add(&total[c], out[c]);
			}
			for (c = 0; c < cw; c++)
			{
				if (pass == 0)
					mean[c0 + c] = cc_sum_value(&total[c]) / (double) n;
				else
					var[c0 + c] = cc_sum_value(&total[c]) / (double) n;
			}
		}
	}
}

/*
 * Move the values of a[lo..hi-1] below the pivot (or, with "equal", not
 * above it) to the front, the others after them; returns where the others
 * start.  Each value is swapped into place without a branch on it (N.
 * Lomuto's partition scheme, written branch-free): which side a value goes
 * to is a coin toss that a branch would mispredict half of the time.
 */
static inline size_t
partition(double *a, size_t lo, size_t hi, double pivot, bool equal)
{
	size_t		part = lo;
	size_t		i;

	for (i = lo; i < hi; i++)
	{
		double		v = a[i];

		a[i] = a[part];
		a[part] = v;
		part += equal ? !(pivot < v) : (v < pivot);
	}
	return part;
}

/* Sort a[lo..hi-1] by insertion: the last few values of a selection. */
static void
insertion_sort(double *a, size_t lo, size_t hi)
{
	size_t		i;

	for (i = lo + 1; i < hi; i++)
	{
		double		v = a[i];
		size_t		j = i;

		while (j > lo && v < a[j - 1])
		{
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}

/*
 * Quickselect (C. A. R. Hoare, "Algorithm 65: Find", 1961) with three-way
 * partitions: values below the pivot, then equal to it (often many: a
 * column of amounts has many zeros), then above.  The pivot is the median
 * of three values drawn at pseudo-random places, from a generator seeded
 * with a constant: the expected time is linear whatever the order of the
 * values (fixed places, such as first, middle and last, let some orders
 * force quadratic time), and the same input is always rearranged the same
 * way.  Short ranges are sorted.
 */
void
cc_select(double *a, size_t n, size_t kth)
{
	size_t		lo = 0;
	size_t		hi = n;			/* kth is in [lo, hi) */
	CcRng		rng;

	cc_rng_seed(&rng, 0x5e1ec7, 0);
	while (hi - lo > 16)
	{
		double		x = a[lo + cc_rng_below(&rng, hi - lo)],
					y = a[lo + cc_rng_below(&rng, hi - lo)],
					z = a[lo + cc_rng_below(&rng, hi - lo)];
		double		pivot;
		size_t		part;

		/* the middle one of x, y, z */
		if (x < y)
			pivot = (y < z) ? y : ((x < z) ? z : x);
		else
			pivot = (x < z) ? x : ((y < z) ? z : y);
		part = partition(a, lo, hi, pivot, false);
		if (kth < part)
		{
			hi = part;
			continue;
		}
		lo = part;
		part = partition(a, lo, hi, pivot, true);
		if (kth < part)
			return;				/* a[kth] equals the pivot */
		lo = part;
	}
	insertion_sort(a, lo, hi);
}

/* Return the smallest of a[0..n-1]. */
double
cc_min(const double *a, size_t n)
{
	double		m = a[0];
	size_t		i;

	for (i = 1; i < n; i++)
		if (a[i] < m)
			m = a[i];
	return m;
}

/* Linear-interpolated quantile, reordering a; same convention as numpy. */
double
cc_quantile(double *a, size_t n, double q)
{
	double		pos = q * (double) (n - 1);
	size_t		lo = (size_t) pos;
	double		t = pos - (double) lo;
	double		vlo,
				vhi;

	if (lo >= n - 1)
	{
		cc_select(a, n, n - 1);
		return a[n - 1];
	}
	cc_select(a, n, lo);
	vlo = a[lo];
	if (t == 0.0)
		return vlo;
	vhi = cc_min(a + lo + 1, n - lo - 1);
	return cc_lerp(vlo, vhi, t);
}

/* Interpolate t of the way from vlo to vhi (t in (0, 1)), as cc_quantile does. */
double
cc_lerp(double vlo, double vhi, double t)
{
	double		diff = vhi - vlo;

	/*
	 * The difference of two finite values of opposite signs can overflow
	 * (-1.7e308 and 1.7e308): then weigh the ends, which cannot.
	 */
	if (!isfinite(diff) && isfinite(vlo) && isfinite(vhi))
		return vlo * (1.0 - t) + vhi * t;
	/* numpy's lerp: interpolate from the nearer end for accuracy */
	if (t >= 0.5)
		return vhi - diff * (1.0 - t);
	return vlo + diff * t;
}

/*
 * The shared state of cc_columns_mean_var_parallel: a part is a block of
 * rows, whose sums of every column go to sums (block x d).
 */
typedef struct MomentBlocks
{
	const double *x;
	size_t		n;
	int			d;
	const double *mu;			/* NULL: the first pass */
	double	   *sums;
} MomentBlocks;

CC_SIMD_CLONES static void
moment_block(void *arg, int part)
{
	const MomentBlocks *mb = arg;
	size_t		b0 = (size_t) part * CC_MOMENT_ROWS;
	size_t		m = (mb->n - b0 < CC_MOMENT_ROWS) ? mb->n - b0 : CC_MOMENT_ROWS;
	int			j0;

	for (j0 = 0; j0 < mb->d; j0 += CC_COLUMN_BLOCK)
		columns_block_sums(mb->x + b0 * mb->d, m, mb->d, j0,
						   (mb->d - j0 < CC_COLUMN_BLOCK) ? mb->d - j0 : CC_COLUMN_BLOCK,
						   mb->mu ? mb->mu + j0 : NULL,
						   mb->sums + (size_t) part * mb->d + j0);
}

/*
 * The moments from the blocks' sums of the first walk: given
 * (block_sums, not NULL) or computed here.
 */
static bool
mean_var_blocks(const double *x, size_t n, int d, const double *block_sums,
				double *mean, double *var, int threads, bool (*poll) (void *arg),
				void *poll_arg, const CcAllocator *alloc)
{
	size_t		blocks = (n + CC_MOMENT_ROWS - 1) / CC_MOMENT_ROWS;
	MomentBlocks mb;
	int			pass,
				j;

	mb.x = x;
	mb.n = n;
	mb.d = d;
	mb.sums = cc_alloc_array(alloc, blocks * d, sizeof(double));
	for (pass = 0; pass < 2; pass++)
	{
		const double *sums = mb.sums;

		mb.mu = pass == 0 ? NULL : mean;
		if (pass == 0 && block_sums != NULL)
			sums = block_sums;
		else if (!cc_run_parts(moment_block, &mb, (int) blocks, threads, poll, poll_arg))
		{
			cc_release(alloc, mb.sums);
			return false;
		}
		/* the blocks' sums in block order, as cc_columns_mean_var adds them */
		for (j = 0; j < d; j++)
		{
			CcSum		total = {0, 0};
			size_t		b;

			for (b = 0; b < blocks; b++)
				cc_sum_add(&total, sums[b * d + j]);
			if (pass == 0)
				mean[j] = cc_sum_value(&total) / (double) n;
			else
				var[j] = cc_sum_value(&total) / (double) n;
		}
	}
	cc_release(alloc, mb.sums);
	return true;
}

/* Column moments in threads; see matrix.h. */
bool
cc_columns_mean_var_parallel(const double *x, size_t n, int d, double *mean,
							 double *var, int threads, bool (*poll) (void *arg),
							 void *poll_arg, const CcAllocator *alloc)
{
	if (threads <= 1 || n <= CC_MOMENT_ROWS)
	{
		cc_columns_mean_var(x, n, d, 0, d, mean, var);
		return true;
	}
	return mean_var_blocks(x, n, d, NULL, mean, var, threads, poll, poll_arg,
						   alloc);
}

/* Column moments with the first walk's sums given; see matrix.h. */
bool
cc_columns_mean_var_given(const double *x, size_t n, int d,
						  const double *block_sums, double *mean, double *var,
						  int threads, bool (*poll) (void *arg), void *poll_arg,
						  const CcAllocator *alloc)
{
	return mean_var_blocks(x, n, d, block_sums, mean, var,
						   threads > 1 ? threads : 1, poll, poll_arg, alloc);
}
