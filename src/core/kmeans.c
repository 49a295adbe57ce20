/*
 * kmeans.c
 *		k-means: greedy k-means++ seeding, Lloyd's algorithm with Hamerly's
 *		bounds, n_init restarts keeping the lowest inertia.
 *
 * The iteration and stopping rules follow scikit-learn 1.2's Lloyd
 * implementation, so that from the same start both reach the same
 * partition: an iteration assigns every row to its nearest centroid and
 * moves each centroid to the mean of its rows; the run stops when no row
 * changed cluster ("strict convergence") or when the sum of squared
 * centroid moves falls to tol.  Clusters that become empty take the rows
 * farthest from their centroids.
 *
 * Hamerly's bounds (G. Hamerly, "Making k-means even faster", SDM 2010)
 * skip distance computations that cannot change an assignment.  Bounds are
 * widened by a relative 1e-12 at every step, so rounding can never let them
 * skip a row whose nearest centroid is in doubt; such rows get the full
 * search, which is the same code as plain Lloyd.  Hence both algorithms give
 * the same labels, bit for bit (unit tested).
 */
#include <math.h>
#include <string.h>

#include "kmeans.h"
#include "matrix.h"
#include "rng.h"

#define CC_BOUND_SLACK	1e-12
/* rows between two interrupt checks in long loops */
#define CC_CHECK_ROWS	16384

typedef struct KmWork
{
	const double *x;
	size_t		n;
	int			d;
	int			k;
	const CcKmeansParams *p;
	double	   *cent;			/* k x d current centroids */
	double	   *next;			/* k x d centroids being computed */
	int64_t    *count;			/* k */
	double	   *shift;			/* k: distance each centroid moved */
	double	   *half;			/* k: half distance to the nearest other centroid */
	int		   *labels;			/* n */
	double	   *upper;			/* n: upper bound on distance to own centroid */
	double	   *lower;			/* n: lower bound on distance to any other */
	double	   *scratch;		/* n: relocation distances */
} KmWork;

static inline void
maybe_check(const CcKmeansParams *p, size_t i)
{
	if (p->check && (i % CC_CHECK_ROWS) == 0)
		p->check(p->cb_arg);
}

