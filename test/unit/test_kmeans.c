/*
 * test_kmeans.c
 *		Unit tests of kmeans.c: the accelerated algorithms against
 *		Lloyd, seeding, restarts in threads, callbacks, allocations, and the
 *		digest that "make unittest-clones" compares between builds.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "kmeans.h"
#include "metrics.h"
#include "preprocess.h"

/* Every algorithm; plain Lloyd first, the reference the others must match. */
static const CcAlgorithm all_algos[] = {
	CC_ALGO_LLOYD, CC_ALGO_HAMERLY, CC_ALGO_ELKAN, CC_ALGO_AUTO
};

#define N_ALGOS ((int) (sizeof(all_algos) / sizeof(all_algos[0])))

/* Name of an algorithm for messages. */
static const char *
algo_name(CcAlgorithm a)
{
	switch (a)
	{
		case CC_ALGO_LLOYD:
			return "lloyd";
		case CC_ALGO_HAMERLY:
			return "hamerly";
		case CC_ALGO_ELKAN:
			return "elkan";
		case CC_ALGO_AUTO:
			return "auto";
	}
	return "?";
}

/* Whether two results are identical bit for bit; checks each part. */
static bool
km_check_same(const CcKmeansResult *a, const CcKmeansResult *b, size_t n,
			  int k, int d)
{
	bool		labels = memcmp(a->labels, b->labels, n * sizeof(int)) == 0;
	bool		cents = memcmp(a->centroids, b->centroids,
							   (size_t) k * d * sizeof(double)) == 0;
	bool		sizes = memcmp(a->sizes, b->sizes, k * sizeof(int64_t)) == 0;
	bool		sse = memcmp(a->sse, b->sse, k * sizeof(double)) == 0;
	bool		inertia = memcmp(&a->inertia, &b->inertia, sizeof(double)) == 0;
	bool		iters = a->iterations == b->iterations;
	bool		run = a->best_run == b->best_run;
	bool		conv = a->converged == b->converged;

	CHECK(labels);
	CHECK(cents);
	CHECK(sizes);
	CHECK(sse);
	CHECK(inertia);
	CHECK(iters);
	CHECK(run);
	CHECK(conv);
	return labels && cents && sizes && sse && inertia && iters && run && conv;
}

/*
 * Check a result's internal consistency against brute force: labels in
 * range and nearest, sizes, sse and inertia recomputed; with means, every
 * non-empty cluster's centroid is the mean of its rows (a Lloyd fixed
 * point, true after convergence with tol = 0).
 */
static void
km_check_invariants(const double *x, size_t n, int d, int k,
					const CcKmeansResult *res, bool means)
{
	int64_t    *sizes = talloc(k, sizeof(int64_t));
	long double *sse = talloc(k, sizeof(long double));
	long double *sum = talloc((size_t) k * d, sizeof(long double));
	long double inertia = 0.0L;
	bool		in_range = true,
				nearest = true,
				finite = true,
				sse_ok = true,
				means_ok = true;
	int64_t		total = 0;
	long double sse_total = 0.0L;
	size_t		i;
	int			c,
				j;

	memset(sizes, 0, k * sizeof(int64_t));
	for (c = 0; c < k; c++)
		sse[c] = 0.0L;
	for (i = 0; i < (size_t) k * d; i++)
	{
		sum[i] = 0.0L;
		if (!isfinite(res->centroids[i]))
			finite = false;
	}
	for (i = 0; i < n; i++)
	{
		int			a = res->labels[i];
		long double best = INFINITY,
					own;

		if (a < 0 || a >= k)
		{
			in_range = false;
			continue;
		}
		for (c = 0; c < k; c++)
		{
			long double dist = ref_sqdist(x + i * d, res->centroids + (size_t) c * d, d);

			if (dist < best)
				best = dist;
		}
		own = ref_sqdist(x + i * d, res->centroids + (size_t) a * d, d);
		if (own > best * (1.0L + 1e-12L))
			nearest = false;
		sizes[a]++;
		sse[a] += own;
		inertia += own;
		for (j = 0; j < d; j++)
			sum[(size_t) a * d + j] += x[i * d + j];
	}
	CHECK(in_range);
	CHECK(finite);
	CHECK(nearest);
	CHECK(memcmp(sizes, res->sizes, k * sizeof(int64_t)) == 0);
	for (c = 0; c < k; c++)
	{
		total += res->sizes[c];
		sse_total += res->sse[c];
		if (fabsl(res->sse[c] - sse[c]) > 1e-12L * (sse[c] + 1e-300L) + 1e-300L)
			sse_ok = false;
		if (means && sizes[c] > 0)
			for (j = 0; j < d; j++)
			{
				long double mean = sum[(size_t) c * d + j] / sizes[c];
				double		got = res->centroids[(size_t) c * d + j];

				if (fabsl(got - mean) > 1e-12L * (fabsl(mean) + 1.0L))
					means_ok = false;
			}
	}
	CHECK(total == (int64_t) n);
	CHECK(sse_ok);
	CHECK(fabsl(res->inertia - inertia) <= 1e-12L * inertia + 1e-300L);
	CHECK(fabsl(sse_total - res->inertia) <= 1e-12L * inertia + 1e-300L);
	CHECK(means_ok);
	CHECK(res->iterations >= 0);
	tfree(sizes);
	tfree(sse);
	tfree(sum);
}

/* A starting set of k data rows drawn with repetition (duplicates test relocation). */
static double *
random_start(const double *x, size_t n, int d, int k, uint64_t seed,
			 bool far_one)
{
	double	   *start = dalloc((size_t) k * d);
	TRand		r;
	int			c;

	tr_seed(&r, seed);
	for (c = 0; c < k; c++)
		memcpy(start + (size_t) c * d, x + tr_below(&r, n) * d,
			   d * sizeof(double));
	if (far_one)
	{
		int			j;

		/* the last centroid far from every row: empty at the first step */
		for (j = 0; j < d; j++)
			start[(size_t) (k - 1) * d + j] = 1e7;
	}
	return start;
}

/*
 * Check that Hamerly's and Elkan's bounds (and AUTO's choice between them)
 * agree bit for bit with plain Lloyd, from the same given start and with
 * the same k-means++ seed, on varied data.
 */
static void
test_kmeans_bounds_equal_lloyd(void)
{
	static const struct
	{
		DataKind	kind;
		size_t		n;
		int			d;
		int			k;
		double		tol;
		int			max_iter;
		bool		far_one;
	}			cfg[] = {
		{DATA_BLOBS, 300, 2, 3, 0.0, 300, false},
		{DATA_BLOBS, 2000, 20, 12, 0.0, 300, false},
		{DATA_BLOBS, 1500, 5, 8, 1e-4, 300, true},
		{DATA_NOISE, 1000, 2, 12, 0.0, 300, false},
		{DATA_NOISE, 5000, 3, 10, 0.0, 80, false},
		{DATA_NOISE, 800, 10, 12, 1e-4, 300, true},
		{DATA_NOISE, 400, 20, 5, 0.0, 300, false},
		{DATA_NOISE, 700, 4, 1, 0.0, 300, false},
		{DATA_GRID, 600, 3, 7, 0.0, 300, false},
		{DATA_GRID, 300, 2, 12, 0.0, 300, true},
		{DATA_OFFSET, 1000, 4, 6, 0.0, 300, false},
		{DATA_OFFSET, 500, 2, 9, 1e-4, 300, true},
	};
	size_t		ci;

	for (ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++)
	{
		size_t		n = cfg[ci].n;
		int			d = cfg[ci].d;
		int			k = cfg[ci].k;
		double	   *x = dalloc(n * d);
		double	   *start;
		double		tol;
		CcKmeansParams pl,
					pb;
		CcKmeansResult rl,
					rb;
		int			mode,
					ai;

		make_data(cfg[ci].kind, 100 + ci, x, NULL, n, d, k);
		tol = cc_kmeans_tolerance(x, n, d, cfg[ci].tol);
		start = random_start(x, n, d, k, 200 + ci, cfg[ci].far_one);

		for (mode = 0; mode < 2; mode++)
		{
			CcInit		init = mode == 0 ? CC_INIT_GIVEN : CC_INIT_KMEANSPP;

			set_ctx("lloyd %s n=%zu d=%d k=%d tol=%g init=%s",
					kind_names[cfg[ci].kind], n, d, k, cfg[ci].tol,
					mode == 0 ? "given" : "k-means++ x3");
			pl = km_params(k, init, CC_ALGO_LLOYD, 77 + ci, 3,
						   cfg[ci].max_iter, tol, start);
			cc_kmeans(x, n, d, &pl, &rl, A);
			km_check_invariants(x, n, d, k, &rl,
								tol == 0.0 && rl.converged && !cfg[ci].far_one &&
								cfg[ci].kind != DATA_GRID);
			/* several iterations: the bounds are really exercised */
			CHECK(rl.iterations >= 2);
			for (ai = 1; ai < N_ALGOS; ai++)
			{
				set_ctx("%s=lloyd %s n=%zu d=%d k=%d tol=%g init=%s",
						algo_name(all_algos[ai]), kind_names[cfg[ci].kind],
						n, d, k, cfg[ci].tol,
						mode == 0 ? "given" : "k-means++ x3");
				pb = pl;
				pb.algorithm = all_algos[ai];
				cc_kmeans(x, n, d, &pb, &rb, A);
				km_check_same(&rb, &rl, n, k, d);
				km_free(&rb);
			}
			km_free(&rl);
		}
		tfree(start);
		tfree(x);
	}
	set_ctx("%s", "");
}

/*
 * Elkan's bounds kept against snapshots of the centroids: a run of more
 * iterations than twice the history's slots (each time the history is
 * full, one pass rebases every row), and centroids too many for two slots
 * (every pass rebases), give Lloyd's result bit for bit, also with the
 * rows split between threads.
 */
