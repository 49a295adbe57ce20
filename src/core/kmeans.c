/*
 * kmeans.c
 *		k-means: greedy k-means++ seeding, Lloyd's algorithm with Hamerly's
 *		or Elkan's bounds, n_init restarts keeping the lowest inertia.
 *
 * The iteration and stopping rules follow scikit-learn 1.2's Lloyd
 * implementation, so that from the same start both reach the same
 * partition: an iteration assigns every row to its nearest centroid and
 * moves each centroid to the mean of its rows; the run stops when no row
 * changed cluster ("strict convergence") or when the sum of squared
 * centroid moves falls to tol.  Clusters that become empty take the rows
 * farthest from their centroids.
 *
 * The sums behind the means are exact (CcXsum, exactsum.h) and kept up to
 * date row by row: a row that changes cluster is taken from one sum and
 * added to the other, so an iteration costs nothing for the rows that stay
 * put, only clusters that changed are recomputed, and a centroid does not
 * depend on the order of the rows.  The sampled training's full-data
 * passes (pass.h) sum the same way.
 *
 * Bounds skip distance computations that cannot change an assignment:
 * Hamerly's one lower bound per row (G. Hamerly, "Making k-means even
 * faster", SDM 2010) or Elkan's lower bound per row and centroid (C. Elkan,
 * "Using the triangle inequality to accelerate k-means", ICML 2003).  Bounds
 * are widened by a relative 1e-12 at every step, so rounding can never let
 * them skip a row whose nearest centroid is in doubt; a row that the bounds
 * cannot settle gets the full search, which is the same code as plain Lloyd.
 * Hence all three algorithms give the same labels, bit for bit (unit
 * tested).  Hamerly's bounds are widened by the centroid moves when the row
 * is next visited, in the same pass as its test.  Elkan's are not rewritten
 * at every step: a row keeps the bounds it had against some earlier
 * centroids (stamps naming slots of a short history of them), and each
 * visit widens them on the fly by how far each centroid now is from that
 * snapshot, which is never more than the sum of its moves since.  A row
 * that stays put then costs a read of its label, stamp, upper bound and
 * lmin (the least of its lower bounds and half gaps); only a row that those
 * leave in doubt reads its k lower bounds (and gets a new upper bound and
 * lmin), and only a row that these leave in doubt has its lower bounds
 * rewritten, and is tightened and, if need be, searched.
 *
 * Restarts are independent and may run in threads (see kmeans.h); a worker
 * owns a KmWork with every buffer it needs, allocated beforehand by the
 * calling thread, and keeps the best of its own runs.  With fewer restarts
 * than threads, the one worker splits its rows into parts instead
 * (work_split): each step's row loop runs in threads (run_parts), each part
 * with its own exact sums, merged into the worker's before the update, so
 * that the centroids and labels are the same, bit for bit, however the rows
 * are split.
 */
#include <math.h>
#include <string.h>

#include "exactsum.h"
#include "kmeans.h"
#include "matrix.h"
#include "parallel.h"
#include "rng.h"

#define CC_BOUND_SLACK	1e-12

/*
 * Elkan's k lower bounds per row are the bulk of the memory an iteration
 * walks through, so when there are many of them (elkan_bounds_float) they
 * are kept as floats: half the bytes read and written.  A bound is shrunk by 2^-22 before it is rounded to a float
 * (which moves it by at most 2^-24 of itself), so that the float is never
 * above the double it stands for and stays a valid bound; the largest float
 * stands in for a larger bound.  A negative bound may round either way: it
 * stays below any distance.
 */
#define CC_FLOAT_SHRINK	(1.0 - 0x1p-22)
#define CC_FLOAT_BOUNDS_BYTES	((size_t) 8 << 20)	/* above this in doubles: floats */
#define CC_FLOAT_MAX	3.40282346638528859812e+38	/* FLT_MAX */

static CC_ALWAYS_INLINE float
elkan_store(double v)
{
	v *= CC_FLOAT_SHRINK;
	return (float) (v < CC_FLOAT_MAX ? v : CC_FLOAT_MAX);
}

/*
 * Whether n rows' Elkan bounds to k centroids are kept as floats: when as
 * doubles they would outgrow the caches, so that every iteration reads them
 * from memory.  Smaller ones stay doubles, which cost fewer instructions.
 */
static bool
elkan_bounds_float(size_t n, int k)
{
	return n * (size_t) k * sizeof(double) > CC_FLOAT_BOUNDS_BYTES;
}

/*
 * Snapshots of the centroids that Elkan's bounds may be kept against (see
 * kmeans.h): when the history is full, one pass rewrites every row's
 * bounds against the current centroids, and the history starts again from
 * them; with a single slot, that is every pass.
 */
static int
history_slots(int k, int d)
{
	size_t		per = (size_t) k * d * sizeof(double);
	size_t		slots = CC_KMEANS_HISTORY_BYTES / per;

	if (slots < 1)
		return 1;
	return slots > CC_KMEANS_HISTORY_SLOTS ? CC_KMEANS_HISTORY_SLOTS : (int) slots;
}
/* everything a function calls inlined into it (its SIMD clones included) */
#if defined(__GNUC__) && !defined(__clang__)
#define KM_FLATTEN __attribute__((flatten))
#else
#define KM_FLATTEN
#endif
/* rows between two interrupt checks in long loops */
#define CC_CHECK_ROWS	16384
/* rows that Elkan's bounds test before the rows in doubt among them are searched; divides CC_CHECK_ROWS */
#define CC_BATCH_ROWS	256
/* greedy k-means++ draws 2 + ln k candidates, and k < 2^31: a multiple of 4 */
#define CC_MAX_TRIALS	24

typedef struct KmWork
{
	const double *x;
	size_t		n;
	int			d;
	int			k;
	const CcKmeansParams *p;
	double	   *cent;			/* k x d current centroids */
	int			kp;				/* k rounded up to a multiple of 4 */
	double	   *cent_t;			/* d x kp: cent transposed and padded, for
								 * cc_sqdist_block */
	double	   *dist;			/* 4 x kp: distances of up to four rows */
	double	   *next;			/* k x d centroids being computed */
	int64_t    *count;			/* k: rows carrying each label */
	double	   *shift;			/* k: distance each centroid moved */
	double	   *shift_slack;	/* k: CC_BOUND_SLACK * shift */
	double		shift_max1;		/* largest shift, of centroid shift_arg1 */
	double		shift_max2;		/* second largest shift */
	int			shift_arg1;
	CcXsum	   *xsum;			/* k x d: exact sums of the rows of each cluster */
	CcXbatch   *xbatch;			/* k x d: the terms on their way into xsum */
	bool	   *dirty;			/* k: rows came or went since the last update */
	double	   *half;			/* k: half distance to the nearest other centroid */
	int		   *labels;			/* n */
	double	   *upper;			/* n: upper bound on distance to own centroid */
	double	   *lower;			/* n (Hamerly): bound on distance to any other;
								 * n x k (Elkan, unless lower_float): bound on
								 * distance to each */
	float	   *elower;			/* n x k (Elkan, lower_float): the same in
								 * single precision (elkan_store) */
	bool		lower_float;	/* Elkan's bounds are many: floats */
	double	   *half_cc;		/* k x k (Elkan): half centroid distances */
	/* Elkan's bounds are kept against snapshots of the centroids */
	uint8_t    *ustamp;			/* n: the slot that upper and lmin hold for */
	uint8_t    *lstamp;			/* n: the slot the k lower bounds hold for */
	float	   *lmin;			/* n: elkan_least (elkan_store), for ustamp */
	bool		gaps_now;		/* half_cc is for the current centroids */
	int			hist_cap;		/* slots of the history */
	int			hist_len;		/* slots in use */
	int			hist_now;		/* the slot of the current centroids */
	bool		rebase;			/* this pass brings every row to hist_now */
	double	   *hist;			/* hist_cap x k x d: the snapshots */
	double	   *drift;			/* hist_cap x k: how far each centroid is
								 * from its snapshot in each slot */
	double	   *drift_slack;	/* hist_cap x k: CC_BOUND_SLACK * drift */
	double	   *drift_max1;		/* hist_cap: largest drift of the slot, of */
	int		   *drift_arg1;		/* centroid drift_arg1, */
	double	   *drift_max2;		/* and the second largest */
	CcAlgorithm algorithm;		/* resolved: never CC_ALGO_AUTO */
	double	   *scratch;		/* n: relocation distances */
	/* k-means++ and random seeding */
	int			trials;
	double	   *closest;		/* n */
	double	   *cum;			/* n */
	double	   *cand;			/* trials x d */
	double	   *cand_t;			/* d x cc_round4(trials) */
	size_t	   *cand_id;		/* trials */
	double	   *pot_t;			/* trials */
	size_t	   *perm;			/* n, random init only */
	/* what k-means++ learnt of the first assignment (seeded: it is valid) */
	bool		seeded;
	int		   *seed_label;		/* n: nearest centroid */
	double	   *seed_second;	/* n: squared distance to the second nearest */
	/* scoring, and the best run of this worker */
	int64_t    *sizes;			/* k */
	double	   *sse;			/* k */
	int			best_run;
	double		best_inertia;
	int			best_iters;
	bool		best_converged;
	double	   *best_cent;		/* k x d */
	int		   *best_labels;	/* n */
	int64_t    *best_sizes;		/* k */
	double	   *best_sse;		/* k */
	/* threads */
	volatile int *next_run;		/* shared: the next run nobody claimed yet */
	int			runs;
	int		   *run_iters;		/* per run, shared by all workers */
	double	   *run_inertia;
	bool	   *run_converged;
	volatile int *stop;			/* NULL when not threaded */
	bool		stopped;
	/* rows of one run split between threads (see run_parts) */
	size_t		lo;				/* the rows [lo, hi) this work assigns */
	size_t		hi;
	int			nparts;			/* parts of the rows; 0: no split */
	struct KmWork *parts;		/* nparts views of this work, each with its
								 * own xsum, xbatch, count, dirty and dist */
	int			part_op;		/* what run_parts asks of a part */
	bool		part_bounds;	/* assign_rows' arguments */
	bool		part_moved;
	size_t		part_changed;	/* rows that changed cluster in the part */
	int			seed_c;			/* seed_note_rows' centroid number */
	const double *seed_row;		/* and the row it is */
	int			seed_trial;		/* the candidate it was in potbuf, whose
								 * distances are there, or -1 */
	double	   *potbuf;			/* trials x n: each row's squared distance to
								 * each candidate (parts only) */
	double	   *pot_groups;		/* groups of CC_CHECK_ROWS rows x trials: the
								 * candidates' potentials over each group */
} KmWork;

