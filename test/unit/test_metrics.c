/*
 * test_metrics.c
 *		Unit tests of metrics.c: silhouette, Calinski-Harabasz and
 *		Davies-Bouldin against brute force, sampling, the knee finder and
 *		the memory bound of the quality computation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "matrix.h"
#include "metrics.h"

/*
 * Silhouette by brute force, scikit-learn's definition, over the rows
 * sel[0..m-1] (all n when sel is NULL), weighting each row by its
 * cluster's weight (all 1 when weight is NULL).  A row alone in its
 * cluster, or with no other cluster present, scores 0.
 */
static double
ref_silhouette(const double *x, size_t n, int d, const int *labels, int k,
			   const size_t *sel, size_t m, const double *weight,
			   double *cluster_mean, int64_t *cluster_rows)
{
	long double *sum_to = talloc((size_t) k, sizeof(long double));
	long double *ssum = talloc((size_t) k, sizeof(long double));
	long double wsum = 0.0L,
				wtot = 0.0L;
	size_t		p,
				q;
	int			c;

	if (sel == NULL)
		m = n;
	for (c = 0; c < k; c++)
	{
		cluster_rows[c] = 0;
		ssum[c] = 0.0L;
	}
	for (p = 0; p < m; p++)
		cluster_rows[labels[sel ? sel[p] : p]]++;
	for (p = 0; p < m; p++)
	{
		size_t		i = sel ? sel[p] : p;
		int			own = labels[i];
		long double s = 0.0L,
					a,
					b = INFINITY;
		long double w = weight ? weight[own] : 1.0L;

		for (c = 0; c < k; c++)
			sum_to[c] = 0.0L;
		for (q = 0; q < m; q++)
		{
			size_t		j = sel ? sel[q] : q;

			sum_to[labels[j]] += sqrtl(ref_sqdist(x + i * d, x + j * d, d));
		}
		if (cluster_rows[own] > 1)
		{
			a = sum_to[own] / (cluster_rows[own] - 1);
			for (c = 0; c < k; c++)
				if (c != own && cluster_rows[c] > 0 && sum_to[c] / cluster_rows[c] < b)
					b = sum_to[c] / cluster_rows[c];
			if (isfinite((double) b))
			{
				long double top = a > b ? a : b;

				s = top > 0 ? (b - a) / top : 0.0L;
			}
		}
		ssum[own] += s;
		wsum += w * s;
		wtot += w;
	}
	for (c = 0; c < k; c++)
		cluster_mean[c] = cluster_rows[c] > 0 ? (double) (ssum[c] / cluster_rows[c]) : NAN;
	tfree(sum_to);
	tfree(ssum);
	return (double) (wsum / wtot);
}

/* Means (k x d, long double) and sizes of the clusters of a labelling. */
static void
ref_cluster_means(const double *x, size_t n, int d, const int *labels, int k,
				  long double *means, int64_t *sizes)
{
	size_t		i;
	int			c,
				j;

	for (c = 0; c < k; c++)
	{
		sizes[c] = 0;
		for (j = 0; j < d; j++)
			means[c * d + j] = 0.0L;
	}
	for (i = 0; i < n; i++)
	{
		sizes[labels[i]]++;
		for (j = 0; j < d; j++)
			means[labels[i] * d + j] += x[i * d + j];
	}
	for (c = 0; c < k; c++)
		for (j = 0; j < d; j++)
			if (sizes[c] > 0)
				means[c * d + j] /= sizes[c];
}

/* Squared distance between two long double vectors. */
static long double
ld_sqdist(const long double *a, const long double *b, int d)
{
	long double s = 0.0L;
	int			j;

	for (j = 0; j < d; j++)
		s += (a[j] - b[j]) * (a[j] - b[j]);
	return s;
}

/*
 * Calinski-Harabasz by its definition, scikit-learn's way: over the
 * clusters present (labels that occur), 1 when every cluster is a point.
 */