static void
test_kmeans_bounds_history(void)
{
	static const struct
	{
		DataKind	kind;
		size_t		n;
		int			d;
		int			k;
		int			threads;
		int			min_iter;
	}			cfg[] = {
		{DATA_NOISE, 20000, 2, 24, 1, 2 * CC_KMEANS_HISTORY_SLOTS + 1},
		{DATA_NOISE, 300000, 2, 16, 2, 2 * CC_KMEANS_HISTORY_SLOTS + 1},
		{DATA_BLOBS, 400, 1100, 32, 1, 2},
	};
	size_t		ci;

	for (ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++)
	{
		size_t		n = cfg[ci].n;
		int			d = cfg[ci].d;
		int			k = cfg[ci].k;
		double	   *x = dalloc(n * d);
		CcKmeansParams pl,
					pe;
		CcKmeansResult rl,
					re;

		set_ctx("history %s n=%zu d=%d k=%d threads=%d",
				kind_names[cfg[ci].kind], n, d, k, cfg[ci].threads);
		make_data(cfg[ci].kind, 900 + ci, x, NULL, n, d, k);
		pl = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_LLOYD, 31 + ci, 1, 300,
					   0.0, NULL);
		cc_kmeans(x, n, d, &pl, &rl, A);
		CHECK(rl.iterations >= cfg[ci].min_iter);
		pe = pl;
		pe.algorithm = CC_ALGO_ELKAN;
		pe.threads = cfg[ci].threads;
		cc_kmeans(x, n, d, &pe, &re, A);
		km_check_same(&re, &rl, n, k, d);
		km_free(&re);
		km_free(&rl);
		tfree(x);
	}
	/* the last configuration leaves room for one snapshot only */
	CHECK((size_t) 32 * 1100 * sizeof(double) * 2 > CC_KMEANS_HISTORY_BYTES);
	set_ctx("%s", "");
}

/* Per-restart iterations and inertia, as a report callback records them. */
typedef struct RunLog
{
	int			iterations[16];
	double		inertia[16];
} RunLog;

static void
log_run(void *arg, int run, int iterations, double inertia, bool converged)
{
	RunLog	   *log = arg;

	(void) converged;
	if (run < 16)
	{
		log->iterations[run] = iterations;
		log->inertia[run] = inertia;
	}
}

/*
 * A CcSeedCache changes nothing but the time: k after k (up, down, with
 * another seed, in one thread or two), every restart gives the iterations
 * and inertia it gives without the cache, and the best result is the same
 * bit for bit.  Going up, the cache keeps every centroid of the last k.
 */
static void
test_seed_cache(void)
{
	static const int ks[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 9, 5, 3, 1, 4, 8};
	const size_t n = 700;
	const int	d = 5;
	const int	runs = 6;
	double	   *x = dalloc(n * d);
	int			threads;

	make_data(DATA_NOISE, 515, x, NULL, n, d, 6);
	for (threads = 1; threads <= 2; threads++)
	{
		CcSeedCache *cache = cc_seed_cache_create(runs, 12, A);
		bool		same_runs = true,
					kept_all = true;
		int			i;

		CHECK(cache != NULL);
		for (i = 0; i < (int) (sizeof(ks) / sizeof(ks[0])); i++)
		{
			/* the last two with another seed: the cache starts afresh */
			uint64_t	seed = (i >= 17) ? 99 : 41;
			CcKmeansParams p = km_params(ks[i], CC_INIT_KMEANSPP, CC_ALGO_AUTO, seed,
										 runs, 300, cc_kmeans_tolerance(x, n, d, 1e-4),
										 NULL);
			CcKmeansParams pc;
			CcKmeansResult plain,
						cached;
			RunLog		log_plain,
						log_cached;
			int			r;

			set_ctx("seed cache threads=%d step=%d k=%d", threads, i, ks[i]);
			p.threads = threads;
			p.report = log_run;
			pc = p;
			pc.seeds = cache;
			p.cb_arg = &log_plain;
			pc.cb_arg = &log_cached;
			cc_kmeans(x, n, d, &p, &plain, A);
			cc_kmeans(x, n, d, &pc, &cached, A);
			km_check_same(&cached, &plain, n, ks[i], d);
			for (r = 0; r < runs; r++)
			{
				if (log_plain.iterations[r] != log_cached.iterations[r] ||
					memcmp(&log_plain.inertia[r], &log_cached.inertia[r], sizeof(double)) != 0)
					same_runs = false;
				if ((i < 12 || i >= 17) && cc_seed_cache_kept(cache, r) != ks[i])
					kept_all = false;
			}
			km_free(&plain);
			km_free(&cached);
		}
		set_ctx("seed cache threads=%d", threads);
		CHECK(same_runs);
		CHECK(kept_all);
		cc_seed_cache_free(cache, A);
	}
	CHECK(cc_seed_cache_create(0, 5, A) == NULL);
	tfree(x);
	set_ctx("%s", "");
}

/*
 * Check the bounded algorithms against Lloyd on many small data sets of
 * small integers in one or two dimensions, full of exact ties: a row
 * whose label must move to an equally distant centroid of lower index is
 * where a bound that is not strict enough would skip a needed search.
 */
static void
test_kmeans_ties(void)
{
	int			t,
				mismatches = 0,
				runs = 0;

	/*
	 * Closed form: rows {0, 3, 1, 8}, start {-2, 6}.  Step 1 gives {0, 1}
	 * and {3, 8}, centroids 0.5 and 5.5; then row 3 is at 2.5 from both
	 * and must move to cluster 0, the lower index.  Final: {0, 3, 1} and
	 * {8}, centroids 4/3 and 8.
	 */
	{
		double		x[4] = {0, 3, 1, 8};
		double		start[2] = {-2, 6};
		int			want[4] = {0, 0, 0, 1};
		int			ai;

		for (ai = 0; ai < N_ALGOS; ai++)
		{
			CcKmeansParams p = km_params(2, CC_INIT_GIVEN, all_algos[ai], 0, 1,
										 300, 0.0, start);
			CcKmeansResult res;

			set_ctx("tie moves to lower index, %s", algo_name(all_algos[ai]));
			cc_kmeans(x, 4, 1, &p, &res, A);
			CHECK(memcmp(res.labels, want, sizeof(want)) == 0);
			CHECK(res.centroids[0] == 4.0 / 3.0 && res.centroids[1] == 8.0);
			CHECK(res.iterations == 3 && res.converged);
			km_free(&res);
		}
	}

	/*
	 * Rounding: 1-D rows num / den and starts found by a random search in
	 * which Elkan's bounds without their 1e-12 widening diverge from Lloyd
	 * (a near-tie decided by one ulp).  With the widening they must agree.
	 */
	{
		static const struct
		{
			int			n;
			int			k;
			double		den;
			int			x[11];
			int			start[4];
		}			rc[] = {
			{6, 4, 10, {6, 1, 4, 23, 7, 21}, {30, 32, 4, 23}},
			{9, 4, 6, {9, 7, 8, 18, 18, 1, 2, 10, 1}, {29, 19, 7, 2}},
			{11, 4, 9, {15, 8, 6, 27, 26, 13, 10, 5, 23, 4, 3}, {3, 3, -2, 4}},
		};
		size_t		ci;

		for (ci = 0; ci < sizeof(rc) / sizeof(rc[0]); ci++)
		{
			double		x[11],
						start[4];
			CcKmeansParams pl,
						pb;
			CcKmeansResult rl,
						rb;
			int			i,
						ai;

			for (i = 0; i < rc[ci].n; i++)
				x[i] = rc[ci].x[i] / rc[ci].den;
			for (i = 0; i < rc[ci].k; i++)
				start[i] = rc[ci].start[i] / rc[ci].den;
			pl = km_params(rc[ci].k, CC_INIT_GIVEN, CC_ALGO_LLOYD, 0, 1, 100,
						   0.0, start);
			cc_kmeans(x, rc[ci].n, 1, &pl, &rl, A);
			for (ai = 1; ai < N_ALGOS; ai++)
			{
				set_ctx("rounding case %zu, %s", ci, algo_name(all_algos[ai]));
				pb = pl;
				pb.algorithm = all_algos[ai];
				cc_kmeans(x, rc[ci].n, 1, &pb, &rb, A);
				km_check_same(&rb, &rl, rc[ci].n, rc[ci].k, 1);
				km_free(&rb);
			}
			km_free(&rl);
		}
	}

	for (t = 0; t < 600; t++)
	{
		TRand		r;
		size_t		n,
					i;
		int			d,
					k,
					ai,
					span;
		double	   *x,
				   *start;
		CcKmeansParams pl,
					pb;
		CcKmeansResult rl,
					rb;

		tr_seed(&r, 5000 + t);
		n = 4 + tr_below(&r, t < 300 ? 9 : 150);
		d = 1 + (int) tr_below(&r, 2);
		k = 2 + (int) tr_below(&r, t < 300 ? 2 : 6);
		span = 3 + (int) tr_below(&r, 10);
		if ((size_t) k > n)
			k = (int) n;
		x = dalloc(n * d);
		for (i = 0; i < n * d; i++)
			x[i] = (double) tr_below(&r, span);
		/* integer starts around the data, so that ties arise mid-run */
		start = dalloc((size_t) k * d);
		for (i = 0; i < (size_t) k * d; i++)
			start[i] = (double) tr_below(&r, span + 4) - 2.0;
		pl = km_params(k, (t % 3) ? CC_INIT_GIVEN : CC_INIT_KMEANSPP,
					   CC_ALGO_LLOYD, t, 2, 300, 0.0, start);
		cc_kmeans(x, n, d, &pl, &rl, A);
		for (ai = 1; ai < N_ALGOS; ai++)
		{
			pb = pl;
			pb.algorithm = all_algos[ai];
			cc_kmeans(x, n, d, &pb, &rb, A);
			runs++;
			if (memcmp(rb.labels, rl.labels, n * sizeof(int)) != 0 ||
				memcmp(rb.centroids, rl.centroids, (size_t) k * d * sizeof(double)) != 0 ||
				rb.iterations != rl.iterations)
			{
				mismatches++;
				if (mismatches <= 5)
					printf("  ties case %d (n=%zu d=%d k=%d span=%d): %s differs from lloyd\n",
						   t, n, d, k, span, algo_name(all_algos[ai]));
			}
			km_free(&rb);
		}
		km_free(&rl);
		tfree(x);
		tfree(start);
	}
	set_ctx("ties: %d runs", runs);
	CHECK(mismatches == 0);
	set_ctx("%s", "");
}