/* what a part of the rows does (run_parts) */
#define KM_PART_ASSIGN	0		/* assign_rows */
#define KM_PART_SEEDED	1		/* assign_seeded_rows */
#define KM_PART_SCORE	2		/* scratch[i]: squared distance to own centroid */
#define KM_PART_NOTE	3		/* seed_note_rows of seed_row as centroid seed_c */
#define KM_PART_POT		4		/* potbuf and pot_groups (pot_group) */
/* fewest rows per part when a run splits its rows between threads */
#define CC_PART_MIN_ROWS	(4 * CC_CHECK_ROWS)

/* One restart's entry of a CcSeedCache: its first "count" centroids. */
typedef struct SeedRun
{
	int			trials;			/* candidates per step they were drawn with */
	int			count;			/* centroids kept; 0: none */
	CcRng		rng;			/* the generator after the last of them */
	size_t	   *rows;			/* k_max: the rows chosen, in order */
} SeedRun;

struct CcSeedCache
{
	int			runs;
	int			k_max;
	/* the data and seed that the entries were drawn for */
	const double *x;
	size_t		n;
	int			d;
	uint64_t	seed;
	SeedRun    *run;			/* runs */
};

/*
 * Every CC_CHECK_ROWS rows: in the calling thread, the check callback (may
 * not return); in a worker, the stop flag.  True when the run must stop.
 */
static inline bool
km_poll(KmWork *w, size_t i)
{
	if ((i % CC_CHECK_ROWS) != 0)
		return w->stopped;
	if (w->stop != NULL)
	{
		if (cc_stop_requested(w->stop))
			w->stopped = true;
	}
	else if (w->p->check)
		w->p->check(w->p->cb_arg);
	return w->stopped;
}

/* Return tol times the mean column variance (scikit-learn's _tolerance). */
double
cc_kmeans_tolerance(const double *x, size_t n, int d, double tol)
{
	double		var[CC_COLUMN_BLOCK];
	double		mean[CC_COLUMN_BLOCK];
	double		var_sum = 0.0;
	int			j0;

	if (tol == 0.0 || n == 0)
		return 0.0;
	for (j0 = 0; j0 < d; j0 += CC_COLUMN_BLOCK)
	{
		int			w = (d - j0 < CC_COLUMN_BLOCK) ? d - j0 : CC_COLUMN_BLOCK;
		int			j;

		cc_columns_mean_var(x, n, d, j0, w, mean, var);
		for (j = 0; j < w; j++)
			var_sum += var[j];
	}
	return tol * var_sum / (double) d;
}

/* The same from the columns' variances; see kmeans.h. */
double
cc_kmeans_tolerance_var(const double *var, size_t n, int d, double tol)
{
	double		var_sum = 0.0;
	int			j;

	if (tol == 0.0 || n == 0)
		return 0.0;
	for (j = 0; j < d; j++)
		var_sum += var[j];
	return tol * var_sum / (double) d;
}

