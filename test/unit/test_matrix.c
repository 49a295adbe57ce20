/*
 * test_matrix.c
 *		Unit tests of matrix.c and matrix.h: selection and quantiles,
 *		column moments, the distance kernels and the compensated sum.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exactsum.h"
#include "harness.h"
#include "linalg.h"
#include "matrix.h"

/*
 * Fill a with test pattern kind: 0 random with duplicates, 1 random,
 * 2 sorted, 3 reversed, 4 all equal, 5 organ pipe.
 */
static void
fill_pattern(TRand *r, double *a, size_t n, int kind)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		switch (kind)
		{
			case 0:
				a[i] = (double) tr_below(r, 1 + n / 3);
				break;
			case 1:
				a[i] = tr_normal(r);
				break;
			case 2:
				a[i] = (double) i;
				break;
			case 3:
				a[i] = (double) (n - i);
				break;
			case 4:
				a[i] = 2.5;
				break;
			default:
				a[i] = (double) (i < n / 2 ? i : n - i);
				break;
		}
	}
}

/* Check cc_select against a sorted copy: value, partition and multiset. */
static void
test_select(void)
{
	static const size_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 31, 100, 1001};
	TRand		r;
	size_t		si;
	int			kind;

	tr_seed(&r, 1);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		for (kind = 0; kind < 6; kind++)
		{
			size_t		n = sizes[si];
			double	   *orig = dalloc(n);
			double	   *sorted = dalloc(n);
			double	   *a = dalloc(n);
			size_t		kth;
			size_t		step = n <= 40 ? 1 : n / 13;
			bool		ok_value = true,
						ok_part = true,
						ok_multiset = true;

			fill_pattern(&r, orig, n, kind);
			memcpy(sorted, orig, n * sizeof(double));
			qsort(sorted, n, sizeof(double), cmp_double);
			for (kth = 0; kth < n; kth += step)
			{
				size_t		probe[2];
				int			p;

				probe[0] = kth;
				probe[1] = n - 1 - kth;	/* also the high end */
				for (p = 0; p < 2; p++)
				{
					size_t		kk = probe[p];
					size_t		i;

					memcpy(a, orig, n * sizeof(double));
					cc_select(a, n, kk);
					if (a[kk] != sorted[kk])
						ok_value = false;
					for (i = 0; i < n; i++)
						if ((i < kk && a[i] > a[kk]) || (i > kk && a[i] < a[kk]))
							ok_part = false;
					qsort(a, n, sizeof(double), cmp_double);
					if (memcmp(a, sorted, n * sizeof(double)) != 0)
						ok_multiset = false;
				}
			}
			set_ctx("cc_select n=%zu pattern=%d", n, kind);
			CHECK(ok_value);
			CHECK(ok_part);
			CHECK(ok_multiset);
			tfree(orig);
			tfree(sorted);
			tfree(a);
		}
	set_ctx("%s", "");
}