static double
ref_calinski_harabasz(const double *x, size_t n, int d, const int *labels,
					  int k)
{
	long double *means = talloc((size_t) k * d, sizeof(long double));
	long double *all = talloc(d, sizeof(long double));
	int64_t    *sizes = talloc(k, sizeof(int64_t));
	long double extra = 0.0L,
				intra = 0.0L;
	int			present = 0,
				c,
				j;
	size_t		i;
	double		result;

	ref_cluster_means(x, n, d, labels, k, means, sizes);
	for (j = 0; j < d; j++)
	{
		all[j] = 0.0L;
		for (i = 0; i < n; i++)
			all[j] += x[i * d + j];
		all[j] /= n;
	}
	for (c = 0; c < k; c++)
		if (sizes[c] > 0)
		{
			present++;
			extra += sizes[c] * ld_sqdist(means + c * d, all, d);
		}
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
		{
			long double t = x[i * d + j] - means[labels[i] * d + j];

			intra += t * t;
		}
	result = intra == 0.0L ? 1.0 :
		(double) (extra * (n - present) / (intra * (present - 1)));
	tfree(means);
	tfree(all);
	tfree(sizes);
	return result;
}

/*
 * Davies-Bouldin by its definition, scikit-learn's way: over the clusters
 * present; 0 when all spreads or all centroid gaps are within 1e-8 of 0.
 */
static double
ref_davies_bouldin(const double *x, size_t n, int d, const int *labels, int k)
{
	long double *means = talloc((size_t) k * d, sizeof(long double));
	long double *spread = talloc(k, sizeof(long double));
	int64_t    *sizes = talloc(k, sizeof(int64_t));
	long double total = 0.0L;
	bool		spread_zero = true,
				gaps_zero = true;
	int			present = 0,
				c,
				c2;
	size_t		i;
	double		result;

	ref_cluster_means(x, n, d, labels, k, means, sizes);
	for (c = 0; c < k; c++)
		spread[c] = 0.0L;
	for (i = 0; i < n; i++)
	{
		long double xi[64];
		int			j;

		for (j = 0; j < d; j++)
			xi[j] = x[i * d + j];
		spread[labels[i]] += sqrtl(ld_sqdist(xi, means + labels[i] * d, d));
	}
	for (c = 0; c < k; c++)
	{
		if (sizes[c] == 0)
			continue;
		present++;
		spread[c] /= sizes[c];
		if (spread[c] > 1e-8L)
			spread_zero = false;
		for (c2 = 0; c2 < k; c2++)
			if (c2 != c && sizes[c2] > 0 &&
				sqrtl(ld_sqdist(means + c * d, means + c2 * d, d)) > 1e-8L)
				gaps_zero = false;
	}
	if (spread_zero || gaps_zero)
		result = 0.0;
	else
	{
		for (c = 0; c < k; c++)
		{
			long double worst = 0.0L;

			if (sizes[c] == 0)
				continue;
			for (c2 = 0; c2 < k; c2++)
			{
				long double gap;

				if (c2 == c || sizes[c2] == 0)
					continue;
				gap = sqrtl(ld_sqdist(means + c * d, means + c2 * d, d));
				if (gap > 0 && (spread[c] + spread[c2]) / gap > worst)
					worst = (spread[c] + spread[c2]) / gap;
			}
			total += worst;
		}
		result = (double) (total / present);
	}
	tfree(means);
	tfree(spread);
	tfree(sizes);
	return result;
}

/*
 * cc_silhouette with up to threads threads, its outputs where the reference
 * puts them: the score, and per cluster the mean and the row count.
 */
static bool
silhouette_of(const double *x, int d, const int *labels, int k,
			  const size_t *rows, size_t m, const double *weight, int threads,
			  CcPollFn poll, double *score, double *mean, int64_t *counts)
{
	CcQualityParams qp = {0};
	CcQuality	q = {0};
	bool		done;

	qp.threads = threads;
	qp.poll = poll;
	q.segment_silhouette = mean;
	q.segment_rows = counts;
	done = cc_silhouette(x, d, labels, k, rows, m, weight, &qp, &q, A);
	*score = q.silhouette;
	return done;
}

