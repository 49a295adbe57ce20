/*
 * test_align.c
 *		Unit tests of hungarian.c and align.c: the assignment against
 *		brute force, check callbacks that stop it, and segment alignment.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "harness.h"
#include "hungarian.h"
#include "kmeans.h"
#include "model.h"
#include "preprocess.h"

/* A check callback that counts its calls and jumps out at the stop_at'th. */
typedef struct StopAfter
{
	jmp_buf		env;
	long		calls;
	long		stop_at;		/* 0: never */
} StopAfter;

static void
stop_after_check(void *arg)
{
	StopAfter  *s = arg;

	s->calls++;
	if (s->stop_at > 0 && s->calls >= s->stop_at)
		longjmp(s->env, 1);
}

/*
 * Lowest total cost of the assignments of the smaller side of a rows x cols
 * cost matrix to distinct members of the other, level by level; used is
 * the set of the other side's members taken.
 */
static void
brute_assign_rec(const double *cost, int rows, int cols, int level,
				 unsigned used, long double acc, long double *best)
{
	int			small = rows <= cols ? rows : cols;
	int			large = rows <= cols ? cols : rows;
	int			o;

	if (level == small)
	{
		if (acc < *best)
			*best = acc;
		return;
	}
	for (o = 0; o < large; o++)
	{
		double		c;

		if (used & (1u << o))
			continue;
		c = rows <= cols ? cost[level * cols + o] : cost[o * cols + level];
		brute_assign_rec(cost, rows, cols, level + 1, used | (1u << o),
						 acc + c, best);
	}
}

/* Lowest total cost over all assignments, by brute force. */
static long double
brute_assign(const double *cost, int rows, int cols)
{
	long double best = INFINITY;

	brute_assign_rec(cost, rows, cols, 0, 0u, 0.0L, &best);
	return best;
}

/*
 * Whether row_to_col is an assignment of a rows x cols matrix: columns in
 * range and distinct, min(rows, cols) rows assigned, the others -1.
 * *total gets its cost.
 */
static bool
valid_assignment(const double *cost, int rows, int cols, const int *row_to_col,
				 long double *total)
{
	bool	   *taken = talloc(cols, sizeof(bool));
	int			assigned = 0,
				i;
	bool		ok = true;

	memset(taken, 0, cols * sizeof(bool));
	*total = 0.0L;
	for (i = 0; i < rows; i++)
	{
		int			c = row_to_col[i];

		if (c == -1)
			continue;
		if (c < 0 || c >= cols || taken[c])
		{
			ok = false;
			continue;
		}
		taken[c] = true;
		assigned++;
		*total += cost[(size_t) i * cols + c];
	}
	tfree(taken);
	return ok && assigned == (rows <= cols ? rows : cols);
}

/* Check cc_hungarian against brute force on every shape up to 6 x 6. */
static void
test_hungarian_brute(void)
{
	static const char *const kinds[] = {"uniform", "small integers", "signed",
	"offset"};
	double		cost[36];
	int			rc[6];
	TRand		r;
	int			rows,
				cols;
	CountCtx	ctx;
	CcAllocator ca = counting_allocator(&ctx);

	tr_seed(&r, 7000);
	for (rows = 1; rows <= 6; rows++)
		for (cols = 1; cols <= 6; cols++)
		{
			int			kind;

			for (kind = 0; kind < 4; kind++)
			{
				bool		ok_valid = true,
							ok_cost = true;
				int			trial;

				for (trial = 0; trial < 6; trial++)
				{
					long double best,
								total;
					int			i;

					for (i = 0; i < rows * cols; i++)
						switch (kind)
						{
							case 0:
								cost[i] = tr_unif(&r);
								break;
							case 1:
								cost[i] = (double) tr_below(&r, 4);
								break;
							case 2:
								cost[i] = 1e3 * tr_normal(&r);
								break;
							default:
								cost[i] = 1e6 + tr_unif(&r);
								break;
						}
					for (i = 0; i < rows; i++)
						rc[i] = -7;
					cc_hungarian(cost, rows, cols, rc, &ca, NULL, NULL);
					best = brute_assign(cost, rows, cols);
					if (!valid_assignment(cost, rows, cols, rc, &total))
						ok_valid = false;
					else if (!(fabsl(total - best) <= 1e-9L + 8.0L * DBL_EPSILON * fabsl(best)))
					{
						ok_cost = false;
						printf("  hungarian %d x %d %s: cost %.17Lg, best %.17Lg\n",
							   rows, cols, kinds[kind], total, best);
					}
				}
				set_ctx("hungarian %d x %d %s", rows, cols, kinds[kind]);
				CHECK(ok_valid);
				CHECK(ok_cost);
			}
		}
	set_ctx("hungarian allocations");
	CHECK(ctx.live == 0 && !ctx.bad_release);
	set_ctx("%s", "");
}