/*
 * Check that a run which ends by strict convergence returns centroids that
 * match its labels, also when the last update relocated an empty cluster.
 *
 * Strict convergence cannot look at the labels alone (as scikit-learn 1.2
 * does): update_step may have moved an empty cluster's centroid onto a row
 * (and taken that row out of its old cluster's mean) in the same
 * iteration, and stopping then would skip the final assignment.  Here, from the start below, step 1
 * relocates empty cluster 5 to 4 while cluster 1 becomes {4, 4} = 4; at
 * step 2 the 4s stay in cluster 1 (tie, lower index), so no label changes,
 * but cluster 5 is empty again and its centroid is moved to row 0 (value
 * 1), cluster 0's becoming (9 - 1) / 5 = 1.6.  Stopping there would return
 * centroid 0 = 1.6 although its rows {1, 2, 2, 1, 2, 1} average 1.5, and
 * centroid 5 = 1 with size 0 although three rows are at distance 0 from
 * it, so that scoring the training rows would disagree with the stored
 * sizes.  A relocation in the last step therefore means another iteration.
 */
static void
test_kmeans_relocation_at_convergence(void)
{
	double		x[15] = {1, 2, 6, 6, 0, 2, 1, 2, 6, 4, 0, 4, 1, 0, 3};
	double		start[6] = {1.5, 14.0 / 3.0, 6, 3, 0, 6};
	CcKmeansParams p = km_params(6, CC_INIT_GIVEN, CC_ALGO_LLOYD, 0, 1, 300,
								 0.0, start);
	CcKmeansResult rl;
	int			ai;

	cc_kmeans(x, 15, 1, &p, &rl, A);
	set_ctx("relocation in the last step");
	CHECK(rl.converged);
	/* fails: rows of value 1 labelled 0 (at 1.6), centroid 5 is 1; 1.6 is no mean */
	km_check_invariants(x, 15, 1, 6, &rl, rl.converged);
	if (rl.centroids[0] == 1.6)
		printf("  returned centroids %g %g %g %g %g %g, sizes %d %d %d %d %d %d\n",
			   rl.centroids[0], rl.centroids[1], rl.centroids[2],
			   rl.centroids[3], rl.centroids[4], rl.centroids[5],
			   (int) rl.sizes[0], (int) rl.sizes[1], (int) rl.sizes[2],
			   (int) rl.sizes[3], (int) rl.sizes[4], (int) rl.sizes[5]);
	for (ai = 1; ai < N_ALGOS; ai++)
	{
		CcKmeansParams pb = p;
		CcKmeansResult rb;

		set_ctx("relocation in the last step, %s = lloyd", algo_name(all_algos[ai]));
		pb.algorithm = all_algos[ai];
		cc_kmeans(x, 15, 1, &pb, &rb, A);
		km_check_same(&rb, &rl, 15, 6, 1);
		km_free(&rb);
	}
	km_free(&rl);
	set_ctx("%s", "");
}

/*
 * Check that the centroids do not depend on the order of the rows: from
 * the same start, the rows shuffled give the same centroids bit for bit
 * and the same labels, row for row (the sums of a cluster are exact), with
 * every algorithm, also when a cluster empties and takes a row.
 */
static void
test_kmeans_row_order(void)
{
	const size_t n = 700;
	const int	d = 3;
	const int	k = 6;
	double	   *x = dalloc(n * d);
	double	   *xs = dalloc(n * d);
	size_t	   *perm = talloc(n, sizeof(size_t));
	TRand		r;
	int			far,
				ai;
	size_t		i;

	make_data(DATA_NOISE, 17, x, NULL, n, d, k);
	/* values of very different magnitudes, so that naive sums would round differently */
	for (i = 0; i < n * d; i++)
		x[i] *= (i % 7 == 0) ? 1e9 : 1.0 + 1e-3 * (double) (i % 5);
	tr_seed(&r, 23);
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--)
	{
		size_t		j = tr_below(&r, i + 1);
		size_t		t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < n; i++)
		memcpy(xs + i * d, x + perm[i] * d, d * sizeof(double));
	for (far = 0; far <= 1; far++)
	{
		double	   *start = random_start(x, n, d, k, 5 + far, far == 1);

		for (ai = 0; ai < N_ALGOS; ai++)
		{
			CcKmeansParams p = km_params(k, CC_INIT_GIVEN, all_algos[ai], 0, 1,
										 300, 0.0, start);
			CcKmeansResult a,
						b;
			bool		labels = true;

			cc_kmeans(x, n, d, &p, &a, A);
			cc_kmeans(xs, n, d, &p, &b, A);
			for (i = 0; i < n; i++)
				if (b.labels[i] != a.labels[perm[i]])
					labels = false;
			set_ctx("row order, %s, far start %d", algo_name(all_algos[ai]), far);
			CHECK(memcmp(a.centroids, b.centroids, (size_t) k * d * sizeof(double)) == 0);
			CHECK(labels);
			CHECK(memcmp(a.sizes, b.sizes, k * sizeof(int64_t)) == 0);
			CHECK(a.iterations == b.iterations);
			km_check_invariants(x, n, d, k, &a, a.converged);
			km_free(&a);
			km_free(&b);
		}
		tfree(start);
	}
	set_ctx("%s", "");
	tfree(x);
	tfree(xs);
	tfree(perm);
}

/* Check that a seed reproduces its result and other seeds give others. */
static void
test_kmeans_determinism(void)
{
	const size_t n = 600;
	const int	d = 2;
	const int	k = 7;
	double	   *x = dalloc(n * d);
	double	   *c1 = dalloc((size_t) k * d);
	double	   *c2 = dalloc((size_t) k * d);
	CcKmeansParams p;
	CcKmeansResult a,
				b;
	int			s,
				differ = 0,
				init_differ = 0;
	CcInit		init;

	make_data(DATA_NOISE, 11, x, NULL, n, d, k);
	for (init = CC_INIT_KMEANSPP; init <= CC_INIT_RANDOM; init++)
	{
		set_ctx("determinism init=%d", (int) init);
		p = km_params(k, init, all_algos[init + 1], 2024, 3, 300, 0.0, NULL);
		cc_kmeans(x, n, d, &p, &a, A);
		cc_kmeans(x, n, d, &p, &b, A);
		km_check_same(&a, &b, n, k, d);
		km_free(&a);
		km_free(&b);
	}

	set_ctx("different seeds");
	for (s = 0; s < 8; s++)
	{
		p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_HAMERLY, (uint64_t) s, 1,
					  300, 0.0, NULL);
		cc_kmeans(x, n, d, &p, &a, A);
		p.seed = (uint64_t) s + 1000;
		cc_kmeans(x, n, d, &p, &b, A);
		differ += memcmp(a.centroids, b.centroids, (size_t) k * d * sizeof(double)) != 0;
		km_free(&a);
		km_free(&b);

		cc_kmeanspp(x, n, d, k, (uint64_t) s, 1, c1, A, NULL, NULL);
		cc_kmeanspp(x, n, d, k, (uint64_t) s + 1000, 1, c2, A, NULL, NULL);
		init_differ += memcmp(c1, c2, (size_t) k * d * sizeof(double)) != 0;
		/* and different streams of one seed */
		cc_kmeanspp(x, n, d, k, (uint64_t) s, 2, c2, A, NULL, NULL);
		init_differ += memcmp(c1, c2, (size_t) k * d * sizeof(double)) != 0;
	}
	/* uniform noise has many local optima: most seed pairs end apart */
	CHECK(differ >= 4);
	CHECK(init_differ == 16);
	set_ctx("%s", "");
	tfree(x);
	tfree(c1);
	tfree(c2);
}

/* Check that well separated blobs come out one blob per cluster. */
static void
test_kmeans_blobs(void)
{
	static const struct
	{
		size_t		n;
		int			d;
		int			k;
	}			cfg[] = {
		{200, 2, 2}, {600, 2, 5}, {1000, 3, 8}, {1200, 5, 12}, {800, 20, 6},
	};
	size_t		ci;

	for (ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++)
	{
		size_t		n = cfg[ci].n;
		int			d = cfg[ci].d;
		int			k = cfg[ci].k;
		double	   *x = dalloc(n * d);
		int		   *truth = talloc(n, sizeof(int));
		int		   *map = talloc(k, sizeof(int));
		int		   *used = talloc(k, sizeof(int));
		CcKmeansParams p;
		CcKmeansResult res;
		bool		one_cluster_per_blob = true,
					injective = true;
		size_t		i;
		int			b;

		set_ctx("blobs n=%zu d=%d k=%d", n, d, k);
		make_data(DATA_BLOBS, 300 + ci, x, truth, n, d, k);
		p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_AUTO, 5, 3, 300,
					  cc_kmeans_tolerance(x, n, d, 1e-4), NULL);
		cc_kmeans(x, n, d, &p, &res, A);
		for (b = 0; b < k; b++)
		{
			map[b] = -1;
			used[b] = 0;
		}
		for (i = 0; i < n; i++)
		{
			if (map[truth[i]] < 0)
				map[truth[i]] = res.labels[i];
			else if (map[truth[i]] != res.labels[i])
				one_cluster_per_blob = false;
		}
		for (b = 0; b < k; b++)
			if (map[b] >= 0 && used[map[b]]++)
				injective = false;
		CHECK(one_cluster_per_blob);
		CHECK(injective);
		CHECK(res.converged);
		km_check_invariants(x, n, d, k, &res, true);
		km_free(&res);
		tfree(x);
		tfree(truth);
		tfree(map);
		tfree(used);
	}
	set_ctx("%s", "");
}