/* cc_quality in the calling thread with the given sample and seed. */
static bool
quality_of(const double *x, size_t n, int d, const int *labels, int k,
		   int64_t sample, uint64_t seed, double *segsil, CcQuality *q)
{
	CcQualityParams qp = {0};

	qp.sample = sample;
	qp.seed = seed;
	qp.threads = 1;
	q->segment_silhouette = segsil;
	q->segment_rows = NULL;
	return cc_quality(x, n, d, labels, k, &qp, q, A);
}

/* Check the exact silhouette against brute force, over all rows and subsets. */
static void
test_silhouette(void)
{
	static const struct
	{
		DataKind	kind;
		size_t		n;
		int			d;
		int			k;
	}			cfg[] = {
		{DATA_BLOBS, 120, 2, 3},
		{DATA_NOISE, 90, 3, 5},
		{DATA_GRID, 150, 2, 4},		/* duplicate rows: zero distances */
		{DATA_BLOBS, 1300, 3, 3},	/* blocks wider than one tile */
		{DATA_NOISE, 40, 2, 6},
	};
	size_t		ci;

	for (ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++)
	{
		size_t		n = cfg[ci].n;
		int			d = cfg[ci].d;
		int			k = cfg[ci].k;
		double	   *x = dalloc(n * d);
		int		   *labels = talloc(n, sizeof(int));
		double	   *mean = dalloc(k),
				   *rmean = dalloc(k),
				   *weight = dalloc(k);
		int64_t    *rows = talloc(k, sizeof(int64_t)),
				   *rrows = talloc(k, sizeof(int64_t));
		size_t	   *sel = talloc(n, sizeof(size_t));
		TRand		r;
		double		score,
					want;
		size_t		i,
					m = 0;
		int			c;
		bool		means_ok = true;

		set_ctx("silhouette %s n=%zu d=%d k=%d", kind_names[cfg[ci].kind], n, d, k);
		make_data(cfg[ci].kind, 1200 + ci, x, labels, n, d, k);
		tr_seed(&r, 1210 + ci);
		if (cfg[ci].kind != DATA_BLOBS)
			for (i = 0; i < n; i++)
				labels[i] = (int) tr_below(&r, k);
		labels[n - 1] = k - 1;	/* a singleton cluster scores 0 */
		for (i = 0; i + 1 < n; i++)
			if (labels[i] == k - 1)
				labels[i] = 0;

		CHECK(silhouette_of(x, d, labels, k, NULL, n, NULL, 1, NULL, &score, mean, rows));
		want = ref_silhouette(x, n, d, labels, k, NULL, n, NULL, rmean, rrows);
		CHECK(fabs(score - want) < 1e-12);
		CHECK(memcmp(rows, rrows, k * sizeof(int64_t)) == 0);
		for (c = 0; c < k; c++)
			if (!(fabs(mean[c] - rmean[c]) < 1e-12 || (isnan(mean[c]) && isnan(rmean[c]))))
				means_ok = false;
		CHECK(means_ok);
		CHECK(mean[k - 1] == 0.0 && rows[k - 1] == 1);
		CHECK(score >= -1.0 && score <= 1.0);

		/* a subset of the rows, out of order, with cluster weights */
		for (i = n; i-- > 0;)
			if (tr_unif(&r) < 0.6)
				sel[m++] = i;
		for (c = 0; c < k; c++)
			weight[c] = 0.5 + 3.0 * tr_unif(&r);
		CHECK(silhouette_of(x, d, labels, k, sel, m, weight, 1, NULL, &score, mean, rows));
		want = ref_silhouette(x, n, d, labels, k, sel, m, weight, rmean, rrows);
		set_ctx("silhouette subset %s n=%zu m=%zu", kind_names[cfg[ci].kind], n, m);
		CHECK(fabs(score - want) < 1e-12);
		CHECK(memcmp(rows, rrows, k * sizeof(int64_t)) == 0);
		means_ok = true;
		for (c = 0; c < k; c++)
			if (!(fabs(mean[c] - rmean[c]) < 1e-12 || (isnan(mean[c]) && isnan(rmean[c]))))
				means_ok = false;
		CHECK(means_ok);

		tfree(x);
		tfree(labels);
		tfree(mean);
		tfree(rmean);
		tfree(weight);
		tfree(rows);
		tfree(rrows);
		tfree(sel);
	}

	/* closed form: two pairs {0, 1} and {10, 11} on a line */
	{
		double		x[4] = {0, 1, 10, 11};
		int			labels[4] = {0, 0, 1, 1};
		double		score,
					mean[2];
		int64_t		rows[2];

		/* row 0: a = 1, b = 10.5; row 1: a = 1, b = 9.5; symmetric */
		set_ctx("silhouette closed form");
		CHECK(silhouette_of(x, 1, labels, 2, NULL, 4, NULL, 1, NULL, &score, mean, rows));
		CHECK(fabs(score - (9.5 / 10.5 + 8.5 / 9.5) / 2) < 1e-15);
		CHECK(rows[0] == 2 && rows[1] == 2);
	}
	set_ctx("%s", "");
}

