/*
 * kmeans.h
 *		k-means clustering: greedy k-means++ seeding, Lloyd iterations
 *		accelerated with Hamerly's or Elkan's bounds, restarts keeping the
 *		best inertia.
 */
#ifndef CC_KMEANS_H
#define CC_KMEANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "cc_common.h"
#include "parallel.h"

typedef enum CcInit
{
	CC_INIT_KMEANSPP = 0,		/* greedy k-means++ */
	CC_INIT_RANDOM = 1,			/* k distinct rows drawn uniformly */
	CC_INIT_GIVEN = 2			/* centroids supplied by the caller */
} CcInit;

typedef enum CcAlgorithm
{
	CC_ALGO_AUTO = 0,			/* Elkan when its n x k bounds are no larger
								 * than the data, else Hamerly */
	CC_ALGO_LLOYD = 1,			/* plain Lloyd, every distance every time */
	CC_ALGO_HAMERLY = 2,		/* one lower bound per row */
	CC_ALGO_ELKAN = 3			/* one lower bound per row and centroid */
} CcAlgorithm;

/*
 * Elkan's bounds of a row hold for one of up to CC_KMEANS_HISTORY_SLOTS
 * snapshots of the centroids (a row's stamp is a byte), kept in at most
 * CC_KMEANS_HISTORY_BYTES per restart in progress (kmeans.c).
 */
#define CC_KMEANS_HISTORY_SLOTS	32
#define CC_KMEANS_HISTORY_BYTES	((size_t) 256 << 10)

/* Report of one finished restart, for verbose output. */
typedef void (*CcRunReportFn) (void *arg, int run, int iterations,
							   double inertia, bool converged);

/*
 * What greedy k-means++ chose in each restart, kept from one cc_kmeans call
 * to the next with the same data and seed (the elbow: k after k).  A
 * restart draws from a generator that depends only on the seed and its
 * number, so for two values of k with the same number of candidates per
 * step (2 + floor(ln k): k = 3..7 draw 3, k = 8..20 draw 4) it picks the
 * same first centroids: a larger k continues where a smaller one stopped,
 * and a smaller one takes the first of them.  The results are the same, bit
 * for bit, as without the cache; only k-means++ runs faster.
 */
typedef struct CcSeedCache CcSeedCache;

/* A cache for up to "runs" restarts of up to k_max centroids; NULL on overflow. */
extern CcSeedCache *cc_seed_cache_create(int runs, int k_max,
										 const CcAllocator *alloc);
extern void cc_seed_cache_free(CcSeedCache *cache, const CcAllocator *alloc);
/* How many centroids the cache keeps for restart "run" (for tests). */
extern int	cc_seed_cache_kept(const CcSeedCache *cache, int run);

typedef struct CcKmeansParams
{
	int			k;
	int			n_init;			/* restarts; 1 when init is CC_INIT_GIVEN */
	int			max_iter;
	double		tol;			/* absolute: on the sum of squared centroid moves */
	uint64_t	seed;
	CcInit		init;
	CcAlgorithm algorithm;
	const double *init_centroids;	/* k x d, for CC_INIT_GIVEN */
	int			threads;		/* restarts run in up to this many threads */
	CcCheckFn	check;			/* called from the calling thread only; may
								 * not return (longjmp); may be NULL */
	CcPollFn	stop;			/* while threads run, polled by the calling
								 * thread about every 10 ms; may be NULL */
	CcRunReportFn report;		/* called after the runs, in run order; may
								 * be NULL */
	CcSeedCache *seeds;			/* k-means++ choices kept across calls, for
								 * CC_INIT_KMEANSPP; may be NULL */
	size_t		restart_rows;	/* with more rows than this and n_init > 1,
								 * the restarts run on a sample of this many
								 * and the best one goes on over every row;
								 * 0: every restart on every row */
	void	   *cb_arg;
} CcKmeansParams;

