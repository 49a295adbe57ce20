/*
 * preprocess.c
 *		Imputers and scalers with the conventions of scikit-learn's
 *		SimpleImputer, StandardScaler, MinMaxScaler and RobustScaler.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "matrix.h"
#include "preprocess.h"

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

/* Copy the non-missing values of column j into buf; return how many. */
static size_t
gather_column(const double *x, size_t n, int d, int j, double *buf)
{
	size_t		m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		v = x[i * d + j];

		if (!isnan(v))
			buf[m++] = v;
	}
	return m;
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
		double		sum;
		size_t		i;

		for (i = 1; i < mid; i++)
			if (buf[i] > lo)
				lo = buf[i];
		/* halves first only when the sum overflows (they round subnormals) */
		sum = lo + buf[mid];
		if (isfinite(sum))
			return sum / 2.0;
		return lo / 2.0 + buf[mid] / 2.0;
	}
}

/* Fit imputation values; returns -1, or the first column that is all missing. */
int
cc_impute_fit(const double *x, size_t n, int d, CcImpute how, double *values,
			  const CcAllocator *alloc)
{
	double	   *buf = NULL;
	int			bad = -1;
	int			j;

	if (how == CC_IMPUTE_MEDIAN)
		buf = cc_alloc_array(alloc, n ? n : 1, sizeof(double));

	for (j = 0; j < d; j++)
	{
		size_t		m = 0;
		size_t		i;

		for (i = 0; i < n; i++)
			if (!isnan(x[i * d + j]))
				m++;
		if (m == 0)
		{
			bad = j;
			break;
		}
		switch (how)
		{
			case CC_IMPUTE_MEDIAN:
				m = gather_column(x, n, d, j, buf);
				values[j] = median_of(buf, m);
				break;
			case CC_IMPUTE_MEAN:
				{
					CcSum		s = {0, 0};

					for (i = 0; i < n; i++)
						if (!isnan(x[i * d + j]))
							cc_sum_add(&s, x[i * d + j]);
					values[j] = cc_sum_value(&s) / (double) m;
					break;
				}
			case CC_IMPUTE_ZERO:
				values[j] = 0.0;
				break;
			case CC_IMPUTE_DROP:
				values[j] = NAN;
				break;
			case CC_IMPUTE_COUNT:
				break;			/* not a method */
		}
	}
	cc_release(alloc, buf);
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

/* Fit center and scale per column; spread-less columns get scale 1. */
void
cc_scale_fit(const double *x, size_t n, int d, CcScale how, double *center,
			 double *scale, bool *constant, const CcAllocator *alloc)
{
	double	   *buf = NULL;
	double	   *means = NULL;
	double	   *vars = NULL;
	int			j;

	if (how == CC_SCALE_ROBUST)
		buf = cc_alloc_array(alloc, n ? n : 1, sizeof(double));
	if (how == CC_SCALE_STANDARD)
	{
		means = cc_alloc_array(alloc, d ? d : 1, sizeof(double));
		vars = cc_alloc_array(alloc, d ? d : 1, sizeof(double));
		cc_columns_mean_var(x, n, d, 0, d, means, vars);
	}

	for (j = 0; j < d; j++)
	{
		bool		zero = false;
		size_t		i;

		switch (how)
		{
			case CC_SCALE_STANDARD:
				{
					double		mean = means[j],
								var = vars[j];
					double		nd = (double) n;
					double		bound;

					/* rounding-error bound on the variance of a constant column */
					bound = nd * DBL_EPSILON * var +
						(nd * mean * DBL_EPSILON) * (nd * mean * DBL_EPSILON);
					center[j] = mean;
					scale[j] = sqrt(var);
					zero = (var <= bound);
					break;
				}
			case CC_SCALE_MINMAX:
				{
					double		lo = x[j];
					double		hi = x[j];

					for (i = 1; i < n; i++)
					{
						double		v = x[i * d + j];

						if (v < lo)
							lo = v;
						if (v > hi)
							hi = v;
					}
					center[j] = lo;
					scale[j] = hi - lo;
					zero = !(scale[j] > 10.0 * DBL_EPSILON);
					break;
				}
			case CC_SCALE_ROBUST:
				{
					double		q25,
								q75;

					for (i = 0; i < n; i++)
						buf[i] = x[i * d + j];
					q25 = cc_quantile(buf, n, 0.25);
					q75 = cc_quantile(buf, n, 0.75);
					center[j] = median_of(buf, n);
					scale[j] = q75 - q25;
					zero = !(scale[j] > 10.0 * DBL_EPSILON);
					break;
				}
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
	cc_release(alloc, buf);
	cc_release(alloc, means);
	cc_release(alloc, vars);
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