/* Check Calinski-Harabasz and Davies-Bouldin against their definitions. */
static void
test_ch_db(void)
{
	static const struct
	{
		DataKind	kind;
		size_t		n;
		int			d;
		int			k;
	}			cfg[] = {
		{DATA_BLOBS, 300, 2, 4},
		{DATA_NOISE, 250, 5, 3},
		{DATA_OFFSET, 200, 3, 5},
		{DATA_GRID, 100, 2, 2},
	};
	size_t		ci;

	for (ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++)
	{
		size_t		n = cfg[ci].n;
		int			d = cfg[ci].d;
		int			k = cfg[ci].k;
		double	   *x = dalloc(n * d);
		int		   *labels = talloc(n, sizeof(int));
		TRand		r;
		size_t		i;

		set_ctx("CH/DB %s n=%zu d=%d k=%d", kind_names[cfg[ci].kind], n, d, k);
		make_data(cfg[ci].kind, 1300 + ci, x, labels, n, d, k);
		tr_seed(&r, 1310 + ci);
		if (cfg[ci].kind != DATA_BLOBS)
			for (i = 0; i < n; i++)
				labels[i] = (int) (i < (size_t) k ? i : tr_below(&r, k));
		/*
		 * Offset data: cluster means near 1e6 that differ by 1e-4 are
		 * summed uncentred, so their differences keep only about 5
		 * digits (measured: 2e-6 relative).  scikit-learn loses digits the
		 * same way, if fewer.
		 */
		{
			double		rel = cfg[ci].kind == DATA_OFFSET ? 1e-4 : 1e-9;

			CHECK(close_to(cc_calinski_harabasz(x, n, d, labels, k, A),
						   ref_calinski_harabasz(x, n, d, labels, k), rel, 0));
			CHECK(close_to(cc_davies_bouldin(x, n, d, labels, k, A),
						   ref_davies_bouldin(x, n, d, labels, k), rel, 0));
		}
		tfree(x);
		tfree(labels);
	}

	/* closed forms on a line: clusters {0, 2} and {10, 12} */
	{
		double		x[4] = {0, 2, 10, 12};
		int			labels[4] = {0, 0, 1, 1};

		/* extra = 4 * 5^2 = 100, intra = 4, CH = 100 * 2 / (4 * 1) = 50 */
		set_ctx("CH/DB closed form");
		CHECK(cc_calinski_harabasz(x, 4, 1, labels, 2, A) == 50.0);
		/* spreads 1 and 1, gap 10: DB = 0.2 */
		CHECK(close_to(cc_davies_bouldin(x, 4, 1, labels, 2, A), 0.2, 1e-15, 0));
	}
	/* every cluster a single point: CH is 1, DB is 0 */
	{
		double		x[3] = {1, 5, 9};
		int			labels[3] = {0, 1, 2};

		set_ctx("CH/DB point clusters");
		CHECK(cc_calinski_harabasz(x, 3, 1, labels, 3, A) == 1.0);
		CHECK(cc_davies_bouldin(x, 3, 1, labels, 3, A) == 0.0);
	}
	set_ctx("%s", "");
}

/*
 * Check that CH and DB depend on the partition, not on unused label
 * numbers: k-means leaves a cluster empty when there are fewer distinct
 * rows than k, and scikit-learn computes both measures over the labels
 * present.  Adding an empty cluster must change nothing.
 *
 * Regression test: cc_calinski_harabasz used k, not the number of
 * clusters present, in (n - k) / (k - 1), and cc_davies_bouldin gave an
 * empty cluster a mean at the origin (its zeroed sum), counted it in the
 * gaps and divided by k.
 */