/*
 * cc_kmeans_accumulate over a matrix split into batches gives the sizes,
 * squared errors and labels of the final centroids of cc_kmeans.
 */
static void
test_kmeans_accumulate(void)
{
	size_t		n = 900;
	int			d = 4;
	int			k = 6;
	double	   *x = dalloc(n * d);
	int		   *truth = talloc(n, sizeof(int));
	double	   *sums = dalloc((size_t) k * d);
	int64_t    *counts = talloc(k, sizeof(int64_t));
	double	   *sse = dalloc(k);
	int		   *labels = talloc(n, sizeof(int));
	CcKmeansParams p;
	CcKmeansResult res;
	bool		same_labels = true,
				sizes_match = true,
				sse_match = true,
				sums_match = true;
	size_t		i,
				split = n / 3;
	int			c,
				j;

	set_ctx("%s", "accumulate");
	make_data(DATA_BLOBS, 77, x, truth, n, d, k);
	p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_LLOYD, 9, 2, 300,
				  cc_kmeans_tolerance(x, n, d, 1e-4), NULL);
	cc_kmeans(x, n, d, &p, &res, A);
	memset(sums, 0, sizeof(double) * k * d);
	memset(counts, 0, sizeof(int64_t) * k);
	memset(sse, 0, sizeof(double) * k);
	cc_kmeans_accumulate(x, split, d, res.centroids, k, sums, counts, sse,
						 labels);
	cc_kmeans_accumulate(x + split * d, n - split, d, res.centroids, k, sums,
						 counts, sse, labels + split);
	for (i = 0; i < n; i++)
		if (labels[i] != res.labels[i])
			same_labels = false;
	for (c = 0; c < k; c++)
	{
		double		expect[64];

		if (counts[c] != res.sizes[c])
			sizes_match = false;
		if (fabs(sse[c] - res.sse[c]) > 1e-9 * (1.0 + res.sse[c]))
			sse_match = false;
		for (j = 0; j < d; j++)
			expect[j] = 0.0;
		for (i = 0; i < n; i++)
			if (res.labels[i] == c)
				for (j = 0; j < d; j++)
					expect[j] += x[i * d + j];
		for (j = 0; j < d; j++)
			if (fabs(sums[c * d + j] - expect[j]) > 1e-9 * (1.0 + fabs(expect[j])))
				sums_match = false;
	}
	CHECK(same_labels);
	CHECK(sizes_match);
	CHECK(sse_match);
	CHECK(sums_match);
	km_free(&res);
	tfree(x);
	tfree(truth);
	tfree(sums);
	tfree(counts);
	tfree(sse);
	tfree(labels);
	set_ctx("%s", "");
}

/*
 * Lloyd's update of a streaming pass: each centroid with rows moves to the
 * mean of its rows (from sums and counts), an empty one stays, and the
 * returned shift is the sum of the squared moves; the pass's statistics
 * become the result's sizes, sse and inertia.  Expected values come from
 * the rows themselves, in long double.
 */
static void
test_kmeans_lloyd_update(void)
{
	size_t		n = 500;
	int			d = 3;
	int			k = 5;
	double	   *x = dalloc(n * d);
	int		   *labels = talloc(n, sizeof(int));
	double	   *cen = dalloc((size_t) k * d);
	double	   *before = dalloc((size_t) k * d);
	double	   *sums = dalloc((size_t) k * d);
	int64_t    *counts = talloc(k, sizeof(int64_t));
	double	   *sse = dalloc(k);
	long double want_shift = 0.0L;
	double		shift;
	bool		moved_ok = true,
				empty_kept = true;
	CcKmeansResult res;
	size_t		i;
	int			c,
				j;

	set_ctx("%s", "lloyd update");
	make_data(DATA_NOISE, 4242, x, NULL, n, d, k);
	make_data(DATA_NOISE, 4243, cen, NULL, k, d, k);
	/* centroid 2 gets no rows: nearest-centroid labels would not ensure it */
	for (c = 0; c < k; c++)
		for (j = 0; j < d; j++)
			cen[c * d + j] += 100.0 * c;
	memcpy(before, cen, sizeof(double) * k * d);
	memset(sums, 0, sizeof(double) * k * d);
	memset(counts, 0, sizeof(int64_t) * k);
	memset(sse, 0, sizeof(double) * k);
	for (i = 0; i < n; i++)
	{
		int			own = (int) (i % 4);

		labels[i] = own >= 2 ? own + 1 : own;	/* 0, 1, 3, 4 */
		for (j = 0; j < d; j++)
			sums[labels[i] * d + j] += x[i * d + j];
		counts[labels[i]]++;
		sse[labels[i]] += 1.0 + (double) (i % 7);
	}
	for (c = 0; c < k; c++)
	{
		long double mean[8];

		for (j = 0; j < d; j++)
			mean[j] = 0.0L;
		for (i = 0; i < n; i++)
			if (labels[i] == c)
				for (j = 0; j < d; j++)
					mean[j] += x[i * d + j];
		for (j = 0; j < d; j++)
		{
			if (counts[c] == 0)
				continue;
			mean[j] /= (long double) counts[c];
			want_shift += (mean[j] - before[c * d + j]) * (mean[j] - before[c * d + j]);
		}
	}
	shift = cc_kmeans_lloyd_update(cen, k, d, sums, counts);
	for (c = 0; c < k; c++)
		for (j = 0; j < d; j++)
		{
			if (counts[c] == 0)
			{
				if (cen[c * d + j] != before[c * d + j])
					empty_kept = false;
			}
			else if (cen[c * d + j] != sums[c * d + j] / (double) counts[c])
				moved_ok = false;
		}
	CHECK(counts[2] == 0);
	CHECK(moved_ok);
	CHECK(empty_kept);
	CHECK(close_to(shift, (double) want_shift, 1e-12, 0));
	/* at the means already: no move */
	memcpy(before, cen, sizeof(double) * k * d);
	CHECK(cc_kmeans_lloyd_update(cen, k, d, sums, counts) == 0.0);
	CHECK(memcmp(before, cen, sizeof(double) * k * d) == 0);

	set_ctx("%s", "take pass");
	res.sizes = talloc(k, sizeof(int64_t));
	res.sse = dalloc(k);
	res.inertia = -1.0;
	cc_kmeans_take_pass(&res, k, counts, sse);
	CHECK(memcmp(res.sizes, counts, sizeof(int64_t) * k) == 0);
	CHECK(memcmp(res.sse, sse, sizeof(double) * k) == 0);
	{
		/* integers: the sum is exact whatever the order */
		double		total = 0.0;

		for (i = 0; i < n; i++)
			total += 1.0 + (double) (i % 7);
		CHECK(res.inertia == total);
	}
	tfree(res.sizes);
	tfree(res.sse);
	tfree(x);
	tfree(labels);
	tfree(cen);
	tfree(before);
	tfree(sums);
	tfree(counts);
	tfree(sse);
	set_ctx("%s", "");
}