/* Check cc_quantile and cc_min against numpy's linear rule on a sorted copy. */
static void
test_quantile(void)
{
	static const size_t sizes[] = {1, 2, 3, 4, 5, 10, 11, 64, 99, 1000};
	static const double qs[] = {0.0, 0.25, 0.5, 0.75, 1.0, 0.1, 0.9, 0.333, 0.999};
	TRand		r;
	size_t		si;
	int			kind;

	tr_seed(&r, 2);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		for (kind = 0; kind < 6; kind++)
		{
			size_t		n = sizes[si];
			double	   *orig = dalloc(n);
			double	   *sorted = dalloc(n);
			double	   *a = dalloc(n);
			size_t		qi;
			bool		ok_exact = true,
						ok_bracket = true,
						ok_ld = true;

			fill_pattern(&r, orig, n, kind);
			memcpy(sorted, orig, n * sizeof(double));
			qsort(sorted, n, sizeof(double), cmp_double);
			for (qi = 0; qi < sizeof(qs) / sizeof(qs[0]); qi++)
			{
				double		q = qs[qi];
				double		got,
							want;
				long double pos = (long double) q * (n - 1);
				size_t		lo = (size_t) floorl(pos);
				size_t		hi = lo + 1 < n ? lo + 1 : lo;
				long double exact;

				memcpy(a, orig, n * sizeof(double));
				got = cc_quantile(a, n, q);
				want = ref_quantile_sorted(sorted, n, q);
				exact = sorted[lo] + (pos - lo) * ((long double) sorted[hi] - sorted[lo]);
				if (memcmp(&got, &want, sizeof(double)) != 0)
					ok_exact = false;
				if (got < sorted[lo] || got > sorted[hi])
					ok_bracket = false;
				if (fabsl(got - exact) > 1e-13L * (1.0L + fabsl(exact)))
					ok_ld = false;
			}
			set_ctx("cc_quantile n=%zu pattern=%d", n, kind);
			CHECK(ok_exact);
			CHECK(ok_bracket);
			CHECK(ok_ld);
			CHECK(cc_min(orig, n) == sorted[0]);
			tfree(orig);
			tfree(sorted);
			tfree(a);
		}

	/* closed forms: numpy.quantile([1, 2, 3, 4], q) */
	{
		double		v[4];

		set_ctx("cc_quantile closed forms");
#define QUANT4(q, expect) \
		(v[0] = 4, v[1] = 1, v[2] = 3, v[3] = 2, cc_quantile(v, 4, (q)) == (expect))
		CHECK(QUANT4(0.0, 1.0));
		CHECK(QUANT4(0.25, 1.75));
		CHECK(QUANT4(0.5, 2.5));
		CHECK(QUANT4(0.75, 3.25));
		CHECK(QUANT4(1.0, 4.0));
#undef QUANT4
	}

	/*
	 * ends whose difference overflows: the median of -1.7e308 and 1.7e308
	 * is 0, not -Infinity, and a quartile lies between them
	 */
	{
		double		v[4];
		double		q;

		set_ctx("cc_quantile of values whose difference overflows");
		v[0] = 1.7e308;
		v[1] = -1.7e308;
		CHECK(cc_quantile(v, 2, 0.5) == 0.0);
		v[0] = 1.7e308;
		v[1] = -1.7e308;
		q = cc_quantile(v, 2, 0.25);
		CHECK(close_to(q, -0.85e308, 1e-15, 0));
		v[0] = -DBL_MAX;
		v[1] = DBL_MAX;
		v[2] = DBL_MAX;
		v[3] = -DBL_MAX;
		q = cc_quantile(v, 4, 0.5);
		CHECK(q == 0.0);
		v[0] = -DBL_MAX;
		v[1] = DBL_MAX;
		v[2] = DBL_MAX;
		v[3] = -DBL_MAX;
		q = cc_quantile(v, 4, 0.75);
		CHECK(q == DBL_MAX);
		v[0] = -DBL_MAX;
		v[1] = DBL_MAX;
		v[2] = 0.0;
		q = cc_quantile(v, 3, 0.75);
		CHECK(isfinite(q) && q == DBL_MAX / 2.0);
	}
	set_ctx("%s", "");
}

