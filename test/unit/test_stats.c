/*
 * test_stats.c
 *		Unit tests of stats.c: column descriptions, Pearson
 *		correlations and histograms against sorted and long double references.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "stats.h"

/* describe() of one column computed here, with the tolerance of its skew. */
typedef struct RefStats
{
	int64_t		count;
	int64_t		missing;
	double		mean;
	double		std;
	double		min;
	double		p25;
	double		median;
	double		p75;
	double		max;
	double		skewness;
	double		skew_tol;		/* allowed |skewness - reference| */
	int64_t		outliers;
} RefStats;

/*
 * describe() of column j by definition: NaN is missing; mean, sample
 * standard deviation and pandas' skew from compensated long double sums of
 * deviations (pandas zeroes |m2|, |m3| < 1e-14, gives 0 when m2 is 0 and
 * NaN below 3 values); min, quartiles and max by numpy's linear rule on a
 * sorted copy; outliers beyond 1.5 IQR from the quartiles.
 *
 * The skew depends on the mean the deviations are taken from: moving it by
 * delta moves m3 by about -3 delta m2, hence skew_tol.  Where |m3| is near
 * pandas' cut, either side of it is right.
 */
static void
ref_describe(const double *x, size_t n, int d, int j, RefStats *r)
{
	double	   *s = dalloc(n ? n : 1);
	size_t		m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + j]))
			s[m++] = x[i * d + j];
	r->count = (int64_t) m;
	r->missing = (int64_t) (n - m);
	r->mean = r->std = r->min = r->p25 = r->median = r->p75 = r->max = NAN;
	r->skewness = NAN;
	r->skew_tol = 0.0;
	r->outliers = 0;
	if (m > 0)
	{
		long double sum[2] = {0.0L, 0.0L},
					q2[2] = {0.0L, 0.0L},
					q3[2] = {0.0L, 0.0L};
		long double mean,
					m2,
					m3;
		double		iqr,
					lo,
					hi;

		qsort(s, m, sizeof(double), cmp_double);
		for (i = 0; i < m; i++)
			ld_sum_add(sum, s[i]);
		mean = (sum[0] + sum[1]) / (long double) m;
		for (i = 0; i < m; i++)
		{
			long double t = s[i] - mean;

			ld_sum_add(q2, t * t);
			ld_sum_add(q3, t * t * t);
		}
		m2 = q2[0] + q2[1];
		m3 = q3[0] + q3[1];
		r->mean = (double) mean;
		if (m >= 2)
			r->std = (double) sqrtl(m2 / (long double) (m - 1));
		if (m >= 3)
		{
			long double nd = (long double) m;
			long double k = nd * sqrtl(nd - 1.0L) / (nd - 2.0L);
			long double delta = 2.0L * DBL_EPSILON * fabsl(mean);
			bool		near_cut = fabsl(m3) < 1e-13L;

			if (fabsl(m2) < 1e-14L)
				m2 = 0.0L;
			if (fabsl(m3) < 1e-14L)
				m3 = 0.0L;
			if (m2 == 0.0L)
				r->skewness = 0.0;
			else
			{
				r->skewness = (double) (k * m3 / powl(m2, 1.5L));
				r->skew_tol = (double) (1e-10L * (1.0L + fabsl(k * m3 / powl(m2, 1.5L))) +
										3.0L * k * delta / sqrtl(m2));
				if (near_cut)
					r->skew_tol += (double) (k * 1e-13L / powl(m2, 1.5L));
			}
		}
		r->min = s[0];
		r->max = s[m - 1];
		r->p25 = ref_quantile_sorted(s, m, 0.25);
		r->median = ref_quantile_sorted(s, m, 0.5);
		r->p75 = ref_quantile_sorted(s, m, 0.75);
		iqr = r->p75 - r->p25;
		lo = r->p25 - 1.5 * iqr;
		hi = r->p75 + 1.5 * iqr;
		for (i = 0; i < m; i++)
			if (s[i] < lo || s[i] > hi)
				r->outliers++;
	}
	tfree(s);
}