/* Check k = 1, k = n, identical rows and the relocation of empty clusters. */
static void
test_kmeans_edge_cases(void)
{
	int			ai;

	for (ai = 0; ai < N_ALGOS; ai++)
	{
		CcAlgorithm algo = all_algos[ai];
		const char *an = algo_name(algo);

		/* k = 1: the centroid is the column mean, inertia n * total variance */
		{
			const size_t n = 997;
			const int	d = 4;
			double	   *x = dalloc(n * d);
			CcKmeansParams p;
			CcKmeansResult res;
			long double tv = 0.0L;
			int			j;

			set_ctx("k=1 %s", an);
			make_data(DATA_NOISE, 21, x, NULL, n, d, 1);
			p = km_params(1, CC_INIT_KMEANSPP, algo, 1, 2, 300, 0.0, NULL);
			cc_kmeans(x, n, d, &p, &res, A);
			for (j = 0; j < d; j++)
			{
				long double m,
							v;

				ref_mean_var(x, n, d, j, &m, &v);
				tv += v;
				CHECK(fabsl(res.centroids[j] - m) <= 1e-14L);
			}
			CHECK(fabsl(res.inertia - tv * n) <= 1e-12L * tv * n);
			CHECK(res.sizes[0] == (int64_t) n);
			CHECK(res.converged);
			km_check_invariants(x, n, d, 1, &res, true);
			km_free(&res);
			tfree(x);
		}

		/* k = n: every row its own cluster, inertia 0 */
		{
			const size_t n = 40;
			const int	d = 3;
			double	   *x = dalloc(n * d);
			CcKmeansParams p;
			CcKmeansResult res;
			CcInit		init;
			size_t		c;

			make_data(DATA_NOISE, 22, x, NULL, n, d, 0);
			for (init = CC_INIT_KMEANSPP; init <= CC_INIT_RANDOM; init++)
			{
				bool		singletons = true;

				set_ctx("k=n %s init=%d", an, (int) init);
				p = km_params((int) n, init, algo, 3, 2, 300, 0.0, NULL);
				cc_kmeans(x, n, d, &p, &res, A);
				CHECK(res.inertia == 0.0);
				for (c = 0; c < n; c++)
					if (res.sizes[c] != 1)
						singletons = false;
				CHECK(singletons);
				km_check_invariants(x, n, d, (int) n, &res, true);
				km_free(&res);
			}
			tfree(x);
		}

		/* all rows identical, k = 3 */
		{
			const size_t n = 25;
			const int	d = 2;
			double		x[25 * 2];
			CcKmeansParams p;
			CcKmeansResult res;
			CcInit		init;
			size_t		i;

			for (i = 0; i < n * d; i++)
				x[i] = (i % 2) ? -4.25 : 3.5;
			for (init = CC_INIT_KMEANSPP; init <= CC_INIT_RANDOM; init++)
			{
				set_ctx("identical rows %s init=%d", an, (int) init);
				p = km_params(3, init, algo, 9, 3, 300, 0.0, NULL);
				cc_kmeans(x, n, d, &p, &res, A);
				CHECK(res.inertia == 0.0);
				CHECK(res.sse[0] == 0.0 && res.sse[1] == 0.0 && res.sse[2] == 0.0);
				for (i = 0; i < 3; i++)
					CHECK(res.centroids[i * d] == 3.5 && res.centroids[i * d + 1] == -4.25);
				km_check_invariants(x, n, d, 3, &res, false);
				km_free(&res);
			}
		}

		/*
		 * Relocation, closed form: rows {0, 1, 2, 10, 20}, start {1, 1000,
		 * 2000}.  Step 1 puts every row in cluster 0, so clusters 1 and 2
		 * are empty; they take the rows farthest from centroid 1, i.e. 20
		 * and then 10.  The result is {1, 20, 10} with inertia 2.
		 */
		{
			double		x[5] = {0, 1, 2, 10, 20};
			double		start[3] = {1, 1000, 2000};
			int			want_labels[5] = {0, 0, 0, 2, 1};
			CcKmeansParams p;
			CcKmeansResult res;

			set_ctx("relocation closed form %s", an);
			p = km_params(3, CC_INIT_GIVEN, algo, 0, 1, 300, 0.0, start);
			cc_kmeans(x, 5, 1, &p, &res, A);
			CHECK(res.centroids[0] == 1.0 && res.centroids[1] == 20.0 &&
				  res.centroids[2] == 10.0);
			CHECK(memcmp(res.labels, want_labels, sizeof(want_labels)) == 0);
			CHECK(res.inertia == 2.0);
			CHECK(res.sizes[0] == 3 && res.sizes[1] == 1 && res.sizes[2] == 1);
			CHECK(res.converged);

			/* sort by size: {3, 1, 1}; the tie keeps its order */
			cc_kmeans_sort_by_size(&res, 5, 3, 1, A);
			CHECK(res.centroids[0] == 1.0 && res.centroids[1] == 20.0 &&
				  res.centroids[2] == 10.0);
			CHECK(memcmp(res.labels, want_labels, sizeof(want_labels)) == 0);
			km_free(&res);
		}

		/* a start with one centroid far from every row, larger data */
		{
			const size_t n = 500;
			const int	d = 3;
			const int	k = 5;
			double	   *x = dalloc(n * d);
			double	   *start;
			CcKmeansParams p;
			CcKmeansResult res;
			int			c;
			bool		none_empty = true;

			set_ctx("relocation far centroid %s", an);
			make_data(DATA_NOISE, 23, x, NULL, n, d, k);
			start = random_start(x, n, d, k, 24, true);
			p = km_params(k, CC_INIT_GIVEN, algo, 0, 1, 300, 0.0, start);
			cc_kmeans(x, n, d, &p, &res, A);
			for (c = 0; c < k; c++)
			{
				if (res.sizes[c] == 0)
					none_empty = false;
				CHECK(res.centroids[(size_t) c * d] < 2.0);
			}
			CHECK(none_empty);
			km_check_invariants(x, n, d, k, &res, res.converged);
			km_free(&res);
			tfree(start);
			tfree(x);
		}
	}
	set_ctx("%s", "");
}

/* Check that labels are nearest to the returned centroids even when stopped early. */
static void
test_kmeans_max_iter(void)
{
	const size_t n = 1500;
	const int	d = 3;
	const int	k = 9;
	double	   *x = dalloc(n * d);
	int			max_iter;

	make_data(DATA_NOISE, 31, x, NULL, n, d, k);
	for (max_iter = 1; max_iter <= 4; max_iter++)
	{
		CcKmeansParams pl = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_LLOYD, 8, 2,
									  max_iter, 0.0, NULL);
		CcKmeansResult res,
					rl;
		int			ai;

		set_ctx("max_iter=%d", max_iter);
		cc_kmeans(x, n, d, &pl, &rl, A);
		CHECK(rl.iterations == max_iter);
		CHECK(!rl.converged);
		km_check_invariants(x, n, d, k, &rl, false);
		for (ai = 1; ai < N_ALGOS; ai++)
		{
			CcKmeansParams p = pl;

			set_ctx("max_iter=%d %s", max_iter, algo_name(all_algos[ai]));
			p.algorithm = all_algos[ai];
			cc_kmeans(x, n, d, &p, &res, A);
			km_check_same(&res, &rl, n, k, d);
			km_free(&res);
		}
		km_free(&rl);
	}

	/* max_iter = 0 keeps the initial centroids: random init's are k distinct rows */
	{
		CcKmeansParams p = km_params(k, CC_INIT_RANDOM, CC_ALGO_HAMERLY, 4, 1, 0,
									 0.0, NULL);
		CcKmeansResult res;
		bool		rows = true,
					distinct = true;
		int			c,
					c2;

		set_ctx("max_iter=0 random init");
		cc_kmeans(x, n, d, &p, &res, A);
		CHECK(res.iterations == 0);
		for (c = 0; c < k; c++)
		{
			size_t		i;
			bool		found = false;

			for (i = 0; i < n && !found; i++)
				found = memcmp(res.centroids + (size_t) c * d, x + i * d,
							   d * sizeof(double)) == 0;
			rows = rows && found;
			for (c2 = 0; c2 < c; c2++)
				if (memcmp(res.centroids + (size_t) c * d,
						   res.centroids + (size_t) c2 * d, d * sizeof(double)) == 0)
					distinct = false;
		}
		CHECK(rows);
		CHECK(distinct);
		km_check_invariants(x, n, d, k, &res, false);
		km_free(&res);
	}

	/* random init with k = n picks every row once, whatever the seed */
	{
		const size_t nn = 30;
		int		   *hits = talloc(nn, sizeof(int));
		uint64_t	seed;
		bool		permutation = true;

		set_ctx("random init k=n is a permutation");
		for (seed = 0; seed < 20; seed++)
		{
			CcKmeansParams p = km_params((int) nn, CC_INIT_RANDOM, CC_ALGO_LLOYD,
										 seed, 1, 0, 0.0, NULL);
			CcKmeansResult res;
			size_t		c,
						i;

			memset(hits, 0, nn * sizeof(int));
			cc_kmeans(x, nn, d, &p, &res, A);
			for (c = 0; c < nn; c++)
				for (i = 0; i < nn; i++)
					if (memcmp(res.centroids + c * d, x + i * d, d * sizeof(double)) == 0)
						hits[i]++;
			for (i = 0; i < nn; i++)
				if (hits[i] != 1)
					permutation = false;
			km_free(&res);
		}
		CHECK(permutation);
		tfree(hits);
	}
	set_ctx("%s", "");
	tfree(x);
}

/* Check cc_kmeans_sort_by_size: order, stability and a consistent relabelling. */
static void
test_kmeans_sort_by_size(void)
{
	const size_t n = 2000;
	const int	d = 2;
	const int	k = 10;
	double	   *x = dalloc(n * d);
	CcKmeansParams p;
	CcKmeansResult res;
	CcKmeansResult old;
	int		   *map = talloc(k, sizeof(int));
	bool		nonincreasing = true,
				consistent = true,
				stable = true,
				permutation = true;
	size_t		i;
	int			c;

	make_data(DATA_NOISE, 41, x, NULL, n, d, k);
	p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_HAMERLY, 6, 1, 300, 0.0, NULL);
	cc_kmeans(x, n, d, &p, &res, A);
	old.centroids = dalloc((size_t) k * d);
	old.labels = talloc(n, sizeof(int));
	old.sizes = talloc(k, sizeof(int64_t));
	old.sse = dalloc(k);
	memcpy(old.centroids, res.centroids, (size_t) k * d * sizeof(double));
	memcpy(old.labels, res.labels, n * sizeof(int));
	memcpy(old.sizes, res.sizes, k * sizeof(int64_t));
	memcpy(old.sse, res.sse, k * sizeof(double));

	cc_kmeans_sort_by_size(&res, n, k, d, A);
	for (c = 0; c < k; c++)
		map[c] = -1;
	for (i = 0; i < n; i++)
	{
		int			nl = res.labels[i],
					ol = old.labels[i];

		if (map[nl] < 0)
			map[nl] = ol;
		else if (map[nl] != ol)
			consistent = false;
	}
	for (c = 0; c < k; c++)
	{
		int			o = map[c];
		int			c2;

		if (c > 0 && res.sizes[c] > res.sizes[c - 1])
			nonincreasing = false;
		if (o < 0)
		{
			permutation = false;
			continue;
		}
		for (c2 = 0; c2 < c; c2++)
			if (map[c2] == o)
				permutation = false;
		if (res.sizes[c] != old.sizes[o] || res.sse[c] != old.sse[o] ||
			memcmp(res.centroids + (size_t) c * d, old.centroids + (size_t) o * d,
				   d * sizeof(double)) != 0)
			consistent = false;
		if (c > 0 && map[c - 1] >= 0 && res.sizes[c] == res.sizes[c - 1] &&
			map[c - 1] > o)
			stable = false;
	}
	set_ctx("sort by size");
	CHECK(nonincreasing);
	CHECK(consistent);
	CHECK(permutation);
	CHECK(stable);
	km_check_invariants(x, n, d, k, &res, true);
	km_free(&res);
	km_free(&old);

	/* closed form with ties and an empty cluster: sizes {1, 3, 0, 3, 1} */
	{
		CcKmeansResult r;
		int			labels[8] = {0, 1, 1, 1, 3, 3, 3, 4};
		int			want_labels[8] = {2, 0, 0, 0, 1, 1, 1, 3};
		int64_t		want_sizes[5] = {3, 3, 1, 1, 0};
		double		want_cent[5] = {1, 3, 0, 4, 2};
		double		want_sse[5] = {0.1, 0.3, 0.0, 0.4, 0.2};

		set_ctx("sort by size closed form");
		r.centroids = dalloc(5);
		r.labels = talloc(8, sizeof(int));
		r.sizes = talloc(5, sizeof(int64_t));
		r.sse = dalloc(5);
		for (c = 0; c < 5; c++)
		{
			r.centroids[c] = (double) c;
			r.sse[c] = c / 10.0;
		}
		r.sse[0] = 0.0;
		r.sizes[0] = 1;
		r.sizes[1] = 3;
		r.sizes[2] = 0;
		r.sizes[3] = 3;
		r.sizes[4] = 1;
		memcpy(r.labels, labels, sizeof(labels));
		cc_kmeans_sort_by_size(&r, 8, 5, 1, A);
		CHECK(memcmp(r.labels, want_labels, sizeof(want_labels)) == 0);
		CHECK(memcmp(r.sizes, want_sizes, sizeof(want_sizes)) == 0);
		CHECK(memcmp(r.centroids, want_cent, sizeof(want_cent)) == 0);
		CHECK(memcmp(r.sse, want_sse, sizeof(want_sse)) == 0);
		km_free(&r);
	}
	set_ctx("%s", "");
	tfree(map);
	tfree(x);
}