/* Check cc_column_mean_var against long double two-pass sums. */
static void
test_column_mean_var(void)
{
	static const double offsets[] = {0.0, 1e6, -3e9, 1e12};
	const size_t n = 5000;
	const int	d = 3;
	double	   *x = dalloc(n * d);
	TRand		r;
	size_t		oi,
				i;

	tr_seed(&r, 3);
	for (oi = 0; oi < sizeof(offsets) / sizeof(offsets[0]); oi++)
	{
		int			j;

		for (i = 0; i < n; i++)
		{
			x[i * d + 0] = offsets[oi] + tr_normal(&r);
			x[i * d + 1] = offsets[oi] * 1e-3 + 100.0 * tr_unif(&r);
			x[i * d + 2] = 0.1;
		}
		for (j = 0; j < d; j++)
		{
			double		mean,
						var;
			long double rm,
						rv;

			cc_column_mean_var(x, n, d, j, &mean, &var);
			ref_mean_var(x, n, d, j, &rm, &rv);
			set_ctx("mean_var offset=%g column=%d", offsets[oi], j);
			CHECK(fabsl(mean - rm) <= 6e-16L * fabsl(rm) + 1e-300L);

			/*
			 * Two passes around the rounded mean give the mean square
			 * deviation from that mean: the variance plus (mean - exact
			 * mean)^2, which is 1.5e-9 relative at offset 1e12.  Check both
			 * the two-pass definition and the distance to the variance.
			 */
			if (j == 2)
				CHECK(var < 1e-30);
			else
			{
				long double dm = (long double) mean - rm;
				long double q = 0.0L;

				for (i = 0; i < n; i++)
				{
					long double t = (long double) x[i * d + j] - mean;

					q += t * t;
				}
				CHECK(fabsl(var - q / n) <= 1e-13L * rv);
				CHECK(fabsl(var - rv) <= 1e-13L * rv + 1.01L * dm * dm);
			}
		}
	}
	/* naive summation gives mean 0 here: 1e16 + 1 rounds back to 1e16 */
	{
		double		y[5] = {1e16, 1, 1, 1, -1e16};
		double		mean,
					var;

		set_ctx("mean_var cancellation");
		cc_column_mean_var(y, 5, 1, 0, &mean, &var);
		CHECK(mean == 3.0 / 5.0);
		/* 2 * (1e16 - 0.6)^2 + 3 * 0.4^2, over 5: 4e31 to double precision */
		CHECK(close_to(var, 4e31, 1e-15, 0));
	}
	/* one row: variance 0 */
	{
		double		one[2] = {5.0, -2.0};
		double		mean,
					var;

		set_ctx("mean_var n=1");
		cc_column_mean_var(one, 1, 2, 1, &mean, &var);
		CHECK(mean == -2.0 && var == 0.0);
	}
	set_ctx("%s", "");
	tfree(x);
}

/* Check cc_sqdist, cc_nearest, the compensated sum and cc_alloc_array. */
static void
test_small_kernels(void)
{
	double		a[3] = {1, 2, 3};
	double		b[3] = {4, 6, 3};
	double		cents[4 * 2] = {0, 0, 2, 0, 0, 2, 2, 0};
	double		p[2] = {1, 0};
	double		best;
	CcSum		s = {0, 0};

	CHECK(cc_sqdist(a, b, 3) == 25.0);
	CHECK(cc_sqdist(a, a, 3) == 0.0);
	/* p is at distance 1 from centroids 0, 1 and 3: lowest index wins */
	CHECK(cc_nearest(p, cents, 4, 2, &best) == 0 && best == 1.0);
	p[0] = 1.5;
	CHECK(cc_nearest(p, cents, 4, 2, &best) == 1 && best == 0.25);

	/* the compensation keeps the 1 that naive summation loses */
	cc_sum_add(&s, 1e16);
	cc_sum_add(&s, 1.0);
	cc_sum_add(&s, -1e16);
	CHECK(cc_sum_value(&s) == 1.0);

	/* overflowing n * size gives NULL without allocating */
	CHECK(cc_alloc_array(A, SIZE_MAX / 2, 4) == NULL);
	CHECK(cc_alloc_array(A, 2, SIZE_MAX) == NULL);
	{
		void	   *z = cc_alloc_array(A, 0, 8);

		CHECK(z != NULL);
		tfree(z);
	}
	cc_release(A, NULL);
}