/* Whether a and b are the same double or both NaN. */
static bool
same_or_nan(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* Fill column j of x (n x d) with values of the given kind, NaN with probability pnan. */
static void
fill_stats_column(TRand *r, double *x, size_t n, int d, int j, int kind,
				  double pnan)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		v;

		switch (kind)
		{
			case 0:				/* normal */
				v = 10.0 + 3.0 * tr_normal(r);
				break;
			case 1:				/* exponential: skewed, with outliers */
				v = -5.0 * log(1.0 - tr_unif(r));
				break;
			case 2:				/* small integers: ties, quartiles on values */
				v = (double) tr_below(r, 5);
				break;
			case 3:				/* tiny spread around a large offset */
				v = 1e6 + 0.01 * tr_normal(r);
				break;
			case 4:				/* constant whose sum is inexact */
				v = 0.1;
				break;
			default:			/* both signs, a few far values */
				v = 1e3 * tr_normal(r) * (tr_below(r, 10) == 0 ? 100.0 : 1.0);
				break;
		}
		x[i * d + j] = tr_unif(r) < pnan ? NAN : v;
	}
}

/* Check cc_describe_column against ref_describe on varied columns. */
static void
test_describe_random(void)
{
	static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 8, 31, 500};
	static const double pnan[3] = {0.0, 0.25, 0.9};
	const int	d = 3;
	const int	nkinds = 6;
	TRand		r;
	size_t		si;

	tr_seed(&r, 5000);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		int			kind;

		for (kind = 0; kind < nkinds; kind++)
		{
			size_t		n = sizes[si];
			double	   *x = dalloc(n ? n * d : 1);
			double	   *copy = dalloc(n ? n * d : 1);
			int			j;

			for (j = 0; j < d; j++)
				fill_stats_column(&r, x, n, d, j, kind, pnan[j]);
			memcpy(copy, x, n * d * sizeof(double));
			for (j = 0; j < d; j++)
			{
				CcColumnStats s;
				RefStats	e;

				set_ctx("describe n=%zu kind=%d column=%d", n, kind, j);
				cc_describe_column(x, n, d, j, &s, A);
				ref_describe(x, n, d, j, &e);
				CHECK(s.count == e.count && s.missing == e.missing);
				if (e.count == 0)
				{
					CHECK(isnan(s.mean) && isnan(s.std) && isnan(s.min) &&
						  isnan(s.p25) && isnan(s.median) && isnan(s.p75) &&
						  isnan(s.max) && isnan(s.skewness) && s.outliers == 0);
					continue;
				}
				CHECK(fabs(s.mean - e.mean) <= 2.0 * DBL_EPSILON * fabs(e.mean) + 1e-300);
				if (e.count < 2)
					CHECK(isnan(s.std));
				else
					CHECK(fabs(s.std - e.std) <=
						  1e-12 * e.std + 4.0 * DBL_EPSILON * fabs(e.mean));
				CHECK(s.min == e.min && s.max == e.max);
				CHECK(s.p25 == e.p25 && s.median == e.median && s.p75 == e.p75);
				if (e.count < 3)
					CHECK(isnan(s.skewness));
				else
					CHECK(fabs(s.skewness - e.skewness) <= e.skew_tol);
				CHECK(s.outliers == e.outliers);
			}
			set_ctx("describe n=%zu kind=%d leaves its input", n, kind);
			CHECK(memcmp(copy, x, n * d * sizeof(double)) == 0);
			tfree(x);
			tfree(copy);
		}
	}
	set_ctx("%s", "");
}

/*
 * Check cc_describe_column on hand-computed columns, an all-missing column
 * and its allocations.
 */