/* Return tol times the mean column variance (scikit-learn's _tolerance). */
double
cc_kmeans_tolerance(const double *x, size_t n, int d, double tol)
{
	double		var_sum = 0.0;
	int			j;

	if (tol == 0.0 || n == 0)
		return 0.0;
	for (j = 0; j < d; j++)
	{
		double		mean,
					var;

		cc_column_mean_var(x, n, d, j, &mean, &var);
		var_sum += var;
	}
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
 * Greedy k-means++ (Arthur and Vassilvitskii, "k-means++: the advantages of
 * careful seeding", SODA 2007), greedy variant as in scikit-learn: at each
 * step 2 + floor(ln k) candidates are drawn with probability proportional
 * to the squared distance to the nearest chosen centroid, and the one that
 * lowers the potential most is kept.
 */
void
cc_kmeanspp(const double *x, size_t n, int d, int k, uint64_t seed,
			uint64_t stream, double *centroids, const CcAllocator *alloc,
			CcCheckFn check, void *arg)
{
	CcRng		rng;
	int			trials = 2 + (int) log((double) k);
	double	   *closest = cc_alloc_array(alloc, n, sizeof(double));
	double	   *best = cc_alloc_array(alloc, n, sizeof(double));
	double	   *trial = cc_alloc_array(alloc, n, sizeof(double));
	double	   *cum = cc_alloc_array(alloc, n, sizeof(double));
	double		pot = 0.0;
	size_t		first;
	size_t		i;
	int			c;

	cc_rng_seed(&rng, seed, stream);
	first = (size_t) cc_rng_below(&rng, n);
	memcpy(centroids, x + first * d, sizeof(double) * d);
	for (i = 0; i < n; i++)
	{
		closest[i] = cc_sqdist(x + i * d, centroids, d);
		pot += closest[i];
	}

	for (c = 1; c < k; c++)
	{
		double		best_pot = 0.0;
		size_t		best_id = 0;
		double		run = 0.0;
		int			t;

		if (check)
			check(arg);
		for (i = 0; i < n; i++)
		{
			run += closest[i];
			cum[i] = run;
		}
		for (t = 0; t < trials; t++)
		{
			double		r = cc_rng_uniform(&rng) * pot;
			size_t		cand = search_cumulative(cum, n, r);
			const double *cx = x + cand * d;
			double		tpot = 0.0;

			for (i = 0; i < n; i++)
			{
				double		dist = cc_sqdist(x + i * d, cx, d);

				trial[i] = dist < closest[i] ? dist : closest[i];
				tpot += trial[i];
			}
			if (t == 0 || tpot < best_pot)
			{
				double	   *swap = best;

				best = trial;
				trial = swap;
				best_pot = tpot;
				best_id = cand;
			}
		}
		{
			double	   *swap = closest;

			closest = best;
			best = swap;
		}
		pot = best_pot;
		memcpy(centroids + (size_t) c * d, x + best_id * d, sizeof(double) * d);
	}
	cc_release(alloc, closest);
	cc_release(alloc, best);
	cc_release(alloc, trial);
	cc_release(alloc, cum);
}

/* k distinct rows drawn uniformly (partial Fisher-Yates on row numbers). */
static void
random_init(const double *x, size_t n, int d, int k, uint64_t seed,
			uint64_t stream, double *centroids, const CcAllocator *alloc)
{
	CcRng		rng;
	size_t	   *perm = cc_alloc_array(alloc, n, sizeof(size_t));
	size_t		i;
	int			c;

	cc_rng_seed(&rng, seed, stream);
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (c = 0; c < k; c++)
	{
		size_t		j = c + (size_t) cc_rng_below(&rng, n - c);
		size_t		t = perm[c];

		perm[c] = perm[j];
		perm[j] = t;
		memcpy(centroids + (size_t) c * d, x + perm[c] * d, sizeof(double) * d);
	}
	cc_release(alloc, perm);
}

/* Full search for row i: nearest and second nearest centroid; returns whether the label changed. */
static inline bool
assign_full(KmWork *w, size_t i)
{
	const double *xi = w->x + i * w->d;
	double		b1 = INFINITY,
				b2 = INFINITY;
	int			a = 0;
	int			c;
	bool		changed;

	for (c = 0; c < w->k; c++)
	{
		double		dist = cc_sqdist(xi, w->cent + (size_t) c * w->d, w->d);

		if (dist < b1)
		{
			b2 = b1;
			b1 = dist;
			a = c;
		}
		else if (dist < b2)
			b2 = dist;
	}
	changed = (w->labels[i] != a);
	w->labels[i] = a;
	w->upper[i] = sqrt(b1) * (1.0 + CC_BOUND_SLACK);
	w->lower[i] = sqrt(b2) * (1.0 - CC_BOUND_SLACK);
	return changed;
}

/* Assignment step over all rows; returns how many rows changed cluster. */
static size_t
assign_step(KmWork *w, bool use_bounds)
{
	size_t		changed = 0;
	size_t		i;
	int			k = w->k;
	int			d = w->d;

	if (use_bounds && k > 1)
	{
		int			c,
					c2;

		/* half the distance from each centroid to its nearest neighbour */
		for (c = 0; c < k; c++)
			w->half[c] = INFINITY;
		for (c = 0; c < k; c++)
			for (c2 = c + 1; c2 < k; c2++)
			{
				double		dd = cc_sqdist(w->cent + (size_t) c * d,
										   w->cent + (size_t) c2 * d, d);

				if (dd < w->half[c])
					w->half[c] = dd;
				if (dd < w->half[c2])
					w->half[c2] = dd;
			}
		for (c = 0; c < k; c++)
			w->half[c] = 0.5 * sqrt(w->half[c]) * (1.0 - CC_BOUND_SLACK);

		for (i = 0; i < w->n; i++)
		{
			int			a = w->labels[i];
			double		m = w->half[a] > w->lower[i] ? w->half[a] : w->lower[i];

			maybe_check(w->p, i);
			if (w->upper[i] < m)
				continue;
			/* tighten the upper bound, then test again */
			w->upper[i] = sqrt(cc_sqdist(w->x + i * d, w->cent + (size_t) a * d, d)) *
				(1.0 + CC_BOUND_SLACK);
			if (w->upper[i] < m)
				continue;
			if (assign_full(w, i))
				changed++;
		}
	}
	else
	{
		for (i = 0; i < w->n; i++)
		{
			maybe_check(w->p, i);
			if (assign_full(w, i))
				changed++;
		}
	}
	return changed;
}

/*
 * Update step: move each centroid to the mean of its rows into w->next,
 * handing empty clusters the rows farthest from their current centroids.
 */
static void
update_step(KmWork *w)
{
	int			k = w->k;
	int			d = w->d;
	size_t		i;
	int			c,
				j;
	int			n_empty = 0;

	memset(w->next, 0, sizeof(double) * k * d);
	memset(w->count, 0, sizeof(int64_t) * k);
	for (i = 0; i < w->n; i++)
	{
		const double *xi = w->x + i * d;
		double	   *acc = w->next + (size_t) w->labels[i] * d;

		maybe_check(w->p, i);
		for (j = 0; j < d; j++)
			acc[j] += xi[j];
		w->count[w->labels[i]]++;
	}

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
			int			old;

			if (w->count[c] != 0)
				continue;
			/* the farthest row not yet taken by another empty cluster */
			for (i = 0; i < w->n; i++)
				if (w->scratch[i] > fd)
				{
					fd = w->scratch[i];
					far = i;
				}
			w->scratch[far] = -1.0;
			old = w->labels[far];
			for (j = 0; j < d; j++)
			{
				w->next[(size_t) old * d + j] -= w->x[far * d + j];
				w->next[(size_t) c * d + j] = w->x[far * d + j];
			}
			w->count[old]--;
			w->count[c] = 1;
		}
	}

	for (c = 0; c < k; c++)
	{
		double	   *acc = w->next + (size_t) c * d;

		if (w->count[c] > 0)
		{
			double		cnt = (double) w->count[c];

			for (j = 0; j < d; j++)
				acc[j] /= cnt;
		}
		else
		{
			/* only when a row was taken twice over: keep the old centroid */
			memcpy(acc, w->cent + (size_t) c * d, sizeof(double) * d);
		}
	}
}