/* Check cc_transpose and that cc_sqdist_many matches cc_sqdist bit for bit. */
static void
test_sqdist_many(void)
{
	static const int kd[][2] = {{1, 1}, {2, 3}, {3, 17}, {4, 1}, {7, 5}, {8, 17},
	{12, 20}, {14, 3}, {15, 9}, {33, 2}, {5, 64}};
	TRand		r;
	size_t		ci;

	tr_seed(&r, 6);
	for (ci = 0; ci < sizeof(kd) / sizeof(kd[0]); ci++)
	{
		int			k = kd[ci][0];
		int			d = kd[ci][1];
		double	   *m = dalloc((size_t) k * d);
		double	   *t = dalloc((size_t) k * d);
		double	   *x = dalloc(d);
		double	   *out = dalloc(k);
		bool		transposed = true,
					same = true,
					close = true;
		int			c,
					j,
					rep;

		for (c = 0; c < k * d; c++)
			m[c] = 1e3 * tr_normal(&r);
		cc_transpose(m, k, d, t);
		for (c = 0; c < k; c++)
			for (j = 0; j < d; j++)
				if (t[j * k + c] != m[c * d + j])
					transposed = false;
		for (rep = 0; rep < 20; rep++)
		{
			for (j = 0; j < d; j++)
				x[j] = 1e3 * tr_normal(&r);
			if (rep == 0)
				memcpy(x, m, d * sizeof(double));	/* distance 0 to centroid 0 */
			cc_sqdist_many(x, t, k, d, out);
			for (c = 0; c < k; c++)
			{
				double		one = cc_sqdist(x, m + (size_t) c * d, d);
				long double ref = ref_sqdist(x, m + (size_t) c * d, d);

				if (memcmp(&one, &out[c], sizeof(double)) != 0)
					same = false;
				if (fabsl(out[c] - ref) > 1e-13L * ref)
					close = false;
			}
			if (rep == 0 && out[0] != 0.0)
				close = false;
		}
		set_ctx("sqdist_many k=%d d=%d", k, d);
		CHECK(transposed);
		CHECK(same);
		CHECK(close);
		tfree(m);
		tfree(t);
		tfree(x);
		tfree(out);
	}
	set_ctx("%s", "");
}

/*
 * Check cc_transpose_padded and that cc_sqdist_block matches cc_sqdist bit
 * for bit, for 1 to 4 rows and widths with padding.
 */
static void
test_sqdist_block(void)
{
	static const int kd[][2] = {{1, 1}, {3, 17}, {4, 2}, {8, 17}, {10, 5}, {13, 33}};
	TRand		r;
	size_t		ci;

	tr_seed(&r, 62);
	for (ci = 0; ci < sizeof(kd) / sizeof(kd[0]); ci++)
	{
		int			k = kd[ci][0];
		int			d = kd[ci][1];
		int			kp = cc_round4(k);
		double	   *m = dalloc((size_t) k * d);
		double	   *t = dalloc((size_t) kp * d);
		double	   *x = dalloc((size_t) 4 * d);
		double	   *out = dalloc((size_t) 4 * kp);
		bool		padded = kp % 4 == 0 && kp >= k && kp < k + 4,
					same = true;
		int			c,
					j,
					nr;

		for (c = 0; c < k * d; c++)
			m[c] = 1e2 * tr_normal(&r);
		for (c = 0; c < 4 * d; c++)
			x[c] = 1e2 * tr_normal(&r);
		cc_transpose_padded(m, k, d, kp, t);
		for (c = 0; c < kp; c++)
			for (j = 0; j < d; j++)
				if (t[j * kp + c] != m[(c < k ? c : 0) * d + j])
					padded = false;
		for (nr = 1; nr <= 4; nr++)
		{
			const double *rows[4];
			int			row;

			for (row = 0; row < nr; row++)
				rows[row] = x + (size_t) (nr - 1 - row) * d;
			cc_sqdist_block(rows, nr, t, kp, d, out);
			for (row = 0; row < nr; row++)
				for (c = 0; c < k; c++)
				{
					double		one = cc_sqdist(rows[row], m + (size_t) c * d, d);

					if (memcmp(&one, &out[row * kp + c], sizeof(double)) != 0)
						same = false;
				}
		}
		set_ctx("sqdist_block k=%d d=%d", k, d);
		CHECK(padded);
		CHECK(same);
		tfree(m);
		tfree(t);
		tfree(x);
		tfree(out);
	}
	set_ctx("%s", "");
}