static void
test_describe_closed_form(void)
{
	/* pandas.Series([1, 2, 3, 4, 100, NaN]).describe() and .skew() */
	double		x[6] = {4, NAN, 100, 1, 3, 2};
	double		none[4] = {NAN, NAN, NAN, NAN};
	CcColumnStats s;
	CountCtx	ctx;
	CcAllocator ca = counting_allocator(&ctx);

	set_ctx("describe closed form");
	cc_describe_column(x, 6, 1, 0, &s, &ca);
	CHECK(s.count == 5 && s.missing == 1);
	CHECK(s.mean == 22.0);
	/* deviations -21, -20, -19, -18, 78: m2 = 7610, m3 = 444600 */
	CHECK(close_to(s.std, sqrt(7610.0 / 4.0), 1e-15, 0));
	CHECK(s.min == 1.0 && s.p25 == 2.0 && s.median == 3.0 && s.p75 == 4.0 &&
		  s.max == 100.0);
	CHECK(close_to(s.skewness, (5.0 * 2.0 / 3.0) * 444600.0 / pow(7610.0, 1.5),
				   1e-14, 0));
	/* fences 2 - 3 = -1 and 4 + 3 = 7 */
	CHECK(s.outliers == 1);
	CHECK(ctx.live == 0 && !ctx.bad_release);

	/* ccseg_describe of a column of -1.7e308 and 1.7e308: median 0 */
	{
		double		y[4] = {1.7e308, -1.7e308, -1.7e308, 1.7e308};

		set_ctx("describe closed form, extreme values");
		cc_describe_column(y, 4, 1, 0, &s, &ca);
		CHECK(s.count == 4 && s.min == -1.7e308 && s.max == 1.7e308);
		CHECK(s.median == 0.0);
		CHECK(s.p25 == -1.7e308 && s.p75 == 1.7e308);
		CHECK(ctx.live == 0 && !ctx.bad_release);
	}
	/* symmetric: skew 0; quartiles between values */
	{
		double		y[4] = {1, 2, 3, 4};

		set_ctx("describe closed form, symmetric");
		cc_describe_column(y, 4, 1, 0, &s, &ca);
		CHECK(s.mean == 2.5 && close_to(s.std, sqrt(5.0 / 3.0), 1e-15, 0));
		CHECK(s.p25 == 1.75 && s.median == 2.5 && s.p75 == 3.25);
		CHECK(s.skewness == 0.0 && s.outliers == 0);
	}
	/* one and two values: std and skew undefined below 2 and 3 values */
	{
		double		y[2] = {7, -3};

		set_ctx("describe closed form, one and two values");
		cc_describe_column(y, 1, 1, 0, &s, &ca);
		CHECK(s.count == 1 && s.mean == 7.0 && isnan(s.std) && isnan(s.skewness));
		CHECK(s.min == 7.0 && s.p25 == 7.0 && s.median == 7.0 && s.max == 7.0);
		cc_describe_column(y, 2, 1, 0, &s, &ca);
		CHECK(s.count == 2 && s.mean == 2.0 && close_to(s.std, sqrt(50.0), 1e-15, 0));
		CHECK(isnan(s.skewness) && s.median == 2.0);
	}
	/* a constant column: std and skew 0 */
	{
		double		y[5] = {2.5, 2.5, 2.5, 2.5, 2.5};

		set_ctx("describe closed form, constant");
		cc_describe_column(y, 5, 1, 0, &s, &ca);
		CHECK(s.mean == 2.5 && s.std == 0.0 && s.skewness == 0.0 && s.outliers == 0);
	}

	/*
	 * pandas' noise cut: {0, 3, 9} * u has deviations -4, -1, 5 times u, m2
	 * = 42 u^2 and m3 = 60 u^3.  With u = 1e-4 / 3, m3 = 2.2e-12 is kept;
	 * with u = 1e-5 / 3, m3 = 2.2e-15 < 1e-14 is zeroed and so is the skew,
	 * m2 = 4.7e-10 being kept.
	 */
	{
		double		y[3] = {0, 1e-4, 3e-4};
		double		z[3] = {0, 1e-5, 3e-5};

		set_ctx("describe closed form, skew near pandas' cut");
		cc_describe_column(y, 3, 1, 0, &s, &ca);
		CHECK(close_to(s.skewness, 3.0 * sqrt(2.0) * 60.0 / pow(42.0, 1.5), 1e-9, 0));
		cc_describe_column(z, 3, 1, 0, &s, &ca);
		CHECK(s.skewness == 0.0);
		CHECK(close_to(s.std, sqrt(42.0 / 2.0) * 1e-5 / 3.0, 1e-12, 0));
	}

	set_ctx("describe all missing");
	cc_describe_column(none, 4, 1, 0, &s, &ca);
	CHECK(s.count == 0 && s.missing == 4 && s.outliers == 0);
	CHECK(isnan(s.mean) && isnan(s.std) && isnan(s.min) && isnan(s.p25) &&
		  isnan(s.median) && isnan(s.p75) && isnan(s.max) && isnan(s.skewness));
	set_ctx("describe no rows");
	cc_describe_column(none, 0, 1, 0, &s, &ca);
	CHECK(s.count == 0 && s.missing == 0 && isnan(s.mean));
	CHECK(ctx.live == 0 && !ctx.bad_release);
	set_ctx("%s", "");
}

