/*
 * metrics.c
 *		Silhouette, Calinski-Harabasz and Davies-Bouldin indices, and the
 *		Kneedle knee finder used to recommend k.
 */
#include <math.h>
#include <string.h>

#include "matrix.h"
#include "metrics.h"

/* columns of the transposed selection handled per pass (fits in L1) */
#define SIL_CHUNK	1024

/* Sum of v[0..m-1] with eight running sums in a fixed order. */
static double
sum8(const double *v, size_t m)
{
	double		s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	size_t		j = 0;
	int			t;

	for (; j + 8 <= m; j += 8)
		for (t = 0; t < 8; t++)
			s[t] += v[j + t];
	for (; j < m; j++)
		s[j % 8] += v[j];
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* Exact silhouette by blocks of distances; see metrics.h. */
void
cc_silhouette(const double *x, int d, const int *labels, int k,
			  const size_t *rows, size_t m, const double *weight,
			  double *score, double *cluster_mean, int64_t *cluster_rows,
			  const CcAllocator *alloc, CcCheckFn check, void *arg)
{
	size_t	   *start = cc_alloc_array(alloc, (size_t) k + 1, sizeof(size_t));
	size_t	   *fill = cc_alloc_array(alloc, k, sizeof(size_t));
	size_t	   *order = cc_alloc_array(alloc, m, sizeof(size_t));
	double	   *xt = cc_alloc_array(alloc, m * (size_t) d, sizeof(double));
	double	   *dist = cc_alloc_array(alloc, m, sizeof(double));
	double	   *sums = cc_alloc_array(alloc, k, sizeof(double));
	double	   *ssum = cc_alloc_array(alloc, k, sizeof(double));
	double		wsum = 0.0,
				wtot = 0.0;
	size_t		i;
	int			c;

	/* group the selected rows by cluster (counting sort, stable) */
	memset(start, 0, sizeof(size_t) * (k + 1));
	for (i = 0; i < m; i++)
		start[labels[rows ? rows[i] : i] + 1]++;
	for (c = 0; c < k; c++)
		start[c + 1] += start[c];
	memcpy(fill, start, sizeof(size_t) * k);
	for (i = 0; i < m; i++)
	{
		size_t		r = rows ? rows[i] : i;

		order[fill[labels[r]]++] = r;
	}
	/* the selection transposed: feature f of position p at xt[f * m + p] */
	for (i = 0; i < m; i++)
	{
		int			f;

		for (f = 0; f < d; f++)
			xt[(size_t) f * m + i] = x[order[i] * d + f];
	}
	memset(ssum, 0, sizeof(double) * k);

	for (i = 0; i < m; i++)
	{
		size_t		r = order[i];
		int			own = labels[r];
		size_t		own_n = start[own + 1] - start[own];
		size_t		j0;
		double		s = 0.0;
		double		w = weight ? weight[r] : 1.0;

		if (check)
			check(arg);
		/* distances from row r to every selected row, a chunk at a time */
		for (j0 = 0; j0 < m; j0 += SIL_CHUNK)
		{
			size_t		len = (m - j0 < SIL_CHUNK) ? m - j0 : SIL_CHUNK;
			double	   *out = dist + j0;
			size_t		j;
			int			f;

			for (j = 0; j < len; j++)
				out[j] = 0.0;
			for (f = 0; f < d; f++)
			{
				const double xf = x[r * d + f];
				const double *col = xt + (size_t) f * m + j0;

				for (j = 0; j < len; j++)
				{
					double		t = xf - col[j];

					out[j] += t * t;
				}
			}
			for (j = 0; j < len; j++)
				out[j] = sqrt(out[j]);
		}
		for (c = 0; c < k; c++)
			sums[c] = sum8(dist + start[c], start[c + 1] - start[c]);

		if (own_n > 1)
		{
			double		a = sums[own] / (double) (own_n - 1);
			double		b = INFINITY;

			for (c = 0; c < k; c++)
			{
				size_t		cn = start[c + 1] - start[c];

				if (c != own && cn > 0 && sums[c] / (double) cn < b)
					b = sums[c] / (double) cn;
			}
			if (isfinite(b))
			{
				double		top = a > b ? a : b;

				s = (top > 0.0) ? (b - a) / top : 0.0;
			}
		}
		ssum[own] += s;
		wsum += w * s;
		wtot += w;
	}

	for (c = 0; c < k; c++)
	{
		size_t		cn = start[c + 1] - start[c];

		cluster_rows[c] = (int64_t) cn;
		cluster_mean[c] = cn > 0 ? ssum[c] / (double) cn : NAN;
	}
	*score = wtot > 0.0 ? wsum / wtot : NAN;

	cc_release(alloc, start);
	cc_release(alloc, fill);
	cc_release(alloc, order);
	cc_release(alloc, xt);
	cc_release(alloc, dist);
	cc_release(alloc, sums);
	cc_release(alloc, ssum);
}

/* Cluster means (k x d) and sizes of a labelled matrix. */
static void
cluster_means(const double *x, size_t n, int d, const int *labels, int k,
			  double *means, int64_t *sizes)
{
	size_t		i;
	int			c,
				f;

	memset(means, 0, sizeof(double) * (size_t) k * d);
	memset(sizes, 0, sizeof(int64_t) * k);
	for (i = 0; i < n; i++)
	{
		double	   *acc = means + (size_t) labels[i] * d;

		for (f = 0; f < d; f++)
			acc[f] += x[i * d + f];
		sizes[labels[i]]++;
	}
	for (c = 0; c < k; c++)
		if (sizes[c] > 0)
			for (f = 0; f < d; f++)
				means[(size_t) c * d + f] /= (double) sizes[c];
}

/* Calinski-Harabasz index of a labelled matrix. */
double
cc_calinski_harabasz(const double *x, size_t n, int d, const int *labels,
					 int k, const CcAllocator *alloc)
{
	double	   *means = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	int64_t    *sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	double	   *all = cc_alloc_array(alloc, d, sizeof(double));
	CcSum		extra = {0, 0},
				intra = {0, 0};
	double		result;
	size_t		i;
	int			c,
				f;

	cluster_means(x, n, d, labels, k, means, sizes);
	for (f = 0; f < d; f++)
	{
		double		var;

		cc_column_mean_var(x, n, d, f, &all[f], &var);
	}
	for (c = 0; c < k; c++)
		if (sizes[c] > 0)
			cc_sum_add(&extra, (double) sizes[c] *
					   cc_sqdist(means + (size_t) c * d, all, d));
	for (i = 0; i < n; i++)
		cc_sum_add(&intra, cc_sqdist(x + i * d, means + (size_t) labels[i] * d, d));
	if (cc_sum_value(&intra) == 0.0)
		result = 1.0;
	else
		result = cc_sum_value(&extra) * (double) (n - k) /
			(cc_sum_value(&intra) * (double) (k - 1));
	cc_release(alloc, means);
	cc_release(alloc, sizes);
	cc_release(alloc, all);
	return result;
}

/* Davies-Bouldin index of a labelled matrix. */
double
cc_davies_bouldin(const double *x, size_t n, int d, const int *labels, int k,
				  const CcAllocator *alloc)
{
	double	   *means = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	int64_t    *sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	double	   *spread = cc_alloc_array(alloc, k, sizeof(double));
	bool		spread_zero = true,
				gaps_zero = true;
	double		total = 0.0;
	size_t		i;
	int			c,
				c2;

	cluster_means(x, n, d, labels, k, means, sizes);
	memset(spread, 0, sizeof(double) * k);
	for (i = 0; i < n; i++)
		spread[labels[i]] += sqrt(cc_sqdist(x + i * d, means + (size_t) labels[i] * d, d));
	for (c = 0; c < k; c++)
	{
		if (sizes[c] > 0)
			spread[c] /= (double) sizes[c];
		if (fabs(spread[c]) > 1e-8)
			spread_zero = false;
		for (c2 = 0; c2 < k; c2++)
			if (c2 != c && sqrt(cc_sqdist(means + (size_t) c * d,
										  means + (size_t) c2 * d, d)) > 1e-8)
				gaps_zero = false;
	}
	if (spread_zero || gaps_zero)
	{
		cc_release(alloc, means);
		cc_release(alloc, sizes);
		cc_release(alloc, spread);
		return 0.0;
	}
	for (c = 0; c < k; c++)
	{
		double		worst = 0.0;

		for (c2 = 0; c2 < k; c2++)
		{
			double		gap;

			if (c2 == c)
				continue;
			gap = sqrt(cc_sqdist(means + (size_t) c * d, means + (size_t) c2 * d, d));
			if (gap > 0.0 && (spread[c] + spread[c2]) / gap > worst)
				worst = (spread[c] + spread[c2]) / gap;
		}
		total += worst;
	}
	cc_release(alloc, means);
	cc_release(alloc, sizes);
	cc_release(alloc, spread);
	return total / (double) k;
}

/* Index of the knee of a decreasing curve, or -1; see metrics.h. */
int
cc_kneedle(const double *xs, const double *ys, int count)
{
	double		ymin,
				ymax,
				best = 0.0;
	int			arg = -1;
	int			i;

	if (count < 3 || xs[count - 1] == xs[0])
		return -1;
	ymin = ymax = ys[0];
	for (i = 1; i < count; i++)
	{
		if (ys[i] < ymin)
			ymin = ys[i];
		if (ys[i] > ymax)
			ymax = ys[i];
	}
	if (ymax == ymin)
		return -1;
	for (i = 1; i < count - 1; i++)
	{
		double		xn = (xs[i] - xs[0]) / (xs[count - 1] - xs[0]);
		double		yn = (ys[i] - ymin) / (ymax - ymin);
		/* height below the chord from (0, 1) to (1, 0) */
		double		gap = (1.0 - xn) - yn;

		if (gap > best)
		{
			best = gap;
			arg = i;
		}
	}
	return arg;
}