/* Widen the bounds by how far the centroids moved. */
static void
update_bounds(KmWork *w)
{
	double		max1 = 0.0,
				max2 = 0.0;
	int			arg1 = -1;
	int			c;
	size_t		i;

	for (c = 0; c < w->k; c++)
	{
		if (w->shift[c] > max1)
		{
			max2 = max1;
			max1 = w->shift[c];
			arg1 = c;
		}
		else if (w->shift[c] > max2)
			max2 = w->shift[c];
	}
	for (i = 0; i < w->n; i++)
	{
		int			a = w->labels[i];
		double		ms = (a == arg1) ? max2 : max1;

		w->upper[i] = (w->upper[i] + w->shift[a]) * (1.0 + CC_BOUND_SLACK);
		w->lower[i] = (w->lower[i] - ms) * (1.0 - CC_BOUND_SLACK) -
			CC_BOUND_SLACK * ms;
	}
}

/*
 * One run from the centroids in w->cent; leaves final centroids in w->cent
 * and labels in w->labels.  Returns the number of iterations.
 */
static int
single_run(KmWork *w, double tol, bool *converged)
{
	bool		hamerly = (w->p->algorithm == CC_ALGO_HAMERLY);
	bool		strict = false;
	int			iter;
	size_t		i;

	*converged = false;
	for (i = 0; i < w->n; i++)
		w->labels[i] = -1;

	for (iter = 0; iter < w->p->max_iter; iter++)
	{
		size_t		changed;
		double		total = 0.0;
		int			c;

		if (w->p->check)
			w->p->check(w->p->cb_arg);
		changed = assign_step(w, hamerly && iter > 0);
		update_step(w);
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
		if (hamerly)
			update_bounds(w);
		if (iter > 0 && changed == 0)
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
		/* labels that match the final centroids */
		for (i = 0; i < w->n; i++)
		{
			maybe_check(w->p, i);
			assign_full(w, i);
		}
	}
	return iter < w->p->max_iter ? iter + 1 : w->p->max_iter;
}