/*
 * Check the sample standard deviation of a column of small values.
 *
 * cc_describe_column applies pandas' noise cut (m2 zeroed when |m2| < 1e-14)
 * to the skewness only, as pandas does, not to the standard deviation: a
 * column whose sum of squared deviations is below 1e-14 keeps its std.
 * {1e-8, 2e-8, 3e-8} has m2 = 2e-16 and std 1e-8 (pandas: 1e-08), and a
 * skewness of 0.
 */
static void
test_describe_small_values(void)
{
	double		x[3] = {1e-8, 2e-8, 3e-8};
	CcColumnStats s;

	cc_describe_column(x, 3, 1, 0, &s, A);
	set_ctx("describe small values");
	CHECK(close_to(s.mean, 2e-8, 1e-15, 0));
	CHECK(s.skewness == 0.0);
	set_ctx("describe std of small values zeroed");
	CHECK(close_to(s.std, 1e-8, 1e-12, 0));
	if (!close_to(s.std, 1e-8, 1e-12, 0))
		printf("  std of {1e-8, 2e-8, 3e-8}: %.17g, expected 1e-08\n", s.std);
	set_ctx("%s", "");
}

/*
 * Pearson correlation by definition over the rows where both columns are
 * present, compensated long double sums around the long double means; NaN
 * below two rows or when a column is constant there.
 */
static double
ref_pearson(const double *x, size_t n, int d, int a, int b, int64_t *pairs)
{
	long double sa[2] = {0.0L, 0.0L},
				sb[2] = {0.0L, 0.0L},
				saa[2] = {0.0L, 0.0L},
				sbb[2] = {0.0L, 0.0L},
				sab[2] = {0.0L, 0.0L};
	long double ma,
				mb,
				vaa,
				vbb;
	size_t		m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + a]) && !isnan(x[i * d + b]))
		{
			ld_sum_add(sa, x[i * d + a]);
			ld_sum_add(sb, x[i * d + b]);
			m++;
		}
	*pairs = (int64_t) m;
	if (m < 2)
		return NAN;
	ma = (sa[0] + sa[1]) / (long double) m;
	mb = (sb[0] + sb[1]) / (long double) m;
	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + a]) && !isnan(x[i * d + b]))
		{
			long double ta = x[i * d + a] - ma;
			long double tb = x[i * d + b] - mb;

			ld_sum_add(saa, ta * ta);
			ld_sum_add(sbb, tb * tb);
			ld_sum_add(sab, ta * tb);
		}
	vaa = saa[0] + saa[1];
	vbb = sbb[0] + sbb[1];
	if (vaa == 0.0L || vbb == 0.0L)
		return NAN;
	return (double) ((sab[0] + sab[1]) / (sqrtl(vaa) * sqrtl(vbb)));
}

/* Check cc_pearson against ref_pearson, symmetry and pair counts. */
static void
test_pearson_random(void)
{
	static const size_t sizes[] = {0, 1, 2, 3, 10, 300};
	const int	d = 5;
	TRand		r;
	size_t		si;

	tr_seed(&r, 5100);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		size_t		n = sizes[si];
		double	   *x = dalloc(n ? n * d : 1);
		bool		ok_ref = true,
					ok_pairs = true,
					ok_sym = true,
					ok_range = true;
		size_t		i;
		int			a,
					b;

		for (i = 0; i < n; i++)
		{
			double		z = tr_normal(&r);

			x[i * d + 0] = z;
			x[i * d + 1] = tr_unif(&r) < 0.2 ? NAN : 0.8 * z + 0.6 * tr_normal(&r);
			x[i * d + 2] = 1e6 - 0.01 * z * z + 0.001 * tr_normal(&r);
			x[i * d + 3] = tr_unif(&r) < 0.3 ? NAN : (double) tr_below(&r, 4);
			x[i * d + 4] = -1e4 * z + 50.0 * tr_unif(&r);
		}
		set_ctx("pearson n=%zu", n);
		for (a = 0; a < d; a++)
			for (b = 0; b < d; b++)
			{
				int64_t		pg,
							pr,
							pt;
				double		got = cc_pearson(x, n, d, a, b, &pg);
				double		want = ref_pearson(x, n, d, a, b, &pr);
				double		other = cc_pearson(x, n, d, b, a, &pt);

				if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= 1e-12))
				{
					ok_ref = false;
					printf("  pearson n=%zu (%d, %d): %.17g, expected %.17g\n",
						   n, a, b, got, want);
				}
				if (pg != pr || pt != pr)
					ok_pairs = false;
				if (!same_or_nan(got, other))
					ok_sym = false;
				if (!isnan(got) && !(fabs(got) <= 1.0 + 4.0 * DBL_EPSILON))
					ok_range = false;
			}
		CHECK(ok_ref);
		CHECK(ok_pairs);
		CHECK(ok_sym);
		CHECK(ok_range);
		tfree(x);
	}
	set_ctx("%s", "");
}

