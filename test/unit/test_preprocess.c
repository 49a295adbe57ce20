/*
 * test_preprocess.c
 *		Unit tests of preprocess.c: method names, imputation and
 *		scaling against closed forms and sorted or long double references.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "matrix.h"
#include "preprocess.h"

/* Median of the non-NaN values of column j (sorting); NAN when none. */
static double
ref_median_column(const double *x, size_t n, int d, int j)
{
	double	   *buf = dalloc(n ? n : 1);
	size_t		m = 0;
	size_t		i;
	double		med;

	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + j]))
			buf[m++] = x[i * d + j];
	if (m == 0)
		med = NAN;
	else
	{
		qsort(buf, m, sizeof(double), cmp_double);
		med = (m % 2) ? buf[m / 2] : (buf[m / 2 - 1] + buf[m / 2]) / 2.0;
	}
	tfree(buf);
	return med;
}

/* Check the method names parse and print back. */
static void
test_method_names(void)
{
	int			i;

	for (i = 0; i < 4; i++)
	{
		CHECK(cc_impute_parse(cc_impute_name((CcImpute) i)) == i);
		CHECK(cc_scale_parse(cc_scale_name((CcScale) i)) == i);
	}
	CHECK(cc_impute_parse("median") == CC_IMPUTE_MEDIAN);
	CHECK(cc_impute_parse("drop") == CC_IMPUTE_DROP);
	CHECK(cc_scale_parse("robust") == CC_SCALE_ROBUST);
	CHECK(cc_scale_parse("none") == CC_SCALE_NONE);
	CHECK(cc_impute_parse("Median") == -1);
	CHECK(cc_impute_parse("") == -1);
	CHECK(cc_scale_parse("standardize") == -1);
}

/* Check the imputers on small closed-form columns. */
static void
test_impute_closed_form(void)
{
	/* column 0: {3, 1, 2} odd; column 1: {4, 1, 3, 2} even; column 2 full */
	double		x[5 * 3] = {
		3, 4, 10,
		NAN, 1, 20,
		1, NAN, 30,
		2, 3, 40,
		NAN, 2, 50
	};
	double		v[3];

	set_ctx("impute closed form");
	CHECK(cc_impute_fit(x, 5, 3, CC_IMPUTE_MEDIAN, v, A) == -1);
	CHECK(v[0] == 2.0 && v[1] == 2.5 && v[2] == 30.0);
	CHECK(cc_impute_fit(x, 5, 3, CC_IMPUTE_MEAN, v, A) == -1);
	CHECK(v[0] == 2.0 && v[1] == 2.5 && v[2] == 30.0);
	CHECK(cc_impute_fit(x, 5, 3, CC_IMPUTE_ZERO, v, A) == -1);
	CHECK(v[0] == 0.0 && v[1] == 0.0 && v[2] == 0.0);
	CHECK(cc_impute_fit(x, 5, 3, CC_IMPUTE_DROP, v, A) == -1);
	CHECK(isnan(v[0]) && isnan(v[1]) && isnan(v[2]));

	/* a median between values whose sum overflows stays finite */
	{
		double		y[4] = {1.7e308, -1.7e308, 1.7e308, 1.6e308};
		double		z[2] = {-1.7e308, -1.7e308};

		set_ctx("impute median of values whose sum overflows");
		CHECK(cc_impute_fit(y, 2, 1, CC_IMPUTE_MEDIAN, v, A) == -1 && v[0] == 0.0);
		CHECK(cc_impute_fit(y + 2, 2, 1, CC_IMPUTE_MEDIAN, v, A) == -1 &&
			  close_to(v[0], 1.65e308, 1e-15, 0));
		CHECK(cc_impute_fit(z, 2, 1, CC_IMPUTE_MEDIAN, v, A) == -1 &&
			  v[0] == -1.7e308);
		/* below the overflow, the sum halved as before */
		y[0] = y[1] = nextafter(0.0, 1.0);
		CHECK(cc_impute_fit(y, 2, 1, CC_IMPUTE_MEDIAN, v, A) == -1 &&
			  v[0] == y[0]);
		set_ctx("impute closed form");
	}
	/* the mean and median part ways on a skewed column */
	{
		double		y[4] = {1, 2, 3, 100};

		CHECK(cc_impute_fit(y, 4, 1, CC_IMPUTE_MEDIAN, v, A) == -1 && v[0] == 2.5);
		CHECK(cc_impute_fit(y, 4, 1, CC_IMPUTE_MEAN, v, A) == -1 && v[0] == 26.5);
	}
	/* the mean imputer sums with compensation (naive: 0) */
	{
		double		y[6] = {1e16, NAN, 1, 1, 1, -1e16};

		CHECK(cc_impute_fit(y, 6, 1, CC_IMPUTE_MEAN, v, A) == -1 && v[0] == 0.6);
	}

	/* drop: rows 1, 2 and 4 go, rows 0 and 3 move up in order */
	{
		double		expect[2 * 3] = {3, 4, 10, 2, 3, 40};
		size_t		kept = cc_impute_apply(x, 5, 3, CC_IMPUTE_DROP, v);

		CHECK(kept == 2);
		CHECK(memcmp(x, expect, sizeof(expect)) == 0);
	}
	set_ctx("%s", "");
}

