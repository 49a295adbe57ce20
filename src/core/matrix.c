/*
 * matrix.c
 *		Column means and variances, selection and quantiles for the ccseg
 *		core.
 */
#include "matrix.h"
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
 * Mean and population variance of the 4 * g columns from j (g = 1 or 2: one
 * or two vectors of four), the sums of cc_column_mean_var lane by lane: the
 * same additions in the same row order, so the same bits.  Each sum's chain
 * of additions is as long as the column, so two vectors side by side keep
 * the adder busy while one waits.
 */
static CC_ALWAYS_INLINE void
columns_mean_var4(const double *x, size_t n, int d, int j, int g,
				  double *mean, double *var)
{
	const CcV4d zero = {0.0, 0.0, 0.0, 0.0};
	const CcV4d nn = {(double) n, (double) n, (double) n, (double) n};
	CcV4d		s[2] = {zero, zero},
				sc[2] = {zero, zero},
				q[2] = {zero, zero},
				qc[2] = {zero, zero},
				mu[2] = {zero, zero};
	size_t		i;
	int			h;

	for (i = 0; i < n; i++)
		for (h = 0; h < g; h++)
		{
			CcV4d		v;

			memcpy(&v, x + i * d + j + 4 * h, sizeof(v));
			cc_sum4_add(&s[h], &sc[h], &v);
		}
	for (h = 0; h < g; h++)
		mu[h] = (s[h] + sc[h]) / nn;
	for (i = 0; i < n; i++)
		for (h = 0; h < g; h++)
		{
			CcV4d		t;

			memcpy(&t, x + i * d + j + 4 * h, sizeof(t));
			t -= mu[h];
			t *= t;
			cc_sum4_add(&q[h], &qc[h], &t);
		}
	for (h = 0; h < g; h++)
	{
		CcV4d		v = (q[h] + qc[h]) / nn;

		memcpy(mean + 4 * h, &mu[h], sizeof(mu[h]));
		memcpy(var + 4 * h, &v, sizeof(v));
	}
}
#endif

/*
 * Mean and population variance of columns j0 .. j0 + w - 1 into mean[0..w-1]
 * and var[0..w-1], bit-identical to calling cc_column_mean_var for each: the
 * same compensated sums in the same row order.  With GCC or clang, eight
 * columns at a time, then four, in vector types (matrix.h); the last few,
 * or all of them elsewhere, one at a time.
 */
CC_SIMD_CLONES void
cc_columns_mean_var(const double *x, size_t n, int d, int j0, int w,
					double *mean, double *var)
{
	int			c = 0;

#if defined(__GNUC__)
	for (; c + 8 <= w; c += 8)
		columns_mean_var4(x, n, d, j0 + c, 2, mean + c, var + c);
	for (; c + 4 <= w; c += 4)
		columns_mean_var4(x, n, d, j0 + c, 1, mean + c, var + c);
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
				vhi,
				diff;

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
	diff = vhi - vlo;
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