/* Check cc_hungarian's small closed forms: 1 x 1, one row, one column, ties. */
static void
test_hungarian_small(void)
{
	int			rc[6];
	long double total;

	{
		double		c[1] = {-3.5};

		set_ctx("hungarian 1 x 1");
		rc[0] = -7;
		cc_hungarian(c, 1, 1, rc, A, NULL, NULL);
		CHECK(rc[0] == 0);
	}
	{
		double		c[5] = {3, 1, 4, 0.5, 5};

		set_ctx("hungarian 1 x 5");
		cc_hungarian(c, 1, 5, rc, A, NULL, NULL);
		CHECK(rc[0] == 3);
		set_ctx("hungarian 5 x 1");
		cc_hungarian(c, 5, 1, rc, A, NULL, NULL);
		CHECK(rc[0] == -1 && rc[1] == -1 && rc[2] == -1 && rc[3] == 0 && rc[4] == -1);
	}
	/* all costs equal: any assignment, all of the same cost */
	{
		double		c[24];
		int			i;

		for (i = 0; i < 24; i++)
			c[i] = 2.5;
		set_ctx("hungarian ties 4 x 6");
		cc_hungarian(c, 4, 6, rc, A, NULL, NULL);
		CHECK(valid_assignment(c, 4, 6, rc, &total) && total == 10.0L);
		set_ctx("hungarian ties 6 x 4");
		cc_hungarian(c, 6, 4, rc, A, NULL, NULL);
		CHECK(valid_assignment(c, 6, 4, rc, &total) && total == 10.0L);
	}
	/* the greedy choice (row 0 -> column 0) is wrong: 1 + 10 > 2 + 2 */
	{
		double		c[4] = {1, 2, 2, 10};

		set_ctx("hungarian not greedy");
		cc_hungarian(c, 2, 2, rc, A, NULL, NULL);
		CHECK(rc[0] == 1 && rc[1] == 0);
	}
	/* 3 x 2: the middle row is left out */
	{
		double		c[6] = {0, 5, 9, 9, 5, 0};

		set_ctx("hungarian 3 x 2");
		cc_hungarian(c, 3, 2, rc, A, NULL, NULL);
		CHECK(rc[0] == 0 && rc[1] == -1 && rc[2] == 1);
	}
	set_ctx("%s", "");
}

/*
 * Check cc_hungarian on large matrices: a hidden zero-cost assignment
 * (square and both rectangles), squared differences of two sets of points
 * on a line (optimum: match them in sorted order), and random costs (a
 * permutation no dearer than the identity that no swap of two rows'
 * columns improves).
 */