/* Check cc_kmeans_tolerance against tol times the mean column variance. */
static void
test_kmeans_tolerance(void)
{
	const size_t n = 777;
	const int	d = 9;
	double	   *x = dalloc(n * d);
	long double vs = 0.0L;
	double		got;
	TRand		r;
	size_t		i;
	int			j;

	tr_seed(&r, 51);
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			x[i * d + j] = (j + 1) * 10.0 * tr_normal(&r) + j * 1000.0;
	for (j = 0; j < d; j++)
	{
		long double m,
					v;

		ref_mean_var(x, n, d, j, &m, &v);
		vs += v;
	}
	got = cc_kmeans_tolerance(x, n, d, 1e-4);
	CHECK(fabsl(got - 1e-4L * vs / d) <= 1e-13L * (1e-4L * vs / d));
	CHECK(cc_kmeans_tolerance(x, n, d, 0.0) == 0.0);
	/* closed form: columns {0, 2} and {1, 1}: variances 1 and 0 */
	{
		double		y[4] = {0, 1, 2, 1};

		CHECK(cc_kmeans_tolerance(y, 2, 2, 0.5) == 0.25);
	}
	tfree(x);
}

/* Potential (sum of squared distances to the nearest centroid) in long double. */
static long double
ref_potential(const double *x, size_t n, int d, const double *cent, int k)
{
	long double pot = 0.0L;
	size_t		i;
	int			c;

	for (i = 0; i < n; i++)
	{
		long double best = INFINITY;

		for (c = 0; c < k; c++)
		{
			long double dd = ref_sqdist(x + i * d, cent + (size_t) c * d, d);

			if (dd < best)
				best = dd;
		}
		pot += best;
	}
	return pot;
}

/* Plain (non-greedy) k-means++ with the test generator: one D^2 draw per centroid. */
static void
ref_plain_kmeanspp(TRand *r, const double *x, size_t n, int d, int k,
				   double *cent)
{
	long double *closest = talloc(n, sizeof(long double));
	size_t		i;
	int			c;

	memcpy(cent, x + tr_below(r, n) * d, d * sizeof(double));
	for (i = 0; i < n; i++)
		closest[i] = ref_sqdist(x + i * d, cent, d);
	for (c = 1; c < k; c++)
	{
		long double total = 0.0L,
					run = 0.0L,
					u;
		size_t		pick = n - 1;

		for (i = 0; i < n; i++)
			total += closest[i];
		u = tr_unif(r) * total;
		for (i = 0; i < n; i++)
		{
			run += closest[i];
			if (run > u)
			{
				pick = i;
				break;
			}
		}
		memcpy(cent + (size_t) c * d, x + pick * d, d * sizeof(double));
		for (i = 0; i < n; i++)
		{
			long double dd = ref_sqdist(x + i * d, cent + (size_t) c * d, d);

			if (dd < closest[i])
				closest[i] = dd;
		}
	}
	tfree(closest);
}

/*
 * Check that greedy k-means++ earns its name: over many seeds its seeding
 * potential is clearly lower than plain k-means++ (implemented above),
 * which in turn beats k rows drawn uniformly.  Measured: greedy/plain is
 * about 0.78 and plain/uniform about 0.73 on this data.
 */
static void
test_kmeanspp_greedy(void)
{
	const size_t n = 1000;
	const int	d = 2;
	const int	k = 8;
	const int	seeds = 40;
	double	   *x = dalloc(n * d);
	double	   *cent = dalloc((size_t) k * d);
	long double greedy = 0.0L,
				plain = 0.0L,
				uniform = 0.0L;
	TRand		r;
	int			s,
				c;

	make_data(DATA_NOISE, 65, x, NULL, n, d, k);
	tr_seed(&r, 66);
	for (s = 0; s < seeds; s++)
	{
		cc_kmeanspp(x, n, d, k, (uint64_t) s, 1, cent, A, NULL, NULL);
		greedy += ref_potential(x, n, d, cent, k);
		ref_plain_kmeanspp(&r, x, n, d, k, cent);
		plain += ref_potential(x, n, d, cent, k);
		for (c = 0; c < k; c++)
			memcpy(cent + (size_t) c * d, x + tr_below(&r, n) * d,
				   d * sizeof(double));
		uniform += ref_potential(x, n, d, cent, k);
	}
	set_ctx("greedy k-means++ potential");
	CHECK(plain < 0.9L * uniform);
	CHECK(greedy < 0.9L * plain);
	set_ctx("%s", "");
	tfree(x);
	tfree(cent);
}

/* Check that k-means++ picks distinct data rows, one per blob on blobs. */
static void
test_kmeanspp(void)
{
	/* 3 x 3 grid of distinct points, each repeated: 9 distinct rows */
	const size_t n = 270;
	const int	d = 2;
	double	   *x = dalloc(n * d);
	double	   *cent = dalloc(12 * d);
	TRand		r;
	size_t		i,
				ki;
	int			k;
	uint64_t	seed;

	tr_seed(&r, 61);
	for (i = 0; i < n; i++)
	{
		size_t		cell = (i < 9) ? i : tr_below(&r, 9);

		x[i * d] = (double) (cell % 3);
		x[i * d + 1] = (double) (cell / 3) * 1.5;
	}
	for (seed = 0; seed < 10; seed++)
		for (ki = 0; ki < 5; ki++)
		{
			bool		rows = true,
						distinct = true;
			int			c,
						c2;

			/* k = 9: there are exactly 9 distinct rows, all must be picked */
			k = (int) ki * 2 + 1;
			if (k == 7)
				k = 8;
			set_ctx("kmeans++ grid seed=%d k=%d", (int) seed, k);
			cc_kmeanspp(x, n, d, k, seed, 1, cent, A, NULL, NULL);
			for (c = 0; c < k; c++)
			{
				bool		found = false;

				for (i = 0; i < n && !found; i++)
					found = memcmp(cent + c * d, x + i * d, d * sizeof(double)) == 0;
				rows = rows && found;
				for (c2 = 0; c2 < c; c2++)
					if (memcmp(cent + c * d, cent + c2 * d, d * sizeof(double)) == 0)
						distinct = false;
			}
			CHECK(rows);
			CHECK(distinct);
		}

	/* blobs: one seed per blob */
	{
		const size_t nb = 900;
		const int	kb = 6;
		double	   *xb = dalloc(nb * 3);
		int		   *truth = talloc(nb, sizeof(int));
		double	   *cb = dalloc((size_t) kb * 3);

		make_data(DATA_BLOBS, 62, xb, truth, nb, 3, kb);
		for (seed = 0; seed < 5; seed++)
		{
			int			seen[6] = {0};
			bool		one_each = true;
			int			c;

			set_ctx("kmeans++ blobs seed=%d", (int) seed);
			cc_kmeanspp(xb, nb, 3, kb, seed, 1, cb, A, NULL, NULL);
			for (c = 0; c < kb; c++)
			{
				bool		found = false;

				for (i = 0; i < nb && !found; i++)
					if (memcmp(cb + c * 3, xb + i * 3, 3 * sizeof(double)) == 0)
					{
						found = true;
						seen[truth[i]]++;
					}
				if (!found)
					one_each = false;
			}
			for (c = 0; c < kb; c++)
				if (seen[c] != 1)
					one_each = false;
			CHECK(one_each);
		}
		tfree(xb);
		tfree(truth);
		tfree(cb);
	}
	set_ctx("%s", "");
	tfree(x);
	tfree(cent);
}

typedef struct CallbackLog
{
	int			checks;
	int			reports;
	double		inertias[8];
	int			next_run;
	bool		runs_in_order;
	double		best_inertia;
	int			best_run;
	int			best_iterations;
	bool		best_converged;
} CallbackLog;

/* Count a check callback. */
static void
count_check(void *arg)
{
	((CallbackLog *) arg)->checks++;
}