/* Check that cc_sqdist_rows matches cc_sqdist row by row, bit for bit. */
static void
test_sqdist_rows(void)
{
	static const int nd[][2] = {{1, 1}, {2, 17}, {7, 3}, {64, 5}, {9, 40}, {8, 17}, {23, 2}};
	TRand		r;
	size_t		ci;

	tr_seed(&r, 61);
	for (ci = 0; ci < sizeof(nd) / sizeof(nd[0]); ci++)
	{
		size_t		n = (size_t) nd[ci][0];
		int			d = nd[ci][1];
		double	   *x = dalloc(n * d);
		double	   *b = dalloc(d);
		double	   *out = dalloc(n);
		bool		same = true;
		size_t		i;
		int			j;

		for (i = 0; i < n * d; i++)
			x[i] = 1e2 * tr_normal(&r);
		for (j = 0; j < d; j++)
			b[j] = x[j] + tr_normal(&r);
		cc_sqdist_rows(x, n, d, b, out);
		for (i = 0; i < n; i++)
		{
			double		one = cc_sqdist(x + i * d, b, d);

			if (memcmp(&one, &out[i], sizeof(double)) != 0)
				same = false;
		}
		set_ctx("sqdist_rows n=%d d=%d", nd[ci][0], d);
		CHECK(same);
		tfree(x);
		tfree(b);
		tfree(out);
	}
	set_ctx("%s", "");
}

/* cc_sqdist_pairs4: four unrelated pairs, each the bits of cc_sqdist. */
static void
test_sqdist_pairs4(void)
{
	static const int dims[] = {1, 2, 3, 5, 17, 40};
	TRand		r;
	size_t		di;

	tr_seed(&r, 67);
	for (di = 0; di < sizeof(dims) / sizeof(dims[0]); di++)
	{
		int			d = dims[di];
		double	   *v = dalloc((size_t) 8 * d);
		const double *a[4];
		const double *b[4];
		double		out[4];
		bool		same = true;
		int			p;
		int			j;

		for (j = 0; j < 8 * d; j++)
			v[j] = 1e3 * tr_normal(&r);
		for (p = 0; p < 4; p++)
		{
			a[p] = v + (size_t) p * d;
			/* the last pair repeats a point, as a short batch does */
			b[p] = v + (size_t) (p == 3 ? 4 : 4 + p) * d;
		}
		cc_sqdist_pairs4(a, b, d, out);
		for (p = 0; p < 4; p++)
		{
			double		one = cc_sqdist(a[p], b[p], d);

			if (memcmp(&one, &out[p], sizeof(double)) != 0)
				same = false;
		}
		set_ctx("sqdist_pairs4 d=%d", d);
		CHECK(same);
		tfree(v);
	}
	set_ctx("%s", "");
}

/*
 * The moments' blocks of CC_MOMENT_ROWS rows: up to one block the moments
 * are the compensated sums in row order; past it, the blocks' sums added in
 * block order (a reference written out here), the same bits in
 * cc_column_mean_var and cc_columns_mean_var.
 */