static void
test_hungarian_large(void)
{
	static const int shapes[][2] = {{60, 60}, {45, 60}, {60, 45}};
	const int	n = 60;
	double	   *cost = dalloc((size_t) n * n);
	int		   *rc = talloc(n, sizeof(int));
	int		   *perm = talloc(n, sizeof(int));
	TRand		r;
	size_t		si;
	int			i,
				j;
	long double total;
	CountCtx	ctx;
	CcAllocator ca = counting_allocator(&ctx);

	tr_seed(&r, 7100);
	for (si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++)
	{
		int			rows = shapes[si][0],
					cols = shapes[si][1];
		int			large = rows > cols ? rows : cols;
		int			small = rows > cols ? cols : rows;
		bool		ok = true;

		/* perm: a random permutation of the larger side */
		for (i = 0; i < large; i++)
			perm[i] = i;
		for (i = large - 1; i > 0; i--)
		{
			int			k = (int) tr_below(&r, i + 1),
						t = perm[i];

			perm[i] = perm[k];
			perm[k] = t;
		}
		for (i = 0; i < rows * cols; i++)
			cost[i] = 1.0 + tr_unif(&r);
		/* smaller-side member s pairs with perm[s] at cost 0 */
		for (i = 0; i < small; i++)
		{
			if (rows <= cols)
				cost[(size_t) i * cols + perm[i]] = 0.0;
			else
				cost[(size_t) perm[i] * cols + i] = 0.0;
		}
		cc_hungarian(cost, rows, cols, rc, &ca, NULL, NULL);
		for (i = 0; i < rows; i++)
		{
			int			want = -1;

			if (rows <= cols)
				want = perm[i];
			else
				for (j = 0; j < cols; j++)
					if (perm[j] == i)
						want = j;
			if (rc[i] != want)
				ok = false;
		}
		set_ctx("hungarian hidden assignment %d x %d", rows, cols);
		CHECK(ok);
	}

	/* squared differences between points on a line */
	{
		double		a[60],
					b[60];
		long double best = 0.0L;

		for (i = 0; i < n; i++)
		{
			a[i] = tr_normal(&r);
			b[i] = 2.0 * tr_normal(&r) + 0.5;
		}
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				cost[(size_t) i * n + j] = (a[i] - b[j]) * (a[i] - b[j]);
		cc_hungarian(cost, n, n, rc, &ca, NULL, NULL);
		qsort(a, n, sizeof(double), cmp_double);
		qsort(b, n, sizeof(double), cmp_double);
		for (i = 0; i < n; i++)
			best += ((long double) a[i] - b[i]) * ((long double) a[i] - b[i]);
		set_ctx("hungarian sorted matching 60 x 60");
		CHECK(valid_assignment(cost, n, n, rc, &total));
		CHECK(fabsl(total - best) <= 1e-9L * (1.0L + best));
	}

	/* random costs */
	{
		long double identity = 0.0L;
		bool		two_opt;

		for (i = 0; i < n * n; i++)
			cost[i] = tr_unif(&r);
		for (i = 0; i < n; i++)
			identity += cost[(size_t) i * n + i];
		cc_hungarian(cost, n, n, rc, &ca, NULL, NULL);
		set_ctx("hungarian random 60 x 60");
		two_opt = CHECK(valid_assignment(cost, n, n, rc, &total));
		CHECK(two_opt && total <= identity);
		/* no swap of two rows' columns lowers the cost */
		for (i = 0; i < n && two_opt; i++)
			for (j = i + 1; j < n; j++)
			{
				long double now = (long double) cost[(size_t) i * n + rc[i]] +
					cost[(size_t) j * n + rc[j]];
				long double swapped = (long double) cost[(size_t) i * n + rc[j]] +
					cost[(size_t) j * n + rc[i]];

				if (swapped < now - 1e-12L)
				{
					two_opt = false;
					break;
				}
			}
		CHECK(two_opt);
	}
	set_ctx("hungarian large allocations");
	CHECK(ctx.live == 0 && !ctx.bad_release);
	tfree(cost);
	tfree(rc);
	tfree(perm);
	set_ctx("%s", "");
}

/*
 * cc_hungarian calls its check callback while it searches, at least once
 * per row of the smaller side, and a check that does not return (query
 * cancel) stops it with nothing left but what the allocator holds.
 */