/* First index i with cum[i] >= r (numpy searchsorted, side left), at most n - 1. */
static size_t
search_cumulative(const double *cum, size_t n, double r)
{
	size_t		lo = 0;
	size_t		hi = n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (cum[mid] < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? lo : n - 1;
}

/*
 * Note chosen centroid c, at squared distances dist from the rows: keep
 * each row's distance to the nearest so far and, but with Elkan's bounds,
 * which centroid that is and the distance to the second nearest.  The
 * centroids come in the order of their numbers and a tie keeps the lower
 * one, as the full search does, and the distances are the same bits
 * (cc_sqdist_rows), so the first assignment needs no search.  Elkan's
 * first assignment searches in full all the same (single_run): its k
 * bounds per row, written here at every step, would cost more memory
 * traffic than the search.
 */
static CC_ALWAYS_INLINE void
seed_note(KmWork *w, int c, const double *dist)
{
	size_t		i;

	if (w->algorithm == CC_ALGO_ELKAN && c == 0)
	{
		memcpy(w->closest + w->lo, dist + w->lo, sizeof(double) * (w->hi - w->lo));
		return;
	}
	if (w->algorithm == CC_ALGO_ELKAN)
	{
		for (i = w->lo; i < w->hi; i++)
			w->closest[i] = dist[i] < w->closest[i] ? dist[i] : w->closest[i];
		return;
	}
	for (i = w->lo; i < w->hi; i++)
	{
		double		dd = dist[i];

		if (c == 0)
		{
			w->closest[i] = dd;
			w->seed_second[i] = INFINITY;
			w->seed_label[i] = 0;
		}
		else if (dd < w->closest[i])
		{
			w->seed_second[i] = w->closest[i];
			w->closest[i] = dd;
			w->seed_label[i] = c;
		}
		else if (dd < w->seed_second[i])
			w->seed_second[i] = dd;
	}
}

static size_t run_parts(KmWork *w, int op, bool bounds, bool moved);

/*
 * The potentials of the candidates (cand_t) over the rows [lo, hi), a
 * group of CC_CHECK_ROWS rows or the last, shorter one: for each candidate
 * t, the sum in row order of the lesser of each row's squared distance to
 * it and to its nearest centroid so far, into sums[t].  With out (not
 * NULL), row i's distance to candidate t also goes to out[t * n + i].  A
 * potential is the sum of its groups' in group order, whether the groups
 * are computed in threads or not: the same bits for any number of them.
 */
static CC_ALWAYS_INLINE void
pot_group(const KmWork *w, size_t lo, size_t hi, double *sums, double *out)
{
	int			trials = w->trials;
	int			tp = cc_round4(trials);
	double		dist[4 * CC_MAX_TRIALS];
	double		acc[CC_MAX_TRIALS] = {0.0};
	size_t		i;

	for (i = lo; i < hi; i += 4)
	{
		const double *rows[4];
		int			nr = (hi - i < 4) ? (int) (hi - i) : 4;
		int			r,
					t;

		for (r = 0; r < nr; r++)
			rows[r] = w->x + (i + r) * w->d;
		cc_sqdist_block(rows, nr, w->cand_t, tp, w->d, dist);
		for (r = 0; r < nr; r++)
		{
			double		ci = w->closest[i + r];

			for (t = 0; t < trials; t++)
			{
				double		dd = dist[r * tp + t];

				acc[t] += dd < ci ? dd : ci;
				if (out != NULL)
					out[(size_t) t * w->n + i + r] = dd;
			}
		}
	}
	memcpy(sums, acc, sizeof(double) * trials);
}

/*
 * The potential of the centroids chosen so far, the rows' squared
 * distances to the nearest of them summed as pot_group sums: so it is the
 * potential the step that chose the last of them computed, bit for bit.
 */
static double
seed_potential(const KmWork *w)
{
	double		pot = 0.0;
	size_t		g;

	for (g = 0; g < w->n; g += CC_CHECK_ROWS)
	{
		size_t		end = (w->n - g < CC_CHECK_ROWS) ? w->n : g + CC_CHECK_ROWS;
		double		sum = 0.0;
		size_t		i;

		for (i = g; i < end; i++)
			sum += w->closest[i];
		pot += sum;
	}
	return pot;
}

/*
 * Note the row "row" as chosen centroid c: the distances of every row to it
 * (into cum) and seed_note, split between the parts' threads when w has
 * parts.  Each row's results depend on that row alone.  With parts, trial
 * (when not -1) names the candidate of potbuf that row was: its distances
 * are taken from there instead of computed again.
 */
static CC_ALWAYS_INLINE void
seed_choose(KmWork *w, int c, const double *row, int trial)
{
	if (w->nparts > 1)
	{
		w->seed_c = c;
		w->seed_row = row;
		w->seed_trial = trial;
		run_parts(w, KM_PART_NOTE, false, false);
		return;
	}
	cc_sqdist_rows(w->x, w->n, w->d, row, w->cum);
	seed_note(w, c, w->cum);
}

/*
 * Greedy k-means++ (Arthur and Vassilvitskii, "k-means++: the advantages of
 * careful seeding", SODA 2007), greedy variant as in scikit-learn: at each
 * step 2 + floor(ln k) candidates are drawn with probability proportional
 * to the squared distance to the nearest chosen centroid, and the one that
 * lowers the potential most is kept.  Uses w's seeding buffers.
 *
 * With a cache entry ("cached", not NULL) drawn with as many candidates,
 * its first centroids are taken as they are: each costs one pass over the
 * rows (seed_note needs their distances) instead of one per candidate, and
 * the potential is seed_potential, the sum the step that chose the last of
 * them kept.
 * The generator then goes on from where that step left it.  The entry is
 * brought up to the centroids chosen here.
 */
CC_SIMD_CLONES static void
seed_kmeanspp(KmWork *w, uint64_t seed, uint64_t stream, double *centroids,
			  SeedRun *cached)
{
	const double *x = w->x;
	size_t		n = w->n;
	int			d = w->d;
	int			trials = w->trials;
	int			tp = cc_round4(trials);
	CcRng		rng;
	double		pot = 0.0;
	size_t		i;
	int			c;
	int			start;

	w->seeded = false;
	if (cached != NULL && cached->trials != trials)
		cached->count = 0;
	if (cached != NULL && cached->count > 0)
	{
		int			m = (cached->count < w->k) ? cached->count : w->k;

		for (c = 0; c < m; c++)
		{
			if (km_poll(w, 0))
				return;
			memcpy(centroids + (size_t) c * d, x + cached->rows[c] * d,
				   sizeof(double) * d);
			seed_choose(w, c, centroids + (size_t) c * d, -1);
			if (w->stopped)
				return;
		}
		if (m == w->k)
		{
			w->seeded = true;
			return;
		}
		rng = cached->rng;
		start = m;
	}
	else
	{
		size_t		first;

		cc_rng_seed(&rng, seed, stream);
		first = (size_t) cc_rng_below(&rng, n);
		memcpy(centroids, x + first * d, sizeof(double) * d);
		seed_choose(w, 0, centroids, -1);
		if (w->stopped)
			return;
		if (cached != NULL)
			cached->rows[0] = first;
		start = 1;
	}
	pot = seed_potential(w);

	for (c = start; c < w->k; c++)
	{
		const double *best_x;
		double		run = 0.0;
		int			best = 0;
		int			t;

		if (km_poll(w, 0))
			return;
		for (i = 0; i < n; i++)
		{
			run += w->closest[i];
			w->cum[i] = run;
		}
		for (t = 0; t < trials; t++)
		{
			w->cand_id[t] = search_cumulative(w->cum, n, cc_rng_uniform(&rng) * pot);
			memcpy(w->cand + (size_t) t * d, x + w->cand_id[t] * d, sizeof(double) * d);
		}
		/*
		 * potential of each candidate: one pass over the rows for all of
		 * them, by groups of rows (pot_group), the groups' sums added here
		 * in group order (2 + ln k trials: never above 24)
		 */
		cc_transpose_padded(w->cand, trials, d, tp, w->cand_t);
		memset(w->pot_t, 0, sizeof(double) * trials);
		if (w->nparts > 1)
		{
			run_parts(w, KM_PART_POT, false, false);
			if (w->stopped)
				return;
			for (i = 0; i < n; i += CC_CHECK_ROWS)
				for (t = 0; t < trials; t++)
					w->pot_t[t] += w->pot_groups[i / CC_CHECK_ROWS * trials + t];
		}
		else
		{
			for (i = 0; i < n; i += CC_CHECK_ROWS)
			{
				double		sums[CC_MAX_TRIALS];

				if (km_poll(w, i))
					return;
				pot_group(w, i, (n - i < CC_CHECK_ROWS) ? n : i + CC_CHECK_ROWS,
						  sums, NULL);
				for (t = 0; t < trials; t++)
					w->pot_t[t] += sums[t];
			}
		}
		for (t = 1; t < trials; t++)
			if (w->pot_t[t] < w->pot_t[best])
				best = t;
		best_x = x + w->cand_id[best] * d;
		seed_choose(w, c, best_x, w->nparts > 1 ? best : -1);
		if (w->stopped)
			return;
		pot = w->pot_t[best];
		memcpy(centroids + (size_t) c * d, best_x, sizeof(double) * d);
		if (cached != NULL)
			cached->rows[c] = w->cand_id[best];
	}
	if (cached != NULL)
	{
		cached->trials = trials;
		cached->count = w->k;
		cached->rng = rng;
	}
	w->seeded = true;
}

/* k distinct rows drawn uniformly (partial Fisher-Yates on row numbers). */
static void
seed_random(KmWork *w, uint64_t seed, uint64_t stream, double *centroids)
{
	CcRng		rng;
	size_t		i;
	int			c;

	cc_rng_seed(&rng, seed, stream);
	for (i = 0; i < w->n; i++)
		w->perm[i] = i;
	for (c = 0; c < w->k; c++)
	{
		size_t		j = c + (size_t) cc_rng_below(&rng, w->n - c);
		size_t		t = w->perm[c];

		w->perm[c] = w->perm[j];
		w->perm[j] = t;
		memcpy(centroids + (size_t) c * w->d, w->x + w->perm[c] * w->d,
			   sizeof(double) * w->d);
	}
}

/*
 * Move row i from cluster "from" (-1: none) to cluster "to" in the exact
 * sums (through their batches: see settle_sums) and counts, and mark both
 * clusters as changed.  Adding and taking
 * away the same double are exact inverses in a CcXsum, so the sums always
 * equal the sums of the rows that carry each label, whatever the order of
 * the moves.
 */
static CC_ALWAYS_INLINE void
move_row(KmWork *w, size_t i, int from, int to)
{
	const double *xi = w->x + i * w->d;
	int			d = w->d;
	int			j;

	if (from >= 0)
	{
		CcXsum	   *s = w->xsum + (size_t) from * d;
		CcXbatch   *b = w->xbatch + (size_t) from * d;

		for (j = 0; j < d; j++)
			cc_xbatch_add(&b[j], &s[j], -xi[j]);
		w->count[from]--;
		w->dirty[from] = true;
	}
	{
		CcXsum	   *s = w->xsum + (size_t) to * d;
		CcXbatch   *b = w->xbatch + (size_t) to * d;

		for (j = 0; j < d; j++)
			cc_xbatch_add(&b[j], &s[j], xi[j]);
		w->count[to]++;
		w->dirty[to] = true;
	}
}

/*
 * Bring the terms move_row batched into the exact sums of the clusters
 * that rows came to or left: after every step that moves rows, before the
 * sums are merged or read.
 */
static void
settle_sums(KmWork *w)
{
	int			d = w->d;
	int			c,
				j;

	for (c = 0; c < w->k; c++)
		if (w->dirty[c])
			for (j = 0; j < d; j++)
				cc_xbatch_flush(&w->xbatch[(size_t) c * d + j],
								&w->xsum[(size_t) c * d + j]);
}

/* Empty sums for every cluster, and nothing batched. */
static void
clear_sums(CcXsum *xsum, CcXbatch *xbatch, int cells)
{
	int			c;

	for (c = 0; c < cells; c++)
	{
		cc_xsum_init(&xsum[c]);
		cc_xbatch_init(&xbatch[c]);
	}
}

/* Give row i label a; returns whether that changed it. */
static CC_ALWAYS_INLINE bool
relabel(KmWork *w, size_t i, int a)
{
	int			old = w->labels[i];

	if (old == a)
		return false;
	move_row(w, i, old, a);
	w->labels[i] = a;
	return true;
}

/*
 * Row i's nearest and second nearest centroid from its squared distances
 * to all of them (ties: the lower number); returns whether the label
 * changed.
 */
static CC_ALWAYS_INLINE bool
take_nearest(KmWork *w, size_t i, const double *dist)
{
	double		b1 = INFINITY,
				b2 = INFINITY;
	int			a = 0;
	int			c;

	for (c = 0; c < w->k; c++)
	{
		if (dist[c] < b1)
		{
			b2 = b1;
			b1 = dist[c];
			a = c;
		}
		else if (dist[c] < b2)
			b2 = dist[c];
	}
	w->upper[i] = sqrt(b1) * (1.0 + CC_BOUND_SLACK);
	w->lower[i] = sqrt(b2) * (1.0 - CC_BOUND_SLACK);
	return relabel(w, i, a);
}

/*
 * The same keeping Elkan's bound to every centroid, and the least of them
 * but its own, against the current centroids.  dist (kp entries) is left
 * holding the distances, the roots of what it held.
 */
static CC_ALWAYS_INLINE bool
take_nearest_elkan(KmWork *w, size_t i, double *restrict dist)
{
	double		second = INFINITY;
	int			a = 0;
	int			c;

	for (c = 1; c < w->k; c++)
		if (dist[c] < dist[a])
			a = c;
	/* the distances themselves, in place: whole vectors of roots at once */
	for (c = 0; c < w->kp; c++)
		dist[c] = sqrt(dist[c]);
	for (c = 0; c < w->k; c++)
		if (c != a)
		{
			double		l = dist[c] * (1.0 - CC_BOUND_SLACK);

			if (w->gaps_now && w->half_cc[(size_t) a * w->k + c] > l)
				l = w->half_cc[(size_t) a * w->k + c];
			if (l < second)
				second = l;
		}
	w->lmin[i] = elkan_store(second);
	w->ustamp[i] = (uint8_t) w->hist_now;
	w->lstamp[i] = (uint8_t) w->hist_now;
	if (w->lower_float)
	{
		float	   *lower = w->elower + i * w->k;

		for (c = 0; c < w->k; c++)
			lower[c] = elkan_store(dist[c] * (1.0 - CC_BOUND_SLACK));
	}
	else
	{
		double	   *lower = w->lower + i * w->k;

		for (c = 0; c < w->k; c++)
			lower[c] = dist[c] * (1.0 - CC_BOUND_SLACK);
	}
	w->upper[i] = dist[a] * (1.0 + CC_BOUND_SLACK);
	return relabel(w, i, a);
}

/* Full search for row i; returns whether the label changed. */
static CC_ALWAYS_INLINE bool
assign_full(KmWork *w, size_t i)
{
	cc_sqdist_many_ld(w->x + i * w->d, w->cent_t, (size_t) w->kp, w->k, w->d,
					  w->dist);
	return take_nearest(w, i, w->dist);
}

/*
 * Full search for the m rows listed, four at a time (cc_sqdist_block), with
 * Elkan's bounds or not; returns how many labels changed.
 */
static CC_ALWAYS_INLINE size_t
assign_full_rows(KmWork *w, const size_t *list, size_t m, bool elkan)
{
	size_t		changed = 0;
	size_t		r0;

	for (r0 = 0; r0 < m; r0 += 4)
	{
		const double *rows[4];
		int			nr = (m - r0 < 4) ? (int) (m - r0) : 4;
		int			r;

		for (r = 0; r < nr; r++)
			rows[r] = w->x + list[r0 + r] * w->d;
		cc_sqdist_block(rows, nr, w->cent_t, w->kp, w->d, w->dist);
		for (r = 0; r < nr; r++)
		{
			double	   *dist = w->dist + (size_t) r * w->kp;

			if (elkan ? take_nearest_elkan(w, list[r0 + r], dist) :
				take_nearest(w, list[r0 + r], dist))
				changed++;
		}
	}
	return changed;
}

/* Half the distance between every pair of centroids, and to the nearest other one. */
static void
centroid_gaps(KmWork *w, bool pairs)
{
	int			k = w->k;
	int			d = w->d;
	int			c,
				c2;

	for (c = 0; c < k; c++)
	{
		w->half[c] = INFINITY;
		if (pairs)
			w->half_cc[(size_t) c * k + c] = INFINITY;
	}
	for (c = 0; c < k; c++)
		for (c2 = c + 1; c2 < k; c2++)
		{
			double		dd = cc_sqdist(w->cent + (size_t) c * d,
									   w->cent + (size_t) c2 * d, d);
			double		h = 0.5 * sqrt(dd) * (1.0 - CC_BOUND_SLACK);

			if (h < w->half[c])
				w->half[c] = h;
			if (h < w->half[c2])
				w->half[c2] = h;
			if (pairs)
			{
				w->half_cc[(size_t) c * k + c2] = h;
				w->half_cc[(size_t) c2 * k + c] = h;
			}
		}
}

/*
 * Row i's lower bounds, doubles or floats (elkan_store): bound c, four from
 * c, and storing one.  "f" is always a constant where they are inlined.
 */
static CC_ALWAYS_INLINE void *
elkan_lower(KmWork *w, size_t i, bool f)
{
	return f ? (void *) (w->elower + i * w->k) : (void *) (w->lower + i * w->k);
}

static CC_ALWAYS_INLINE double
elkan_get(const void *lower, int c, bool f)
{
	return f ? (double) ((const float *) lower)[c] : ((const double *) lower)[c];
}

static CC_ALWAYS_INLINE void
elkan_put(void *lower, int c, double v, bool f)
{
	if (f)
		((float *) lower)[c] = elkan_store(v);
	else
		((double *) lower)[c] = v;
}

#if defined(__GNUC__)
static CC_ALWAYS_INLINE void
elkan_get4(const void *lower, int c, bool f, CcV4d *l)
{
	if (f)
	{
		CcV4f		lf;

		memcpy(&lf, (const float *) lower + c, sizeof(lf));
		*l = __builtin_convertvector(lf, CcV4d);
	}
	else
		memcpy(l, (const double *) lower + c, sizeof(*l));
}

/* Store four bounds from c, as elkan_put does each. */
static CC_ALWAYS_INLINE void
elkan_put4(void *lower, int c, const CcV4d *lp, bool f)
{
	CcV4d		l = *lp;

	if (f)
	{
		const CcV4d shrink = {CC_FLOAT_SHRINK, CC_FLOAT_SHRINK,
		CC_FLOAT_SHRINK, CC_FLOAT_SHRINK};
		const CcV4d top = {CC_FLOAT_MAX, CC_FLOAT_MAX, CC_FLOAT_MAX,
		CC_FLOAT_MAX};
		CcV4l		below;
		CcV4f		lf;

		l *= shrink;
		below = l < top;
		l = (CcV4d) (((CcV4l) l & below) | ((CcV4l) top & ~below));
		lf = __builtin_convertvector(l, CcV4f);
		memcpy((float *) lower + c, &lf, sizeof(lf));
	}
	else
		memcpy((double *) lower + c, &l, sizeof(l));
}
#endif

/*
 * The least, over the centroids c, of the greater of the row's lower bound
 * to c and half the distance from the row's centroid to c (half_a; the
 * row's own centroid never counts because its entry is infinite): no other
 * centroid can be nearer while the row's distance to its own is below it
 * (Elkan's two tests, for every c at once).  When "drift" is given, each
 * lower bound is first lowered by how far its centroid is from the
 * snapshot the bound holds for (slack: that drift times CC_BOUND_SLACK);
 * "store" then writes it back.  Branch-free over all k; with GCC or clang
 * the work goes four centroids at a time in vector types (matrix.h; the
 * compilers do not vectorize floating point compares on their own while
 * traps are possible), the last few one at a time.
 */
static CC_ALWAYS_INLINE double
elkan_least(void *lower, bool f, const double *restrict half_a, int k,
			const double *restrict drift, const double *restrict slack,
			bool store)
{
	double		least = INFINITY;
	int			c = 0;

#if defined(__GNUC__)
	if (k >= 4)
	{
		CcV4d		keep = {1.0 - CC_BOUND_SLACK, 1.0 - CC_BOUND_SLACK,
			1.0 - CC_BOUND_SLACK, 1.0 - CC_BOUND_SLACK};
		CcV4d		acc = {INFINITY, INFINITY, INFINITY, INFINITY};

		for (; c + 4 <= k; c += 4)
		{
			CcV4d		l,
						h,
						m;
			CcV4l		above;

			elkan_get4(lower, c, f, &l);
			if (drift)
			{
				CcV4d		dr,
							sl;

				memcpy(&dr, drift + c, sizeof(dr));
				memcpy(&sl, slack + c, sizeof(sl));
				l = (l - dr) * keep - sl;
			}
			if (store)
				elkan_put4(lower, c, &l, f);
			memcpy(&h, half_a + c, sizeof(h));
			above = l > h;
			m = (CcV4d) (((CcV4l) l & above) | ((CcV4l) h & ~above));
			above = m < acc;
			acc = (CcV4d) (((CcV4l) m & above) | ((CcV4l) acc & ~above));
		}
		least = acc[0] < acc[1] ? acc[0] : acc[1];
		least = acc[2] < least ? acc[2] : least;
		least = acc[3] < least ? acc[3] : least;
	}
#endif
	for (; c < k; c++)
	{
		double		l = elkan_get(lower, c, f);

		if (drift)
		{
			l = (l - drift[c]) * (1.0 - CC_BOUND_SLACK) - slack[c];
			if (store)
				elkan_put(lower, c, l, f);
		}
		if (half_a[c] > l)
			l = half_a[c];
		if (l < least)
			least = l;
	}
	return least;
}

/*
 * Elkan's bounds of a row: its upper bound u and lmin hold for the
 * snapshot ustamp, its k lower bounds for the snapshot lstamp; a look at
 * the row widens them on the fly by how far the centroids are now from
 * those snapshots (drift).  Row i's upper bound now, with label a:
 */
static CC_ALWAYS_INLINE double
elkan_upper(const KmWork *w, size_t i, int a)
{
	return (w->upper[i] + w->drift[(size_t) w->ustamp[i] * w->k + a]) *
		(1.0 + CC_BOUND_SLACK);
}

/*
 * Elkan's first look at row i: u against lmin.  Since ustamp, another
 * centroid c's lower bound has come down by at most c's drift D_c and half
 * its distance to the row's centroid a by at most (D_a + D_c) / 2, so both
 * by at most e = max(dx, (D_a + dx) / 2), where dx is the largest drift of
 * a centroid other than a: u below lmin - e, or below half the distance
 * from a to the nearest other centroid now, settles the row without
 * reading its k lower bounds.  Returns whether it is left in doubt.
 */
static CC_ALWAYS_INLINE bool
elkan_first(const KmWork *w, size_t i)
{
	int			a = w->labels[i];
	int			su = w->ustamp[i];
	double		da = w->drift[(size_t) su * w->k + a];
	double		u = elkan_upper(w, i, a);
	double		dx = (a == w->drift_arg1[su]) ? w->drift_max2[su] : w->drift_max1[su];
	double		e = (da > dx) ? 0.5 * (da + dx) : dx;
	double		least = ((double) w->lmin[i] - e) * (1.0 - CC_BOUND_SLACK) -
		CC_BOUND_SLACK * e;

	return !((u < least) | (u < w->half[a]));
}

/*
 * Ask for row i's values ahead of reading them: the rows that the bounds
 * leave in doubt lie scattered, where the hardware's prefetcher does not
 * follow.  A hint only: nothing computed depends on it.
 */
static CC_ALWAYS_INLINE void
km_prefetch_row(const KmWork *w, size_t i)
{
#if defined(__GNUC__)
	const char *p = (const char *) (w->x + i * w->d);
	size_t		bytes = (size_t) w->d * sizeof(double);
	size_t		o;

	for (o = 0; o < bytes; o += 64)
		__builtin_prefetch(p + o, 0, 3);
	__builtin_prefetch(p + bytes - 1, 0, 3);
#else
	(void) w;
	(void) i;
#endif
}

/*
 * Elkan's second look at the m rows listed, the ones that the first left in
 * doubt (all of them when the pass rebases): u against each lower bound
 * (elkan_least).  Every row listed gets u and lmin for the current
 * centroids (ustamp now); the rows still in doubt, also their k lower
 * bounds (lstamp now), and stay in the list, in order.  Returns how many.
 */
static CC_ALWAYS_INLINE size_t
elkan_second(KmWork *w, size_t *list, size_t m, bool f)
{
	int			k = w->k;
	bool		rebase = w->rebase;
	size_t		open = 0;
	size_t		r;

	for (r = 0; r < m; r++)
	{
		size_t		i = list[r];
		int			a = w->labels[i];
		double		u = elkan_upper(w, i, a);
		size_t		sl = w->lstamp[i];
		void	   *lower = elkan_lower(w, i, f);
		const double *half_a = w->half_cc + (size_t) a * k;
		double		least;

		if (rebase)
		{
			least = elkan_least(lower, f, half_a, k, w->drift + sl * k,
								w->drift_slack + sl * k, true);
			w->lstamp[i] = (uint8_t) w->hist_now;
		}
		else
			least = elkan_least(lower, f, half_a, k, w->drift + sl * k,
								w->drift_slack + sl * k, false);
		w->lmin[i] = elkan_store(least);
		w->upper[i] = u;
		w->ustamp[i] = (uint8_t) w->hist_now;
		list[open] = i;
		/*
		 * elkan_tighten reads the row next: ask for it now when the rows lie
		 * beyond the caches (as the float bounds do); a branch that costs
		 * more than it saves on rows that the caches hold
		 */
		if (f && u >= least)
			km_prefetch_row(w, i);
		open += (u >= least);
	}
	if (!rebase)
	{
		for (r = 0; r < open; r++)
		{
			size_t		i = list[r];
			size_t		sl = w->lstamp[i];

			(void) elkan_least(elkan_lower(w, i, f), f,
							   w->half_cc + (size_t) w->labels[i] * k, k,
							   w->drift + sl * k, w->drift_slack + sl * k, true);
			w->lstamp[i] = (uint8_t) w->hist_now;
		}
	}
	return open;
}

/*
 * Elkan's second look at the m rows in doubt listed (their bounds hold for
 * the current centroids): tighten their upper bounds (four distances at a
 * time) and look again, against lmin (the bound to the row's own centroid
 * does not count in it).  The list keeps, in order, the rows that still
 * need a full search; returns how many.
 */
static CC_ALWAYS_INLINE size_t
elkan_tighten(KmWork *w, size_t *list, size_t m)
{
	int			d = w->d;
	bool		f = w->lower_float;
	size_t		open = 0;
	size_t		r0;

	for (r0 = 0; r0 < m; r0 += 4)
	{
		int			nr = (m - r0 < 4) ? (int) (m - r0) : 4;
		size_t		rows[4];
		const double *xr[4];
		const double *cr[4];
		double		dd[4];
		int			r;

		for (r = 0; r < 4; r++)
		{
			rows[r] = list[r0 + (r < nr ? r : nr - 1)];
			xr[r] = w->x + rows[r] * d;
			cr[r] = w->cent + (size_t) w->labels[rows[r]] * d;
		}
		cc_sqdist_pairs4(xr, cr, d, dd);
		for (r = 0; r < nr; r++)
		{
			size_t		i = rows[r];
			double		u = sqrt(dd[r]);

			elkan_put(elkan_lower(w, i, f), w->labels[i],
					  u * (1.0 - CC_BOUND_SLACK), f);
			u *= (1.0 + CC_BOUND_SLACK);
			w->upper[i] = u;
			list[open] = i;
			open += (u >= (double) w->lmin[i]);
		}
	}
	return open;
}

/*
 * Start a run's history with the centroids it starts from: slot 0, no
 * drift.
 */
static void
history_start(KmWork *w)
{
	size_t		cells = (size_t) w->k * w->d;

	if (w->algorithm != CC_ALGO_ELKAN)
		return;
	memcpy(w->hist, w->cent, sizeof(double) * cells);
	memset(w->drift, 0, sizeof(double) * w->k);
	memset(w->drift_slack, 0, sizeof(double) * w->k);
	w->drift_max1[0] = 0.0;
	w->drift_max2[0] = 0.0;
	w->drift_arg1[0] = -1;
	w->hist_len = 1;
	w->hist_now = 0;
	w->rebase = false;
}

/*
 * After the centroids moved: how far each is from its snapshot in each
 * slot, and a snapshot of the current ones in a new slot.  When the
 * history is full, the next pass rebases every row (their stamps then name
 * the new slot 0, whose drift history_rebased clears after the pass).
 */
static void
history_push(KmWork *w)
{
	int			k = w->k;
	int			d = w->d;
	size_t		cells = (size_t) k * d;
	int			s,
				c;

	for (s = 0; s < w->hist_len; s++)
	{
		double	   *drift = w->drift + (size_t) s * k;
		double		m1 = 0.0,
					m2 = 0.0;
		int			a1 = -1;

		for (c = 0; c < k; c++)
		{
			double		dc = sqrt(cc_sqdist(w->hist + s * cells + (size_t) c * d,
											w->cent + (size_t) c * d, d));

			drift[c] = dc;
			w->drift_slack[(size_t) s * k + c] = CC_BOUND_SLACK * dc;
			if (dc > m1)
			{
				m2 = m1;
				m1 = dc;
				a1 = c;
			}
			else if (dc > m2)
				m2 = dc;
		}
		w->drift_max1[s] = m1;
		w->drift_max2[s] = m2;
		w->drift_arg1[s] = a1;
	}
	if (w->hist_len < w->hist_cap)
	{
		s = w->hist_len++;
		memset(w->drift + (size_t) s * k, 0, sizeof(double) * k);
		memset(w->drift_slack + (size_t) s * k, 0, sizeof(double) * k);
		w->drift_max1[s] = 0.0;
		w->drift_max2[s] = 0.0;
		w->drift_arg1[s] = -1;
		w->rebase = false;
	}
	else
	{
		s = 0;
		w->hist_len = 1;
		w->rebase = true;
	}
	w->hist_now = s;
	memcpy(w->hist + s * cells, w->cent, sizeof(double) * cells);
}

/* After a pass that rebased every row: slot 0 is the current centroids. */
static void
history_rebased(KmWork *w)
{
	if (!w->rebase)
		return;
	memset(w->drift, 0, sizeof(double) * w->k);
	memset(w->drift_slack, 0, sizeof(double) * w->k);
	w->drift_max1[0] = 0.0;
	w->drift_max2[0] = 0.0;
	w->drift_arg1[0] = -1;
	w->rebase = false;
}

/* Hamerly's visit of row i: the same steps with one lower bound. */
static CC_ALWAYS_INLINE bool
hamerly_visit(KmWork *w, size_t i, bool moved)
{
	int			d = w->d;
	int			a = w->labels[i];
	double		m;

	if (moved)
	{
		double		ms = (a == w->shift_arg1) ? w->shift_max2 : w->shift_max1;

		w->upper[i] = (w->upper[i] + w->shift[a]) * (1.0 + CC_BOUND_SLACK);
		w->lower[i] = (w->lower[i] - ms) * (1.0 - CC_BOUND_SLACK) -
			CC_BOUND_SLACK * ms;
	}
	m = w->half[a] > w->lower[i] ? w->half[a] : w->lower[i];
	if (w->upper[i] < m)
		return false;
	/* tighten the upper bound, then test again */
	w->upper[i] = sqrt(cc_sqdist(w->x + i * d, w->cent + (size_t) a * d, d)) *
		(1.0 + CC_BOUND_SLACK);
	if (w->upper[i] < m)
		return false;
	return assign_full(w, i);
}

/*
 * The first assignment of the rows [lo, hi), as k-means++ left it
 * (seed_note): every row takes its nearest centroid, with the bounds the
 * full search would give (Lloyd and Hamerly; Elkan searches in full).
 */
static CC_ALWAYS_INLINE size_t
assign_seeded_rows(KmWork *w)
{
	size_t		i;

	for (i = w->lo; i < w->hi; i++)
	{
		w->upper[i] = sqrt(w->closest[i]) * (1.0 + CC_BOUND_SLACK);
		w->lower[i] = sqrt(w->seed_second[i]) * (1.0 - CC_BOUND_SLACK);
		relabel(w, i, w->seed_label[i]);
	}
	settle_sums(w);
	return w->hi - w->lo;
}

/*
 * What an assignment step needs before it visits the rows, computed once
 * for all of them: the largest and second largest move (Hamerly), each
 * move's slack, and the half distances between centroids.  Returns whether
 * any centroid moved.
 */
static bool
assign_prepare(KmWork *w, bool use_bounds)
{
	bool		moved = false;
	int			c;

	if (!use_bounds || w->k <= 1)
		return false;
	w->shift_max1 = 0.0;
	w->shift_max2 = 0.0;
	w->shift_arg1 = -1;
	for (c = 0; c < w->k; c++)
	{
		double		s = w->shift[c];

		if (s != 0.0)
			moved = true;
		w->shift_slack[c] = CC_BOUND_SLACK * s;
		if (s > w->shift_max1)
		{
			w->shift_max2 = w->shift_max1;
			w->shift_max1 = s;
			w->shift_arg1 = c;
		}
		else if (s > w->shift_max2)
			w->shift_max2 = s;
	}
	if (w->algorithm == CC_ALGO_ELKAN)
	{
		centroid_gaps(w, true);
		w->gaps_now = true;
		if (moved)
			history_push(w);
	}
	else if (w->algorithm == CC_ALGO_HAMERLY)
		centroid_gaps(w, false);
	return moved;
}

/*
 * Assignment step over the rows [lo, hi), after assign_prepare; returns
 * how many rows changed cluster.  With bounds, each row's bounds are first
 * widened by the moves of the last update (in the same pass, so that the
 * rows are read once).  lo is a multiple of CC_CHECK_ROWS, so that the
 * interrupt checks come as often in a part as in the whole.
 */
static CC_ALWAYS_INLINE size_t
assign_rows(KmWork *w, bool use_bounds, bool moved)
{
	size_t		changed = 0;
	size_t		i;
	size_t		hi = w->hi;

	if (use_bounds && w->k > 1 && w->algorithm == CC_ALGO_ELKAN)
	{
		size_t		doubt[CC_BATCH_ROWS];

		/* a batch of rows through the bounds, then those still in doubt */
		for (i = w->lo; i < hi; i += CC_BATCH_ROWS)
		{
			size_t		end = (hi - i < CC_BATCH_ROWS) ? hi : i + CC_BATCH_ROWS;
			size_t		m = 0;
			size_t		full;
			size_t		r;

			if (km_poll(w, i))
				break;
			for (r = i; r < end; r++)
			{
				doubt[m] = r;
				m += w->rebase | elkan_first(w, r);
			}
			m = w->lower_float ? elkan_second(w, doubt, m, true) :
				elkan_second(w, doubt, m, false);
			/* tightened bounds settle some; the others are searched in full */
			full = elkan_tighten(w, doubt, m);
			changed += assign_full_rows(w, doubt, full, true);
		}
	}
	else if (use_bounds && w->k > 1 && w->algorithm == CC_ALGO_HAMERLY)
	{
		for (i = w->lo; i < hi; i++)
		{
			if (km_poll(w, i))
				break;
			if (hamerly_visit(w, i, moved))
				changed++;
		}
	}
	else
	{
		size_t		rows[CC_BATCH_ROWS];

		/* every row searched in full, a batch at a time */
		for (i = w->lo; i < hi; i += CC_BATCH_ROWS)
		{
			size_t		end = (hi - i < CC_BATCH_ROWS) ? hi : i + CC_BATCH_ROWS;
			size_t		r;

			if (km_poll(w, i))
				break;
			for (r = i; r < end; r++)
				rows[r - i] = r;
			changed += assign_full_rows(w, rows, end - i,
										w->algorithm == CC_ALGO_ELKAN);
		}
	}
	settle_sums(w);
	return changed;
}

/*
 * A part's share of each kind of step, cloned for SIMD like single_run and
 * flattened, so that the helpers of each clone (the distance kernels
 * among them) are compiled into it for its instruction set.
 */
CC_SIMD_CLONES KM_FLATTEN static size_t
part_assign(KmWork *pw)
{
	return assign_rows(pw, pw->part_bounds, pw->part_moved);
}

CC_SIMD_CLONES KM_FLATTEN static size_t
part_seeded(KmWork *pw)
{
	return assign_seeded_rows(pw);
}

CC_SIMD_CLONES KM_FLATTEN static void
part_score(KmWork *pw)
{
	size_t		i;

	for (i = pw->lo; i < pw->hi; i++)
	{
		if (km_poll(pw, i))
			break;
		pw->scratch[i] = cc_sqdist(pw->x + i * pw->d,
								   pw->cent + (size_t) pw->labels[i] * pw->d,
								   pw->d);
	}
}

CC_SIMD_CLONES KM_FLATTEN static void
part_note(KmWork *pw)
{
	size_t		i;

	if (pw->seed_trial >= 0)
	{
		/* part_pot measured them: the same kernel's bits */
		seed_note(pw, pw->seed_c, pw->potbuf + (size_t) pw->seed_trial * pw->n);
		return;
	}
	for (i = pw->lo; i < pw->hi; i += CC_CHECK_ROWS)
	{
		size_t		m = (pw->hi - i < CC_CHECK_ROWS) ? pw->hi - i : CC_CHECK_ROWS;

		if (km_poll(pw, i))
			break;
		cc_sqdist_rows(pw->x + i * pw->d, m, pw->d, pw->seed_row, pw->cum + i);
	}
	if (!pw->stopped)
		seed_note(pw, pw->seed_c, pw->cum);
}

/*
 * The candidates' potentials over the part's groups of rows, into
 * pot_groups (summed by seed_kmeanspp), and each row's distance to each
 * candidate into potbuf, where part_note finds the chosen one's.  A part
 * starts on a group.
 */
CC_SIMD_CLONES KM_FLATTEN static void
part_pot(KmWork *pw)
{
	size_t		i;

	for (i = pw->lo; i < pw->hi; i += CC_CHECK_ROWS)
	{
		if (km_poll(pw, i))
			break;
		pot_group(pw, i, (pw->hi - i < CC_CHECK_ROWS) ? pw->hi : i + CC_CHECK_ROWS,
				  pw->pot_groups + i / CC_CHECK_ROWS * pw->trials, pw->potbuf);
	}
}

/* One part's share of a step (run_parts): a worker task. */
static void
part_task(void *arg, int t)
{
	KmWork	   *pw = &((KmWork *) arg)[t];

	switch (pw->part_op)
	{
		case KM_PART_ASSIGN:
			pw->part_changed = part_assign(pw);
			break;
		case KM_PART_SEEDED:
			pw->part_changed = part_seeded(pw);
			break;
		case KM_PART_SCORE:
			part_score(pw);
			break;
		case KM_PART_NOTE:
			part_note(pw);
			break;
		case KM_PART_POT:
			part_pot(pw);
			break;
	}
}

/*
 * Run one step of a single run over w's parts of the rows, in threads
 * (the calling thread waits, polling p->stop), and fold the parts' exact
 * sums and counts into w's in part order.  The sums are exact, so they are
 * the same, bit for bit, whatever the number of parts; every other per-row
 * state (labels, bounds) belongs to one part.  Each part is a copy of w
 * with its own xsum, xbatch, count, dirty and dist, refreshed here because the
 * centroid buffers swap at every update.  Returns the rows that changed
 * cluster.
 */
static size_t
run_parts(KmWork *w, int op, bool bounds, bool moved)
{
	volatile int stop = 0;
	size_t		changed = 0;
	int			in_threads;
	int			t,
				c,
				j;
	int			k = w->k;
	int			d = w->d;

	for (t = 0; t < w->nparts; t++)
	{
		KmWork	   *pw = &w->parts[t];
		CcXsum	   *xsum = pw->xsum;
		CcXbatch   *xbatch = pw->xbatch;
		int64_t    *count = pw->count;
		bool	   *dirty = pw->dirty;
		double	   *dist = pw->dist;
		size_t		lo = pw->lo,
					hi = pw->hi;

		*pw = *w;
		pw->xsum = xsum;
		pw->xbatch = xbatch;
		pw->count = count;
		pw->dirty = dirty;
		pw->dist = dist;
		pw->lo = lo;
		pw->hi = hi;
		pw->nparts = 0;
		pw->parts = NULL;
		pw->part_op = op;
		pw->part_bounds = bounds;
		pw->part_moved = moved;
		pw->part_changed = 0;
		pw->stop = &stop;
		clear_sums(xsum, xbatch, k * d);
		memset(count, 0, sizeof(int64_t) * k);
		memset(dirty, 0, sizeof(bool) * k);
	}
	in_threads = cc_run_workers(part_task, w->parts, w->nparts, w->p->stop,
								w->p->cb_arg, &stop);
	/* what did not run in a thread runs here, with the check callback */
	for (t = in_threads; t < w->nparts; t++)
	{
		w->parts[t].stop = NULL;
		if (!stop)
			part_task(w->parts, t);
	}
	if (stop)
		w->stopped = true;
	for (t = 0; t < w->nparts; t++)
	{
		KmWork	   *pw = &w->parts[t];

		if (pw->stopped)
			w->stopped = true;
		changed += pw->part_changed;
		for (c = 0; c < k; c++)
		{
			if (!pw->dirty[c])
				continue;
			for (j = 0; j < d; j++)
				cc_xsum_merge(&w->xsum[(size_t) c * d + j],
							  &pw->xsum[(size_t) c * d + j]);
			w->count[c] += pw->count[c];
			w->dirty[c] = true;
		}
	}
	return changed;
}

/*
 * The first assignment (k-means++ found every row's nearest centroid);
 * returns n.
 */
static CC_ALWAYS_INLINE size_t
assign_seeded(KmWork *w)
{
	if (w->nparts > 1)
		return run_parts(w, KM_PART_SEEDED, false, false);
	return assign_seeded_rows(w);
}

/* Assignment step over all rows; returns how many rows changed cluster. */
static CC_ALWAYS_INLINE size_t
assign_step(KmWork *w, bool use_bounds)
{
	bool		moved = assign_prepare(w, use_bounds);
	size_t		changed;

	if (w->nparts > 1)
		changed = run_parts(w, KM_PART_ASSIGN, use_bounds, moved);
	else
		changed = assign_rows(w, use_bounds, moved);
	history_rebased(w);
	return changed;
}

/*
 * Update step: the new centroids into w->next, each the mean of its rows
 * from the exact sums (only clusters whose rows changed are recomputed:
 * the others keep their centroid bit for bit and move by 0).  Empty
 * clusters take the rows farthest from their current centroids; such a row
 * is relabelled and its upper bound made infinite, so that the next
 * assignment searches it in full.  Returns whether any cluster was empty.
 */
static CC_ALWAYS_INLINE bool
update_step(KmWork *w)
{
	int			k = w->k;
	int			d = w->d;
	size_t		i;
	int			c,
				j;
	int			n_empty = 0;

	for (c = 0; c < k; c++)
		if (w->count[c] == 0)
			n_empty++;
	if (n_empty > 0)
	{
		/* distance of every row to the centroid it was assigned to */
		for (i = 0; i < w->n; i++)
			w->scratch[i] = cc_sqdist(w->x + i * d,
									  w->cent + (size_t) w->labels[i] * d, d);
		for (c = 0; c < k; c++)
		{
			size_t		far = 0;
			double		fd = -1.0;

			if (w->count[c] != 0)
				continue;
			/* the farthest row not yet taken by another empty cluster */
			for (i = 0; i < w->n; i++)
				if (w->scratch[i] > fd)
				{
					fd = w->scratch[i];
					far = i;
				}
			if (fd < 0.0)
				continue;
			w->scratch[far] = -1.0;
			relabel(w, far, c);
			/* its bounds are for its former label: search it in full */
			w->upper[far] = INFINITY;
			if (w->algorithm != CC_ALGO_ELKAN)
				w->lower[far] = -INFINITY;
		}
		settle_sums(w);
	}

	for (c = 0; c < k; c++)
	{
		double	   *next = w->next + (size_t) c * d;

		if (w->dirty[c] && w->count[c] > 0)
		{
			const CcXsum *s = w->xsum + (size_t) c * d;
			double		cnt = (double) w->count[c];

			for (j = 0; j < d; j++)
				next[j] = cc_xsum_value(&s[j]) / cnt;
		}
		else
		{
			/* unchanged, or left empty by a row taken twice over: keep it */
			memcpy(next, w->cent + (size_t) c * d, sizeof(double) * d);
		}
		w->dirty[c] = false;
	}
	return n_empty > 0;
}

/*
 * One run from the centroids in w->cent; leaves final centroids in w->cent
 * and labels in w->labels.  Returns the number of iterations.
 */
CC_SIMD_CLONES static int
single_run(KmWork *w, double tol, bool *converged)
{
	bool		bounded = (w->algorithm != CC_ALGO_LLOYD);
	bool		strict = false;
	int			iter;
	size_t		i;
	int			c;

	*converged = false;
	for (i = 0; i < w->n; i++)
		w->labels[i] = -1;
	clear_sums(w->xsum, w->xbatch, w->k * w->d);
	for (c = 0; c < w->k; c++)
	{
		w->count[c] = 0;
		w->dirty[c] = false;
		w->shift[c] = 0.0;
	}
	cc_transpose_padded(w->cent, w->k, w->d, w->kp, w->cent_t);
	w->gaps_now = false;
	history_start(w);

	for (iter = 0; iter < w->p->max_iter; iter++)
	{
		size_t		changed;
		bool		relocated;
		double		total = 0.0;

		if (km_poll(w, 0))
			return 0;
		/* Elkan's first assignment needs every distance: see seed_note */
		if (iter == 0 && w->seeded && w->algorithm != CC_ALGO_ELKAN)
			changed = assign_seeded(w);
		else
			changed = assign_step(w, bounded && iter > 0);
		if (w->stopped)
			return 0;
		relocated = update_step(w);
		for (c = 0; c < w->k; c++)
		{
			double		s2 = cc_sqdist(w->cent + (size_t) c * w->d,
									   w->next + (size_t) c * w->d, w->d);

			w->shift[c] = sqrt(s2);
			total += s2;
		}
		{
			double	   *swap = w->cent;

			w->cent = w->next;
			w->next = swap;
		}
		cc_transpose_padded(w->cent, w->k, w->d, w->kp, w->cent_t);
		w->gaps_now = false;
		/*
		 * No row changed cluster: converged, unless an empty cluster just
		 * took a row (scikit-learn stops there; we go on so that labels and
		 * centroids agree).
		 */
		if (iter > 0 && changed == 0 && !relocated)
		{
			strict = true;
			*converged = true;
			break;
		}
		if (total <= tol)
		{
			*converged = true;
			break;
		}
	}
	if (!strict)
	{
		/* labels that match the final centroids (the bounds still hold) */
		assign_step(w, bounded && iter > 0);
		if (w->stopped)
			return 0;
	}
	return iter < w->p->max_iter ? iter + 1 : w->p->max_iter;
}

/*
 * Inertia, sizes and per-cluster squared error of labels against
 * centroids, summed in row order.  With parts, the distances are computed
 * in threads first (into scratch, free after the run), then summed here in
 * the same order.
 */
static double
score_run(KmWork *w, int64_t *sizes, double *sse)
{
	double		inertia = 0.0;
	size_t		i;

	memset(sizes, 0, sizeof(int64_t) * w->k);
	memset(sse, 0, sizeof(double) * w->k);
	if (w->nparts > 1)
	{
		run_parts(w, KM_PART_SCORE, false, false);
		if (w->stopped)
			return 0.0;
		for (i = 0; i < w->n; i++)
		{
			int			a = w->labels[i];
			double		dist = w->scratch[i];

			inertia += dist;
			sse[a] += dist;
			sizes[a]++;
		}
		return inertia;
	}
	for (i = 0; i < w->n; i++)
	{
		int			a = w->labels[i];
		double		dist = cc_sqdist(w->x + i * w->d, w->cent + (size_t) a * w->d,
									 w->d);

		inertia += dist;
		sse[a] += dist;
		sizes[a]++;
	}
	return inertia;
}

/* Allocate every buffer one worker needs. */
static void
work_init(KmWork *w, const double *x, size_t n, int d, const CcKmeansParams *p,
		  CcAlgorithm algorithm, const CcAllocator *alloc)
{
	int			k = p->k;

	memset(w, 0, sizeof(*w));
	w->x = x;
	w->n = n;
	w->lo = 0;
	w->hi = n;
	w->d = d;
	w->k = k;
	w->p = p;
	w->algorithm = algorithm;
	w->cent = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	w->kp = cc_round4(k);
	w->cent_t = cc_alloc_array(alloc, (size_t) w->kp * d, sizeof(double));
	w->dist = cc_alloc_array(alloc, (size_t) 4 * w->kp, sizeof(double));
	w->next = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	w->count = cc_alloc_array(alloc, k, sizeof(int64_t));
	w->shift = cc_alloc_array(alloc, k, sizeof(double));
	w->shift_slack = cc_alloc_array(alloc, k, sizeof(double));
	w->xsum = cc_alloc_array(alloc, (size_t) k * d, sizeof(CcXsum));
	w->xbatch = cc_alloc_array(alloc, (size_t) k * d, sizeof(CcXbatch));
	w->dirty = cc_alloc_array(alloc, k, sizeof(bool));
	w->half = cc_alloc_array(alloc, k, sizeof(double));
	w->labels = cc_alloc_array(alloc, n, sizeof(int));
	w->upper = cc_alloc_array(alloc, n, sizeof(double));
	w->lower_float = (algorithm == CC_ALGO_ELKAN && elkan_bounds_float(n, k));
	if (w->lower_float)
		w->elower = cc_alloc_array(alloc, n * k, sizeof(float));
	else
		w->lower = cc_alloc_array(alloc, algorithm == CC_ALGO_ELKAN ? n * k : n,
								  sizeof(double));
	if (algorithm == CC_ALGO_ELKAN)
	{
		w->half_cc = cc_alloc_array(alloc, (size_t) k * k, sizeof(double));
		w->ustamp = cc_alloc_array(alloc, n, sizeof(uint8_t));
		w->lstamp = cc_alloc_array(alloc, n, sizeof(uint8_t));
		w->lmin = cc_alloc_array(alloc, n, sizeof(float));
		w->hist_cap = history_slots(k, d);
		w->hist = cc_alloc_array(alloc, (size_t) w->hist_cap * k * d,
								 sizeof(double));
		w->drift = cc_alloc_array(alloc, (size_t) w->hist_cap * k, sizeof(double));
		w->drift_slack = cc_alloc_array(alloc, (size_t) w->hist_cap * k,
										sizeof(double));
		w->drift_max1 = cc_alloc_array(alloc, w->hist_cap, sizeof(double));
		w->drift_max2 = cc_alloc_array(alloc, w->hist_cap, sizeof(double));
		w->drift_arg1 = cc_alloc_array(alloc, w->hist_cap, sizeof(int));
	}
	w->scratch = cc_alloc_array(alloc, n, sizeof(double));
	w->trials = 2 + (int) log((double) k);
	if (p->init == CC_INIT_KMEANSPP)
	{
		w->closest = cc_alloc_array(alloc, n, sizeof(double));
		w->cum = cc_alloc_array(alloc, n, sizeof(double));
		w->cand = cc_alloc_array(alloc, (size_t) w->trials * d, sizeof(double));
		w->cand_t = cc_alloc_array(alloc, (size_t) cc_round4(w->trials) * d,
								   sizeof(double));
		w->cand_id = cc_alloc_array(alloc, w->trials, sizeof(size_t));
		w->pot_t = cc_alloc_array(alloc, w->trials, sizeof(double));
	}
	if (p->init == CC_INIT_RANDOM)
		w->perm = cc_alloc_array(alloc, n, sizeof(size_t));
	if (p->init == CC_INIT_KMEANSPP)
	{
		w->seed_label = cc_alloc_array(alloc, n, sizeof(int));
		w->seed_second = w->scratch;	/* free until the first update */
	}
	w->sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	w->sse = cc_alloc_array(alloc, k, sizeof(double));
	w->best_run = -1;
	w->best_cent = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	w->best_labels = cc_alloc_array(alloc, n, sizeof(int));
	w->best_sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	w->best_sse = cc_alloc_array(alloc, k, sizeof(double));
}

static void
work_free(KmWork *w, const CcAllocator *alloc)
{
	void	   *bufs[] = {w->cent, w->cent_t, w->dist, w->next, w->count,
		w->shift, w->shift_slack, w->xsum, w->xbatch, w->dirty, w->half, w->labels,
		w->upper, w->lower, w->elower, w->half_cc, w->ustamp, w->lstamp, w->lmin, w->hist,
		w->drift, w->drift_slack, w->drift_max1, w->drift_max2, w->drift_arg1,
		w->scratch, w->closest, w->cum, w->cand, w->cand_t, w->cand_id,
		w->pot_t, w->perm, w->seed_label, w->sizes, w->sse, w->best_cent,
		w->best_labels, w->best_sizes, w->best_sse};
	size_t		i;
	int			t;

	for (t = 0; t < w->nparts; t++)
	{
		cc_release(alloc, w->parts[t].xsum);
		cc_release(alloc, w->parts[t].xbatch);
		cc_release(alloc, w->parts[t].count);
		cc_release(alloc, w->parts[t].dirty);
		cc_release(alloc, w->parts[t].dist);
	}
	cc_release(alloc, w->parts);
	cc_release(alloc, w->potbuf);
	cc_release(alloc, w->pot_groups);
	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		cc_release(alloc, bufs[i]);
}

/*
 * Split w's rows into "parts" parts for run_parts: each part starts on a
 * multiple of CC_CHECK_ROWS and gets its own sums, counts, dirty flags and
 * distance buffer; the rest of a part is refreshed from w at every step.
 */
static void
work_split(KmWork *w, int parts, const CcAllocator *alloc)
{
	size_t		blocks = (w->n + CC_CHECK_ROWS - 1) / CC_CHECK_ROWS;
	int			t;

	w->parts = cc_alloc_array(alloc, parts, sizeof(KmWork));
	w->nparts = parts;
	if (w->p->init == CC_INIT_KMEANSPP)
	{
		w->potbuf = cc_alloc_array(alloc, w->n, sizeof(double) * w->trials);
		w->pot_groups = cc_alloc_array(alloc, (w->n + CC_CHECK_ROWS - 1) / CC_CHECK_ROWS,
									   sizeof(double) * w->trials);
	}
	for (t = 0; t < parts; t++)
	{
		KmWork	   *pw = &w->parts[t];
		size_t		lo = blocks * t / parts * CC_CHECK_ROWS;
		size_t		hi = blocks * (t + 1) / parts * CC_CHECK_ROWS;

		memset(pw, 0, sizeof(*pw));
		pw->lo = lo < w->n ? lo : w->n;
		pw->hi = hi < w->n ? hi : w->n;
		pw->xsum = cc_alloc_array(alloc, (size_t) w->k * w->d, sizeof(CcXsum));
		pw->xbatch = cc_alloc_array(alloc, (size_t) w->k * w->d, sizeof(CcXbatch));
		pw->count = cc_alloc_array(alloc, w->k, sizeof(int64_t));
		pw->dirty = cc_alloc_array(alloc, w->k, sizeof(bool));
		pw->dist = cc_alloc_array(alloc, (size_t) 4 * w->kp, sizeof(double));
	}
}

/* Run this worker's restarts, keeping the best of them. */
static void
work_runs(KmWork *w)
{
	const CcKmeansParams *p = w->p;
	size_t		cells = (size_t) w->k * w->d;
	int			run;

	/* each worker claims the next run when done: runs differ in length */
	while ((run = cc_claim_next(w->next_run)) < w->runs)
	{
		bool		converged;
		int			iters;
		double		inertia;

		switch (p->init)
		{
			case CC_INIT_KMEANSPP:
				seed_kmeanspp(w, p->seed, (uint64_t) run + 1, w->cent,
							  (p->seeds != NULL && run < p->seeds->runs &&
							   w->k <= p->seeds->k_max) ? &p->seeds->run[run] : NULL);
				break;
			case CC_INIT_RANDOM:
				seed_random(w, p->seed, (uint64_t) run + 1, w->cent);
				break;
			case CC_INIT_GIVEN:
				memcpy(w->cent, p->init_centroids, sizeof(double) * cells);
				break;
		}
		if (w->stopped)
			return;
		iters = single_run(w, p->tol, &converged);
		if (w->stopped)
			return;
		inertia = score_run(w, w->sizes, w->sse);
		if (w->stopped)
			return;
		w->run_iters[run] = iters;
		w->run_inertia[run] = inertia;
		w->run_converged[run] = converged;
		/* a worker claims runs in increasing order: strictly less keeps the earliest */
		if (w->best_run < 0 || inertia < w->best_inertia)
		{
			w->best_run = run;
			w->best_inertia = inertia;
			w->best_iters = iters;
			w->best_converged = converged;
			memcpy(w->best_cent, w->cent, sizeof(double) * cells);
			memcpy(w->best_labels, w->labels, sizeof(int) * w->n);
			memcpy(w->best_sizes, w->sizes, sizeof(int64_t) * w->k);
			memcpy(w->best_sse, w->sse, sizeof(double) * w->k);
		}
	}
}

/* Worker task: the restarts of worker t. */
static void
work_task(void *arg, int t)
{
	work_runs(&((KmWork *) arg)[t]);
}

static void kmeans_restarts_on_sample(const double *x, size_t n, int d,
						  const CcKmeansParams *p, CcKmeansResult *res,
						  const CcAllocator *alloc);

/* Allocate the arrays of a result for n rows and k clusters, empty. */
static void
result_alloc(CcKmeansResult *res, size_t n, int k, int d,
			 const CcAllocator *alloc)
{
	res->centroids = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	res->labels = cc_alloc_array(alloc, n, sizeof(int));
	res->sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	res->sse = cc_alloc_array(alloc, k, sizeof(double));
	res->inertia = INFINITY;
	res->iterations = 0;
	res->best_run = -1;
	res->converged = false;
	res->stopped = false;
}

/* Release the arrays of a result. */
static void
result_release(CcKmeansResult *res, const CcAllocator *alloc)
{
	cc_release(alloc, res->centroids);
	cc_release(alloc, res->labels);
	cc_release(alloc, res->sizes);
	cc_release(alloc, res->sse);
}

/*
 * The restarts of a large matrix (more than p->restart_rows rows): each of
 * them on the same uniform sample of restart_rows rows, chosen with the
 * seed and kept in the matrix's order (J. S. Vitter's selection sampling,
 * Algorithm S), and then the best one, from its centroids, on every row to
 * exact convergence.  The restarts only choose where the last run starts,
 * and a few hundred thousand rows choose it as well as millions do, in a
 * fraction of the time.  The result is that of the last run; its labels
 * cover every row, and best_run names the best restart.
 */
static void
kmeans_restarts_on_sample(const double *x, size_t n, int d,
						  const CcKmeansParams *p, CcKmeansResult *res,
						  const CcAllocator *alloc)
{
	size_t		m = p->restart_rows;
	double	   *sub = cc_alloc_array(alloc, m * (size_t) d, sizeof(double));
	CcKmeansParams sp = *p;
	CcKmeansParams fp = *p;
	CcKmeansResult sr;
	CcRng		rng;
	size_t		i,
				taken = 0;

	cc_rng_seed(&rng, p->seed, UINT64_C(0x5e1ec7ed));
	for (i = 0; i < n && taken < m; i++)
		if (cc_rng_below(&rng, n - i) < m - taken)
			memcpy(sub + (taken++) * d, x + i * d, sizeof(double) * d);

	sp.restart_rows = 0;
	sp.seeds = NULL;
	cc_kmeans(sub, m, d, &sp, &sr, alloc);
	cc_release(alloc, sub);
	if (sr.stopped)
	{
		result_release(&sr, alloc);
		result_alloc(res, n, p->k, d, alloc);
		res->stopped = true;
		return;
	}

	fp.restart_rows = 0;
	fp.seeds = NULL;
	fp.n_init = 1;
	fp.init = CC_INIT_GIVEN;
	fp.init_centroids = sr.centroids;
	fp.report = NULL;
	cc_kmeans(x, n, d, &fp, res, alloc);
	res->best_run = sr.best_run;
	result_release(&sr, alloc);
}

/* Whether cc_kmeans runs the restarts of p on a sample of n rows. */
bool
cc_kmeans_restarts_sampled(const CcKmeansParams *p, size_t n)
{
	return p->init != CC_INIT_GIVEN && p->n_init > 1 && p->restart_rows > 0 &&
		n > p->restart_rows && p->restart_rows >= (size_t) p->k;
}

/* Cluster x into p->k clusters with restarts; see kmeans.h. */
void
cc_kmeans(const double *x, size_t n, int d, const CcKmeansParams *p,
		  CcKmeansResult *res, const CcAllocator *alloc)
{
	int			k = p->k;
	int			runs = (p->init == CC_INIT_GIVEN) ? 1 : p->n_init;
	int			nworkers = p->threads > 1 ? p->threads : 1;
	CcAlgorithm algorithm = p->algorithm;
	volatile int stop = 0;
	int			in_threads = 0;
	KmWork	   *works;
	KmWork	   *best = NULL;
	int			t,
				run;

	if (cc_kmeans_restarts_sampled(p, n))
	{
		kmeans_restarts_on_sample(x, n, d, p, res, alloc);
		return;
	}
	if (algorithm == CC_ALGO_AUTO)
		algorithm = (k <= d) ? CC_ALGO_ELKAN : CC_ALGO_HAMERLY;
	/* a seed cache filled for other data or another seed starts afresh */
	if (p->seeds != NULL &&
		(p->seeds->x != x || p->seeds->n != n || p->seeds->d != d ||
		 p->seeds->seed != p->seed))
	{
		p->seeds->x = x;
		p->seeds->n = n;
		p->seeds->d = d;
		p->seeds->seed = p->seed;
		for (t = 0; t < p->seeds->runs; t++)
			p->seeds->run[t].count = 0;
	}
	if (nworkers > runs)
		nworkers = runs;
	works = cc_alloc_array(alloc, nworkers, sizeof(KmWork));
	for (t = 0; t < nworkers; t++)
		work_init(&works[t], x, n, d, p, algorithm, alloc);
	/*
	 * Fewer restarts than threads (n_init = 1): the one worker splits its
	 * rows between the threads instead, when there are enough of them.
	 */
	if (nworkers == 1 && p->threads > 1 && n >= (size_t) 2 * CC_PART_MIN_ROWS)
	{
		int			parts = p->threads;

		if ((size_t) parts > n / CC_PART_MIN_ROWS)
			parts = (int) (n / CC_PART_MIN_ROWS);
		work_split(&works[0], parts, alloc);
	}
	result_alloc(res, n, k, d, alloc);
	{
		int		   *iters = cc_alloc_array(alloc, runs, sizeof(int));
		double	   *inertia = cc_alloc_array(alloc, runs, sizeof(double));
		bool	   *converged = cc_alloc_array(alloc, runs, sizeof(bool));
		volatile int next_run = 0;

		for (t = 0; t < nworkers; t++)
		{
			works[t].next_run = &next_run;
			works[t].runs = runs;
			works[t].run_iters = iters;
			works[t].run_inertia = inertia;
			works[t].run_converged = converged;
		}
		if (nworkers > 1)
		{
			for (t = 0; t < nworkers; t++)
				works[t].stop = &stop;
			in_threads = cc_run_workers(work_task, works, nworkers, p->stop,
										p->cb_arg, &stop);
			for (t = 0; t < nworkers; t++)
				works[t].stop = NULL;
		}
		/* whatever did not run in a thread runs here, with the check callback */
		for (t = in_threads; t < nworkers; t++)
			if (!stop)
				work_runs(&works[t]);
		/* a worker whose parts ran in threads may have stopped on its own */
		for (t = 0; t < nworkers; t++)
			if (works[t].stopped)
				stop = 1;
		if (stop)
			res->stopped = true;
		else
		{
			for (t = 0; t < nworkers; t++)
				if (works[t].best_run >= 0 &&
					(best == NULL || works[t].best_inertia < best->best_inertia ||
					 (works[t].best_inertia == best->best_inertia &&
					  works[t].best_run < best->best_run)))
					best = &works[t];
			res->inertia = best->best_inertia;
			res->iterations = best->best_iters;
			res->best_run = best->best_run;
			res->converged = best->best_converged;
			memcpy(res->centroids, best->best_cent, sizeof(double) * k * d);
			memcpy(res->labels, best->best_labels, sizeof(int) * n);
			memcpy(res->sizes, best->best_sizes, sizeof(int64_t) * k);
			memcpy(res->sse, best->best_sse, sizeof(double) * k);
			if (p->report)
				for (run = 0; run < runs; run++)
					p->report(p->cb_arg, run, iters[run], inertia[run],
							  converged[run]);
		}
		cc_release(alloc, iters);
		cc_release(alloc, inertia);
		cc_release(alloc, converged);
	}
	for (t = 0; t < nworkers; t++)
		work_free(&works[t], alloc);
	cc_release(alloc, works);
}

/* A cache of k-means++ choices; see kmeans.h. */
CcSeedCache *
cc_seed_cache_create(int runs, int k_max, const CcAllocator *alloc)
{
	CcSeedCache *cache;
	SeedRun    *run;
	size_t	   *rows;
	int			r;

	if (runs < 1 || k_max < 1)
		return NULL;
	cache = cc_alloc_array(alloc, 1, sizeof(CcSeedCache));
	run = cc_alloc_array(alloc, runs, sizeof(SeedRun));
	rows = cc_alloc_array(alloc, (size_t) runs * k_max, sizeof(size_t));
	if (cache == NULL || run == NULL || rows == NULL)
	{
		cc_release(alloc, cache);
		cc_release(alloc, run);
		cc_release(alloc, rows);
		return NULL;
	}
	memset(cache, 0, sizeof(*cache));
	memset(run, 0, sizeof(SeedRun) * runs);
	cache->runs = runs;
	cache->k_max = k_max;
	cache->run = run;
	for (r = 0; r < runs; r++)
		run[r].rows = rows + (size_t) r * k_max;
	return cache;
}

void
cc_seed_cache_free(CcSeedCache *cache, const CcAllocator *alloc)
{
	if (cache == NULL)
		return;
	cc_release(alloc, cache->run[0].rows);
	cc_release(alloc, cache->run);
	cc_release(alloc, cache);
}

int
cc_seed_cache_kept(const CcSeedCache *cache, int run)
{
	return (cache != NULL && run >= 0 && run < cache->runs) ? cache->run[run].count : 0;
}

/* Greedy k-means++ seeding on its own (for tests): see kmeans.h. */
void
cc_kmeanspp(const double *x, size_t n, int d, int k, uint64_t seed,
			uint64_t stream, double *centroids, const CcAllocator *alloc,
			CcCheckFn check, void *arg)
{
	CcKmeansParams p;
	KmWork		w;

	memset(&p, 0, sizeof(p));
	p.k = k;
	p.init = CC_INIT_KMEANSPP;
	p.check = check;
	p.cb_arg = arg;
	work_init(&w, x, n, d, &p, CC_ALGO_LLOYD, alloc);
	seed_kmeanspp(&w, seed, stream, centroids, NULL);
	work_free(&w, alloc);
}

/* Add a batch of rows to the statistics of their nearest centroids; see kmeans.h. */
void
cc_kmeans_accumulate(const double *x, size_t n, int d, const double *centroids,
					 int k, double *sums, int64_t *counts, double *sse,
					 int *labels)
{
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		double		best;
		int			c = cc_nearest(x + i * d, centroids, k, d, &best);
		double	   *acc = sums + (size_t) c * d;

		for (j = 0; j < d; j++)
			acc[j] += x[i * d + j];
		counts[c]++;
		sse[c] += best;
		if (labels)
			labels[i] = c;
	}
}