/*
 * Check cc_pearson's closed forms: perfectly linear columns, constant
 * columns, fewer than two complete pairs.
 *
 * A constant column gives NaN, also when dividing its compensated sum by
 * the count does not give the constant back: for 0.1 in 3 rows it gives
 * 0.1 + 1.39e-17, so deviations of 1.39e-17 instead of 0 would make a
 * noise value (-1.8e-16 against a column 0, 0.37, 0.74) out of a zero
 * denominator.  About 1 in 10 of the (constant, rows) pairs probed are
 * such (0.1 with 3, 6, 12, 24, 41 rows, 1/3 with 25 rows, ...).  pandas
 * (Welford updates) keeps the mean of a constant column exact and returns
 * NaN.
 */
static void
test_pearson_closed_form(void)
{
	static const double constants[] = {0.0, 2.5, -7.0, 1e6};
	static const size_t rows[] = {2, 3, 10, 57};
	const size_t n = 100;
	double	   *x = dalloc(n * 3);
	TRand		r;
	size_t		i,
				ci,
				ri;
	int64_t		pairs;
	bool		ok_const = true;

	tr_seed(&r, 5200);
	for (i = 0; i < n; i++)
	{
		x[i * 3 + 0] = tr_normal(&r);
		x[i * 3 + 1] = 3.0 * x[i * 3 + 0] + 2.0;
		x[i * 3 + 2] = -0.5 * x[i * 3 + 0] + 1.0;
	}
	set_ctx("pearson perfectly linear");
	CHECK(close_to(cc_pearson(x, n, 3, 0, 1, &pairs), 1.0, 1e-14, 0));
	CHECK(pairs == (int64_t) n);
	CHECK(close_to(cc_pearson(x, n, 3, 0, 2, &pairs), -1.0, 1e-14, 0));
	CHECK(close_to(cc_pearson(x, n, 3, 1, 2, &pairs), -1.0, 1e-14, 0));
	CHECK(close_to(cc_pearson(x, n, 3, 2, 2, &pairs), 1.0, 1e-14, 0));
	/* two rows: always +-1 */
	CHECK(close_to(cc_pearson(x, 2, 3, 0, 2, &pairs), -1.0, 1e-14, 0));
	CHECK(pairs == 2);

	/* constants with an exact mean */
	for (ci = 0; ci < sizeof(constants) / sizeof(constants[0]); ci++)
		for (ri = 0; ri < sizeof(rows) / sizeof(rows[0]); ri++)
		{
			double	   *y = dalloc(rows[ri] * 2);
			double		c1,
						c2;
			int64_t		p1,
						p2;

			for (i = 0; i < rows[ri]; i++)
			{
				y[i * 2 + 0] = constants[ci];
				y[i * 2 + 1] = 0.37 * (double) i;
			}
			c1 = cc_pearson(y, rows[ri], 2, 0, 1, &p1);
			c2 = cc_pearson(y, rows[ri], 2, 0, 0, &p2);
			if (!isnan(c1) || !isnan(c2) || p1 != (int64_t) rows[ri] ||
				p2 != (int64_t) rows[ri])
				ok_const = false;
			tfree(y);
		}
	set_ctx("pearson constant column");
	CHECK(ok_const);

	/* fewer than two complete pairs */
	{
		double		y[10] = {NAN, 1, NAN, 2, NAN, 3, 4, NAN, 5, 6};

		set_ctx("pearson fewer than two pairs");
		CHECK(isnan(cc_pearson(y, 5, 2, 0, 1, &pairs)) && pairs == 1);
		CHECK(isnan(cc_pearson(y, 4, 2, 0, 1, &pairs)) && pairs == 0);
		CHECK(isnan(cc_pearson(y, 0, 2, 0, 1, &pairs)) && pairs == 0);
		CHECK(isnan(cc_pearson(y, 1, 2, 1, 1, &pairs)) && pairs == 1);
		/* rows 3 and 4 complete, (4, 7) and (5, 6): -1 */
		y[6] = 4;
		y[7] = 7;
		CHECK(close_to(cc_pearson(y, 5, 2, 0, 1, &pairs), -1.0, 1e-15, 0) && pairs == 2);
	}

	/* the constant 0.1 in 3 rows: mean 0.1 + 1.39e-17 */
	{
		double		y[6] = {0.1, 0.0, 0.1, 0.37, 0.1, 0.74};
		double		got = cc_pearson(y, 3, 2, 0, 1, &pairs);

		set_ctx("pearson of a constant 0.1 column not NaN");
		CHECK(isnan(got) && pairs == 3);
		if (!isnan(got))
			printf("  pearson of {0.1, 0.1, 0.1} and {0, 0.37, 0.74}: %.17g, "
				   "expected NaN\n", got);
	}
	tfree(x);
	set_ctx("%s", "");
}

