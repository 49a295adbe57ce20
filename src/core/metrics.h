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
 * Silhouette of the rows rows[0..m-1] of x (the first m rows when rows is NULL),
 * computed among those rows only, as scikit-learn's silhouette_samples on
 * the subset.  Labels are 0..k-1.  Per row i: a = mean distance to the other
 * rows of its cluster, b = smallest mean distance to the rows of another
 * cluster, s = (b - a) / max(a, b), and 0 for a cluster of one row.
 *
 * cluster_weight (may be NULL: all 1) weighs the rows of each cluster in the
 * overall mean, so that a stratified sample can stand for the whole data.  Writes the overall mean
 * to *score, and per cluster the mean s and the row count into cluster_mean
 * and cluster_rows (NaN mean for a cluster without rows).  Exact: every
 * distance is computed, in blocks, never an m x m matrix.
 */
extern void cc_silhouette(const double *x, int d, const int *labels,
						  int k, const size_t *rows, size_t m,
						  const double *cluster_weight, double *score,
						  double *cluster_mean, int64_t *cluster_rows,
						  const CcAllocator *alloc, CcCheckFn check, void *arg);

/*
 * cc_silhouette sharing the work among up to threads threads (see
 * parallel.h), the same result for any number; poll is asked about every
 * 10 ms whether to stop.  Returns false when stopped (outputs then void).
 */
extern bool cc_silhouette_threads(const double *x, int d, const int *labels,
								  int k, const size_t *rows, size_t m,
								  const double *cluster_weight, double *score,
								  double *cluster_mean, int64_t *cluster_rows,
								  const CcAllocator *alloc, CcCheckFn check,
								  void *arg, int threads, CcPollFn poll,
								  void *poll_arg);

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
 * All quality measures of a partition.  sample < 0: exact silhouette up to
 * CC_SILHOUETTE_EXACT_ROWS rows, else a stratified sample of that many;
 * sample = 0: no silhouette; sample > 0: exact when n <= sample, else a
 * stratified sample of sample rows.  Undefined measures (k = 1, or a
 * silhouette with fewer than two clusters present) are NaN, with
 * *silhouette_rows 0 when no silhouette was computed.
 */
extern void cc_quality(const double *x, size_t n, int d, const int *labels,
					   int k, int64_t sample, uint64_t seed, double *silhouette,
					   int64_t *silhouette_rows, double *segment_silhouette,
					   double *calinski_harabasz, double *davies_bouldin,
					   const CcAllocator *alloc, CcCheckFn check, void *arg);

/* cc_quality with the silhouette in threads; false when poll stopped it. */
extern bool cc_quality_threads(const double *x, size_t n, int d,
							   const int *labels, int k, int64_t sample,
							   uint64_t seed, double *silhouette,
							   int64_t *silhouette_rows,
							   double *segment_silhouette,
							   double *calinski_harabasz,
							   double *davies_bouldin,
							   const CcAllocator *alloc, CcCheckFn check,
							   void *arg, int threads, CcPollFn poll,
							   void *poll_arg);

/*
 * The most bytes cc_quality_threads holds at once for n rows of d features
 * in k clusters with the given sample and threads, beyond its arguments:
 * above all the silhouette's per-row sums (rows x k) and its copy of the
 * rows it measures.
 */
extern double cc_quality_bytes(size_t n, int d, int k, int64_t sample,
							   int threads);

/*
 * Knee of a decreasing curve y(x) by the Kneedle method (Satopaa et al.,
 * "Finding a 'kneedle' in a haystack", ICDCS workshops 2011): normalize both
 * axes to [0, 1], take the point farthest below the straight line between
 * the ends of the normalized convex decreasing curve.  Returns its index,
 * or -1 when there are fewer than 3 points or no point lies off the line.
 */
extern int	cc_kneedle(const double *xs, const double *ys, int count);

#endif							/* CC_METRICS_H */
