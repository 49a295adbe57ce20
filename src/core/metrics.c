/*
 * metrics.c
 *		Silhouette, Calinski-Harabasz and Davies-Bouldin indices, the
 *		Kneedle knee finder and the recommendation of k it leads to.
 */
#include <math.h>
#include <string.h>

#include "matrix.h"
#include "metrics.h"
#include "parallel.h"
#include "rng.h"

/* tile of the distance matrix summed at a time: rows x columns */
#define TILE_ROWS	32
#define TILE_COLS	512

/*
 * The distances between rows a0..a1-1 and b0..b1-1 (at most TILE_COLS) of
 * the transposed selection xt (feature f of position p at xt[f * m + p]),
 * summed as they come: row i's added to rowtot[i * stride], and,
 * when colsum is not NULL, each column's over the rows in order into
 * colsum (from zero).  Every distance sums over the features in feature
 * order; a row's distances go into four partial sums, distance j into sum
 * j % 4 up to the last multiple of four and the rest into the first, added
 * up as (s0 + s1) + (s2 + s3).  With GCC or clang, sixteen columns at a
 * time keep their sums in four vector registers over all the features and
 * take their roots there (each lane the same operations as the plain loop,
 * so the same bits); the last few columns go one at a time.
 */
CC_SIMD_CLONES static void
distance_sums(const double *xt, size_t m, int d, size_t a0, size_t a1,
			  size_t b0, size_t b1, double *rowtot, size_t stride,
			  double *colsum)
{
	size_t		w = b1 - b0;
	size_t		w4 = w / 4 * 4;
	size_t		i,
				j;
	int			f;

	if (colsum)
		for (j = 0; j < w; j++)
			colsum[j] = 0.0;
	for (i = a0; i < a1; i++)
	{
		double		s[4] = {0.0, 0.0, 0.0, 0.0};

		j = 0;
#if defined(__GNUC__)
		{
			CcV4d		rs = {0.0, 0.0, 0.0, 0.0};

			for (; j + 16 <= w; j += 16)
			{
				CcV4d		s0 = {0.0, 0.0, 0.0, 0.0},
							s1 = s0,
							s2 = s0,
							s3 = s0;
				int			l;

				for (f = 0; f < d; f++)
				{
					const double *col = xt + (size_t) f * m + b0 + j;
					const double xf = xt[(size_t) f * m + i];
					CcV4d		xv = {xf, xf, xf, xf},
								c0,
								c1,
								c2,
								c3;

					memcpy(&c0, col, sizeof(c0));
					memcpy(&c1, col + 4, sizeof(c1));
					memcpy(&c2, col + 8, sizeof(c2));
					memcpy(&c3, col + 12, sizeof(c3));
					c0 = xv - c0;
					c1 = xv - c1;
					c2 = xv - c2;
					c3 = xv - c3;
					s0 += c0 * c0;
					s1 += c1 * c1;
					s2 += c2 * c2;
					s3 += c3 * c3;
				}
				for (l = 0; l < 4; l++)
				{
					s0[l] = sqrt(s0[l]);
					s1[l] = sqrt(s1[l]);
					s2[l] = sqrt(s2[l]);
					s3[l] = sqrt(s3[l]);
				}
				rs += s0;
				rs += s1;
				rs += s2;
				rs += s3;
				if (colsum)
				{
					CcV4d		c;

					memcpy(&c, colsum + j, sizeof(c));
					c += s0;
					memcpy(colsum + j, &c, sizeof(c));
					memcpy(&c, colsum + j + 4, sizeof(c));
					c += s1;
					memcpy(colsum + j + 4, &c, sizeof(c));
					memcpy(&c, colsum + j + 8, sizeof(c));
					c += s2;
					memcpy(colsum + j + 8, &c, sizeof(c));
					memcpy(&c, colsum + j + 12, sizeof(c));
					c += s3;
					memcpy(colsum + j + 12, &c, sizeof(c));
				}
			}
			memcpy(s, &rs, sizeof(s));
		}
#endif
		for (; j < w; j++)
		{
			double		sum = 0.0;

			for (f = 0; f < d; f++)
			{
				double		t = xt[(size_t) f * m + i] - xt[(size_t) f * m + b0 + j];

				sum += t * t;
			}
			sum = sqrt(sum);
			s[j < w4 ? j % 4 : 0] += sum;
			if (colsum)
				colsum[j] += sum;
		}
		rowtot[i * stride] += (s[0] + s[1]) + (s[2] + s[3]);
	}
}