static void
test_ch_db_empty_cluster(void)
{
	/* three groups of rows on a line, labelled 0, 1, 3; label 2 unused */
	double		x[9] = {1, 2, 3, 11, 12, 13, 30, 31, 33};
	int			gap_labels[9] = {0, 0, 0, 1, 1, 1, 3, 3, 3};
	int			compact[9] = {0, 0, 0, 1, 1, 1, 2, 2, 2};
	double		ch4 = cc_calinski_harabasz(x, 9, 1, gap_labels, 4, A);
	double		ch3 = cc_calinski_harabasz(x, 9, 1, compact, 3, A);
	double		db4 = cc_davies_bouldin(x, 9, 1, gap_labels, 4, A);
	double		db3 = cc_davies_bouldin(x, 9, 1, compact, 3, A);

	set_ctx("CH/DB with an empty cluster");
	CHECK(close_to(ch3, ref_calinski_harabasz(x, 9, 1, compact, 3), 1e-12, 0));
	CHECK(close_to(db3, ref_davies_bouldin(x, 9, 1, compact, 3), 1e-12, 0));
	CHECK(close_to(ch4, ch3, 1e-12, 0));
	CHECK(close_to(db4, db3, 1e-12, 0));
	if (!close_to(ch4, ch3, 1e-12, 0) || !close_to(db4, db3, 1e-12, 0))
		printf("  CH with an empty label: %.17g, without: %.17g; "
			   "DB with: %.17g, without: %.17g\n", ch4, ch3, db4, db3);
	set_ctx("%s", "");
}

/* Check the stratified sample: grouping, floors, shares, weights, distinct rows. */
static void
test_stratified_sample(void)
{
	const size_t n = 5000;
	const int	k = 4;
	int		   *labels = talloc(n, sizeof(int));
	size_t	   *rows;
	size_t	   *again;
	double		weight[4],
				weight2[4];
	char	   *seen = talloc(n, 1);
	int64_t		size_of[4] = {0, 0, 0, 0},
				got[4] = {0, 0, 0, 0};
	size_t		i,
				m,
				m2,
				want_size = 600;
	bool		grouped = true,
				distinct = true;
	int			c,
				last = -1;

	/* cluster sizes 3500, 1400, 60 (below the floor), 40 */
	for (i = 0; i < n; i++)
	{
		labels[i] = i < 60 ? 2 : i < 100 ? 3 : (i % 5 < 2 ? 1 : 0);
		size_of[labels[i]]++;
	}
	rows = talloc(want_size + k * CC_SAMPLE_FLOOR, sizeof(size_t));
	again = talloc(want_size + k * CC_SAMPLE_FLOOR, sizeof(size_t));
	memset(seen, 0, n);
	m = cc_stratified_sample(labels, n, k, want_size, 7, rows, weight, A);
	CHECK(m <= want_size + k * CC_SAMPLE_FLOOR);
	for (i = 0; i < m; i++)
	{
		CHECK(rows[i] < n);
		if (rows[i] >= n)
			break;
		if (labels[rows[i]] < last)
			grouped = false;
		last = labels[rows[i]];
		if (seen[rows[i]]++)
			distinct = false;
		got[labels[rows[i]]]++;
	}
	set_ctx("stratified sample");
	CHECK(grouped);
	CHECK(distinct);
	for (c = 0; c < k; c++)
	{
		double		share = (double) want_size * size_of[c] / n;
		int64_t		floor_c = size_of[c] < CC_SAMPLE_FLOOR ? size_of[c] : CC_SAMPLE_FLOOR;

		/* at least the floor (or all), else about the proportional share */
		CHECK(got[c] >= floor_c);
		CHECK(got[c] <= size_of[c]);
		CHECK(got[c] <= (int64_t) floor(share + 0.5) || got[c] == floor_c);
		CHECK(got[c] >= (int64_t) floor(share - 0.5) || got[c] == size_of[c]);
		CHECK(close_to(weight[c], (double) size_of[c] / got[c], 1e-15, 0));
	}
	CHECK(got[2] == 60 && got[3] == 40);

	/* the seed decides: same seed same sample, other seed other sample */
	m2 = cc_stratified_sample(labels, n, k, want_size, 7, again, weight2, A);
	CHECK(m2 == m && memcmp(rows, again, m * sizeof(size_t)) == 0);
	m2 = cc_stratified_sample(labels, n, k, want_size, 8, again, weight2, A);
	CHECK(m2 == m && memcmp(rows, again, m * sizeof(size_t)) != 0);
	set_ctx("%s", "");
	tfree(labels);
	tfree(rows);
	tfree(again);
	tfree(seen);
}