/* Record a restart report, remembering the first lowest inertia. */
static void
record_report(void *arg, int run, int iterations, double inertia,
			  bool converged)
{
	CallbackLog *log = arg;

	if (log->reports < 8)
		log->inertias[log->reports] = inertia;
	log->reports++;
	if (run != log->next_run)
		log->runs_in_order = false;
	log->next_run = run + 1;
	if (log->best_run < 0 || inertia < log->best_inertia)
	{
		log->best_inertia = inertia;
		log->best_run = run;
		log->best_iterations = iterations;
		log->best_converged = converged;
	}
}

/* Check the check and report callbacks: called, and consistent with the result. */
static void
test_kmeans_callbacks(void)
{
	const size_t n = 3000;
	const int	d = 2;
	const int	k = 6;
	double	   *x = dalloc(n * d);
	CcInit		init;

	make_data(DATA_NOISE, 71, x, NULL, n, d, k);
	for (init = CC_INIT_KMEANSPP; init <= CC_INIT_GIVEN; init++)
	{
		CallbackLog log;
		CcKmeansParams p;
		CcKmeansResult res;
		double	   *start = random_start(x, n, d, k, 72, false);
		int			runs = (init == CC_INIT_GIVEN) ? 1 : 5;

		set_ctx("callbacks init=%d", (int) init);
		memset(&log, 0, sizeof(log));
		log.runs_in_order = true;
		log.best_run = -1;
		p = km_params(k, init, CC_ALGO_ELKAN, 13, 5, 300, 0.0, start);
		p.check = count_check;
		p.report = record_report;
		p.cb_arg = &log;
		cc_kmeans(x, n, d, &p, &res, A);
		/* one check per iteration at least, plus k - 1 for k-means++ seeding */
		CHECK(log.checks >= res.iterations + (init == CC_INIT_KMEANSPP ? k - 1 : 0));
		CHECK(log.reports == runs);
		CHECK(log.runs_in_order);
		CHECK(log.best_run == res.best_run);
		CHECK(log.best_inertia == res.inertia);
		CHECK(log.best_iterations == res.iterations);
		CHECK(log.best_converged == res.converged);
		if (runs > 1)
		{
			int			r,
						distinct = 0;

			/* restarts start elsewhere, so on noise they end elsewhere */
			for (r = 1; r < runs; r++)
				distinct += log.inertias[r] != log.inertias[0];
			CHECK(distinct > 0);
		}
		km_check_invariants(x, n, d, k, &res, res.converged);
		km_free(&res);
		tfree(start);
	}

	/* the k-means++ seeding alone calls check too */
	{
		CallbackLog log;
		double	   *cent = dalloc((size_t) k * d);

		set_ctx("kmeans++ check callback");
		memset(&log, 0, sizeof(log));
		cc_kmeanspp(x, n, d, k, 1, 1, cent, A, count_check, &log);
		CHECK(log.checks >= k - 1);
		tfree(cent);
	}
	set_ctx("%s", "");
	tfree(x);
}

/* Check that the core releases every temporary and leaves only the result. */
static void
test_kmeans_allocations(void)
{
	const size_t n = 500;
	const int	d = 3;
	const int	k = 4;
	double	   *x = dalloc(n * d);
	CountCtx	ctx;
	CcAllocator ca = counting_allocator(&ctx);
	CcInit		init;

	make_data(DATA_NOISE, 81, x, NULL, n, d, k);
	for (init = CC_INIT_KMEANSPP; init <= CC_INIT_GIVEN; init++)
	{
		double	   *start = random_start(x, n, d, k, 82, true);
		CcKmeansParams p = km_params(k, init, all_algos[init % N_ALGOS], 1, 3,
									 300, 0.0, start);
		CcKmeansResult res;

		set_ctx("allocations init=%d %s", (int) init, algo_name(p.algorithm));
		cc_kmeans(x, n, d, &p, &res, &ca);
		CHECK(ctx.live == 4);	/* centroids, labels, sizes, sse */
		cc_kmeans_sort_by_size(&res, n, k, d, &ca);
		CHECK(ctx.live == 4);
		cc_release(&ca, res.centroids);
		cc_release(&ca, res.labels);
		cc_release(&ca, res.sizes);
		cc_release(&ca, res.sse);
		CHECK(ctx.live == 0);
		CHECK(!ctx.bad_release);
		tfree(start);
	}
	{
		double		v[3],
					c[3],
					s[3];
		int			how;

		set_ctx("allocations preprocess");
		for (how = 0; how < 4; how++)
		{
			cc_impute_fit(x, n, d, (CcImpute) how, v, &ca);
			cc_scale_fit(x, n, d, (CcScale) how, c, s, NULL, &ca);
		}
		CHECK(ctx.live == 0);
		CHECK(!ctx.bad_release);
	}
	set_ctx("%s", "");
	tfree(x);
}

/* A poll function that always asks to stop. */
static bool
stop_always(void *arg)
{
	(void) arg;
	return true;
}

/*
 * Check that restarts run in threads give the same result, bit for bit, as
 * the same restarts in one thread, for every algorithm and seeding, that the
 * silhouette does too, and that a stop request voids the result.
 */
static void
test_kmeans_threads(void)
{
	size_t		n = 1500;
	int			d = 4,
				k = 6;
	double	   *x = dalloc(n * d);
	TRand		r;
	int			ai,
				threads;
	static const CcAlgorithm algos[] = {CC_ALGO_LLOYD, CC_ALGO_HAMERLY, CC_ALGO_ELKAN};

	tr_seed(&r, 4242);
	make_blobs(&r, x, NULL, n, d, k, 3.0, 1.5);
	set_ctx("threaded restarts");
	for (ai = 0; ai < 3; ai++)
	{
		CcKmeansParams p = km_params(k, ai == 2 ? CC_INIT_RANDOM : CC_INIT_KMEANSPP,
									 algos[ai], 99, 7, 300, 1e-6, NULL);
		CcKmeansResult one;

		p.threads = 1;
		cc_kmeans(x, n, d, &p, &one, A);
		CHECK(!one.stopped);
		for (threads = 2; threads <= 9; threads += 3)
		{
			CcKmeansResult many;

			p.threads = threads;
			cc_kmeans(x, n, d, &p, &many, A);
			CHECK(!many.stopped);
			CHECK(many.best_run == one.best_run);
			CHECK(many.iterations == one.iterations);
			CHECK(memcmp(&many.inertia, &one.inertia, sizeof(double)) == 0);
			CHECK(memcmp(many.centroids, one.centroids, sizeof(double) * k * d) == 0);
			CHECK(memcmp(many.labels, one.labels, sizeof(int) * n) == 0);
			CHECK(memcmp(many.sizes, one.sizes, sizeof(int64_t) * k) == 0);
			km_free(&many);
		}
		km_free(&one);
	}
	{
		/* the silhouette shared among threads: the same numbers, bit for bit */
		CcKmeansParams p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_ELKAN, 5, 2,
									 300, 0.0, NULL);
		CcKmeansResult res;
		double		m1[6],
					m3[6];
		int64_t		r1[6],
					r3[6];
		CcQualityParams qp1 = {0},
					qp3 = {0};
		CcQuality	q1 = {0},
					q3 = {0};

		cc_kmeans(x, n, d, &p, &res, A);
		set_ctx("threaded silhouette");
		qp1.threads = 1;
		qp3.threads = 3;
		q1.segment_silhouette = m1;
		q1.segment_rows = r1;
		q3.segment_silhouette = m3;
		q3.segment_rows = r3;
		CHECK(cc_silhouette(x, d, res.labels, k, NULL, n, NULL, &qp1, &q1, A));
		CHECK(cc_silhouette(x, d, res.labels, k, NULL, n, NULL, &qp3, &q3, A));
		CHECK(memcmp(&q1.silhouette, &q3.silhouette, sizeof(double)) == 0);
		CHECK(memcmp(m1, m3, sizeof(m1)) == 0);
		CHECK(memcmp(r1, r3, sizeof(r1)) == 0);
		qp3.poll = stop_always;
		CHECK(!cc_silhouette(x, d, res.labels, k, NULL, n, NULL, &qp3, &q3, A));
		km_free(&res);
	}
	{
		CcKmeansParams p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_ELKAN, 1, 8,
									 300, 0.0, NULL);
		CcKmeansResult res;

		p.threads = 4;
		p.stop = stop_always;
		cc_kmeans(x, n, d, &p, &res, A);
		set_ctx("threaded restarts asked to stop");
		CHECK(res.stopped);
		km_free(&res);
	}
	tfree(x);
}

/*
 * Check the restarts on a sample (restart_rows): the same model for any
 * number of threads; labels, sizes and inertia that cover every row and
 * agree with each other; a run that ends at Lloyd's fixed point on every
 * row (tol 0: another run from its centroids changes nothing); the same
 * model as without the sample when restart_rows is not below n, or n_init
 * is 1; and a stop request that voids it.
 */