static void
test_hungarian_check(void)
{
	static const int shapes[][2] = {{80, 80}, {50, 80}, {80, 50}};
	const int	n = 80;
	double	   *cost = dalloc((size_t) n * n);
	int		   *rc = talloc(n, sizeof(int));
	TRand		r;
	size_t		si;
	int			i;

	tr_seed(&r, 7300);
	for (i = 0; i < n * n; i++)
		cost[i] = tr_unif(&r);
	for (si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++)
	{
		int			rows = shapes[si][0],
					cols = shapes[si][1];
		int			small = rows < cols ? rows : cols;
		StopAfter	counter;
		static StopAfter stopper;
		TrackCtx	tc;
		CcAllocator ta = tracking_allocator(&tc);
		long		calls;

		set_ctx("hungarian check callback %d x %d", rows, cols);
		memset(&counter, 0, sizeof(counter));
		cc_hungarian(cost, rows, cols, rc, &ta, stop_after_check, &counter);
		CHECK(counter.calls >= small);
		CHECK(tc.live == 0);
		calls = counter.calls;

		/* stopped half way: it does not finish, and leaves its buffers */
		memset(&stopper, 0, sizeof(stopper));
		stopper.stop_at = calls / 2;
		if (setjmp(stopper.env) == 0)
		{
			cc_hungarian(cost, rows, cols, rc, &ta, stop_after_check, &stopper);
			CHECK(!"cc_hungarian finished despite the stop");
		}
		CHECK(stopper.calls == calls / 2);
		CHECK(track_release_all(&tc) > 0);
	}
	set_ctx("%s", "");
	tfree(cost);
	tfree(rc);
}

/*
 * cc_align_to_previous: new centroids that are the previous ones in another
 * order get the previous numbers back, with no drift and no changed row;
 * with fewer or more new segments the numbers stay a permutation.  It calls
 * its check callback from every loop, and a check that does not return
 * stops it.
 */
static void
test_align(void)
{
	const int	kp = 6;
	const int	d = 3;
	const size_t n = 600;
	static const int ks[] = {6, 4, 9};
	CcModel		prev;
	CcFeatureMap fm;
	size_t		ki;

	make_model(&prev, kp, d, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 7400);
	for (ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++)
	{
		int			k = ks[ki];
		CcKmeansResult res;
		double	   *x = dalloc(n * d);
		double	   *drift = dalloc(k);
		int		   *perm = talloc(k, sizeof(int));
		double		changed = -1.0;
		StopAfter	counter;
		static StopAfter stopper;
		TrackCtx	tc;
		CcAllocator ta = tracking_allocator(&tc);
		TRand		r;
		size_t		i;
		int64_t		total = 0;
		int			c,
					j,
					unmatched = 0;
		bool		in_range = true;

		set_ctx("align k=%d to k=%d", k, kp);
		tr_seed(&r, 7500 + ki);
		/* new cluster c sits on previous centroid perm[c] (new ones elsewhere) */
		for (c = 0; c < k; c++)
			perm[c] = c;
		for (c = k - 1; c > 0; c--)
		{
			int			o = (int) tr_below(&r, c + 1),
						t = perm[c];

			perm[c] = perm[o];
			perm[o] = t;
		}
		km_alloc(&res, n, k, d);
		for (c = 0; c < k; c++)
		{
			for (j = 0; j < d; j++)
				res.centroids[(size_t) c * d + j] = perm[c] < kp ?
					prev.centroids[(size_t) perm[c] * d + j] :
					100.0 + 10.0 * perm[c] + j;
		}
		for (i = 0; i < n; i++)
		{
			c = (int) (i % (size_t) k);
			res.labels[i] = c;
			res.sizes[c]++;
			for (j = 0; j < d; j++)
				x[i * d + j] = res.centroids[(size_t) c * d + j] +
					1e-6 * tr_normal(&r);
		}

		memset(&counter, 0, sizeof(counter));
		cc_model_map(&prev, &fm);
		CHECK(cc_align_to_previous(&prev, x, n, d, &fm,
								   &res, k, drift, &changed, 1, &ta,
								   stop_after_check, NULL, &counter));
		CHECK(tc.live == 0);
		/* what the glue counts against ccseg.max_train_memory covers it */
		CHECK(tc.peak > 0.0 && tc.peak <= cc_align_bytes(k, kp, d, 1));
		/* a row of the cost matrix each, and every 256 rows scored */
		CHECK(counter.calls >= k + (long) (n / 256));
		for (i = 0; i < n; i++)
			if (res.labels[i] < 0 || res.labels[i] >= k)
				in_range = false;
		CHECK(in_range);
		for (c = 0; c < k; c++)
		{
			total += res.sizes[c];
			if (isnan(drift[c]))
				unmatched++;
		}
		CHECK(total == (int64_t) n);
		CHECK(unmatched == (k > kp ? k - kp : 0));
		if (k == kp)
		{
			bool		same = true;

			for (i = 0; i < (size_t) k * d; i++)
				if (res.centroids[i] != prev.centroids[i])
					same = false;
			CHECK(same);
			/* previous centroids pass through original units: rounding only */
			for (c = 0; c < k; c++)
				CHECK(drift[c] < 1e-12);
			CHECK(changed == 0.0);
		}
		else
			CHECK(changed >= 0.0 && changed <= 1.0);

		/* stopped half way */
		memset(&stopper, 0, sizeof(stopper));
		stopper.stop_at = counter.calls / 2;
		if (setjmp(stopper.env) == 0)
		{
			cc_model_map(&prev, &fm);
			(void) cc_align_to_previous(&prev, x, n, d, &fm,
										&res, k, drift, &changed, 1, &ta,
										stop_after_check, NULL, &stopper);
			CHECK(!"cc_align_to_previous finished despite the stop");
		}
		CHECK(stopper.calls == counter.calls / 2);
		track_release_all(&tc);

		km_free(&res);
		tfree(x);
		tfree(drift);
		tfree(perm);
	}
	CHECK(cc_align_bytes(CC_MAX_K, CC_MAX_K, 1, 1) >= 8e8);
	cc_model_free(&prev, A);
	set_ctx("%s", "");
}