/* Check the imputers on random matrices against sorting and long double sums. */
static void
test_impute_random(void)
{
	const size_t n = 301;
	const int	d = 6;
	double	   *x = dalloc(n * d);
	double	   *work = dalloc(n * d);
	double	   *v = dalloc(d);
	TRand		r;
	size_t		i;
	int			j,
				how;

	tr_seed(&r, 4);
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
		{
			/* column j misses about j / 10 of its values; column 5 is even-sized */
			double		val = (j % 2) ? (double) tr_below(&r, 20) : tr_normal(&r) * 50;

			if (tr_unif(&r) < j / 10.0 || (j == 5 && i == 0))
				val = NAN;
			x[i * d + j] = val;
		}

	for (how = CC_IMPUTE_MEDIAN; how <= CC_IMPUTE_DROP; how++)
	{
		size_t		kept;
		bool		ok_fill = true,
					ok_keep = true;

		set_ctx("impute %s", cc_impute_name((CcImpute) how));
		CHECK(cc_impute_fit(x, n, d, (CcImpute) how, v, A) == -1);
		for (j = 0; j < d; j++)
		{
			long double rm,
						rv;

			ref_mean_var(x, n, d, j, &rm, &rv);
			switch (how)
			{
				case CC_IMPUTE_MEDIAN:
					CHECK(v[j] == ref_median_column(x, n, d, j));
					break;
				case CC_IMPUTE_MEAN:
					CHECK(fabsl(v[j] - rm) <= 6e-16L * fabsl(rm) + 1e-300L);
					break;
				case CC_IMPUTE_ZERO:
					CHECK(v[j] == 0.0 && !signbit(v[j]));
					break;
				case CC_IMPUTE_DROP:
					CHECK(isnan(v[j]));
					break;
			}
		}
		memcpy(work, x, n * d * sizeof(double));
		kept = cc_impute_apply(work, n, d, (CcImpute) how, v);
		if (how != CC_IMPUTE_DROP)
		{
			CHECK(kept == n);
			for (i = 0; i < n * d; i++)
			{
				double		want = isnan(x[i]) ? v[i % d] : x[i];

				if (memcmp(&work[i], &want, sizeof(double)) != 0)
					ok_fill = false;
			}
			CHECK(ok_fill);
		}
		else
		{
			size_t		expect = 0;

			for (i = 0; i < n; i++)
			{
				bool		complete = true;

				for (j = 0; j < d; j++)
					if (isnan(x[i * d + j]))
						complete = false;
				if (!complete)
					continue;
				if (expect >= kept ||
					memcmp(work + expect * d, x + i * d, d * sizeof(double)) != 0)
					ok_keep = false;
				expect++;
			}
			CHECK(kept == expect);
			CHECK(ok_keep);
			CHECK(expect > 0 && expect < n);
		}
	}
	set_ctx("%s", "");
	tfree(x);
	tfree(work);
	tfree(v);
}

/* Check that a column without any value is reported by its index. */
static void
test_impute_all_missing(void)
{
	double		x[4 * 4] = {
		1, NAN, 2, NAN,
		2, NAN, NAN, NAN,
		3, NAN, 4, NAN,
		4, NAN, 5, NAN
	};
	double		y[3 * 2] = {1, NAN, 2, NAN, 3, NAN};
	double		v[4];
	int			how;

	for (how = CC_IMPUTE_MEDIAN; how <= CC_IMPUTE_DROP; how++)
	{
		set_ctx("all missing, impute %s", cc_impute_name((CcImpute) how));
		CHECK(cc_impute_fit(x, 4, 4, (CcImpute) how, v, A) == 1);
		CHECK(cc_impute_fit(y, 3, 2, (CcImpute) how, v, A) == 1);
		/* no rows at all: the first column has no value */
		CHECK(cc_impute_fit(y, 0, 2, (CcImpute) how, v, A) == 0);
	}
	/* every row has a missing value: drop keeps none */
	set_ctx("drop everything");
	CHECK(cc_impute_apply(x, 4, 4, CC_IMPUTE_DROP, v) == 0);
	set_ctx("%s", "");
}

/* Return the population mean and standard deviation of column j in long double. */
static void
col_stats(const double *x, size_t n, int d, int j, double *mean, double *sd)
{
	long double m,
				v;

	ref_mean_var(x, n, d, j, &m, &v);
	*mean = (double) m;
	*sd = (double) sqrtl(v);
}

