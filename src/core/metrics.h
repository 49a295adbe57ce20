/*
 * metrics.h
 *		Quality of a partition: silhouette, Calinski-Harabasz, Davies-Bouldin,
 *		with scikit-learn 1.2's definitions.
 */
#ifndef CC_METRICS_H
#define CC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "cc_common.h"
#include "parallel.h"

/*
 * How cc_quality and cc_silhouette work: the silhouette's sample, and the
 * threads and callbacks of the computation.
 */
typedef struct CcQualityParams
{
	const double *mean;			/* the mean of every row, d values, or NULL:
								 * computed when needed */
	int64_t		sample;			/* the silhouette's rows (cc_quality): < 0
								 * exact up to CC_SILHOUETTE_EXACT_ROWS rows,
								 * else a stratified sample of that many; 0
								 * none; > 0 exact up to that many rows, else
								 * a stratified sample of that many */
	uint64_t	seed;			/* of the stratified sample */
	int			threads;		/* the silhouette shares its work among up to
								 * this many threads (see parallel.h); below 1
								 * counts as 1 */
	CcCheckFn	check;			/* called from the calling thread only; may
								 * be NULL */
	void	   *check_arg;
	CcPollFn	poll;			/* while threads run, asked about every 10 ms
								 * whether to stop; may be NULL */
	void	   *poll_arg;
} CcQualityParams;

/*
 * The quality measures of a partition into k clusters.  The caller
 * provides segment_silhouette (k entries) and, if it wants them,
 * segment_rows (k entries, or NULL).  Undefined measures are NaN.
 */
typedef struct CcQuality
{
	double		silhouette;		/* the (weighted) mean silhouette */
	int64_t		silhouette_rows;	/* rows it was computed on; 0 when none */
	double	   *segment_silhouette; /* k: per cluster, NaN without rows */
	int64_t    *segment_rows;	/* k or NULL: rows of each cluster that the
								 * silhouette measured (0 without one) */
	double		calinski_harabasz;
	double		davies_bouldin;
} CcQuality;

/*
 * Silhouette of the rows rows[0..m-1] of x (the first m rows when rows is NULL),
 * computed among those rows only, as scikit-learn's silhouette_samples on
 * the subset.  Labels are 0..k-1.  Per row i: a = mean distance to the other
 * rows of its cluster, b = smallest mean distance to the rows of another
 * cluster, s = (b - a) / max(a, b), and 0 for a cluster of one row.
 *
 * cluster_weight (may be NULL: all 1) weighs the rows of each cluster in the
 * overall mean, so that a stratified sample can stand for the whole data.
 * Writes the overall mean to q->silhouette, m to q->silhouette_rows, and
 * per cluster the mean s and the row count into q->segment_silhouette and
 * q->segment_rows (NaN mean for a cluster without rows); the other fields
 * of q are left alone.  Exact: every distance is computed, in blocks, never
 * an m x m matrix.  The work is shared among up to qp->threads threads
 * with the same result for any number (qp->sample and qp->seed are not
 * used).  Returns false when qp->poll stopped it (the outputs are then
 * void).
 */
extern bool cc_silhouette(const double *x, int d, const int *labels, int k,
						  const size_t *rows, size_t m,
						  const double *cluster_weight,
						  const CcQualityParams *qp, CcQuality *q,
						  const CcAllocator *alloc);

/*
 * Stratified sample for the silhouette of large data: from each cluster a
 * share of about size rows proportional to its size, but at least
 * min(its size, CC_SAMPLE_FLOOR) rows, drawn uniformly with the seed.
 * Writes the row numbers (grouped by cluster) to rows, which must hold
 * size + k * CC_SAMPLE_FLOOR entries, and to cluster_weight the number of
 * rows each sampled row stands for.  Returns the sample size.
 */
#define CC_SAMPLE_FLOOR 100
extern size_t cc_stratified_sample(const int *labels, size_t n, int k,
								   size_t size, uint64_t seed, size_t *rows,
								   double *cluster_weight,
								   const CcAllocator *alloc);

/*
 * Calinski-Harabasz index: between-cluster dispersion over within-cluster
 * dispersion, times (n - k) / (k - 1).  1 when all clusters are points.
 * Needs k >= 2.
 */
extern double cc_calinski_harabasz(const double *x, size_t n, int d,
								   const int *labels, int k,
								   const CcAllocator *alloc);

/*
 * Davies-Bouldin index: mean over clusters of the largest (s_i + s_j) / d_ij,
 * s the mean distance of a cluster's rows to its mean, d the distance
 * between cluster means.  Needs k >= 2.
 */
extern double cc_davies_bouldin(const double *x, size_t n, int d,
								const int *labels, int k,
								const CcAllocator *alloc);

/* exact silhouette up to this many rows; a stratified sample of it above */
#define CC_SILHOUETTE_EXACT_ROWS 10000

/*
 * All quality measures of a partition, into q (see CcQuality), with the
 * silhouette's rows chosen by qp->sample.  Undefined measures (k = 1, or
 * fewer than two clusters present) are NaN, with q->silhouette_rows 0 when
 * no silhouette was computed.  Returns false when qp->poll stopped the
 * silhouette (the outputs are then void).
 */
extern bool cc_quality(const double *x, size_t n, int d, const int *labels,
					   int k, const CcQualityParams *qp, CcQuality *q,
					   const CcAllocator *alloc);

/*
 * The most bytes cc_quality holds at once for n rows of d features in k
 * clusters with qp's sample and threads, beyond its arguments: above all
 * the silhouette's per-row sums (rows x k) and its copy of the rows it
 * measures.
 */
extern double cc_quality_bytes(size_t n, int d, int k,
							   const CcQualityParams *qp);

/*
 * Knee of a decreasing curve y(x) by the Kneedle method (Satopaa et al.,
 * "Finding a 'kneedle' in a haystack", ICDCS workshops 2011): normalize both
 * axes to [0, 1], take the point farthest below the straight line between
 * the ends of the normalized convex decreasing curve.  Returns its index,
 * or -1 when there are fewer than 3 points or no point lies off the line.
 */
extern int	cc_kneedle(const double *xs, const double *ys, int count);

/*
 * The recommended k of an elbow curve: ks[i] clusters gave inertia[i] and
 * silhouette[i] (NaN when not measured), for count > 0 increasing values of
 * k.  Finds the knee of the inertia curve (cc_kneedle), then takes
 * whichever of knee - 1, knee and knee + 1 has the best silhouette (the
 * first on ties).  Without a knee (fewer than three k, or a straight
 * curve), the k with the best silhouette; without silhouettes, the knee,
 * else the smallest k.  Returns the index into ks.
 */
extern int	cc_recommend_k(const double *ks, const double *inertia,
						   const double *silhouette, int count);

#endif							/* CC_METRICS_H */