typedef struct CcKmeansResult
{
	double	   *centroids;		/* k x d */
	int		   *labels;			/* n, 0-based */
	int64_t    *sizes;			/* k */
	double	   *sse;			/* k: sum of squared distances per cluster */
	double		inertia;
	int			iterations;		/* of the best run */
	int			best_run;		/* 0-based */
	bool		converged;		/* best run stopped before max_iter */
	bool		stopped;		/* p->stop asked to stop: the result is void */
} CcKmeansResult;

/*
 * Scikit-learn's relative tolerance turned absolute: tol times the mean
 * variance of the columns.
 */
extern double cc_kmeans_tolerance(const double *x, size_t n, int d, double tol);
/*
 * The same from the population variances of the columns of the n rows (as
 * cc_columns_mean_var gives them), with the same bits.
 */
extern double cc_kmeans_tolerance_var(const double *var, size_t n, int d,
									  double tol);

/*
 * Cluster x (n rows, d columns, no missing values) into p->k clusters.
 * 1 <= k <= n is the caller's to check.  Result arrays are allocated with
 * alloc.  Deterministic for a given seed, whatever the number of threads:
 * each restart depends only on its number, and the best is the one of
 * lowest inertia, the earliest on ties.  With threads > 1 (and POSIX
 * threads), restarts run in worker threads that allocate nothing, call no
 * callback and receive no signals; the calling thread waits, polling
 * p->stop.  With a single restart (n_init = 1, or init given) and at least
 * 131072 rows, the rows of that restart are split between the threads
 * instead, step by step, with the same result.
 */
/*
 * Whether cc_kmeans runs the n_init restarts of p on a sample of
 * p->restart_rows of the n rows, the best of them then on every row.
 */
extern bool cc_kmeans_restarts_sampled(const CcKmeansParams *p, size_t n);

extern void cc_kmeans(const double *x, size_t n, int d,
					  const CcKmeansParams *p, CcKmeansResult *res,
					  const CcAllocator *alloc);

/*
 * One streaming Lloyd step over a batch of rows (n x d, scaled): add each
 * row to the sums, count and squared error of its nearest centroid (lowest
 * index on ties); labels gets the nearest when not NULL.
 */
extern void cc_kmeans_accumulate(const double *x, size_t n, int d,
								 const double *centroids, int k, double *sums,
								 int64_t *counts, double *sse, int *labels);

/*
 * Lloyd's update after a pass of cc_kmeans_accumulate: each centroid with
 * rows moves to their mean (sums / counts); a centroid without rows stays
 * where it is.  Returns the sum over centroids of their squared moves, to
 * compare with the absolute tolerance (cc_kmeans_tolerance).
 */
extern double cc_kmeans_lloyd_update(double *centroids, int k, int d,
									 const double *sums,
									 const int64_t *counts);

/*
 * Take the statistics of a pass of cc_kmeans_accumulate as res's own:
 * sizes and sse per cluster, and the inertia, their sum in cluster order.
 */
extern void cc_kmeans_take_pass(CcKmeansResult *res, int k,
								const int64_t *counts, const double *sse);

/*
 * Renumber clusters: cluster c becomes number renumber[c] (a permutation of
 * 0..k-1), permuting centroids, sizes, sse and labels.
 */
extern void cc_kmeans_renumber(CcKmeansResult *res, size_t n, int k, int d,
							   const int *renumber, const CcAllocator *alloc);

/*
 * Renumber clusters by decreasing size (ties keep their order), permuting
 * centroids, sizes, sse and labels.
 */
extern void cc_kmeans_sort_by_size(CcKmeansResult *res, size_t n, int k, int d,
								   const CcAllocator *alloc);

/* Greedy k-means++ seeding (exposed for tests): writes k x d centroids. */
extern void cc_kmeanspp(const double *x, size_t n, int d, int k, uint64_t seed,
						uint64_t stream, double *centroids,
						const CcAllocator *alloc, CcCheckFn check, void *arg);

#endif							/* CC_KMEANS_H */