/*
 * Count the non-missing values of column j into bins by the rule of
 * stats.h over the given edges (linear search); false when some value falls
 * in no bin.
 */
static bool
ref_histogram_counts(const double *x, size_t n, int d, int j, int bins,
					 const double *edges, int64_t *counts)
{
	bool		ok = true;
	size_t		i;
	int			b;

	memset(counts, 0, bins * sizeof(int64_t));
	for (i = 0; i < n; i++)
	{
		double		v = x[i * d + j];

		if (isnan(v))
			continue;
		for (b = 0; b < bins; b++)
			if (edges[b] <= v &&
				(v < edges[b + 1] || (b == bins - 1 && v <= edges[bins])))
				break;
		if (b == bins)
			ok = false;
		else
			counts[b]++;
	}
	return ok;
}

/*
 * Check cc_histogram on varied columns: count, edges from min to max at
 * equal widths, every value in the bin the rule of stats.h gives.
 */
static void
test_histogram_random(void)
{
	static const size_t sizes[] = {1, 2, 5, 100, 1000};
	static const int bins_list[] = {1, 2, 3, 4, 7, 10, 64};
	TRand		r;
	size_t		si;

	tr_seed(&r, 5300);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		int			kind;

		for (kind = 0; kind < 6; kind++)
		{
			size_t		n = sizes[si];
			double	   *x = dalloc(n * 2);
			size_t		bi;

			fill_stats_column(&r, x, n, 2, 0, kind, 0.0);
			fill_stats_column(&r, x, n, 2, 1, kind, 0.2);
			for (bi = 0; bi < sizeof(bins_list) / sizeof(bins_list[0]); bi++)
			{
				int			bins = bins_list[bi];
				int			j;

				for (j = 0; j < 2; j++)
				{
					double	   *edges = dalloc(bins + 1);
					int64_t    *counts = talloc(bins, sizeof(int64_t));
					int64_t    *want = talloc(bins, sizeof(int64_t));
					double		lo = INFINITY,
								hi = -INFINITY;
					int64_t		m = 0,
								total = 0,
								got;
					size_t		i;
					int			b;
					bool		ok_mono = true,
								ok_width = true;
					long double width;
					double		tol;

					for (i = 0; i < n; i++)
					{
						double		v = x[i * 2 + j];

						if (isnan(v))
							continue;
						lo = v < lo ? v : lo;
						hi = v > hi ? v : hi;
						m++;
					}
					set_ctx("histogram n=%zu kind=%d bins=%d column=%d",
							n, kind, bins, j);
					got = cc_histogram(x, n, 2, j, bins, edges, counts);
					CHECK(got == m);
					if (m == 0)
					{
						tfree(edges);
						tfree(counts);
						tfree(want);
						continue;
					}
					for (b = 0; b < bins; b++)
						total += counts[b];
					CHECK(total == m);
					CHECK(edges[0] == lo && edges[bins] == hi);
					width = ((long double) hi - lo) / bins;
					tol = 4.0 * DBL_EPSILON * (fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi)) +
						1e-12 * (double) width;
					for (b = 0; b < bins; b++)
					{
						if (!(edges[b] <= edges[b + 1]))
							ok_mono = false;
						if (!(fabsl((long double) edges[b + 1] - edges[b] - width) <= tol))
							ok_width = false;
					}
					CHECK(ok_mono);
					CHECK(ok_width);
					CHECK(ref_histogram_counts(x, n, 2, j, bins, edges, want));
					CHECK(memcmp(counts, want, bins * sizeof(int64_t)) == 0);
					tfree(edges);
					tfree(counts);
					tfree(want);
				}
			}
			tfree(x);
		}
	}
	set_ctx("%s", "");
}

