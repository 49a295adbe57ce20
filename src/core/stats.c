/*
 * stats.c
 *		describe, Pearson correlation and histograms of feature columns.
 */
#include <math.h>
#include <string.h>

#include "matrix.h"
#include "stats.h"

/* pandas treats sums of squares this close to zero as zero */
#define FP_NOISE	1e-14

/* Statistics of one column, as pandas' describe() plus skew and outliers. */
void
cc_describe_column(const double *x, size_t n, int d, int j, CcColumnStats *out,
				   const CcAllocator *alloc)
{
	double	   *v = cc_alloc_array(alloc, n ? n : 1, sizeof(double));
	size_t		m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + j]))
			v[m++] = x[i * d + j];
	out->count = (int64_t) m;
	out->missing = (int64_t) (n - m);
	out->mean = out->std = out->min = out->p25 = out->median = NAN;
	out->p75 = out->max = out->skewness = NAN;
	out->outliers = 0;
	if (m > 0)
	{
		CcSum		s = {0, 0},
					s2 = {0, 0},
					s3 = {0, 0};
		double		mean,
					m2,
					m3,
					iqr,
					lo,
					hi;

		for (i = 0; i < m; i++)
			cc_sum_add(&s, v[i]);
		mean = cc_sum_value(&s) / (double) m;
		for (i = 0; i < m; i++)
		{
			double		t = v[i] - mean;

			cc_sum_add(&s2, t * t);
			cc_sum_add(&s3, t * t * t);
		}
		m2 = cc_sum_value(&s2);
		m3 = cc_sum_value(&s3);
		out->mean = mean;
		if (m >= 2)
			out->std = sqrt(m2 / (double) (m - 1));
		if (m >= 3)
		{
			double		nd = (double) m;

			/* pandas zeroes sums this small for the skew (only) */
			if (fabs(m2) < FP_NOISE)
				m2 = 0.0;
			if (fabs(m3) < FP_NOISE)
				m3 = 0.0;
			out->skewness = (m2 == 0.0) ? 0.0 :
				(nd * sqrt(nd - 1.0) / (nd - 2.0)) * (m3 / pow(m2, 1.5));
		}
		out->min = cc_min(v, m);
		out->p25 = cc_quantile(v, m, 0.25);
		out->median = cc_quantile(v, m, 0.5);
		out->p75 = cc_quantile(v, m, 0.75);
		cc_select(v, m, m - 1);
		out->max = v[m - 1];
		iqr = out->p75 - out->p25;
		lo = out->p25 - 1.5 * iqr;
		hi = out->p75 + 1.5 * iqr;
		for (i = 0; i < m; i++)
			if (v[i] < lo || v[i] > hi)
				out->outliers++;
	}
	cc_release(alloc, v);
}

/* Pearson correlation over pairwise-complete rows (two passes, compensated). */
double
cc_pearson(const double *x, size_t n, int d, int a, int b, int64_t *pairs)
{
	CcSum		sa = {0, 0},
				sb = {0, 0},
				saa = {0, 0},
				sbb = {0, 0},
				sab = {0, 0};
	double		ma,
				mb,
				den;
	double		amin = INFINITY,
				amax = -INFINITY,
				bmin = INFINITY,
				bmax = -INFINITY;
	size_t		m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		va = x[i * d + a],
					vb = x[i * d + b];

		if (isnan(va) || isnan(vb))
			continue;
		cc_sum_add(&sa, va);
		cc_sum_add(&sb, vb);
		amin = fmin(amin, va);
		amax = fmax(amax, va);
		bmin = fmin(bmin, vb);
		bmax = fmax(bmax, vb);
		m++;
	}
	*pairs = (int64_t) m;
	/* a constant column has no correlation (its rounded mean may not be exact) */
	if (m < 2 || amin == amax || bmin == bmax)
		return NAN;
	ma = cc_sum_value(&sa) / (double) m;
	mb = cc_sum_value(&sb) / (double) m;
	for (i = 0; i < n; i++)
	{
		double		va = x[i * d + a],
					vb = x[i * d + b];

		if (isnan(va) || isnan(vb))
			continue;
		va -= ma;
		vb -= mb;
		cc_sum_add(&saa, va * va);
		cc_sum_add(&sbb, vb * vb);
		cc_sum_add(&sab, va * vb);
	}
	den = sqrt(cc_sum_value(&saa) * cc_sum_value(&sbb));
	if (den == 0.0)
		return NAN;
	return cc_sum_value(&sab) / den;
}

/* Equal-width histogram of column j; see stats.h. */
int64_t
cc_histogram(const double *x, size_t n, int d, int j, int bins, double *edges,
			 int64_t *counts)
{
	double		lo = INFINITY,
				hi = -INFINITY;
	int64_t		m = 0;
	size_t		i;
	int			b;

	memset(counts, 0, sizeof(int64_t) * bins);
	for (i = 0; i < n; i++)
	{
		double		v = x[i * d + j];

		if (isnan(v))
			continue;
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
		m++;
	}
	if (m == 0)
	{
		for (b = 0; b <= bins; b++)
			edges[b] = NAN;
		return 0;
	}
	for (b = 0; b <= bins; b++)
	{
		double		t = (double) b / (double) bins;

		/* interpolate between the ends when hi - lo overflows */
		edges[b] = isfinite(hi - lo) ? lo + (hi - lo) * t : lo * (1.0 - t) + hi * t;
	}
	edges[0] = lo;
	edges[bins] = hi;
	for (i = 0; i < n; i++)
	{
		double		v = x[i * d + j];
		int			l = 0,
					h = bins;

		if (isnan(v))
			continue;
		/* last edge <= v, by bisection over edges[0..bins-1] */
		while (h - l > 1)
		{
			int			mid = (l + h) / 2;

			if (edges[mid] <= v)
				l = mid;
			else
				h = mid;
		}
		counts[l]++;
	}
	return m;
}
