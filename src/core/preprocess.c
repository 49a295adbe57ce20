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

/*
 * Columns gathered per walk over the rows for medians and quantiles: their
 * buffers take 8 * CC_GATHER_COLUMNS bytes per row at most, less than the
 * per-row state of k-means (ccseg.max_train_memory counts it) that is not
 * allocated yet while the preprocessing is fitted.
 */
#define CC_GATHER_COLUMNS	8

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
static void
gather_columns(const double *x, size_t n, int d, int j0, int w,
			   double *const *bufs, size_t *m)
{
	size_t		i;
	int			c;

	for (c = 0; c < w; c++)
		m[c] = 0;
	for (i = 0; i < n; i++)
	{
		const double *row = x + i * d + j0;

		for (c = 0; c < w; c++)
		{
			double		v = row[c];

			/* store always, advance only past a value: no branch on it */
			bufs[c][m[c]] = v;
			m[c] += !isnan(v);
		}
	}
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

/*
 * Count the non-missing values of each column in one walk over the rows:
 * count[j] for j < d.
 */
static void
count_present(const double *x, size_t n, int d, size_t *count)
{
	size_t		i;
	int			j;

	for (j = 0; j < d; j++)
		count[j] = 0;
	for (i = 0; i < n; i++)
	{
		const double *row = x + i * d;

		for (j = 0; j < d; j++)
			count[j] += !isnan(row[j]);
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
 * Fit imputation values; returns -1, or the first column that is all
 * missing (then values is not filled).  The rows are read in memory order,
 * several columns per walk: medians gather CC_GATHER_COLUMNS columns at a
 * time into buffers of their non-missing values.
 */
int
cc_impute_fit(const double *x, size_t n, int d, CcImpute how, double *values,
			  const CcAllocator *alloc)
{
	size_t	   *count = cc_alloc_array(alloc, d ? d : 1, sizeof(size_t));
	int			bad = -1;
	int			j;

	count_present(x, n, d, count);
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
			{
				double	   *bufs[CC_GATHER_COLUMNS];
				size_t		m[CC_GATHER_COLUMNS];
				int			j0,
							c;

				for (j0 = 0; j0 < d; j0 += CC_GATHER_COLUMNS)
				{
					int			w = (d - j0 < CC_GATHER_COLUMNS) ? d - j0 : CC_GATHER_COLUMNS;

					for (c = 0; c < w; c++)
						bufs[c] = cc_alloc_array(alloc, count[j0 + c] + 1, sizeof(double));
					gather_columns(x, n, d, j0, w, bufs, m);
					for (c = 0; c < w; c++)
					{
						values[j0 + c] = median_of(bufs[c], m[c]);
						cc_release(alloc, bufs[c]);
					}
				}
				break;
			}
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
		double	   *bufs[CC_GATHER_COLUMNS];
		size_t		m[CC_GATHER_COLUMNS];
		int			j0,
					c;

		a = cc_alloc_array(alloc, d ? d : 1, sizeof(double));	/* quartile 1 */
		b = cc_alloc_array(alloc, d ? d : 1, sizeof(double));	/* quartile 3 */
		for (j0 = 0; j0 < d; j0 += CC_GATHER_COLUMNS)
		{
			int			w = (d - j0 < CC_GATHER_COLUMNS) ? d - j0 : CC_GATHER_COLUMNS;

			for (c = 0; c < w; c++)
				bufs[c] = cc_alloc_array(alloc, n ? n : 1, sizeof(double));
			gather_columns(x, n, d, j0, w, bufs, m);
			for (c = 0; c < w; c++)
			{
				/* the same selections in the same order as ever: same bits */
				a[j0 + c] = cc_quantile(bufs[c], m[c], 0.25);
				b[j0 + c] = cc_quantile(bufs[c], m[c], 0.75);
				center[j0 + c] = median_of(bufs[c], m[c]);
				cc_release(alloc, bufs[c]);
			}
		}
	}

	for (j = 0; j < d; j++)
	{
		bool		zero = false;

		switch (how)
		{
			case CC_SCALE_STANDARD:
				{
					double		mean = a[j],
								var = b[j];
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