/* Check cc_quality's choices: exact, none, sampled, undefined. */
static void
test_quality(void)
{
	const size_t n = 400;
	const int	d = 2;
	const int	k = 3;
	double	   *x = dalloc(n * d);
	int		   *labels = talloc(n, sizeof(int));
	double		seg[3],
				rmean[3];
	int64_t		rrows[3];
	CcQuality	q;

	make_data(DATA_BLOBS, 1400, x, labels, n, d, k);

	set_ctx("quality exact");
	CHECK(quality_of(x, n, d, labels, k, -1, 1, seg, &q));
	CHECK(q.silhouette_rows == (int64_t) n);
	CHECK(fabs(q.silhouette - ref_silhouette(x, n, d, labels, k, NULL, n, NULL, rmean, rrows)) < 1e-12);
	CHECK(fabs(seg[0] - rmean[0]) < 1e-12 && fabs(seg[2] - rmean[2]) < 1e-12);
	CHECK(close_to(q.calinski_harabasz, ref_calinski_harabasz(x, n, d, labels, k), 1e-9, 0));
	CHECK(close_to(q.davies_bouldin, ref_davies_bouldin(x, n, d, labels, k), 1e-9, 0));
	/* well separated blobs score high */
	CHECK(q.silhouette > 0.8);

	set_ctx("quality without silhouette");
	CHECK(quality_of(x, n, d, labels, k, 0, 1, seg, &q));
	CHECK(isnan(q.silhouette) && q.silhouette_rows == 0 && isnan(seg[1]));
	CHECK(!isnan(q.calinski_harabasz) && !isnan(q.davies_bouldin));

	set_ctx("quality sampled");
	CHECK(quality_of(x, n, d, labels, k, 150, 3, seg, &q));
	CHECK(q.silhouette_rows > 0 && q.silhouette_rows < (int64_t) n);
	{
		size_t	   *rows = talloc(150 + k * CC_SAMPLE_FLOOR, sizeof(size_t));
		double		w[3];
		size_t		m = cc_stratified_sample(labels, n, k, 150, 3, rows, w, A);

		CHECK((int64_t) m == q.silhouette_rows);
		CHECK(fabs(q.silhouette - ref_silhouette(x, n, d, labels, k, rows, m, w, rmean, rrows)) < 1e-12);
		tfree(rows);
	}

	set_ctx("quality k=1 and one cluster present");
	/* labels must lie in 0..k-1 */
	memset(labels, 0, n * sizeof(int));
	CHECK(quality_of(x, n, d, labels, 1, -1, 1, seg, &q));
	CHECK(isnan(q.silhouette) && q.silhouette_rows == 0 && isnan(seg[0]) && isnan(q.calinski_harabasz) && isnan(q.davies_bouldin));
	CHECK(quality_of(x, n, d, labels, k, -1, 1, seg, &q));
	CHECK(isnan(q.silhouette) && q.silhouette_rows == 0 && isnan(q.calinski_harabasz) && isnan(q.davies_bouldin));
	set_ctx("%s", "");
	tfree(x);
	tfree(labels);
}

