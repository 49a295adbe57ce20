/*
 * matrix.c
 *		Column means and variances, selection and quantiles for the ccseg
 *		core.
 */
#include "matrix.h"
#include "parallel.h"
#include "rng.h"

/* Mean and population variance of one column of a row-major matrix. */
void
cc_column_mean_var(const double *x, size_t n, int d, int j, double *mean,
				   double *var)
{
	CcSum		s = {0, 0};
	CcSum		q = {0, 0};
	double		mu;
	size_t		i;

	for (i = 0; i < n; i++)
		cc_sum_add(&s, x[i * d + j]);
	mu = cc_sum_value(&s) / (double) n;
	for (i = 0; i < n; i++)
	{
		double		t = x[i * d + j] - mu;

		cc_sum_add(&q, t * t);
	}
	*mean = mu;
	*var = cc_sum_value(&q) / (double) n;
}

#if defined(__GNUC__)
/*
 * Load the r < 4 values of row x from column j as a vector; the other lanes
 * hold zero, which leaves their sums zero (they are never stored).
 */
static CC_ALWAYS_INLINE void
load_part(CcV4d *v, const double *x, int j, int r)
{
	double		t[4] = {0.0, 0.0, 0.0, 0.0};

	memcpy(t, x + j, sizeof(double) * r);
	memcpy(v, t, sizeof(*v));
}

/*
 * Mean and population variance of the w <= CC_COLUMN_BLOCK columns from j0,
 * the sums of cc_column_mean_var lane by lane: the same additions in the
 * same row order, so the same bits.  The rows are walked in memory order,
 * every column of a row at once (four to a vector), so that each of the two
 * passes reads the matrix once whatever the number of columns.
 */
static CC_ALWAYS_INLINE void
columns_mean_var_block(const double *x, size_t n, int d, int j0, int w,
					   double *mean, double *var)
{
	const CcV4d zero = {0.0, 0.0, 0.0, 0.0};
	const CcV4d nn = {(double) n, (double) n, (double) n, (double) n};
	CcV4d		s[CC_COLUMN_BLOCK / 4],
				sc[CC_COLUMN_BLOCK / 4],
				mu[CC_COLUMN_BLOCK / 4];
	int			full = w / 4;	/* groups of four columns */
	int			rest = w % 4;	/* columns in a last, partial group */
	int			groups = full + (rest > 0);
	size_t		i;
	int			g;

	for (g = 0; g < groups; g++)
		s[g] = sc[g] = zero;
	for (i = 0; i < n; i++)
	{
		const double *row = x + i * d + j0;

		CcV4d		v;

		for (g = 0; g < full; g++)
		{
			memcpy(&v, row + 4 * g, sizeof(v));
			cc_sum4_add(&s[g], &sc[g], &v);
		}
		if (rest > 0)
		{
			load_part(&v, row, 4 * full, rest);
			cc_sum4_add(&s[full], &sc[full], &v);
		}
	}
	for (g = 0; g < groups; g++)
	{
		mu[g] = (s[g] + sc[g]) / nn;
		s[g] = sc[g] = zero;
	}
	for (i = 0; i < n; i++)
	{
		const double *row = x + i * d + j0;

		CcV4d		t;

		for (g = 0; g < full; g++)
		{
			memcpy(&t, row + 4 * g, sizeof(t));
			t -= mu[g];
			t *= t;
			cc_sum4_add(&s[g], &sc[g], &t);
		}
		if (rest > 0)
		{
			load_part(&t, row, 4 * full, rest);
			t -= mu[full];
			t *= t;
			cc_sum4_add(&s[full], &sc[full], &t);
		}
	}
	for (g = 0; g < groups; g++)
	{
		double		m[4],
					v[4];
		CcV4d		q = (s[g] + sc[g]) / nn;
		int			c;

		memcpy(m, &mu[g], sizeof(m));
		memcpy(v, &q, sizeof(v));
		for (c = 0; c < 4 && 4 * g + c < w; c++)
		{
			mean[4 * g + c] = m[c];
			var[4 * g + c] = v[c];
		}
	}
}
#endif

/*
 * Mean and population variance of columns j0 .. j0 + w - 1 into mean[0..w-1]
 * and var[0..w-1], bit-identical to calling cc_column_mean_var for each: the
 * same compensated sums in the same row order.  With GCC or clang, up to
 * CC_COLUMN_BLOCK columns per two passes over the rows, in vector types
 * (matrix.h); elsewhere one column at a time.
 */
CC_SIMD_CLONES void
cc_columns_mean_var(const double *x, size_t n, int d, int j0, int w,
					double *mean, double *var)
{
	int			c = 0;

#if defined(__GNUC__)
	for (; c < w; c += CC_COLUMN_BLOCK)
		columns_mean_var_block(x, n, d, j0 + c,
							   (w - c < CC_COLUMN_BLOCK) ? w - c : CC_COLUMN_BLOCK,
							   mean + c, var + c);
#endif
	for (; c < w; c++)
		cc_column_mean_var(x, n, d, j0 + c, mean + c, var + c);
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

/* The shared state of cc_columns_mean_var_parallel. */
typedef struct ColumnGroups
{
	const double *x;
	size_t		n;
	int			d;
	int			width;			/* columns per group */
	double	   *mean;
	double	   *var;
} ColumnGroups;

static void
column_group(void *arg, int part)
{
	ColumnGroups *cg = arg;
	int			j0 = part * cg->width;
	int			w = (cg->d - j0 < cg->width) ? cg->d - j0 : cg->width;

	cc_columns_mean_var(cg->x, cg->n, cg->d, j0, w, cg->mean + j0, cg->var + j0);
}

/* Column moments in threads; see matrix.h. */
bool
cc_columns_mean_var_parallel(const double *x, size_t n, int d, double *mean,
							 double *var, int threads, bool (*poll) (void *arg),
							 void *poll_arg)
{
	ColumnGroups cg;
	int			groups = threads > 1 ? threads : 1;

	cg.x = x;
	cg.n = n;
	cg.d = d;
	/* as many groups as threads, of whole vectors of four columns */
	cg.width = ((d + groups - 1) / groups + 3) / 4 * 4;
	if (cg.width > CC_COLUMN_BLOCK)
		cg.width = CC_COLUMN_BLOCK;
	if (cg.width < 1)
		cg.width = 1;
	cg.mean = mean;
	cg.var = var;
	return cc_run_parts(column_group, &cg, (d + cg.width - 1) / cg.width,
						threads, poll, poll_arg);
}