/* Inertia, sizes and per-cluster squared error of labels against centroids. */
static double
score_run(const KmWork *w, int64_t *sizes, double *sse)
{
	double		inertia = 0.0;
	size_t		i;

	memset(sizes, 0, sizeof(int64_t) * w->k);
	memset(sse, 0, sizeof(double) * w->k);
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

/* Cluster x into p->k clusters with restarts; see kmeans.h. */
void
cc_kmeans(const double *x, size_t n, int d, const CcKmeansParams *p,
		  CcKmeansResult *res, const CcAllocator *alloc)
{
	KmWork		w;
	int			k = p->k;
	int			runs = (p->init == CC_INIT_GIVEN) ? 1 : p->n_init;
	int64_t    *sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	double	   *sse = cc_alloc_array(alloc, k, sizeof(double));
	int			run;

	memset(&w, 0, sizeof(w));
	w.x = x;
	w.n = n;
	w.d = d;
	w.k = k;
	w.p = p;
	w.cent = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	w.next = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	w.count = cc_alloc_array(alloc, k, sizeof(int64_t));
	w.shift = cc_alloc_array(alloc, k, sizeof(double));
	w.half = cc_alloc_array(alloc, k, sizeof(double));
	w.labels = cc_alloc_array(alloc, n, sizeof(int));
	w.upper = cc_alloc_array(alloc, n, sizeof(double));
	w.lower = cc_alloc_array(alloc, n, sizeof(double));
	w.scratch = cc_alloc_array(alloc, n, sizeof(double));

	res->centroids = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	res->labels = cc_alloc_array(alloc, n, sizeof(int));
	res->sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	res->sse = cc_alloc_array(alloc, k, sizeof(double));
	res->inertia = INFINITY;
	res->iterations = 0;
	res->best_run = -1;
	res->converged = false;

	for (run = 0; run < runs; run++)
	{
		bool		converged;
		int			iters;
		double		inertia;

		switch (p->init)
		{
			case CC_INIT_KMEANSPP:
				cc_kmeanspp(x, n, d, k, p->seed, (uint64_t) run + 1, w.cent,
							alloc, p->check, p->cb_arg);
				break;
			case CC_INIT_RANDOM:
				random_init(x, n, d, k, p->seed, (uint64_t) run + 1, w.cent,
							alloc);
				break;
			case CC_INIT_GIVEN:
				memcpy(w.cent, p->init_centroids, sizeof(double) * k * d);
				break;
		}
		iters = single_run(&w, p->tol, &converged);
		inertia = score_run(&w, sizes, sse);
		if (p->report)
			p->report(p->cb_arg, run, iters, inertia, converged);
		if (res->best_run < 0 || inertia < res->inertia)
		{
			res->inertia = inertia;
			res->iterations = iters;
			res->best_run = run;
			res->converged = converged;
			memcpy(res->centroids, w.cent, sizeof(double) * k * d);
			memcpy(res->labels, w.labels, sizeof(int) * n);
			memcpy(res->sizes, sizes, sizeof(int64_t) * k);
			memcpy(res->sse, sse, sizeof(double) * k);
		}
	}

	cc_release(alloc, w.cent);
	cc_release(alloc, w.next);
	cc_release(alloc, w.count);
	cc_release(alloc, w.shift);
	cc_release(alloc, w.half);
	cc_release(alloc, w.labels);
	cc_release(alloc, w.upper);
	cc_release(alloc, w.lower);
	cc_release(alloc, w.scratch);
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
	double	   *cent = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	int64_t    *sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	double	   *sse = cc_alloc_array(alloc, k, sizeof(double));
	int			a,
				b;
	size_t		i;

	/* stable insertion sort of cluster numbers by size, largest first */
	for (a = 0; a < k; a++)
	{
		int			c = a;

		for (b = a; b > 0 && res->sizes[order[b - 1]] < res->sizes[c]; b--)
			order[b] = order[b - 1];
		order[b] = c;
	}
	for (a = 0; a < k; a++)
	{
		rank[order[a]] = a;
		memcpy(cent + (size_t) a * d, res->centroids + (size_t) order[a] * d,
			   sizeof(double) * d);
		sizes[a] = res->sizes[order[a]];
		sse[a] = res->sse[order[a]];
	}
	memcpy(res->centroids, cent, sizeof(double) * k * d);
	memcpy(res->sizes, sizes, sizeof(int64_t) * k);
	memcpy(res->sse, sse, sizeof(double) * k);
	for (i = 0; i < n; i++)
		res->labels[i] = rank[res->labels[i]];

	cc_release(alloc, order);
	cc_release(alloc, rank);
	cc_release(alloc, cent);
	cc_release(alloc, sizes);
	cc_release(alloc, sse);
}