static bool
stop_polled(void *arg)
{
	(void) arg;
	return true;
}

/*
 * cc_align_to_previous on enough rows to score them in threads: the same
 * numbering and share of changed rows with 1 to 3 threads, and a poll that
 * asks to stop ends it.
 */
static void
test_align_threads(void)
{
	const int	kp = 5;
	const int	k = 5;
	const int	d = 4;
	const size_t n = CC_ALIGN_THREADED_ROWS + 1001;
	CcModel		prev;
	CcFeatureMap fm;
	double	   *x = dalloc(n * d);
	double		drift[5];
	double		want = -1.0;
	int		   *want_labels = talloc(n, sizeof(int));
	TRand		r;
	size_t		v;
	int			t;

	make_model(&prev, kp, d, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 7600);
	tr_seed(&r, 7700);
	for (v = 0; v < n * (size_t) d; v++)
		x[v] = 3.0 * tr_normal(&r);
	for (t = 1; t <= 3; t++)
	{
		CcKmeansResult res;
		double		changed = -1.0;
		size_t		i;
		int			c;

		set_ctx("align threads=%d", t);
		km_alloc(&res, n, k, d);
		/* the previous centroids shifted, rows labelled round the clusters */
		for (c = 0; c < k; c++)
		{
			for (i = 0; i < (size_t) d; i++)
				res.centroids[(size_t) c * d + i] = prev.centroids[(size_t) c * d + i] + 0.25;
		}
		for (i = 0; i < n; i++)
		{
			res.labels[i] = (int) (i % (size_t) k);
			res.sizes[res.labels[i]]++;
		}
		cc_model_map(&prev, &fm);
		CHECK(cc_align_to_previous(&prev, x, n, d, &fm, &res, k, drift,
								   &changed, t, A, NULL, NULL, NULL));
		if (t == 1)
		{
			want = changed;
			memcpy(want_labels, res.labels, n * sizeof(int));
			/* rows labelled blindly: most of them move */
			CHECK(changed > 0.5 && changed <= 1.0);
		}
		else
			CHECK(changed == want &&
				  memcmp(want_labels, res.labels, n * sizeof(int)) == 0);
		if (t == 2)
		{
			set_ctx("align threads stopped");
			CHECK(!cc_align_to_previous(&prev, x, n, d, &fm, &res, k, drift,
										&changed, t, A, NULL, stop_polled,
										NULL));
		}
		km_free(&res);
	}
	tfree(x);
	tfree(want_labels);
	cc_model_free(&prev, A);
	set_ctx("%s", "");
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(hungarian_brute, 600),
	UNIT_TEST(hungarian_small, 610),
	UNIT_TEST(hungarian_large, 620),
	UNIT_TEST(hungarian_check, 630),
	UNIT_TEST(align, 710),
	UNIT_TEST(align_threads, 711),
};

const UnitModule align_module = {"align", tests, lengthof(tests)};