/* Check the knee finder on curves with an obvious answer. */
static void
test_kneedle(void)
{
	double		xs[7] = {1, 2, 3, 4, 5, 6, 7};
	double		elbow[7] = {100, 70, 40, 10, 9, 8, 7};	/* corner at index 3 */
	double		sharp[6] = {100, 30, 20, 15, 12, 10};	/* corner at index 1 */
	double		line[5] = {50, 40, 30, 20, 10};
	double		concave[5] = {100, 99, 97, 60, 0};	/* above the chord */
	double		flat[4] = {3, 3, 3, 3};
	double		same_x[3] = {2, 2, 2};

	CHECK(cc_kneedle(xs, elbow, 7) == 3);
	CHECK(cc_kneedle(xs, sharp, 6) == 1);
	CHECK(cc_kneedle(xs, line, 5) == -1);
	CHECK(cc_kneedle(xs, concave, 5) == -1);
	CHECK(cc_kneedle(xs, flat, 4) == -1);
	CHECK(cc_kneedle(xs, elbow, 2) == -1);
	CHECK(cc_kneedle(same_x, elbow, 3) == -1);
	/* uneven x spacing counts: the same values over k = 2, 3, 4, 8, 16 */
	{
		double		ks[5] = {2, 3, 4, 8, 16};
		double		ys[5] = {100, 60, 45, 40, 38};

		/* xn = 0, 1/14, 2/14, 6/14, 1; yn = 1, 22/62, 7/62, 2/62, 0 */
		CHECK(cc_kneedle(ks, ys, 5) == 2);
	}
}

/*
 * Check the recommended k: the best silhouette among the knee and its
 * neighbours, else the knee, else the best silhouette, else the first.
 */
static void
test_recommend_k(void)
{
	double		ks[7] = {2, 3, 4, 5, 6, 7, 8};
	double		elbow[7] = {100, 70, 40, 10, 9, 8, 7};	/* knee at index 3 */
	double		line[5] = {50, 40, 30, 20, 10};	/* no knee */
	double		none[7] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN};
	double		sil_far[7] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.9};
	double		sil_left[7] = {0.9, 0.2, 0.5, 0.4, 0.3, 0.6, 0.1};
	double		sil_tie[7] = {0.1, 0.2, 0.5, 0.5, 0.5, 0.2, 0.1};
	double		sil_gap[7] = {0.1, 0.2, NAN, NAN, 0.3, 0.2, 0.1};
	double		sil_line[5] = {0.1, 0.4, 0.2, 0.4, 0.3};

	/* the knee's neighbourhood wins over a better silhouette further off */
	CHECK(cc_recommend_k(ks, elbow, sil_far, 7) == 4);
	CHECK(cc_recommend_k(ks, elbow, sil_left, 7) == 2);
	/* ties: the smaller k */
	CHECK(cc_recommend_k(ks, elbow, sil_tie, 7) == 2);
	/* unmeasured silhouettes are skipped */
	CHECK(cc_recommend_k(ks, elbow, sil_gap, 7) == 4);
	/* no silhouette at all: the knee */
	CHECK(cc_recommend_k(ks, elbow, none, 7) == 3);
	/* no knee: the best silhouette anywhere (the first of a tie) */
	CHECK(cc_recommend_k(ks, line, sil_line, 5) == 1);
	/* neither: the smallest k */
	CHECK(cc_recommend_k(ks, line, none, 5) == 0);
	CHECK(cc_recommend_k(ks, elbow, none, 1) == 0);
	CHECK(cc_recommend_k(ks, elbow, sil_far, 2) == 1);
}

/*
 * cc_quality_bytes, which the glue counts against ccseg.max_train_memory,
 * covers what cc_quality holds at once: exact and sampled
 * silhouettes, one and several threads, no silhouette.
 */