/* Check the scalers: fitted parameters, transformed columns, constant columns. */
static void
test_scalers(void)
{
	const size_t n = 1000;
	const int	d = 5;
	double	   *x = dalloc(n * d);
	double	   *z = dalloc(n * d);
	double	   *col = dalloc(n);
	double		center[5],
				scale[5];
	bool		constant[5];
	TRand		r;
	size_t		i;
	int			j,
				how;

	tr_seed(&r, 5);
	for (i = 0; i < n; i++)
	{
		x[i * d + 0] = 1e4 + 300 * tr_normal(&r);
		x[i * d + 1] = exp(tr_normal(&r));	/* skewed */
		x[i * d + 2] = 7.3;					/* constant */
		x[i * d + 3] = 0.1;					/* constant, mean not exact */
		x[i * d + 4] = 1.0 + 1e-9 * (double) i;	/* tiny but real spread */
	}

	for (how = CC_SCALE_STANDARD; how <= CC_SCALE_NONE; how++)
	{
		set_ctx("scale %s", cc_scale_name((CcScale) how));
		memset(constant, 0x55, sizeof(constant));
		cc_scale_fit(x, n, d, (CcScale) how, center, scale, constant, A);
		memcpy(z, x, n * d * sizeof(double));
		cc_scale_apply(z, n, d, center, scale);

		for (j = 0; j < d; j++)
		{
			bool		is_const = (j == 2 || j == 3);
			double		zm,
						zsd,
						xm,
						xsd;

			set_ctx("scale %s column %d", cc_scale_name((CcScale) how), j);
			col_stats(x, n, d, j, &xm, &xsd);
			col_stats(z, n, d, j, &zm, &zsd);
			for (i = 0; i < n; i++)
				col[i] = x[i * d + j];
			qsort(col, n, sizeof(double), cmp_double);

			switch (how)
			{
				case CC_SCALE_STANDARD:
					CHECK(constant[j] == is_const);
					CHECK(close_to(center[j], xm, 1e-14, 1e-300));
					if (is_const)
					{
						CHECK(scale[j] == 1.0);
						CHECK(fabs(zm) < 1e-12 && zsd < 1e-12);
					}
					else
					{
						CHECK(close_to(scale[j], xsd, 1e-12, 0));
						CHECK(fabs(zm) < 1e-9);
						CHECK(fabs(zsd - 1.0) < 1e-9);
					}
					break;
				case CC_SCALE_MINMAX:
					CHECK(center[j] == col[0]);
					if (j == 2 || j == 3)
					{
						CHECK(constant[j]);
						CHECK(scale[j] == 1.0);
					}
					else
					{
						/* column 4's range 1e-6 is above 10 * DBL_EPSILON */
						CHECK(!constant[j]);
						CHECK(scale[j] == col[n - 1] - col[0]);
					}
					{
						double		lo = z[j],
									hi = z[j];

						for (i = 1; i < n; i++)
						{
							lo = z[i * d + j] < lo ? z[i * d + j] : lo;
							hi = z[i * d + j] > hi ? z[i * d + j] : hi;
						}
						CHECK(lo == 0.0);
						CHECK(hi == (is_const ? 0.0 : 1.0));
					}
					break;
				case CC_SCALE_ROBUST:
					{
						double		med = (col[n / 2 - 1] + col[n / 2]) / 2.0;
						double		iqr = ref_quantile_sorted(col, n, 0.75) -
							ref_quantile_sorted(col, n, 0.25);
						double		zq25,
									zq75;

						CHECK(center[j] == med);
						if (is_const)
						{
							CHECK(constant[j]);
							CHECK(scale[j] == 1.0);
						}
						else
						{
							CHECK(!constant[j]);
							CHECK(scale[j] == iqr);
						}
						for (i = 0; i < n; i++)
							col[i] = z[i * d + j];
						qsort(col, n, sizeof(double), cmp_double);
						zq25 = ref_quantile_sorted(col, n, 0.25);
						zq75 = ref_quantile_sorted(col, n, 0.75);
						CHECK(fabs((col[n / 2 - 1] + col[n / 2]) / 2.0) < 1e-12);
						CHECK(is_const ? (zq75 - zq25 == 0.0) :
							  fabs(zq75 - zq25 - 1.0) < 1e-9);
					}
					break;
				case CC_SCALE_NONE:
					CHECK(center[j] == 0.0 && scale[j] == 1.0 && !constant[j]);
					break;
			}
		}
		if (how == CC_SCALE_NONE)
			CHECK(memcmp(x, z, n * d * sizeof(double)) == 0);

		/* constant may be NULL */
		{
			double		c2[5],
						s2[5];

			cc_scale_fit(x, n, d, (CcScale) how, c2, s2, NULL, A);
			CHECK(memcmp(c2, center, sizeof(c2)) == 0);
			CHECK(memcmp(s2, scale, sizeof(s2)) == 0);
		}
	}

	/*
	 * Constant columns whose computed variance is not exactly zero (the
	 * mean is off by an ulp): scikit-learn's bound still calls them
	 * constant.
	 */
	{
		static const struct
		{
			double		v;
			size_t		n;
		}			cc[] = {{0.1, 3}, {0.7, 3}, {123.456, 10}};
		double		y[10];
		double		c,
					sc,
					mean,
					var;
		bool		k;
		size_t		ci;

		for (ci = 0; ci < sizeof(cc) / sizeof(cc[0]); ci++)
		{
			set_ctx("standard, constant %g x %zu", cc[ci].v, cc[ci].n);
			for (i = 0; i < cc[ci].n; i++)
				y[i] = cc[ci].v;
			cc_column_mean_var(y, cc[ci].n, 1, 0, &mean, &var);
			cc_scale_fit(y, cc[ci].n, 1, CC_SCALE_STANDARD, &c, &sc, &k, A);
			CHECK(k && sc == 1.0);
			/* the point of the bound: this variance is not exactly 0 */
			CHECK(var > 0.0);
			/* and a real spread of one part in 1e7 is not constant */
			y[0] = cc[ci].v * (1.0 + 1e-7);
			cc_scale_fit(y, cc[ci].n, 1, CC_SCALE_STANDARD, &c, &sc, &k, A);
			CHECK(!k && sc < 1e-6 * cc[ci].v);
		}
	}

	/* robust: a column whose interquartile range is zero is "constant" */
	{
		double		y[20];
		double		c,
					s;
		bool		k;

		set_ctx("robust IQR zero");
		for (i = 0; i < 20; i++)
			y[i] = 5.0;
		y[3] = 1;
		y[7] = 2;
		y[11] = 9;
		y[19] = 10;
		cc_scale_fit(y, 20, 1, CC_SCALE_ROBUST, &c, &s, &k, A);
		CHECK(c == 5.0 && s == 1.0 && k);
		/* and numpy's rule on {1..8}: q25 2.75, q75 6.25, median 4.5 */
		for (i = 0; i < 8; i++)
			y[i] = (double) (8 - i);
		cc_scale_fit(y, 8, 1, CC_SCALE_ROBUST, &c, &s, &k, A);
		CHECK(c == 4.5 && s == 3.5 && !k);
		/* standard on {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, population std 2 */
		{
			double		w[8] = {2, 4, 4, 4, 5, 5, 7, 9};

			set_ctx("standard closed form");
			cc_scale_fit(w, 8, 1, CC_SCALE_STANDARD, &c, &s, &k, A);
			CHECK(c == 5.0 && s == 2.0 && !k);
			cc_scale_fit(w, 8, 1, CC_SCALE_MINMAX, &c, &s, &k, A);
			CHECK(c == 2.0 && s == 7.0 && !k);
		}
	}
	set_ctx("%s", "");
	tfree(x);
	tfree(z);
	tfree(col);
}