static void
test_moment_blocks(void)
{
	size_t		sizes[] = {CC_MOMENT_ROWS, 2 * CC_MOMENT_ROWS + 5};
	int			d = 5;
	int			si;
	TRand		r;

	tr_seed(&r, 6464);
	for (si = 0; si < 2; si++)
	{
		size_t		n = sizes[si];
		double	   *x = malloc(sizeof(double) * n * d);
		double		mean[5],
					var[5];
		bool		same = true;
		size_t		i;
		int			j;

		set_ctx("moment blocks n=%zu", n);
		for (i = 0; i < n * d; i++)
			x[i] = 1e4 * tr_normal(&r) + (double) (i % 11);
		cc_columns_mean_var(x, n, d, 0, d, mean, var);
		for (j = 0; j < d; j++)
		{
			CcSum		total = {0, 0};
			double		m1,
						v1,
						mu;
			size_t		b0;

			for (b0 = 0; b0 < n; b0 += CC_MOMENT_ROWS)
			{
				CcSum		s = {0, 0};

				for (i = b0; i < n && i < b0 + CC_MOMENT_ROWS; i++)
					cc_sum_add(&s, x[i * d + j]);
				if (n <= CC_MOMENT_ROWS)
					total = s;	/* one block: the plain compensated sum */
				else
					cc_sum_add(&total, cc_sum_value(&s));
			}
			mu = cc_sum_value(&total) / (double) n;
			cc_column_mean_var(x, n, d, j, &m1, &v1);
			if (memcmp(&mu, &mean[j], sizeof(double)) != 0 ||
				memcmp(&m1, &mean[j], sizeof(double)) != 0 ||
				memcmp(&v1, &var[j], sizeof(double)) != 0)
				same = false;
		}
		CHECK(same);
		free(x);
	}
	set_ctx("%s", "");
}

/*
 * cc_columns_mean_var and cc_covariance read the matrix row by row, in
 * blocks of columns; both must give the bits of a pass down each column
 * (or column pair), for widths around the block sizes.
 */
static void
test_blocked_column_passes(void)
{
	TRand		r;
	int			widths[] = {1, 2, 15, 16, 17, 31, 32, 33, 40, 70};
	int			wi;
	bool		same_moments = true,
				same_cov = true;

	set_ctx("blocked column passes");
	tr_seed(&r, 4242);
	for (wi = 0; wi < (int) (sizeof(widths) / sizeof(widths[0])); wi++)
	{
		int			d = widths[wi];
		size_t		n = 50 + (size_t) (tr_next(&r) % 200);
		double	   *x = malloc(sizeof(double) * n * d);
		double	   *mean = malloc(sizeof(double) * d);
		double	   *var = malloc(sizeof(double) * d);
		double	   *cov = malloc(sizeof(double) * d * d);
		size_t		i;
		int			a,
					b;

		for (i = 0; i < n * (size_t) d; i++)
			x[i] = 1e3 * tr_normal(&r) + (double) (i % 7);
		cc_columns_mean_var(x, n, d, 0, d, mean, var);
		cc_covariance(x, n, d, mean, cov, NULL, NULL);
		for (a = 0; a < d; a++)
		{
			double		m1,
						v1;

			cc_column_mean_var(x, n, d, a, &m1, &v1);
			if (memcmp(&m1, &mean[a], sizeof(double)) != 0 ||
				memcmp(&v1, &var[a], sizeof(double)) != 0)
				same_moments = false;
			for (b = 0; b < d; b++)
			{
				/* the upper triangle is summed as (a, b), the lower mirrors it */
				int			lo = a < b ? a : b,
							hi = a < b ? b : a;
				CcSum		s = {0, 0};
				double		part = 0.0;
				double		want;

				/* plain sums of CC_COV_ROWS rows, each added compensated */
				for (i = 0; i < n; i++)
				{
					part += (x[i * d + lo] - mean[lo]) * (x[i * d + hi] - mean[hi]);
					if ((i + 1) % CC_COV_ROWS == 0 || i + 1 == n)
					{
						cc_sum_add(&s, part);
						part = 0.0;
					}
				}
				want = cc_sum_value(&s) / (double) n;
				if (memcmp(&want, &cov[a * d + b], sizeof(double)) != 0)
					same_cov = false;
			}
		}
		/* a column range in the middle gives the same as the whole */
		if (d > 3)
		{
			double		m2[2],
						v2[2];

			cc_columns_mean_var(x, n, d, d / 2, 2, m2, v2);
			if (memcmp(m2, mean + d / 2, sizeof(m2)) != 0 || memcmp(v2, var + d / 2, sizeof(v2)) != 0)
				same_moments = false;
		}
		free(x);
		free(mean);
		free(var);
		free(cov);
	}
	CHECK(same_moments);
	CHECK(same_cov);
}