static void
test_kmeans_restart_sample(void)
{
	size_t		n = 20000;
	int			d = 4,
				k = 6;
	double	   *x = dalloc(n * d);
	TRand		r;
	CcKmeansParams p;
	CcKmeansResult one,
				two,
				again,
				whole;
	int64_t		total = 0;
	double		sse = 0.0;
	int			c;

	tr_seed(&r, 4242);
	make_blobs(&r, x, NULL, n, d, k, 2.0, 1.5);
	p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_AUTO, 5, 6, 300, 0.0, NULL);
	p.restart_rows = 3000;
	CHECK(cc_kmeans_restarts_sampled(&p, n));
	p.threads = 1;
	cc_kmeans(x, n, d, &p, &one, A);
	p.threads = 2;
	cc_kmeans(x, n, d, &p, &two, A);
	CHECK(!one.stopped && !two.stopped);
	CHECK(one.best_run >= 0 && one.best_run < 6);
	CHECK(two.best_run == one.best_run);
	CHECK(memcmp(&two.inertia, &one.inertia, sizeof(double)) == 0);
	CHECK(memcmp(two.centroids, one.centroids, sizeof(double) * k * d) == 0);
	CHECK(memcmp(two.labels, one.labels, sizeof(int) * n) == 0);
	for (c = 0; c < k; c++)
	{
		total += one.sizes[c];
		sse += one.sse[c];
	}
	CHECK(total == (int64_t) n);
	CHECK(fabs(sse - one.inertia) <= 1e-9 * one.inertia);
	CHECK(one.converged);

	/* from its centroids, Lloyd on every row moves nothing */
	{
		CcKmeansParams g = km_params(k, CC_INIT_GIVEN, CC_ALGO_LLOYD, 5, 1, 300, 0.0,
									 one.centroids);

		cc_kmeans(x, n, d, &g, &again, A);
		CHECK(again.iterations <= 2);
		CHECK(memcmp(again.labels, one.labels, sizeof(int) * n) == 0);
		km_free(&again);
	}

	/* no sample when it would hold every row, or with one restart */
	p.restart_rows = n;
	CHECK(!cc_kmeans_restarts_sampled(&p, n));
	cc_kmeans(x, n, d, &p, &whole, A);
	p.restart_rows = 0;
	cc_kmeans(x, n, d, &p, &again, A);
	CHECK(memcmp(&whole.inertia, &again.inertia, sizeof(double)) == 0);
	CHECK(memcmp(whole.labels, again.labels, sizeof(int) * n) == 0);
	km_free(&whole);
	km_free(&again);
	p.restart_rows = 3000;
	p.n_init = 1;
	CHECK(!cc_kmeans_restarts_sampled(&p, n));
	p.n_init = 6;

	/* a stop request voids it */
	p.stop = stop_always;
	cc_kmeans(x, n, d, &p, &again, A);
	CHECK(again.stopped);
	km_free(&again);

	km_free(&one);
	km_free(&two);
	tfree(x);
}

/*
 * Check that one restart whose rows are split between threads (n_init = 1,
 * at least twice 65536 rows: each part starts on a multiple of 16384 and
 * the last one ends short) gives the same result, bit for bit, as in one
 * thread, for every algorithm and seeding, and that a stop request voids
 * it.
 */
static void
test_kmeans_row_parts(void)
{
	size_t		n = 2 * 65536 + 3001;
	int			d = 3,
				k = 5;
	double	   *x = dalloc(n * d);
	TRand		r;
	int			ai,
				threads;
	static const CcAlgorithm algos[] = {CC_ALGO_LLOYD, CC_ALGO_HAMERLY, CC_ALGO_ELKAN};

	tr_seed(&r, 777);
	make_blobs(&r, x, NULL, n, d, k, 2.0, 1.5);
	for (ai = 0; ai < 3; ai++)
	{
		int			init;

		for (init = 0; init < 2; init++)
		{
			CcKmeansParams p = km_params(k, init ? CC_INIT_RANDOM : CC_INIT_KMEANSPP,
										 algos[ai], 11, 1, 300, 1e-7, NULL);
			CcKmeansResult one;

			set_ctx("row parts algorithm=%d init=%d", (int) algos[ai], init);
			p.threads = 1;
			cc_kmeans(x, n, d, &p, &one, A);
			CHECK(!one.stopped);
			CHECK(one.iterations > 2);
			for (threads = 2; threads <= 3; threads++)
			{
				CcKmeansResult many;

				p.threads = threads;
				cc_kmeans(x, n, d, &p, &many, A);
				CHECK(!many.stopped);
				CHECK(many.iterations == one.iterations);
				CHECK(many.converged == one.converged);
				CHECK(memcmp(&many.inertia, &one.inertia, sizeof(double)) == 0);
				CHECK(memcmp(many.centroids, one.centroids, sizeof(double) * k * d) == 0);
				CHECK(memcmp(many.labels, one.labels, sizeof(int) * n) == 0);
				CHECK(memcmp(many.sizes, one.sizes, sizeof(int64_t) * k) == 0);
				CHECK(memcmp(many.sse, one.sse, sizeof(double) * k) == 0);
				km_free(&many);
			}
			km_free(&one);
		}
	}
	{
		CcKmeansParams p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_ELKAN, 1, 1,
									 300, 0.0, NULL);
		CcKmeansResult res;

		set_ctx("row parts asked to stop");
		p.threads = 2;
		p.stop = stop_always;
		cc_kmeans(x, n, d, &p, &res, A);
		CHECK(res.stopped);
		km_free(&res);
	}
	tfree(x);

	/*
	 * 17 features, as the credit-card data has: the seeding's distances
	 * that the parts take from the candidates' pass (four rows and four
	 * candidates at a time) are those the one-thread run computes row by
	 * row, to the bit; and Elkan's bounds in single precision
	 */
	d = 17;
	k = 8;
	x = dalloc(n * d);
	make_blobs(&r, x, NULL, n, d, k, 2.0, 1.5);
	{
		CcKmeansParams p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_ELKAN, 3, 1,
									 300, 1e-7, NULL);
		CcKmeansResult one,
					many;

		set_ctx("row parts, 17 features");
		p.threads = 1;
		cc_kmeans(x, n, d, &p, &one, A);
		p.threads = 2;
		cc_kmeans(x, n, d, &p, &many, A);
		CHECK(!one.stopped && !many.stopped);
		CHECK(many.iterations == one.iterations);
		CHECK(memcmp(&many.inertia, &one.inertia, sizeof(double)) == 0);
		CHECK(memcmp(many.centroids, one.centroids, sizeof(double) * k * d) == 0);
		CHECK(memcmp(many.labels, one.labels, sizeof(int) * n) == 0);
		km_free(&many);

		/*
		 * these bounds (n x k doubles above 8 MB) are kept as floats: plain
		 * Lloyd, without bounds, gives the same model
		 */
		p.algorithm = CC_ALGO_LLOYD;
		cc_kmeans(x, n, d, &p, &many, A);
		CHECK(many.iterations == one.iterations);
		CHECK(memcmp(&many.inertia, &one.inertia, sizeof(double)) == 0);
		CHECK(memcmp(many.centroids, one.centroids, sizeof(double) * k * d) == 0);
		CHECK(memcmp(many.labels, one.labels, sizeof(int) * n) == 0);
		km_free(&one);
		km_free(&many);
	}
	tfree(x);
}

/* FNV-1a over bytes, for the digest below. */
static uint64_t
fnv_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= b[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/*
 * Print a digest of results that go through the code compiled twice (the
 * k-means runs, the silhouette tiles): "make unittest-clones" builds the
 * tests with and without the AVX2 clones and compares the digests, which
 * must be equal bit for bit.
 */
static void
test_simd_digest(void)
{
	const size_t n = 3000;
	const int	d = 17;
	const int	ks[] = {3, 8, 13};
	uint64_t	h = UINT64_C(14695981039346656037);
	double	   *x = dalloc(n * d);
	size_t		ki;
	int			ai;

	make_data(DATA_BLOBS, 29, x, NULL, n, d, 8);
	for (ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++)
		for (ai = 0; ai < N_ALGOS; ai++)
		{
			int			k = ks[ki];
			CcKmeansParams p = km_params(k, CC_INIT_KMEANSPP, all_algos[ai], 7, 3,
										 300, 1e-4, NULL);
			CcKmeansResult res;
			double	   *mean = dalloc(k);
			int64_t    *rows = talloc(k, sizeof(int64_t));
			CcQualityParams qp = {0};
			CcQuality	q = {0};

			cc_kmeans(x, n, d, &p, &res, A);
			h = fnv_bytes(h, res.centroids, (size_t) k * d * sizeof(double));
			h = fnv_bytes(h, res.labels, n * sizeof(int));
			h = fnv_bytes(h, &res.inertia, sizeof(double));
			qp.threads = 1;
			q.segment_silhouette = mean;
			q.segment_rows = rows;
			cc_silhouette(x, d, res.labels, k, NULL, n, NULL, &qp, &q, A);
			h = fnv_bytes(h, &q.silhouette, sizeof(double));
			h = fnv_bytes(h, mean, k * sizeof(double));
			km_free(&res);
			tfree(mean);
			tfree(rows);
		}
	tfree(x);
	printf("digest: %016llx\n", (unsigned long long) h);
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(kmeans_bounds_equal_lloyd, 180),
	UNIT_TEST(kmeans_bounds_history, 185),
	UNIT_TEST(kmeans_ties, 190),
	UNIT_TEST(kmeans_relocation_at_convergence, 200),
	UNIT_TEST(kmeans_row_order, 210),
	UNIT_TEST(kmeans_threads, 220),
	UNIT_TEST(kmeans_row_parts, 225),
	UNIT_TEST(kmeans_restart_sample, 226),
	UNIT_TEST(kmeans_determinism, 250),
	UNIT_TEST(seed_cache, 290),
	UNIT_TEST(kmeans_blobs, 320),
	UNIT_TEST(kmeans_accumulate, 330),
	UNIT_TEST(kmeans_lloyd_update, 335),
	UNIT_TEST(kmeans_edge_cases, 340),
	UNIT_TEST(kmeans_max_iter, 350),
	UNIT_TEST(kmeans_sort_by_size, 360),
	UNIT_TEST(kmeans_tolerance, 370),
	UNIT_TEST(kmeanspp, 380),
	UNIT_TEST(kmeanspp_greedy, 390),
	UNIT_TEST(kmeans_callbacks, 400),
	UNIT_TEST(kmeans_allocations, 410),
	UNIT_TEST(simd_digest, 730),	/* the highest order: runs last */
};

const UnitModule kmeans_module = {"kmeans", tests, lengthof(tests)};