/* What the workers of one silhouette share. */
typedef struct SilShared
{
	const double *xt;			/* d x m, transposed selection */
	size_t		m;
	int			d;
	int			k;
	const size_t *start;		/* k + 1: positions of each cluster */
	double	   *tot;			/* m x k: sums of distances */
	int			npairs;
	int		   *pair_a;			/* cluster pairs (a <= b), dearest first */
	int		   *pair_b;
	int			next;			/* next pair to take (atomic) */
	double	   *colsums;		/* per worker: TILE_COLS */
	volatile int *stop;			/* threaded: set to stop */
	CcCheckFn	check;			/* not threaded: may not return */
	void	   *arg;
	bool		stopped;
} SilShared;

/*
 * The block of distances between clusters ca and cb, tile by tile: row sums
 * go to each ca row's total for cb, column sums to each cb row's total for
 * ca.  Every tot entry belongs to exactly one pair, so workers on different
 * pairs never write the same entry, and each sum runs in a fixed order.
 */
static bool
sil_pair(SilShared *sh, int ca, int cb, double *colsum)
{
	size_t		a0,
				b0;
	int			k = sh->k;

	for (a0 = sh->start[ca]; a0 < sh->start[ca + 1]; a0 += TILE_ROWS)
	{
		size_t		a1 = a0 + TILE_ROWS < sh->start[ca + 1] ? a0 + TILE_ROWS : sh->start[ca + 1];

		if (sh->stop ? cc_stop_requested(sh->stop) : false)
			return false;
		if (sh->check)
			sh->check(sh->arg);
		for (b0 = sh->start[cb]; b0 < sh->start[cb + 1]; b0 += TILE_COLS)
		{
			size_t		b1 = b0 + TILE_COLS < sh->start[cb + 1] ? b0 + TILE_COLS : sh->start[cb + 1];
			size_t		w = b1 - b0;
			size_t		j;

			distance_sums(sh->xt, sh->m, sh->d, a0, a1, b0, b1, sh->tot + cb,
						  (size_t) k, cb != ca ? colsum : NULL);
			if (cb != ca)
				for (j = 0; j < w; j++)
					sh->tot[(b0 + j) * k + ca] += colsum[j];
		}
	}
	return true;
}

/* Worker task: take cluster pairs until none is left. */
static void
sil_task(void *arg, int t)
{
	SilShared  *sh = arg;
	double	   *colsum = sh->colsums + (size_t) t * TILE_COLS;

	for (;;)
	{
		int			p = __atomic_fetch_add(&sh->next, 1, __ATOMIC_RELAXED);

		if (p >= sh->npairs)
			return;
		if (!sil_pair(sh, sh->pair_a[p], sh->pair_b[p], colsum))
			return;
	}
}

/*
 * Exact silhouette by tiles of the distance matrix; see metrics.h.
 *
 * The selected rows are grouped by cluster.  For every pair of clusters
 * (A, B) with A <= B the A x B block of distances is computed once, tile by
 * tile, its row sums added to each A row's total distance to cluster B and
 * its column sums to each B row's total distance to cluster A.  That visits
 * each pair once (diagonal blocks twice) and never holds the distances themselves.
 * Pairs are shared out among threads; the result does not depend on which
 * thread took which pair.
 */