/*
 * A column's fit the way a walk down the column gives it, for the bits:
 * how 0 mean (compensated sum of the values present, over their count),
 * 1 median (cc_select on the values present, in row order), 2 min and max,
 * 3 the robust quartiles and median (the same selections on one copy).
 */
static void
ref_column_fit(const double *x, size_t n, int d, int j, int how,
			   double *out)
{
	double	   *buf = dalloc(n ? n : 1);
	size_t		m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + j]))
			buf[m++] = x[i * d + j];
	switch (how)
	{
		case 0:
			{
				CcSum		s = {0, 0};

				for (i = 0; i < m; i++)
					cc_sum_add(&s, buf[i]);
				out[0] = cc_sum_value(&s) / (double) m;
				break;
			}
		case 1:
		case 3:
			if (how == 3)
			{
				out[1] = cc_quantile(buf, m, 0.25);
				out[2] = cc_quantile(buf, m, 0.75);
			}
			cc_select(buf, m, m / 2);
			if (m % 2 == 1)
				out[0] = buf[m / 2];
			else
			{
				double		lo = buf[0];

				for (i = 1; i < m / 2; i++)
					if (buf[i] > lo)
						lo = buf[i];
				out[0] = (lo + buf[m / 2]) / 2.0;
			}
			break;
		default:
			out[0] = out[1] = buf[0];
			for (i = 1; i < m; i++)
			{
				if (buf[i] < out[0])
					out[0] = buf[i];
				if (buf[i] > out[1])
					out[1] = buf[i];
			}
			break;
	}
	tfree(buf);
}

/*
 * Imputers and scalers walk the rows in memory order, several columns at a
 * time (blocks of 8 to gather values, of 32 to sum them): on widths around
 * the blocks, with missing values in the last rows (a gathered value is
 * stored past the last one kept), the bits of a walk down each column.
 */