static void
test_quality_bytes(void)
{
	static const struct
	{
		size_t		n;
		int			d;
		int			k;
		int64_t		sample;
		int			threads;
	}			cases[] = {
		{300, 2, 3, -1, 1}, {300, 5, 7, 0, 1}, {2000, 3, 4, 500, 1},
		{2000, 3, 4, 500, 3}, {1500, 1, 20, -1, 2}, {400, 4, 2, 2, 1}
	};
	size_t		ci;

	for (ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++)
	{
		size_t		n = cases[ci].n;
		int			d = cases[ci].d;
		int			k = cases[ci].k;
		double	   *x = dalloc(n * d);
		int		   *labels = talloc(n, sizeof(int));
		double	   *segsil = dalloc(k);
		CcQualityParams qp = {0};
		CcQuality	q = {0};
		TrackCtx	tc;
		CcAllocator ta = tracking_allocator(&tc);
		size_t		i;

		set_ctx("quality bytes n=%zu d=%d k=%d sample=%lld threads=%d", n, d, k,
				(long long) cases[ci].sample, cases[ci].threads);
		make_data(DATA_NOISE, 7600 + ci, x, NULL, n, d, k);
		for (i = 0; i < n; i++)
			labels[i] = (int) (i % (size_t) k);
		qp.sample = cases[ci].sample;
		qp.seed = 1;
		qp.threads = cases[ci].threads;
		q.segment_silhouette = segsil;
		CHECK(cc_quality(x, n, d, labels, k, &qp, &q, &ta));
		CHECK(tc.live == 0);
		CHECK(tc.peak > 0.0 && tc.peak <= cc_quality_bytes(n, d, k, &qp));
		tfree(x);
		tfree(labels);
		tfree(segsil);
	}
	set_ctx("%s", "");
}

/* The tests of this file; the order numbers place them in a full run. */
/* A poll function that always asks to stop. */
static bool
halt_now(void *arg)
{
	(void) arg;
	return true;
}

/*
 * Calinski-Harabasz and Davies-Bouldin over blocks of CC_MOMENT_ROWS rows
 * shared between threads: the same bits with 1 to 3 threads, close to the
 * long double reference; a stop request ends cc_quality.
 */
static void
test_ch_db_blocks(void)
{
	size_t		n = 2 * CC_MOMENT_ROWS + 777;
	int			d = 3,
				k = 4,
				t;
	double	   *x = dalloc(n * d);
	int		   *labels = malloc(sizeof(int) * n);
	double		segsil[4];
	CcQuality	q1 = {0};
	TRand		r;
	size_t		i;

	tr_seed(&r, 31337);
	for (i = 0; i < n; i++)
	{
		labels[i] = (int) (tr_next(&r) % (uint64_t) k);
		x[i * d + 0] = tr_normal(&r) + 3.0 * labels[i];
		x[i * d + 1] = tr_normal(&r) * 100.0;
		x[i * d + 2] = tr_unif(&r) - 0.5 * labels[i];
	}
	set_ctx("ch db blocks");
	for (t = 1; t <= 3; t++)
	{
		CcQualityParams qp = {0};
		CcQuality	q = {0};

		qp.sample = 0;
		qp.threads = t;
		q.segment_silhouette = segsil;
		CHECK(cc_quality(x, n, d, labels, k, &qp, &q, A));
		if (t == 1)
			q1 = q;
		CHECK(memcmp(&q.calinski_harabasz, &q1.calinski_harabasz, sizeof(double)) == 0 &&
			  memcmp(&q.davies_bouldin, &q1.davies_bouldin, sizeof(double)) == 0);
	}
	CHECK(close_to(q1.calinski_harabasz, ref_calinski_harabasz(x, n, d, labels, k),
				   1e-12, 0));
	CHECK(close_to(q1.davies_bouldin, ref_davies_bouldin(x, n, d, labels, k),
				   1e-12, 0));
	{
		CcQualityParams qp = {0};
		CcQuality	q = {0};

		qp.sample = 0;
		qp.threads = 2;
		qp.poll = halt_now;
		q.segment_silhouette = segsil;
		CHECK(!cc_quality(x, n, d, labels, k, &qp, &q, A));
	}
	set_ctx("%s", "");
	tfree(x);
	free(labels);
}

static const UnitTest tests[] = {
	UNIT_TEST(silhouette, 420),
	UNIT_TEST(ch_db, 430),
	UNIT_TEST(ch_db_empty_cluster, 440),
	UNIT_TEST(ch_db_blocks, 445),
	UNIT_TEST(stratified_sample, 450),
	UNIT_TEST(quality, 460),
	UNIT_TEST(kneedle, 470),
	UNIT_TEST(recommend_k, 475),
	UNIT_TEST(quality_bytes, 700),
};

const UnitModule metrics_module = {"metrics", tests, lengthof(tests)};