bool
cc_silhouette(const double *x, int d, const int *labels, int k,
			  const size_t *rows, size_t m, const double *cluster_weight,
			  const CcQualityParams *qp, CcQuality *q, const CcAllocator *alloc)
{
	size_t	   *start = cc_alloc_array(alloc, (size_t) k + 1, sizeof(size_t));
	size_t	   *fill = cc_alloc_array(alloc, k, sizeof(size_t));
	size_t	   *order = cc_alloc_array(alloc, m, sizeof(size_t));
	double	   *xt = cc_alloc_array(alloc, m * (size_t) d, sizeof(double));
	double	   *tot = cc_alloc_array(alloc, m * (size_t) k, sizeof(double));
	double	   *ssum = cc_alloc_array(alloc, k, sizeof(double));
	int			npairs = k * (k + 1) / 2;
	SilShared	sh;
	volatile int stop = 0;
	double		wsum = 0.0,
				wtot = 0.0;
	size_t		i;
	int			c,
				ca,
				cb,
				t,
				threads = qp->threads,
				in_threads = 0;

	if (threads < 1)
		threads = 1;
	if (threads > npairs)
		threads = npairs;

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
	for (i = 0; i < m; i++)
	{
		int			f;

		for (f = 0; f < d; f++)
			xt[(size_t) f * m + i] = x[order[i] * d + f];
	}
	memset(tot, 0, sizeof(double) * m * k);
	memset(ssum, 0, sizeof(double) * k);

	/* the cluster pairs, dearest first so that threads finish together */
	memset(&sh, 0, sizeof(sh));
	sh.xt = xt;
	sh.m = m;
	sh.d = d;
	sh.k = k;
	sh.start = start;
	sh.tot = tot;
	sh.npairs = npairs;
	sh.pair_a = cc_alloc_array(alloc, npairs, sizeof(int));
	sh.pair_b = cc_alloc_array(alloc, npairs, sizeof(int));
	t = 0;
	for (ca = 0; ca < k; ca++)
		for (cb = ca; cb < k; cb++)
		{
			double		cost = (double) (start[ca + 1] - start[ca]) *
				(double) (start[cb + 1] - start[cb]);
			int			j = t++;

			while (j > 0 &&
				   (double) (start[sh.pair_a[j - 1] + 1] - start[sh.pair_a[j - 1]]) *
				   (double) (start[sh.pair_b[j - 1] + 1] - start[sh.pair_b[j - 1]]) < cost)
			{
				sh.pair_a[j] = sh.pair_a[j - 1];
				sh.pair_b[j] = sh.pair_b[j - 1];
				j--;
			}
			sh.pair_a[j] = ca;
			sh.pair_b[j] = cb;
		}
	sh.colsums = cc_alloc_array(alloc, (size_t) threads * TILE_COLS, sizeof(double));
	if (threads > 1)
	{
		sh.stop = &stop;
		in_threads = cc_run_workers(sil_task, &sh, threads, qp->poll,
									qp->poll_arg, &stop);
		sh.stop = NULL;
	}
	sh.check = qp->check;
	sh.arg = qp->check_arg;
	if (!stop && in_threads < threads)
		sil_task(&sh, in_threads);	/* whatever is left, here */

	if (!stop)
	{
		for (i = 0; i < m; i++)
		{
			size_t		r = order[i];
			int			own = labels[r];
			size_t		own_n = start[own + 1] - start[own];
			double		s = 0.0;
			double		w = cluster_weight ? cluster_weight[own] : 1.0;

			if (own_n > 1)
			{
				double		a = tot[i * k + own] / (double) (own_n - 1);
				double		b = INFINITY;

				for (c = 0; c < k; c++)
				{
					size_t		cn = start[c + 1] - start[c];

					if (c != own && cn > 0 && tot[i * k + c] / (double) cn < b)
						b = tot[i * k + c] / (double) cn;
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

			if (q->segment_rows)
				q->segment_rows[c] = (int64_t) cn;
			q->segment_silhouette[c] = cn > 0 ? ssum[c] / (double) cn : NAN;
		}
		q->silhouette = wtot > 0.0 ? wsum / wtot : NAN;
		q->silhouette_rows = (int64_t) m;
	}

	cc_release(alloc, start);
	cc_release(alloc, fill);
	cc_release(alloc, order);
	cc_release(alloc, xt);
	cc_release(alloc, tot);
	cc_release(alloc, ssum);
	cc_release(alloc, sh.pair_a);
	cc_release(alloc, sh.pair_b);
	cc_release(alloc, sh.colsums);
	return !stop;
}

/* Bytes cc_quality holds at once; see metrics.h. */
double
cc_quality_bytes(size_t n, int d, int k, const CcQualityParams *qp)
{
	int64_t		sample = qp->sample;
	int			threads = qp->threads;
	size_t		limit = sample < 0 ? CC_SILHOUETTE_EXACT_ROWS : (size_t) sample;
	double		m = (double) n;
	double		blocks = n > 0 ? ceil(m / CC_MOMENT_ROWS) : 1.0;
	/* counts, CH and DB means, and their blocks' sums */
	double		bytes = 8.0 * k * (d + 4.0) + 8.0 * blocks * (k * (d + 1.0) + 2.0);

	if (sample == 0 || k < 2)
		return bytes;
	if (n > limit)
	{
		/* the sample's row numbers and weights; the stratified sampling */
		m = (double) limit + (double) k * CC_SAMPLE_FLOOR;
		bytes += 8.0 * m + 8.0 * k + 8.0 * n + 16.0 * (k + 1);
	}
	if (threads < 1)
		threads = 1;
	/* order, rows transposed, per-row sums; cluster pairs; column sums */
	bytes += m * (8.0 + 8.0 * d + 8.0 * k) + 4.0 * k * (k + 1.0) +
		8.0 * threads * TILE_COLS + 24.0 * (k + 1);
	return bytes;
}

/* Stratified sample of rows by cluster; see metrics.h. */
size_t
cc_stratified_sample(const int *labels, size_t n, int k, size_t size,
					 uint64_t seed, size_t *rows, double *cluster_weight,
					 const CcAllocator *alloc)
{
	size_t	   *start = cc_alloc_array(alloc, (size_t) k + 1, sizeof(size_t));
	size_t	   *fill = cc_alloc_array(alloc, k, sizeof(size_t));
	size_t	   *byc = cc_alloc_array(alloc, n, sizeof(size_t));
	size_t		m = 0;
	size_t		i;
	int			c;

	memset(start, 0, sizeof(size_t) * (k + 1));
	for (i = 0; i < n; i++)
		start[labels[i] + 1]++;
	for (c = 0; c < k; c++)
		start[c + 1] += start[c];
	memcpy(fill, start, sizeof(size_t) * k);
	for (i = 0; i < n; i++)
		byc[fill[labels[i]]++] = i;

	for (c = 0; c < k; c++)
	{
		size_t		nc = start[c + 1] - start[c];
		size_t		want = (size_t) ((double) size * (double) nc / (double) n + 0.5);
		size_t	   *pool = byc + start[c];
		CcRng		rng;
		size_t		t;

		if (want < CC_SAMPLE_FLOOR)
			want = CC_SAMPLE_FLOOR;
		if (want > nc)
			want = nc;
		/* partial Fisher-Yates: the first want entries become the sample */
		cc_rng_seed(&rng, seed, (uint64_t) c + 1);
		for (t = 0; t < want; t++)
		{
			size_t		j = t + (size_t) cc_rng_below(&rng, nc - t);
			size_t		tmp = pool[t];

			pool[t] = pool[j];
			pool[j] = tmp;
			rows[m++] = pool[t];
		}
		cluster_weight[c] = want > 0 ? (double) nc / (double) want : 0.0;
	}
	cc_release(alloc, start);
	cc_release(alloc, fill);
	cc_release(alloc, byc);
	return m;
}

/*
 * Calinski-Harabasz from the cluster means and sizes, the mean of every row
 * (all) and the sum of the rows' squared distances to their cluster's mean
 * (intra).
 */
static double
ch_from_parts(const double *means, const int64_t *sizes, int k, int d,
			  size_t n, const double *all, double intra)
{
	CcSum		extra = {0, 0};
	int			present = 0;
	int			c;

	for (c = 0; c < k; c++)
		if (sizes[c] > 0)
			present++;
	for (c = 0; c < k; c++)
		if (sizes[c] > 0)
			cc_sum_add(&extra, (double) sizes[c] *
					   cc_sqdist(means + (size_t) c * d, all, d));
	if (intra == 0.0)
		return 1.0;
	return cc_sum_value(&extra) * (double) (n - present) /
		(intra * (double) (present - 1));
}

/*
 * Davies-Bouldin from the cluster means and sizes and the sum over each
 * cluster of its rows' distances to its mean (spread, divided here).
 */
static double
db_from_parts(const double *means, const int64_t *sizes, double *spread,
			  int k, int d)
{
	bool		spread_zero = true,
				gaps_zero = true;
	double		total = 0.0;
	int			present = 0;
	int			c,
				c2;

	/* only clusters with rows count, as scikit-learn sees only labels present */
	for (c = 0; c < k; c++)
	{
		if (sizes[c] == 0)
			continue;
		present++;
		spread[c] /= (double) sizes[c];
		if (fabs(spread[c]) > 1e-8)
			spread_zero = false;
		for (c2 = 0; c2 < k; c2++)
			if (c2 != c && sizes[c2] > 0 &&
				sqrt(cc_sqdist(means + (size_t) c * d,
							   means + (size_t) c2 * d, d)) > 1e-8)
				gaps_zero = false;
	}
	if (spread_zero || gaps_zero)
		return 0.0;
	for (c = 0; c < k; c++)
	{
		double		worst = 0.0;

		if (sizes[c] == 0)
			continue;
		for (c2 = 0; c2 < k; c2++)
		{
			double		gap;

			if (c2 == c || sizes[c2] == 0)
				continue;
			gap = sqrt(cc_sqdist(means + (size_t) c * d, means + (size_t) c2 * d, d));
			if (gap > 0.0 && (spread[c] + spread[c2]) / gap > worst)
				worst = (spread[c] + spread[c2]) / gap;
		}
		total += worst;
	}
	return total / (double) present;
}

/* The mean of every row of x, column by column. */
static void
overall_mean(const double *x, size_t n, int d, double *all)
{
	int			f;

	for (f = 0; f < d; f += CC_COLUMN_BLOCK)
	{
		int			w = (d - f < CC_COLUMN_BLOCK) ? d - f : CC_COLUMN_BLOCK;
		double		var[CC_COLUMN_BLOCK];

		cc_columns_mean_var(x, n, d, f, w, all + f, var);
	}
}

/*
 * The walks of ch_db over the rows go in blocks of CC_MOMENT_ROWS rows
 * (matrix.h), shared between threads: each block's sums are plain (or
 * compensated) in row order, and the blocks' sums are added in block order,
 * so that the indices do not depend on the number of threads, and up to
 * CC_MOMENT_ROWS rows are the sums in row order.  A part is a block; it
 * writes its sums to its slot of sums.
 */
typedef struct ChDbBlocks
{
	const double *x;
	size_t		n;
	int			d;
	const int  *labels;
	int			k;
	const double *means;		/* NULL: the first walk */
	double	   *sums;			/* per block: k x d sums and k sizes (first
								 * walk), or intra, its compensation and k
								 * spreads (second) */
	size_t		slot;			/* doubles per block */
} ChDbBlocks;

CC_SIMD_CLONES static void
ch_db_block(void *arg, int part)
{
	const ChDbBlocks *cb = arg;
	size_t		b0 = (size_t) part * CC_MOMENT_ROWS;
	size_t		b1 = (cb->n - b0 < CC_MOMENT_ROWS) ? cb->n : b0 + CC_MOMENT_ROWS;
	double	   *out = cb->sums + (size_t) part * cb->slot;
	int			d = cb->d;
	size_t		i;
	int			f;

	memset(out, 0, sizeof(double) * cb->slot);
	if (cb->means == NULL)
	{
		/* each cluster's sums and size */
		for (i = b0; i < b1; i++)
		{
			double	   *acc = out + (size_t) cb->labels[i] * d;

			for (f = 0; f < d; f++)
				acc[f] += cb->x[i * d + f];
			out[(size_t) cb->k * d + cb->labels[i]] += 1.0;
		}
	}
	else
	{
		/* the squared distances to the cluster means, and their roots */
		CcSum		intra = {0, 0};

		for (i = b0; i < b1; i++)
		{
			double		dd = cc_sqdist(cb->x + i * d,
									   cb->means + (size_t) cb->labels[i] * d, d);

			cc_sum_add(&intra, dd);
			out[2 + cb->labels[i]] += sqrt(dd);
		}
		out[0] = intra.sum;
		out[1] = intra.comp;
	}
}

/* Run one walk of ch_db over its blocks; false when poll asked to stop. */
static bool
ch_db_walk(ChDbBlocks *cb, size_t blocks, int threads, CcPollFn poll,
		   void *poll_arg)
{
	size_t		b;

	if (threads > 1 && blocks > 1)
		return cc_run_parts(ch_db_block, cb, (int) blocks, threads, poll, poll_arg);
	for (b = 0; b < blocks; b++)
		ch_db_block(cb, (int) b);
	return true;
}

/*
 * Both indices in two walks over the rows: the cluster means (plain sums in
 * row order), then each row's squared distance to its cluster's mean, which
 * feeds Calinski-Harabasz's within-cluster sum (compensated) and, as a
 * distance, Davies-Bouldin's spread.  all is the mean of every row, or NULL
 * to compute it.  false when poll asked to stop.
 */
static bool
ch_db(const double *x, size_t n, int d, const int *labels, int k,
	  const double *all, double *ch, double *db, int threads, CcPollFn poll,
	  void *poll_arg, const CcAllocator *alloc)
{
	size_t		blocks = (n + CC_MOMENT_ROWS - 1) / CC_MOMENT_ROWS;
	size_t		cells = (size_t) k * d;
	double	   *means = cc_alloc_array(alloc, cells, sizeof(double));
	int64_t    *sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	double	   *spread = cc_alloc_array(alloc, k, sizeof(double));
	double	   *own = NULL;
	CcSum		intra = {0, 0};
	ChDbBlocks	cb;
	bool		done = false;
	size_t		b,
				j;
	int			c;

	cb.x = x;
	cb.n = n;
	cb.d = d;
	cb.labels = labels;
	cb.k = k;
	cb.means = NULL;
	cb.slot = cells + k;
	/* room for the slots of either walk */
	cb.sums = cc_alloc_array(alloc, (blocks > 0 ? blocks : 1) *
							 (cb.slot > 2 + (size_t) k ? cb.slot : 2 + (size_t) k),
							 sizeof(double));
	if (!ch_db_walk(&cb, blocks, threads, poll, poll_arg))
		goto out;
	memset(means, 0, sizeof(double) * cells);
	memset(spread, 0, sizeof(double) * k);
	for (b = 0; b < blocks; b++)
		for (j = 0; j < cb.slot; j++)
		{
			double		v = cb.sums[b * cb.slot + j];

			if (j < cells)
				means[j] += v;
			else
				spread[j - cells] += v; /* the sizes, for now */
		}
	for (c = 0; c < k; c++)
	{
		sizes[c] = (int64_t) spread[c];
		if (sizes[c] > 0)
			for (j = 0; j < (size_t) d; j++)
				means[(size_t) c * d + j] /= (double) sizes[c];
	}

	cb.means = means;
	cb.slot = 2 + (size_t) k;
	if (!ch_db_walk(&cb, blocks, threads, poll, poll_arg))
		goto out;
	memset(spread, 0, sizeof(double) * k);
	for (b = 0; b < blocks; b++)
	{
		const double *bs = cb.sums + b * cb.slot;

		if (blocks == 1)
		{
			intra.sum = bs[0];
			intra.comp = bs[1];
		}
		else
			cc_sum_add(&intra, bs[0] + bs[1]);
		for (c = 0; c < k; c++)
			spread[c] += bs[2 + c];
	}
	if (all == NULL)
	{
		own = cc_alloc_array(alloc, d, sizeof(double));
		overall_mean(x, n, d, own);
		all = own;
	}
	if (ch)
		*ch = ch_from_parts(means, sizes, k, d, n, all, cc_sum_value(&intra));
	if (db)
		*db = db_from_parts(means, sizes, spread, k, d);
	done = true;
out:
	cc_release(alloc, cb.sums);
	cc_release(alloc, means);
	cc_release(alloc, sizes);
	cc_release(alloc, spread);
	if (own)
		cc_release(alloc, own);
	return done;
}

/* Calinski-Harabasz index of a labelled matrix. */
double
cc_calinski_harabasz(const double *x, size_t n, int d, const int *labels,
					 int k, const CcAllocator *alloc)
{
	double		ch;

	(void) ch_db(x, n, d, labels, k, NULL, &ch, NULL, 1, NULL, NULL, alloc);
	return ch;
}

/* Davies-Bouldin index of a labelled matrix. */
double
cc_davies_bouldin(const double *x, size_t n, int d, const int *labels, int k,
				  const CcAllocator *alloc)
{
	double		db;

	(void) ch_db(x, n, d, labels, k, NULL, NULL, &db, 1, NULL, NULL, alloc);
	return db;
}

/* Silhouette, Calinski-Harabasz and Davies-Bouldin of a partition; see metrics.h. */
bool
cc_quality(const double *x, size_t n, int d, const int *labels, int k,
		   const CcQualityParams *qp, CcQuality *q, const CcAllocator *alloc)
{
	bool		done = true;
	int64_t    *counts = cc_alloc_array(alloc, k, sizeof(int64_t));
	int			present = 0;
	size_t		i;
	int			c;

	q->silhouette = NAN;
	q->silhouette_rows = 0;
	q->calinski_harabasz = NAN;
	q->davies_bouldin = NAN;
	for (c = 0; c < k; c++)
	{
		q->segment_silhouette[c] = NAN;
		if (q->segment_rows)
			q->segment_rows[c] = 0;
		counts[c] = 0;
	}
	for (i = 0; i < n; i++)
		counts[labels[i]]++;
	for (c = 0; c < k; c++)
		if (counts[c] > 0)
			present++;

	if (present >= 2)
	{
		int64_t		sample = qp->sample;
		size_t		limit = sample < 0 ? CC_SILHOUETTE_EXACT_ROWS : (size_t) sample;

		if (!ch_db(x, n, d, labels, k, qp->mean, &q->calinski_harabasz,
				   &q->davies_bouldin, qp->threads, qp->poll, qp->poll_arg,
				   alloc))
		{
			cc_release(alloc, counts);
			return false;
		}
		if (sample != 0 && n <= limit)
			done = cc_silhouette(x, d, labels, k, NULL, n, NULL, qp, q, alloc);
		else if (sample != 0)
		{
			size_t	   *rows = cc_alloc_array(alloc, limit + (size_t) k * CC_SAMPLE_FLOOR,
											  sizeof(size_t));
			double	   *weight = cc_alloc_array(alloc, k, sizeof(double));
			size_t		m = cc_stratified_sample(labels, n, k, limit, qp->seed,
												 rows, weight, alloc);

			done = cc_silhouette(x, d, labels, k, rows, m, weight, qp, q, alloc);
			cc_release(alloc, rows);
			cc_release(alloc, weight);
		}
	}
	cc_release(alloc, counts);
	return done;
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

/* Index of the recommended k of an elbow curve; see metrics.h. */
int
cc_recommend_k(const double *ks, const double *inertia,
			   const double *silhouette, int count)
{
	int			knee = cc_kneedle(ks, inertia, count);
	int			best = -1;
	int			lo = 0,
				hi = count - 1;
	int			i;

	if (knee >= 0)
	{
		lo = knee > 0 ? knee - 1 : 0;
		hi = knee + 1 < count ? knee + 1 : count - 1;
	}
	for (i = lo; i <= hi; i++)
		if (!isnan(silhouette[i]) &&
			(best < 0 || silhouette[i] > silhouette[best]))
			best = i;
	if (best < 0)
		best = knee >= 0 ? knee : 0;
	return best;
}