/* Move each centroid to the mean of its rows; see kmeans.h. */
double
cc_kmeans_lloyd_update(double *centroids, int k, int d, const double *sums,
					   const int64_t *counts)
{
	double		shift = 0.0;
	int			c,
				j;

	for (c = 0; c < k; c++)
	{
		double	   *cen = centroids + (size_t) c * d;

		if (counts[c] == 0)
			continue;			/* an empty cluster keeps its centroid */
		for (j = 0; j < d; j++)
		{
			double		v = sums[(size_t) c * d + j] / (double) counts[c];

			shift += (v - cen[j]) * (v - cen[j]);
			cen[j] = v;
		}
	}
	return shift;
}

/* Sizes, sse and inertia from a pass; see kmeans.h. */
void
cc_kmeans_take_pass(CcKmeansResult *res, int k, const int64_t *counts,
					const double *sse)
{
	int			c;

	res->inertia = 0.0;
	for (c = 0; c < k; c++)
	{
		res->sizes[c] = counts[c];
		res->sse[c] = sse[c];
		res->inertia += sse[c];
	}
}

/* Give cluster c the number renumber[c]; see kmeans.h. */
void
cc_kmeans_renumber(CcKmeansResult *res, size_t n, int k, int d,
				   const int *renumber, const CcAllocator *alloc)
{
	double	   *cent = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	int64_t    *sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	double	   *sse = cc_alloc_array(alloc, k, sizeof(double));
	size_t		i;
	int			c;

	for (c = 0; c < k; c++)
	{
		int			to = renumber[c];

		memcpy(cent + (size_t) to * d, res->centroids + (size_t) c * d,
			   sizeof(double) * d);
		sizes[to] = res->sizes[c];
		sse[to] = res->sse[c];
	}
	memcpy(res->centroids, cent, sizeof(double) * k * d);
	memcpy(res->sizes, sizes, sizeof(int64_t) * k);
	memcpy(res->sse, sse, sizeof(double) * k);
	for (i = 0; i < n; i++)
		res->labels[i] = renumber[res->labels[i]];
	cc_release(alloc, cent);
	cc_release(alloc, sizes);
	cc_release(alloc, sse);
}

/* Renumber clusters by decreasing size; see kmeans.h. */
void
cc_kmeans_sort_by_size(CcKmeansResult *res, size_t n, int k, int d,
					   const CcAllocator *alloc)
{
	int		   *order = cc_alloc_array(alloc, k, sizeof(int));
	int		   *rank = cc_alloc_array(alloc, k, sizeof(int));
	int			a,
				b;

	/* stable insertion sort of cluster numbers by size, largest first */
	for (a = 0; a < k; a++)
	{
		int			c = a;

		for (b = a; b > 0 && res->sizes[order[b - 1]] < res->sizes[c]; b--)
			order[b] = order[b - 1];
		order[b] = c;
	}
	for (a = 0; a < k; a++)
		rank[order[a]] = a;
	cc_kmeans_renumber(res, n, k, d, rank, alloc);
	cc_release(alloc, order);
	cc_release(alloc, rank);
}