/* Neumaier's compensated step: the reference for cc_sum_add's bits. */
static void
neumaier_add(CcSum *s, double v)
{
	double		t = s->sum + v;

	if (fabs(s->sum) >= fabs(v))
		s->comp += (s->sum - t) + v;
	else
		s->comp += (v - t) + s->sum;
	s->sum = t;
}

/*
 * The compensated sum: each step adds the exact rounding error of the
 * addition, so it gives the bits of Neumaier's step (which finds the same
 * exact error by comparing magnitudes), lane by lane cc_sum4_add gives the
 * bits of cc_sum_add, and the value is within the compensated sum's error
 * bound of the exact sum (CcXsum).
 */
static void
test_compensated_sum(void)
{
	TRand		r;
	int			seq;
	bool		same_neumaier = true,
				same_lanes = true,
				within_bound = true;

	tr_seed(&r, 8080);
	for (seq = 0; seq < 40; seq++)
	{
		int			n = 1 + (int) (tr_next(&r) % 3000);
		CcSum		s = {0, 0},
					ref = {0, 0};
		CcXsum		exact;
		double		abs_sum = 0.0;
		int			i;

		cc_xsum_init(&exact);
		for (i = 0; i < n; i++)
		{
			/* mixed signs and magnitudes, kept far from overflow */
			double		v = xsum_term(&r);

			if (fabs(v) > 1e200)
				v *= 1e-200;
			cc_sum_add(&s, v);
			neumaier_add(&ref, v);
			if (memcmp(&s, &ref, sizeof(s)) != 0)
				same_neumaier = false;
			cc_xsum_add(&exact, v);
			abs_sum += fabs(v);
		}
		{
			double		want = cc_xsum_value(&exact);
			double		got = cc_sum_value(&s);

			if (!(fabs(got - want) <= 2.0 * DBL_EPSILON * fabs(want) +
				  (double) n * DBL_EPSILON * DBL_EPSILON * abs_sum))
				within_bound = false;
		}
	}
#if defined(__GNUC__)
	for (seq = 0; seq < 20; seq++)
	{
		CcV4d		sum = {0, 0, 0, 0},
					comp = {0, 0, 0, 0};
		CcSum		lanes[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
		int			i,
					l;

		for (i = 0; i < 1000; i++)
		{
			CcV4d		v;

			for (l = 0; l < 4; l++)
			{
				v[l] = xsum_term(&r);
				if (fabs(v[l]) > 1e200)
					v[l] *= 1e-200;
				cc_sum_add(&lanes[l], v[l]);
			}
			cc_sum4_add(&sum, &comp, &v);
		}
		for (l = 0; l < 4; l++)
			if (memcmp(&lanes[l].sum, &sum[l], sizeof(double)) != 0 ||
				memcmp(&lanes[l].comp, &comp[l], sizeof(double)) != 0)
				same_lanes = false;
	}
#endif
	set_ctx("compensated sum");
	CHECK(same_neumaier);
	CHECK(same_lanes);
	CHECK(within_bound);
	set_ctx("%s", "");
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(select, 50),
	UNIT_TEST(quantile, 60),
	UNIT_TEST(column_mean_var, 70),
	UNIT_TEST(small_kernels, 80),
	UNIT_TEST(sqdist_many, 90),
	UNIT_TEST(sqdist_rows, 100),
	UNIT_TEST(sqdist_block, 110),
	UNIT_TEST(sqdist_pairs4, 120),
	UNIT_TEST(moment_blocks, 269),
	UNIT_TEST(blocked_column_passes, 270),
	UNIT_TEST(compensated_sum, 280),
};

const UnitModule matrix_module = {"matrix", tests, lengthof(tests)};