/*
 * Check cc_histogram's closed forms: exact edges, one distinct value, one
 * bin, all missing.
 *
 * The edges stay finite when max - min overflows (a column holding -1e308
 * and 1e308): lo + (hi - lo) * b / bins would give NaN and +Inf (edges[0]
 * NaN, not the minimum) and put both values in bin 0, the maximum outside
 * the last bin.
 */
static void
test_histogram_closed_form(void)
{
	double		x[11] = {8, 0, 1, 2, NAN, 3, 4, 5, 6, 7, NAN};
	double		edges[11];
	int64_t		counts[10];
	int			b;
	bool		ok = true;

	/* numpy.histogram(range(9), 4): edges 0, 2, 4, 6, 8, counts 2, 2, 2, 3 */
	set_ctx("histogram closed form");
	CHECK(cc_histogram(x, 11, 1, 0, 4, edges, counts) == 9);
	CHECK(edges[0] == 0 && edges[1] == 2 && edges[2] == 4 && edges[3] == 6 &&
		  edges[4] == 8);
	CHECK(counts[0] == 2 && counts[1] == 2 && counts[2] == 2 && counts[3] == 3);

	set_ctx("histogram one bin");
	CHECK(cc_histogram(x, 11, 1, 0, 1, edges, counts) == 9);
	CHECK(edges[0] == 0 && edges[1] == 8 && counts[0] == 9);

	/* one distinct value: every edge at it, all in the last bin */
	{
		double		y[5] = {3.7, NAN, 3.7, 3.7, 3.7};

		set_ctx("histogram one distinct value");
		CHECK(cc_histogram(y, 5, 1, 0, 5, edges, counts) == 4);
		for (b = 0; b <= 5; b++)
			if (edges[b] != 3.7)
				ok = false;
		CHECK(ok);
		CHECK(counts[0] == 0 && counts[1] == 0 && counts[2] == 0 &&
			  counts[3] == 0 && counts[4] == 4);
		CHECK(cc_histogram(y, 5, 1, 0, 1, edges, counts) == 4);
		CHECK(edges[0] == 3.7 && edges[1] == 3.7 && counts[0] == 4);
	}

	/* all missing: 0, NaN edges, zero counts */
	{
		double		y[3] = {NAN, NAN, NAN};

		set_ctx("histogram all missing");
		for (b = 0; b < 4; b++)
			counts[b] = 99;
		CHECK(cc_histogram(y, 3, 1, 0, 4, edges, counts) == 0);
		CHECK(isnan(edges[0]) && isnan(edges[1]) && isnan(edges[2]) &&
			  isnan(edges[3]) && isnan(edges[4]));
		CHECK(counts[0] == 0 && counts[1] == 0 && counts[2] == 0 && counts[3] == 0);
		CHECK(cc_histogram(y, 0, 1, 0, 4, edges, counts) == 0);
	}

	/* max - min beyond DBL_MAX */
	{
		double		y[2] = {-1e308, 1e308};
		int64_t		got = cc_histogram(y, 2, 1, 0, 4, edges, counts);

		set_ctx("histogram of a range beyond DBL_MAX");
		CHECK(got == 2 && edges[0] == -1e308 && edges[4] == 1e308 &&
			  isfinite(edges[1]) && isfinite(edges[2]) && isfinite(edges[3]) &&
			  edges[1] < edges[2] && edges[2] < edges[3] &&
			  counts[0] == 1 && counts[3] == 1);
		if (!(edges[0] == -1e308))
			printf("  edges of {-1e308, 1e308} in 4 bins: %g %g %g %g %g, "
				   "counts %d %d %d %d\n", edges[0], edges[1], edges[2],
				   edges[3], edges[4], (int) counts[0], (int) counts[1],
				   (int) counts[2], (int) counts[3]);
	}
	set_ctx("%s", "");
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(describe_random, 480),
	UNIT_TEST(describe_closed_form, 490),
	UNIT_TEST(describe_small_values, 500),
	UNIT_TEST(pearson_random, 510),
	UNIT_TEST(pearson_closed_form, 520),
	UNIT_TEST(histogram_random, 530),
	UNIT_TEST(histogram_closed_form, 540),
};

const UnitModule stats_module = {"stats", tests, lengthof(tests)};