static void
test_wide_blocks(void)
{
	static const int widths[] = {1, 3, 7, 8, 9, 16, 17, 33, 41};
	TRand		r;
	size_t		wi;

	tr_seed(&r, 77);
	for (wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
	{
		int			d = widths[wi];
		size_t		n = 40 + (size_t) tr_below(&r, 160);
		double	   *x = dalloc(n * d);
		double	   *full = dalloc(n * d);
		double	   *v = dalloc(d);
		double	   *c = dalloc(d);
		double	   *s = dalloc(d);
		bool	   *k = malloc(sizeof(bool) * d);
		bool		same_mean = true,
					same_median = true,
					same_minmax = true,
					same_robust = true;
		size_t		i;
		int			j;

		for (i = 0; i < n; i++)
			for (j = 0; j < d; j++)
			{
				/* ties, skew, a missing share growing with j, and the last row missing */
				double		val = (j % 3 == 0) ? (double) tr_below(&r, 6) :
					exp(3.0 * tr_normal(&r)) - 1.0;

				if (tr_unif(&r) < (j % 5) / 8.0 || (i == n - 1 && j % 2 == 0))
					val = NAN;
				x[i * d + j] = val;
			}
		set_ctx("wide blocks d=%d mean", d);
		CHECK(cc_impute_fit(x, n, d, CC_IMPUTE_MEAN, v, A) == -1);
		for (j = 0; j < d; j++)
		{
			double		want[3];

			ref_column_fit(x, n, d, j, 0, want);
			if (memcmp(&want[0], &v[j], sizeof(double)) != 0)
				same_mean = false;
		}
		CHECK(same_mean);
		set_ctx("wide blocks d=%d median", d);
		CHECK(cc_impute_fit(x, n, d, CC_IMPUTE_MEDIAN, v, A) == -1);
		for (j = 0; j < d; j++)
		{
			double		want[3];

			ref_column_fit(x, n, d, j, 1, want);
			if (memcmp(&want[0], &v[j], sizeof(double)) != 0)
				same_median = false;
		}
		CHECK(same_median);

		/* the scalers on the imputed matrix */
		memcpy(full, x, sizeof(double) * n * d);
		CHECK(cc_impute_apply(full, n, d, CC_IMPUTE_MEDIAN, v) == n);
		set_ctx("wide blocks d=%d minmax", d);
		cc_scale_fit(full, n, d, CC_SCALE_MINMAX, c, s, k, A);
		for (j = 0; j < d; j++)
		{
			double		want[3],
						range;

			ref_column_fit(full, n, d, j, 2, want);
			range = want[1] - want[0];
			if (!(range > 10.0 * DBL_EPSILON))
				range = 1.0;
			if (memcmp(&want[0], &c[j], sizeof(double)) != 0 ||
				memcmp(&range, &s[j], sizeof(double)) != 0)
				same_minmax = false;
		}
		CHECK(same_minmax);
		/* the standard scaler from moments computed once: the same bits */
		set_ctx("wide blocks d=%d standard from moments", d);
		{
			double	   *mean = dalloc(d),
					   *var = dalloc(d),
					   *c2 = dalloc(d),
					   *s2 = dalloc(d);
			bool	   *k2 = malloc(sizeof(bool) * d);

			cc_scale_fit(full, n, d, CC_SCALE_STANDARD, c, s, k, A);
			cc_columns_mean_var(full, n, d, 0, d, mean, var);
			cc_scale_fit_standard_moments(mean, var, n, d, c2, s2, k2);
			CHECK(memcmp(c, c2, sizeof(double) * d) == 0);
			CHECK(memcmp(s, s2, sizeof(double) * d) == 0);
			CHECK(memcmp(k, k2, sizeof(bool) * d) == 0);
			tfree(mean);
			tfree(var);
			tfree(c2);
			tfree(s2);
			free(k2);
		}
		set_ctx("wide blocks d=%d robust", d);
		cc_scale_fit(full, n, d, CC_SCALE_ROBUST, c, s, k, A);
		for (j = 0; j < d; j++)
		{
			double		want[3],
						iqr;

			ref_column_fit(full, n, d, j, 3, want);
			iqr = want[2] - want[1];
			if (!(iqr > 10.0 * DBL_EPSILON))
				iqr = 1.0;
			if (memcmp(&want[0], &c[j], sizeof(double)) != 0 ||
				memcmp(&iqr, &s[j], sizeof(double)) != 0)
				same_robust = false;
		}
		CHECK(same_robust);

		/* a column without values in the second block is the one reported */
		if (d > 9)
		{
			for (i = 0; i < n; i++)
				x[i * d + 9] = NAN;
			set_ctx("wide blocks d=%d all missing", d);
			CHECK(cc_impute_fit(x, n, d, CC_IMPUTE_MEDIAN, v, A) == 9);
			CHECK(cc_impute_fit(x, n, d, CC_IMPUTE_MEAN, v, A) == 9);
		}
		tfree(x);
		tfree(full);
		tfree(v);
		tfree(c);
		tfree(s);
		free(k);
	}
	set_ctx("%s", "");
}

/* A poll function that always asks to stop. */
static bool
ask_stop(void *arg)
{
	(void) arg;
	return true;
}

/*
 * cc_order_pairs against sorting, on columns long enough for its sampling:
 * ties (a few distinct values, one value in most rows, a constant column),
 * missing values (a column mostly missing), ranks at both ends and in the
 * middle, the pairs of k and k + 1, its walk split between threads; then
 * the imputers and scalers that use it against a walk down each column,
 * bit for bit, and the median imputer in threads.
 */
static void
test_order_pairs(void)
{
	const size_t n = CC_ORDER_PAIRS_MIN_ROWS + 1001;
	const int	d = 7;
	double	   *x = dalloc(n * d);
	double	   *sorted = dalloc(n);
	double	   *v = dalloc(d);
	double	   *v2 = dalloc(d);
	size_t		present[7];
	size_t		rank[7 * 4];
	double		lo[7 * 4],
				hi[7 * 4];
	TRand		r;
	uint32_t	found;
	size_t		i;
	int			j,
				p,
				t;
	bool		same = true;
	bool		stopped;

	tr_seed(&r, 99);
	for (i = 0; i < n; i++)
	{
		x[i * d + 0] = tr_normal(&r);
		x[i * d + 1] = (double) tr_below(&r, 5);	/* few distinct values */
		x[i * d + 2] = tr_unif(&r) < 0.9 ? 0.0 : exp(tr_normal(&r));	/* mostly zero */
		x[i * d + 3] = 4.25;	/* constant */
		x[i * d + 4] = tr_unif(&r) < 0.97 ? NAN : tr_normal(&r);	/* mostly missing */
		x[i * d + 5] = tr_unif(&r) < 0.3 ? NAN : 1e300 * tr_normal(&r);	/* wide */
		x[i * d + 6] = (double) i;	/* sorted */
	}
	for (j = 0; j < d; j++)
	{
		size_t		m = 0;

		for (i = 0; i < n; i++)
			if (!isnan(x[i * d + j]))
				m++;
		present[j] = m;
		rank[j * 4 + 0] = 0;
		rank[j * 4 + 1] = m / 4;
		rank[j * 4 + 2] = (m - 1) / 2;
		rank[j * 4 + 3] = m - 1;
	}
	set_ctx("order pairs");
	found = cc_order_pairs(x, n, d, 0, d, 4, present, rank, lo, hi, 1, NULL,
						   NULL, &stopped, A);
	CHECK(!stopped);
	/* the walk split between threads: the same pairs, bit for bit */
	for (t = 2; t <= 3; t++)
	{
		double		lo_t[7 * 4],
					hi_t[7 * 4];
		uint32_t	found_t;

		set_ctx("order pairs threads=%d", t);
		found_t = cc_order_pairs(x, n, d, 0, d, 4, present, rank, lo_t, hi_t,
								 t, NULL, NULL, &stopped, A);
		CHECK(!stopped && found_t == found);
		for (j = 0; j < d; j++)
			if (found & (1u << j))
				CHECK(memcmp(lo_t + j * 4, lo + j * 4, 4 * sizeof(double)) == 0 &&
					  memcmp(hi_t + j * 4, hi + j * 4, 4 * sizeof(double)) == 0);
	}
	set_ctx("order pairs");
	/* the ends of a column lie outside brackets drawn from a sample */
	for (j = 0; j < d; j++)
	{
		size_t		m = 0;

		for (i = 0; i < n; i++)
			if (!isnan(x[i * d + j]))
				sorted[m++] = x[i * d + j];
		qsort(sorted, m, sizeof(double), cmp_double);
		if (!(found & (1u << j)))
			continue;
		for (p = 0; p < 4; p++)
		{
			size_t		k = rank[j * 4 + p];
			double		want_hi = (k + 1 < m) ? sorted[k + 1] : sorted[k];

			if (lo[j * 4 + p] != sorted[k] || hi[j * 4 + p] != want_hi)
				same = false;
		}
	}
	CHECK(same);
	/* the constant and the few-valued columns are always found: their ranks sit on ties */
	CHECK((found & (1u << 1)) && (found & (1u << 3)));

	/* the middle ranks alone are found in every column */
	for (j = 0; j < d; j++)
		rank[j] = (present[j] - 1) / 2;
	found = cc_order_pairs(x, n, d, 0, d, 1, present, rank, lo, hi, 2, NULL,
						   NULL, &stopped, A);
	set_ctx("order pairs middle");
	CHECK(found == (1u << d) - 1);
	for (j = 0; j < d; j++)
	{
		size_t		m = 0;

		for (i = 0; i < n; i++)
			if (!isnan(x[i * d + j]))
				sorted[m++] = x[i * d + j];
		qsort(sorted, m, sizeof(double), cmp_double);
		CHECK(lo[j] == sorted[rank[j]] && hi[j] == sorted[rank[j] + 1]);
	}

	/* the imputer and the robust scaler: the bits of a walk down each column */
	set_ctx("order pairs median impute");
	CHECK(cc_impute_fit(x, n, d, CC_IMPUTE_MEDIAN, v, A) == -1);
	for (t = 2; t <= 3; t++)
	{
		set_ctx("order pairs median impute threads=%d", t);
		CHECK(cc_impute_fit_parallel(x, n, d, CC_IMPUTE_MEDIAN, v2, t, NULL,
									 NULL, A) == -1);
		CHECK(memcmp(v2, v, d * sizeof(double)) == 0);
	}
	/* a stop request ends the fit */
	set_ctx("order pairs median impute stopped");
	CHECK(cc_impute_fit_parallel(x, n, d, CC_IMPUTE_MEDIAN, v2, 2, ask_stop,
								 NULL, A) == CC_IMPUTE_FIT_STOPPED);
	set_ctx("order pairs median impute");
	same = true;
	for (j = 0; j < d; j++)
	{
		double		want[3];

		ref_column_fit(x, n, d, j, 1, want);
		if (memcmp(&want[0], &v[j], sizeof(double)) != 0)
			same = false;
	}
	CHECK(same);
	set_ctx("order pairs robust");
	cc_impute_apply(x, n, d, CC_IMPUTE_MEDIAN, v);
	{
		double		c[7],
					s[7];
		bool		k[7];

		cc_scale_fit(x, n, d, CC_SCALE_ROBUST, c, s, k, A);
		same = true;
		for (j = 0; j < d; j++)
		{
			double		want[3],
						iqr;

			ref_column_fit(x, n, d, j, 3, want);
			iqr = want[2] - want[1];
			if (!(iqr > 10.0 * DBL_EPSILON))
				iqr = 1.0;
			if (memcmp(&want[0], &c[j], sizeof(double)) != 0 ||
				memcmp(&iqr, &s[j], sizeof(double)) != 0)
				same = false;
		}
		CHECK(same);
		CHECK(k[3] && !k[0]);
	}
	(void) v2;
	set_ctx("%s", "");
	tfree(x);
	tfree(sorted);
	tfree(v);
	tfree(v2);
}

/*
 * The transform table: names parse back, clip's quantiles parse and are
 * checked, log1p's forward and inverse agree and its domain is x > -1,
 * clip fits numpy's linear quantiles, and cc_map_forward / cc_map_inverse
 * compose transform, scaling and weight and undo them.
 */
static void
test_transforms(void)
{
	double		qlo,
				qhi,
				a,
				b;
	int			t;
	double		col[5] = {4.0, 1.0, 3.0, 2.0, 100.0};
	int			kinds[3] = {CC_TRANSFORM_LOG1P, CC_TRANSFORM_CLIP, CC_TRANSFORM_NONE};
	double		ta[3] = {NAN, 1.5, NAN},
				tb[3] = {NAN, 3.5, NAN},
				center[3] = {0.5, 2.0, -1.0},
				scale[3] = {2.0, 4.0, 0.5},
				weight[3] = {1.0, 3.0, 0.25};
	double		in[3] = {9.0, 7.0, 2.0},
				z[3],
				back[3],
				rows[6] = {0.0, 1.0, 2.0, 3.0, -1.0, 5.0};
	CcFeatureMap fm = {3, kinds, ta, tb, center, scale, weight};

	for (t = 0; t < CC_TRANSFORM_COUNT; t++)
		CHECK(cc_transform_parse(cc_transforms[t].name, &qlo, &qhi) == t);
	CHECK(cc_transform_parse("clip", &qlo, &qhi) == CC_TRANSFORM_CLIP &&
		  qlo == 0.01 && qhi == 0.99);
	CHECK(cc_transform_parse("clip(0.05,0.9)", &qlo, &qhi) == CC_TRANSFORM_CLIP &&
		  qlo == 0.05 && qhi == 0.9);
	CHECK(cc_transform_parse("clip(0.9,0.05)", &qlo, &qhi) == -2);
	CHECK(cc_transform_parse("clip(0,1.5)", &qlo, &qhi) == -2);
	CHECK(cc_transform_parse("clip(0.1)", &qlo, &qhi) == -1);
	CHECK(cc_transform_parse("clip(0.1,0.2", &qlo, &qhi) == -1);
	CHECK(cc_transform_parse("log", &qlo, &qhi) == -1);
	CHECK(cc_transform_parse("log1p", &qlo, &qhi) == CC_TRANSFORM_LOG1P && isnan(qlo));

	/* log1p: inverse of forward, domain */
	CHECK(fabs(cc_transforms[CC_TRANSFORM_LOG1P].inverse(
		cc_transforms[CC_TRANSFORM_LOG1P].forward(1234.5, NAN, NAN), NAN, NAN) - 1234.5) < 1e-9);
	CHECK(cc_transforms[CC_TRANSFORM_LOG1P].forward(0.0, NAN, NAN) == 0.0);
	CHECK(-1.0 <= cc_transforms[CC_TRANSFORM_LOG1P].domain_lo);
	CHECK(!(-0.5 <= cc_transforms[CC_TRANSFORM_LOG1P].domain_lo));
	CHECK(!(-1e300 <= cc_transforms[CC_TRANSFORM_NONE].domain_lo));

	/* clip: numpy's quantiles (sorted 1 2 3 4 100: q 0.25 = 2, q 0.9 = 61.6) */
	cc_transform_fit(col, 5, 1, 0, CC_TRANSFORM_CLIP, 0.25, 0.9, &a, &b, A);
	CHECK(a == 2.0 && fabs(b - 61.6) < 1e-12);
	cc_transform_fit(col, 5, 1, 0, CC_TRANSFORM_LOG1P, 0.25, 0.9, &a, &b, A);
	CHECK(isnan(a) && isnan(b));
	CHECK(cc_transforms[CC_TRANSFORM_CLIP].forward(0.0, 2.0, 61.6) == 2.0);
	CHECK(cc_transforms[CC_TRANSFORM_CLIP].forward(70.0, 2.0, 61.6) == 61.6);
	CHECK(cc_transforms[CC_TRANSFORM_CLIP].forward(5.0, 2.0, 61.6) == 5.0);

	/* forward: transform, scale, weight; inverse undoes all but the clip */
	CHECK(cc_map_has_transform(&fm));
	CHECK(cc_map_forward(&fm, in, z) == -1);
	CHECK(fabs(z[0] - (log1p(9.0) - 0.5) / 2.0) < 1e-15);
	CHECK(z[1] == (3.5 - 2.0) / 4.0 * 3.0);
	CHECK(z[2] == (2.0 + 1.0) / 0.5 * 0.25);
	cc_map_inverse(&fm, z, back);
	CHECK(fabs(back[0] - 9.0) < 1e-12 && back[1] == 3.5 && back[2] == 2.0);
	in[0] = -1.0;
	CHECK(cc_map_forward(&fm, in, z) == 0);
	fm.transform = NULL;
	fm.weight = NULL;
	CHECK(!cc_map_has_transform(&fm));
	CHECK(cc_map_forward(&fm, in, z) == -1 && z[0] == (-1.0 - 0.5) / 2.0);

	/* in place over rows: the first value outside the domain by its index */
	fm.transform = kinds;
	fm.d = 2;
	CHECK(cc_transform_apply(rows, 3, &fm) == 4);
	rows[4] = 0.0;
	CHECK(cc_transform_apply(rows, 3, &fm) == -1);
}

/*
 * The row steps in parts (cc_impute_apply_parallel, cc_scale_rows_parallel)
 * and the column moments in groups (cc_columns_mean_var_parallel) give the
 * bits of the serial functions for any number of threads, on more rows than
 * one part holds; so do the moments from the first sums the steps take on
 * their way (cc_columns_mean_var_given); the first value above the limit
 * is the serial scan's.
 */
static void
test_parallel_steps(void)
{
	size_t		n = 100003;
	int			d = 9;
	double	   *x = dalloc(n * d);
	double	   *serial = dalloc(n * d);
	double	   *par = dalloc(n * d);
	double		values[9],
				center[9],
				scale[9],
				weight[9],
				mean[9],
				var[9],
				pmean[9],
				pvar[9],
				smean[9],
				svar[9];
	double		sums[2][9 * 2],
				wide_sums[1] = {-1.0};
	TRand		r;
	size_t		i;
	int			j,
				threads;

	tr_seed(&r, 99);
	for (i = 0; i < n * d; i++)
		x[i] = (i % 13 == 0) ? NAN : tr_normal(&r) * 10.0;
	for (j = 0; j < d; j++)
	{
		values[j] = j - 4.0;
		center[j] = 0.5 * j;
		scale[j] = 1.0 + j;
		weight[j] = 0.25 * (j + 1);
	}
	memcpy(serial, x, sizeof(double) * n * d);
	cc_impute_apply(serial, n, d, CC_IMPUTE_MEAN, values);
	cc_columns_mean_var(serial, n, d, 0, d, mean, var);
	/* 100,003 rows: two blocks of sums */
	CHECK((n + CC_MOMENT_ROWS - 1) / CC_MOMENT_ROWS == 2);
	for (threads = 1; threads <= 3; threads++)
	{
		ptrdiff_t	big;

		set_ctx("parallel steps, %d threads", threads);
		memcpy(par, x, sizeof(double) * n * d);
		CHECK(cc_impute_apply_parallel(par, n, d, values, threads, NULL, NULL,
									   sums[0]));
		CHECK(memcmp(par, serial, sizeof(double) * n * d) == 0);
		CHECK(cc_columns_mean_var_parallel(par, n, d, pmean, pvar, threads, NULL, NULL, A));
		CHECK(memcmp(pmean, mean, sizeof(mean)) == 0);
		CHECK(memcmp(pvar, var, sizeof(var)) == 0);
		CHECK(cc_columns_mean_var_given(par, n, d, sums[0], pmean, pvar, threads,
										NULL, NULL, A));
		CHECK(memcmp(pmean, mean, sizeof(mean)) == 0);
		CHECK(memcmp(pvar, var, sizeof(var)) == 0);
		CHECK(cc_scale_rows_parallel(par, n, d, center, scale, weight, 1e150,
									 threads, NULL, NULL, &big, sums[1], A));
		CHECK(big == -1);
		/* the scaled rows' moments from the scaling's sums */
		cc_columns_mean_var(par, n, d, 0, d, smean, svar);
		CHECK(cc_columns_mean_var_given(par, n, d, sums[1], pmean, pvar, threads,
										NULL, NULL, A));
		CHECK(memcmp(pmean, smean, sizeof(smean)) == 0);
		CHECK(memcmp(pvar, svar, sizeof(svar)) == 0);
		/* a value far out in the second part, another in the last row */
		par[(size_t) 40000 * d + 3] = 1e151;
		par[(n - 1) * d + 5] = -1e155;
		CHECK(cc_scale_rows_parallel(par, n, d, center, scale, NULL, 1e150,
									 threads, NULL, NULL, &big, NULL, A));
		CHECK(big == (ptrdiff_t) ((size_t) 40000 * d + 3));
	}
	/* more columns than one set of sums holds: the walk leaves sums alone */
	{
		int			wd = CC_COLUMN_BLOCK + 1;
		size_t		wn = 1000;
		double	   *w = dalloc(wn * wd);
		double	   *wv = dalloc(wd);

		set_ctx("parallel steps, %d columns", wd);
		for (i = 0; i < wn * (size_t) wd; i++)
			w[i] = (i % 7 == 0) ? NAN : (double) (i % 100);
		for (j = 0; j < wd; j++)
			wv[j] = j;
		CHECK(cc_impute_apply_parallel(w, wn, wd, wv, 2, NULL, NULL, wide_sums));
		CHECK(wide_sums[0] == -1.0);
		CHECK(w[0] == 0.0 && w[7] == 7.0);
		tfree(w);
		tfree(wv);
	}
	{
		double	   *want = dalloc(n * d);

		memcpy(want, serial, sizeof(double) * n * d);
		cc_scale_apply(want, n, d, center, scale);
		for (i = 0; i < n; i++)
			for (j = 0; j < d; j++)
				want[i * d + j] *= weight[j];
		memcpy(par, serial, sizeof(double) * n * d);
		set_ctx("parallel scaling, 2 threads");
		{
			ptrdiff_t	big;

			CHECK(cc_scale_rows_parallel(par, n, d, center, scale, weight, 1e150,
										 2, NULL, NULL, &big, NULL, A));
		}
		CHECK(memcmp(par, want, sizeof(double) * n * d) == 0);
		tfree(want);
	}
	tfree(x);
	tfree(serial);
	tfree(par);
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(method_names, 130),
	UNIT_TEST(impute_closed_form, 140),
	UNIT_TEST(impute_random, 150),
	UNIT_TEST(impute_all_missing, 160),
	UNIT_TEST(scalers, 170),
	UNIT_TEST(wide_blocks, 175),
	UNIT_TEST(order_pairs, 176),
	UNIT_TEST(transforms, 177),
	UNIT_TEST(parallel_steps, 178),
};

const UnitModule preprocess_module = {"preprocess", tests, lengthof(tests)};
