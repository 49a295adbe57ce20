/*
 * test_core.c
 *		Standalone unit tests of the ccseg numeric core (src/core).
 *
 * No framework and no PostgreSQL: CHECK counts passes and failures and
 * prints every failure with file:line and the current context.  Expected
 * values are computed here independently of the code under test: sorting,
 * brute force, long double sums, closed forms and published test vectors.
 * Random test data comes from a splitmix64 generator local to this file,
 * not from the core's generator.
 *
 * Build and run with "make unittest"; the program is also meant to be run
 * under valgrind and with -fsanitize=address,undefined, so it releases
 * everything it allocates.  The last line of output is
 * "unit: N passed, M failed"; the exit status is 1 when M > 0.
 *
 * Several tests are regression tests for core bugs these tests found (see
 * the comments of test_kmeans_relocation_at_convergence,
 * test_ch_db_empty_cluster, test_describe_small_values,
 * test_pearson_closed_form and test_histogram_closed_form).
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "cc_common.h"
#include "decimal.h"
#include "exactsum.h"
#include "pass.h"
#include "hungarian.h"
#include "kmeans.h"
#include "linalg.h"
#include "matrix.h"
#include "metrics.h"
#include "model.h"
#include "model_io.h"
#include "preprocess.h"
#include "rng.h"
#include "stats.h"

/* ---------------------------------------------------------------------
 * Check machinery
 * ---------------------------------------------------------------------
 */

#define MAX_PRINTED_FAILURES 200

static int	n_passed = 0;
static int	n_failed = 0;
static char ctx_buf[256] = "";

/* Describe what the following checks are about; printed with failures. */
static void
set_ctx(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(ctx_buf, sizeof(ctx_buf), fmt, ap);
	va_end(ap);
}

/* Count one check; print it when it failed. */
static bool
check_at(bool ok, const char *expr, const char *file, int line)
{
	if (ok)
		n_passed++;
	else
	{
		n_failed++;
		if (n_failed <= MAX_PRINTED_FAILURES)
			printf("%s:%d: CHECK failed: %s%s%s%s\n", file, line, expr,
				   ctx_buf[0] ? " [" : "", ctx_buf, ctx_buf[0] ? "]" : "");
		else if (n_failed == MAX_PRINTED_FAILURES + 1)
			printf("(further failures are counted but not printed)\n");
	}
	return ok;
}

#define CHECK(cond) check_at((cond) ? true : false, #cond, __FILE__, __LINE__)

/* ---------------------------------------------------------------------
 * Memory
 * ---------------------------------------------------------------------
 */

static const CcAllocator *const A = &cc_malloc_allocator;

/* Allocate n elements of size bytes through the malloc allocator or die. */
static void *
talloc(size_t n, size_t size)
{
	void	   *p = cc_alloc_array(A, n, size);

	if (p == NULL)
	{
		fprintf(stderr, "test_core: out of memory\n");
		exit(2);
	}
	return p;
}

/* Allocate n doubles. */
static double *
dalloc(size_t n)
{
	return talloc(n, sizeof(double));
}

/* Release memory from talloc. */
static void
tfree(void *p)
{
	cc_release(A, p);
}

/*
 * An allocator that counts live blocks and recognises its own blocks on
 * release, to check that the core releases exactly what it allocated.
 */
typedef struct CountCtx
{
	long		live;
	long		calls;
	bool		bad_release;
} CountCtx;

typedef struct CountHeader
{
	uint64_t	magic;
	uint64_t	size;
} CountHeader;

#define COUNT_MAGIC UINT64_C(0x0C0FFEE0DDF00D11)

/* Allocate a counted block. */
static void *
count_alloc(void *ctx, size_t size)
{
	CountCtx   *c = ctx;
	CountHeader *h = malloc(sizeof(CountHeader) + (size ? size : 1));

	if (h == NULL)
	{
		fprintf(stderr, "test_core: out of memory\n");
		exit(2);
	}
	h->magic = COUNT_MAGIC;
	h->size = size;
	c->live++;
	c->calls++;
	return h + 1;
}

/* Release a counted block, noting foreign or doubly released pointers. */
static void
count_release(void *ctx, void *ptr)
{
	CountCtx   *c = ctx;
	CountHeader *h = (CountHeader *) ptr - 1;

	if (h->magic != COUNT_MAGIC)
	{
		c->bad_release = true;
		return;
	}
	h->magic = 0;
	c->live--;
	free(h);
}

/* Make a counting allocator on top of ctx. */
static CcAllocator
counting_allocator(CountCtx *ctx)
{
	CcAllocator a;

	memset(ctx, 0, sizeof(*ctx));
	a.alloc = count_alloc;
	a.release = count_release;
	a.ctx = ctx;
	return a;
}

/*
 * An allocator that keeps its live blocks in a list, so that a test can
 * release what a computation stopped by a longjmp from its check callback
 * left behind (as a PostgreSQL memory context does).
 */
typedef struct TrackBlock
{
	struct TrackBlock *prev;
	struct TrackBlock *next;
	size_t		size;
	size_t		pad;			/* a header of 4 words keeps malloc's alignment */
} TrackBlock;

typedef struct TrackCtx
{
	TrackBlock	head;			/* a ring: head.next is the newest block */
	long		live;
	double		bytes;			/* requested bytes live */
	double		peak;			/* the most bytes live at once */
} TrackCtx;

/* Allocate a tracked block. */
static void *
track_alloc(void *ctx, size_t size)
{
	TrackCtx   *t = ctx;
	TrackBlock *b = malloc(sizeof(TrackBlock) + (size ? size : 1));

	if (b == NULL)
	{
		fprintf(stderr, "test_core: out of memory\n");
		exit(2);
	}
	b->prev = &t->head;
	b->next = t->head.next;
	b->size = size;
	t->head.next->prev = b;
	t->head.next = b;
	t->live++;
	t->bytes += (double) size;
	if (t->bytes > t->peak)
		t->peak = t->bytes;
	return b + 1;
}

/* Release a tracked block. */
static void
track_release(void *ctx, void *ptr)
{
	TrackCtx   *t = ctx;
	TrackBlock *b = (TrackBlock *) ptr - 1;

	b->prev->next = b->next;
	b->next->prev = b->prev;
	t->live--;
	t->bytes -= (double) b->size;
	free(b);
}

/* Make a tracking allocator on top of ctx. */
static CcAllocator
tracking_allocator(TrackCtx *ctx)
{
	CcAllocator a;

	ctx->head.prev = ctx->head.next = &ctx->head;
	ctx->live = 0;
	ctx->bytes = ctx->peak = 0.0;
	a.alloc = track_alloc;
	a.release = track_release;
	a.ctx = ctx;
	return a;
}

/* Release every block still live; returns how many there were. */
static long
track_release_all(TrackCtx *ctx)
{
	long		n = ctx->live;

	while (ctx->head.next != &ctx->head)
		track_release(ctx, ctx->head.next + 1);
	return n;
}

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

/* ---------------------------------------------------------------------
 * Test data: a generator of our own (splitmix64), independent of rng.c
 * ---------------------------------------------------------------------
 */

typedef struct TRand
{
	uint64_t	s;
} TRand;

/* Seed the test generator. */
static void
tr_seed(TRand *r, uint64_t seed)
{
	r->s = seed;
}

/* Return 64 random bits. */
static uint64_t
tr_next(TRand *r)
{
	uint64_t	z = (r->s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Return a double uniform in [0, 1). */
static double
tr_unif(TRand *r)
{
	return (double) (tr_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Return an integer in [0, n) (slight modulo bias is fine for test data). */
static size_t
tr_below(TRand *r, size_t n)
{
	return (size_t) (tr_next(r) % n);
}

/* Return a standard normal deviate (Box-Muller). */
static double
tr_normal(TRand *r)
{
	double		u1 = 1.0 - tr_unif(r);	/* (0, 1] */
	double		u2 = tr_unif(r);

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

typedef enum DataKind
{
	DATA_BLOBS,					/* well separated Gaussian blobs */
	DATA_NOISE,					/* uniform in the unit cube */
	DATA_GRID,					/* small integers: many duplicates and ties */
	DATA_OFFSET					/* noise of spread 1e-3 around 1e6 */
} DataKind;

static const char *const kind_names[] = {"blobs", "noise", "grid", "offset"};

/*
 * Fill x (n x d) with k Gaussian blobs (standard deviation sd) whose centers
 * are at least sep apart; truth[i] gets the blob of row i (may be NULL).
 */
static void
make_blobs(TRand *r, double *x, int *truth, size_t n, int d, int k,
		   double sep, double sd)
{
	double	   *centers = dalloc((size_t) k * d);
	int			c;
	size_t		i;

	for (c = 0; c < k; c++)
	{
		int			attempt;

		for (attempt = 0; attempt < 100000; attempt++)
		{
			bool		ok = true;
			int			c2,
						j;

			for (j = 0; j < d; j++)
				centers[c * d + j] = tr_unif(r) * sep * (k + 1);
			for (c2 = 0; c2 < c && ok; c2++)
			{
				double		s = 0.0;

				for (j = 0; j < d; j++)
				{
					double		t = centers[c * d + j] - centers[c2 * d + j];

					s += t * t;
				}
				ok = s >= sep * sep;
			}
			if (ok)
				break;
		}
	}
	for (i = 0; i < n; i++)
	{
		int			b = (i < (size_t) k) ? (int) i : (int) tr_below(r, k);
		int			j;

		for (j = 0; j < d; j++)
			x[i * d + j] = centers[b * d + j] + sd * tr_normal(r);
		if (truth)
			truth[i] = b;
	}
	tfree(centers);
}

/* Fill x (n x d) with data of the given kind; truth as for make_blobs. */
static void
make_data(DataKind kind, uint64_t seed, double *x, int *truth, size_t n,
		  int d, int k)
{
	TRand		r;
	size_t		i;

	tr_seed(&r, seed);
	switch (kind)
	{
		case DATA_BLOBS:
			make_blobs(&r, x, truth, n, d, k, 20.0, 1.0);
			return;
		case DATA_NOISE:
			for (i = 0; i < n * d; i++)
				x[i] = tr_unif(&r);
			break;
		case DATA_GRID:
			for (i = 0; i < n * d; i++)
				x[i] = (double) tr_below(&r, 4);
			break;
		case DATA_OFFSET:
			for (i = 0; i < n * d; i++)
				x[i] = 1e6 + 1e-3 * tr_unif(&r);
			break;
	}
	if (truth)
		for (i = 0; i < n; i++)
			truth[i] = 0;
}

/* ---------------------------------------------------------------------
 * Reference computations
 * ---------------------------------------------------------------------
 */

/* qsort comparison of doubles (no NaN). */
static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Squared distance in long double. */
static long double
ref_sqdist(const double *a, const double *b, int d)
{
	long double s = 0.0L;
	int			j;

	for (j = 0; j < d; j++)
	{
		long double t = (long double) a[j] - (long double) b[j];

		s += t * t;
	}
	return s;
}

/* Whether a and b agree to rel relative to max(|a|, |b|, floor). */
static bool
close_to(double a, double b, double rel, double floor_)
{
	double		m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	if (m < floor_)
		m = floor_;
	return fabs(a - b) <= rel * m;
}

/* numpy's default ("linear") quantile of a sorted array, numpy's lerp. */
static double
ref_quantile_sorted(const double *s, size_t n, double q)
{
	double		pos = q * (double) (n - 1);
	double		fl = floor(pos);
	size_t		lo = (size_t) fl;
	double		t,
				diff;

	if (lo >= n - 1)
		return s[n - 1];
	t = pos - fl;
	diff = s[lo + 1] - s[lo];
	if (t >= 0.5)
		return s[lo + 1] - diff * (1.0 - t);
	return s[lo] + diff * t;
}

/* Median of the non-NaN values of column j (sorting); NAN when none. */
static double
ref_median_column(const double *x, size_t n, int d, int j)
{
	double	   *buf = dalloc(n ? n : 1);
	size_t		m = 0;
	size_t		i;
	double		med;

	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + j]))
			buf[m++] = x[i * d + j];
	if (m == 0)
		med = NAN;
	else
	{
		qsort(buf, m, sizeof(double), cmp_double);
		med = (m % 2) ? buf[m / 2] : (buf[m / 2 - 1] + buf[m / 2]) / 2.0;
	}
	tfree(buf);
	return med;
}

/* Add v to a Neumaier sum kept in long double (s[0] sum, s[1] correction). */
static void
ld_sum_add(long double *s, long double v)
{
	long double t = s[0] + v;

	if (fabsl(s[0]) >= fabsl(v))
		s[1] += (s[0] - t) + v;
	else
		s[1] += (v - t) + s[0];
	s[0] = t;
}

/*
 * Mean and population variance of the non-NaN values of column j, with
 * compensated long double sums.  (valgrind runs long double at double
 * precision; the compensation keeps the reference accurate there too.)
 */
static void
ref_mean_var(const double *x, size_t n, int d, int j, long double *mean,
			 long double *var)
{
	long double s[2] = {0.0L, 0.0L},
				q[2] = {0.0L, 0.0L};
	size_t		m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + j]))
		{
			ld_sum_add(s, x[i * d + j]);
			m++;
		}
	*mean = (s[0] + s[1]) / (long double) m;
	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + j]))
		{
			long double t = x[i * d + j] - *mean;

			ld_sum_add(q, t * t);
		}
	*var = (q[0] + q[1]) / (long double) m;
}

/* ---------------------------------------------------------------------
 * rng
 * ---------------------------------------------------------------------
 */

/* Check cc_rng_next and cc_rng_seed against published reference values. */
static void
test_rng_reference(void)
{
	/* xoshiro256** from the state {1, 2, 3, 4} (reference implementation) */
	static const uint64_t expect[] = {
		UINT64_C(11520), UINT64_C(0), UINT64_C(1509978240),
		UINT64_C(1215971899390074240)
	};
	/* the first four splitmix64 outputs from state 0 */
	static const uint64_t sm0[] = {
		UINT64_C(0xE220A8397B1DCDAF), UINT64_C(0x6E789E6AA1B965F4),
		UINT64_C(0x06C45D188009454F), UINT64_C(0xF88BB8A8724C81EC)
	};
	CcRng		rng;
	int			i;

	set_ctx("rng reference vector");
	rng.s[0] = 1;
	rng.s[1] = 2;
	rng.s[2] = 3;
	rng.s[3] = 4;
	for (i = 0; i < 4; i++)
		CHECK(cc_rng_next(&rng) == expect[i]);

	/* seed 0, stream 0: the state is splitmix64's output sequence from 0 */
	set_ctx("rng seeding through splitmix64");
	cc_rng_seed(&rng, 0, 0);
	for (i = 0; i < 4; i++)
		CHECK(rng.s[i] == sm0[i]);
	set_ctx("%s", "");
}

/* Check that seeds and streams give reproducible, distinct sequences. */
static void
test_rng_streams(void)
{
	CcRng		a,
				b,
				c,
				e;
	int			i;
	int			same_ab = 0,
				same_ac = 0,
				same_ae = 0;

	cc_rng_seed(&a, 42, 1);
	cc_rng_seed(&b, 42, 1);
	cc_rng_seed(&c, 42, 2);
	cc_rng_seed(&e, 43, 1);
	for (i = 0; i < 1000; i++)
	{
		uint64_t	va = cc_rng_next(&a);

		same_ab += (va == cc_rng_next(&b));
		same_ac += (va == cc_rng_next(&c));
		same_ae += (va == cc_rng_next(&e));
	}
	CHECK(same_ab == 1000);
	CHECK(same_ac == 0);
	CHECK(same_ae == 0);

	/* stream 0 and the first streams of neighbouring seeds all differ */
	{
		uint64_t	first[12];
		int			s,
					s2,
					collisions = 0;

		for (s = 0; s < 12; s++)
		{
			CcRng		r;

			cc_rng_seed(&r, (uint64_t) (s / 3), (uint64_t) (s % 3));
			first[s] = cc_rng_next(&r);
		}
		for (s = 0; s < 12; s++)
			for (s2 = s + 1; s2 < 12; s2++)
				collisions += (first[s] == first[s2]);
		CHECK(collisions == 0);
	}
}

/* Check cc_rng_uniform's range and first two moments. */
static void
test_rng_uniform(void)
{
	CcRng		rng;
	int			i;
	const int	n = 200000;
	bool		in_range = true;
	long double s = 0,
				q = 0;
	double		mean,
				var;

	cc_rng_seed(&rng, 7, 0);
	for (i = 0; i < n; i++)
	{
		double		u = cc_rng_uniform(&rng);

		if (!(u >= 0.0 && u < 1.0))
			in_range = false;
		s += u;
		q += (long double) u * u;
	}
	mean = (double) (s / n);
	var = (double) (q / n - (s / n) * (s / n));
	CHECK(in_range);
	/* standard errors: 6.5e-4 for the mean, 2.0e-4 for the variance */
	CHECK(fabs(mean - 0.5) < 0.005);
	CHECK(fabs(var - 1.0 / 12.0) < 0.002);

	/*
	 * The largest value: a state whose next output is all ones (s[1] =
	 * 9^-1 * (2^64 - 1) rotated right by 7, times 5^-1, modulo 2^64) must
	 * give 1 - 2^-53, still below 1.
	 */
	rng.s[0] = 1;
	rng.s[1] = UINT64_C(0x4FC71C71C71C71C7);
	rng.s[2] = 2;
	rng.s[3] = 3;
	{
		double		top = cc_rng_uniform(&rng);

		CHECK(top == 1.0 - DBL_EPSILON / 2);
		CHECK(top < 1.0);
	}
}

/* Chi-square statistic of counts against equal expected frequencies. */
static double
chi_square(const long *counts, int cells, long total)
{
	double		expect = (double) total / cells;
	double		x2 = 0.0;
	int			i;

	for (i = 0; i < cells; i++)
	{
		double		t = counts[i] - expect;

		x2 += t * t / expect;
	}
	return x2;
}

/* Check cc_rng_below's range and uniformity, including bias-prone bounds. */
static void
test_rng_below(void)
{
	static const uint64_t bounds[] = {1, 2, 3, 7, 10, 1000, UINT64_C(1) << 32,
		(UINT64_C(1) << 63) + 1, UINT64_MAX};
	CcRng		rng;
	size_t		b;
	int			i;

	cc_rng_seed(&rng, 12345, 3);
	for (b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
	{
		bool		in_range = true;

		for (i = 0; i < 5000; i++)
			if (cc_rng_below(&rng, bounds[b]) >= bounds[b])
				in_range = false;
		set_ctx("bound %llu", (unsigned long long) bounds[b]);
		CHECK(in_range);
	}
	set_ctx("%s", "");

	/* 10 cells, 100000 draws: chi-square with 9 df; P(X2 > 33.7) = 1e-4 */
	{
		long		counts[10] = {0};

		for (i = 0; i < 100000; i++)
			counts[cc_rng_below(&rng, 10)]++;
		CHECK(chi_square(counts, 10, 100000) < 33.7);
	}

	/*
	 * bound = 3 * 2^62: plain "r % bound" would give [0, 2^62) twice the
	 * probability of the other two thirds.  Unbiased: thirds ~ 1/3 each.
	 */
	{
		const uint64_t third = UINT64_C(1) << 62;
		long		counts[3] = {0};

		for (i = 0; i < 30000; i++)
			counts[cc_rng_below(&rng, 3 * third) / third]++;
		/* chi-square, 2 df: P(X2 > 18.4) = 1e-4; bias would give ~2500 */
		CHECK(chi_square(counts, 3, 30000) < 18.4);
	}

	/* bound 2^63 + 1: values above 2^63 must be rare but below must not */
	{
		long		hi = 0;

		for (i = 0; i < 20000; i++)
			hi += cc_rng_below(&rng, (UINT64_C(1) << 63) + 1) >= (UINT64_C(1) << 62);
		/* P(>= 2^62) = 1/2 + tiny; 20000 draws: sd 71 */
		CHECK(hi > 9500 && hi < 10500);
	}

	CHECK(cc_rng_below(&rng, 1) == 0);
}

/* ---------------------------------------------------------------------
 * matrix
 * ---------------------------------------------------------------------
 */

/*
 * Fill a with test pattern kind: 0 random with duplicates, 1 random,
 * 2 sorted, 3 reversed, 4 all equal, 5 organ pipe.
 */
static void
fill_pattern(TRand *r, double *a, size_t n, int kind)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		switch (kind)
		{
			case 0:
				a[i] = (double) tr_below(r, 1 + n / 3);
				break;
			case 1:
				a[i] = tr_normal(r);
				break;
			case 2:
				a[i] = (double) i;
				break;
			case 3:
				a[i] = (double) (n - i);
				break;
			case 4:
				a[i] = 2.5;
				break;
			default:
				a[i] = (double) (i < n / 2 ? i : n - i);
				break;
		}
	}
}

/* Check cc_select against a sorted copy: value, partition and multiset. */
static void
test_select(void)
{
	static const size_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 31, 100, 1001};
	TRand		r;
	size_t		si;
	int			kind;

	tr_seed(&r, 1);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		for (kind = 0; kind < 6; kind++)
		{
			size_t		n = sizes[si];
			double	   *orig = dalloc(n);
			double	   *sorted = dalloc(n);
			double	   *a = dalloc(n);
			size_t		kth;
			size_t		step = n <= 40 ? 1 : n / 13;
			bool		ok_value = true,
						ok_part = true,
						ok_multiset = true;

			fill_pattern(&r, orig, n, kind);
			memcpy(sorted, orig, n * sizeof(double));
			qsort(sorted, n, sizeof(double), cmp_double);
			for (kth = 0; kth < n; kth += step)
			{
				size_t		probe[2];
				int			p;

				probe[0] = kth;
				probe[1] = n - 1 - kth;	/* also the high end */
				for (p = 0; p < 2; p++)
				{
					size_t		kk = probe[p];
					size_t		i;

					memcpy(a, orig, n * sizeof(double));
					cc_select(a, n, kk);
					if (a[kk] != sorted[kk])
						ok_value = false;
					for (i = 0; i < n; i++)
						if ((i < kk && a[i] > a[kk]) || (i > kk && a[i] < a[kk]))
							ok_part = false;
					qsort(a, n, sizeof(double), cmp_double);
					if (memcmp(a, sorted, n * sizeof(double)) != 0)
						ok_multiset = false;
				}
			}
			set_ctx("cc_select n=%zu pattern=%d", n, kind);
			CHECK(ok_value);
			CHECK(ok_part);
			CHECK(ok_multiset);
			tfree(orig);
			tfree(sorted);
			tfree(a);
		}
	set_ctx("%s", "");
}

/* Check cc_quantile and cc_min against numpy's linear rule on a sorted copy. */
static void
test_quantile(void)
{
	static const size_t sizes[] = {1, 2, 3, 4, 5, 10, 11, 64, 99, 1000};
	static const double qs[] = {0.0, 0.25, 0.5, 0.75, 1.0, 0.1, 0.9, 0.333, 0.999};
	TRand		r;
	size_t		si;
	int			kind;

	tr_seed(&r, 2);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		for (kind = 0; kind < 6; kind++)
		{
			size_t		n = sizes[si];
			double	   *orig = dalloc(n);
			double	   *sorted = dalloc(n);
			double	   *a = dalloc(n);
			size_t		qi;
			bool		ok_exact = true,
						ok_bracket = true,
						ok_ld = true;

			fill_pattern(&r, orig, n, kind);
			memcpy(sorted, orig, n * sizeof(double));
			qsort(sorted, n, sizeof(double), cmp_double);
			for (qi = 0; qi < sizeof(qs) / sizeof(qs[0]); qi++)
			{
				double		q = qs[qi];
				double		got,
							want;
				long double pos = (long double) q * (n - 1);
				size_t		lo = (size_t) floorl(pos);
				size_t		hi = lo + 1 < n ? lo + 1 : lo;
				long double exact;

				memcpy(a, orig, n * sizeof(double));
				got = cc_quantile(a, n, q);
				want = ref_quantile_sorted(sorted, n, q);
				exact = sorted[lo] + (pos - lo) * ((long double) sorted[hi] - sorted[lo]);
				if (memcmp(&got, &want, sizeof(double)) != 0)
					ok_exact = false;
				if (got < sorted[lo] || got > sorted[hi])
					ok_bracket = false;
				if (fabsl(got - exact) > 1e-13L * (1.0L + fabsl(exact)))
					ok_ld = false;
			}
			set_ctx("cc_quantile n=%zu pattern=%d", n, kind);
			CHECK(ok_exact);
			CHECK(ok_bracket);
			CHECK(ok_ld);
			CHECK(cc_min(orig, n) == sorted[0]);
			tfree(orig);
			tfree(sorted);
			tfree(a);
		}

	/* closed forms: numpy.quantile([1, 2, 3, 4], q) */
	{
		double		v[4];

		set_ctx("cc_quantile closed forms");
#define QUANT4(q, expect) \
		(v[0] = 4, v[1] = 1, v[2] = 3, v[3] = 2, cc_quantile(v, 4, (q)) == (expect))
		CHECK(QUANT4(0.0, 1.0));
		CHECK(QUANT4(0.25, 1.75));
		CHECK(QUANT4(0.5, 2.5));
		CHECK(QUANT4(0.75, 3.25));
		CHECK(QUANT4(1.0, 4.0));
#undef QUANT4
	}

	/*
	 * ends whose difference overflows: the median of -1.7e308 and 1.7e308
	 * is 0, not -Infinity, and a quartile lies between them
	 */
	{
		double		v[4];
		double		q;

		set_ctx("cc_quantile of values whose difference overflows");
		v[0] = 1.7e308;
		v[1] = -1.7e308;
		CHECK(cc_quantile(v, 2, 0.5) == 0.0);
		v[0] = 1.7e308;
		v[1] = -1.7e308;
		q = cc_quantile(v, 2, 0.25);
		CHECK(close_to(q, -0.85e308, 1e-15, 0));
		v[0] = -DBL_MAX;
		v[1] = DBL_MAX;
		v[2] = DBL_MAX;
		v[3] = -DBL_MAX;
		q = cc_quantile(v, 4, 0.5);
		CHECK(q == 0.0);
		v[0] = -DBL_MAX;
		v[1] = DBL_MAX;
		v[2] = DBL_MAX;
		v[3] = -DBL_MAX;
		q = cc_quantile(v, 4, 0.75);
		CHECK(q == DBL_MAX);
		v[0] = -DBL_MAX;
		v[1] = DBL_MAX;
		v[2] = 0.0;
		q = cc_quantile(v, 3, 0.75);
		CHECK(isfinite(q) && q == DBL_MAX / 2.0);
	}
	set_ctx("%s", "");
}

/* Check cc_column_mean_var against long double two-pass sums. */
static void
test_column_mean_var(void)
{
	static const double offsets[] = {0.0, 1e6, -3e9, 1e12};
	const size_t n = 5000;
	const int	d = 3;
	double	   *x = dalloc(n * d);
	TRand		r;
	size_t		oi,
				i;

	tr_seed(&r, 3);
	for (oi = 0; oi < sizeof(offsets) / sizeof(offsets[0]); oi++)
	{
		int			j;

		for (i = 0; i < n; i++)
		{
			x[i * d + 0] = offsets[oi] + tr_normal(&r);
			x[i * d + 1] = offsets[oi] * 1e-3 + 100.0 * tr_unif(&r);
			x[i * d + 2] = 0.1;
		}
		for (j = 0; j < d; j++)
		{
			double		mean,
						var;
			long double rm,
						rv;

			cc_column_mean_var(x, n, d, j, &mean, &var);
			ref_mean_var(x, n, d, j, &rm, &rv);
			set_ctx("mean_var offset=%g column=%d", offsets[oi], j);
			CHECK(fabsl(mean - rm) <= 6e-16L * fabsl(rm) + 1e-300L);

			/*
			 * Two passes around the rounded mean give the mean square
			 * deviation from that mean: the variance plus (mean - exact
			 * mean)^2, which is 1.5e-9 relative at offset 1e12.  Check both
			 * the two-pass definition and the distance to the variance.
			 */
			if (j == 2)
				CHECK(var < 1e-30);
			else
			{
				long double dm = (long double) mean - rm;
				long double q = 0.0L;

				for (i = 0; i < n; i++)
				{
					long double t = (long double) x[i * d + j] - mean;

					q += t * t;
				}
				CHECK(fabsl(var - q / n) <= 1e-13L * rv);
				CHECK(fabsl(var - rv) <= 1e-13L * rv + 1.01L * dm * dm);
			}
		}
	}
	/* naive summation gives mean 0 here: 1e16 + 1 rounds back to 1e16 */
	{
		double		y[5] = {1e16, 1, 1, 1, -1e16};
		double		mean,
					var;

		set_ctx("mean_var cancellation");
		cc_column_mean_var(y, 5, 1, 0, &mean, &var);
		CHECK(mean == 3.0 / 5.0);
		/* 2 * (1e16 - 0.6)^2 + 3 * 0.4^2, over 5: 4e31 to double precision */
		CHECK(close_to(var, 4e31, 1e-15, 0));
	}
	/* one row: variance 0 */
	{
		double		one[2] = {5.0, -2.0};
		double		mean,
					var;

		set_ctx("mean_var n=1");
		cc_column_mean_var(one, 1, 2, 1, &mean, &var);
		CHECK(mean == -2.0 && var == 0.0);
	}
	set_ctx("%s", "");
	tfree(x);
}

/* Check cc_sqdist, cc_nearest, the compensated sum and cc_alloc_array. */
static void
test_small_kernels(void)
{
	double		a[3] = {1, 2, 3};
	double		b[3] = {4, 6, 3};
	double		cents[4 * 2] = {0, 0, 2, 0, 0, 2, 2, 0};
	double		p[2] = {1, 0};
	double		best;
	CcSum		s = {0, 0};

	CHECK(cc_sqdist(a, b, 3) == 25.0);
	CHECK(cc_sqdist(a, a, 3) == 0.0);
	/* p is at distance 1 from centroids 0, 1 and 3: lowest index wins */
	CHECK(cc_nearest(p, cents, 4, 2, &best) == 0 && best == 1.0);
	p[0] = 1.5;
	CHECK(cc_nearest(p, cents, 4, 2, &best) == 1 && best == 0.25);

	/* the compensation keeps the 1 that naive summation loses */
	cc_sum_add(&s, 1e16);
	cc_sum_add(&s, 1.0);
	cc_sum_add(&s, -1e16);
	CHECK(cc_sum_value(&s) == 1.0);

	/* overflowing n * size gives NULL without allocating */
	CHECK(cc_alloc_array(A, SIZE_MAX / 2, 4) == NULL);
	CHECK(cc_alloc_array(A, 2, SIZE_MAX) == NULL);
	{
		void	   *z = cc_alloc_array(A, 0, 8);

		CHECK(z != NULL);
		tfree(z);
	}
	cc_release(A, NULL);
}

/* Check cc_transpose and that cc_sqdist_many matches cc_sqdist bit for bit. */
static void
test_sqdist_many(void)
{
	static const int kd[][2] = {{1, 1}, {2, 3}, {3, 17}, {4, 1}, {7, 5}, {8, 17},
	{12, 20}, {14, 3}, {15, 9}, {33, 2}, {5, 64}};
	TRand		r;
	size_t		ci;

	tr_seed(&r, 6);
	for (ci = 0; ci < sizeof(kd) / sizeof(kd[0]); ci++)
	{
		int			k = kd[ci][0];
		int			d = kd[ci][1];
		double	   *m = dalloc((size_t) k * d);
		double	   *t = dalloc((size_t) k * d);
		double	   *x = dalloc(d);
		double	   *out = dalloc(k);
		bool		transposed = true,
					same = true,
					close = true;
		int			c,
					j,
					rep;

		for (c = 0; c < k * d; c++)
			m[c] = 1e3 * tr_normal(&r);
		cc_transpose(m, k, d, t);
		for (c = 0; c < k; c++)
			for (j = 0; j < d; j++)
				if (t[j * k + c] != m[c * d + j])
					transposed = false;
		for (rep = 0; rep < 20; rep++)
		{
			for (j = 0; j < d; j++)
				x[j] = 1e3 * tr_normal(&r);
			if (rep == 0)
				memcpy(x, m, d * sizeof(double));	/* distance 0 to centroid 0 */
			cc_sqdist_many(x, t, k, d, out);
			for (c = 0; c < k; c++)
			{
				double		one = cc_sqdist(x, m + (size_t) c * d, d);
				long double ref = ref_sqdist(x, m + (size_t) c * d, d);

				if (memcmp(&one, &out[c], sizeof(double)) != 0)
					same = false;
				if (fabsl(out[c] - ref) > 1e-13L * ref)
					close = false;
			}
			if (rep == 0 && out[0] != 0.0)
				close = false;
		}
		set_ctx("sqdist_many k=%d d=%d", k, d);
		CHECK(transposed);
		CHECK(same);
		CHECK(close);
		tfree(m);
		tfree(t);
		tfree(x);
		tfree(out);
	}
	set_ctx("%s", "");
}

/*
 * Check cc_transpose_padded and that cc_sqdist_block matches cc_sqdist bit
 * for bit, for 1 to 4 rows and widths with padding.
 */
static void
test_sqdist_block(void)
{
	static const int kd[][2] = {{1, 1}, {3, 17}, {4, 2}, {8, 17}, {10, 5}, {13, 33}};
	TRand		r;
	size_t		ci;

	tr_seed(&r, 62);
	for (ci = 0; ci < sizeof(kd) / sizeof(kd[0]); ci++)
	{
		int			k = kd[ci][0];
		int			d = kd[ci][1];
		int			kp = cc_round4(k);
		double	   *m = dalloc((size_t) k * d);
		double	   *t = dalloc((size_t) kp * d);
		double	   *x = dalloc((size_t) 4 * d);
		double	   *out = dalloc((size_t) 4 * kp);
		bool		padded = kp % 4 == 0 && kp >= k && kp < k + 4,
					same = true;
		int			c,
					j,
					nr;

		for (c = 0; c < k * d; c++)
			m[c] = 1e2 * tr_normal(&r);
		for (c = 0; c < 4 * d; c++)
			x[c] = 1e2 * tr_normal(&r);
		cc_transpose_padded(m, k, d, kp, t);
		for (c = 0; c < kp; c++)
			for (j = 0; j < d; j++)
				if (t[j * kp + c] != m[(c < k ? c : 0) * d + j])
					padded = false;
		for (nr = 1; nr <= 4; nr++)
		{
			const double *rows[4];
			int			row;

			for (row = 0; row < nr; row++)
				rows[row] = x + (size_t) (nr - 1 - row) * d;
			cc_sqdist_block(rows, nr, t, kp, d, out);
			for (row = 0; row < nr; row++)
				for (c = 0; c < k; c++)
				{
					double		one = cc_sqdist(rows[row], m + (size_t) c * d, d);

					if (memcmp(&one, &out[row * kp + c], sizeof(double)) != 0)
						same = false;
				}
		}
		set_ctx("sqdist_block k=%d d=%d", k, d);
		CHECK(padded);
		CHECK(same);
		tfree(m);
		tfree(t);
		tfree(x);
		tfree(out);
	}
	set_ctx("%s", "");
}

/* Check that cc_sqdist_rows matches cc_sqdist row by row, bit for bit. */
static void
test_sqdist_rows(void)
{
	static const int nd[][2] = {{1, 1}, {2, 17}, {7, 3}, {64, 5}, {9, 40}, {8, 17}, {23, 2}};
	TRand		r;
	size_t		ci;

	tr_seed(&r, 61);
	for (ci = 0; ci < sizeof(nd) / sizeof(nd[0]); ci++)
	{
		size_t		n = (size_t) nd[ci][0];
		int			d = nd[ci][1];
		double	   *x = dalloc(n * d);
		double	   *b = dalloc(d);
		double	   *out = dalloc(n);
		bool		same = true;
		size_t		i;
		int			j;

		for (i = 0; i < n * d; i++)
			x[i] = 1e2 * tr_normal(&r);
		for (j = 0; j < d; j++)
			b[j] = x[j] + tr_normal(&r);
		cc_sqdist_rows(x, n, d, b, out);
		for (i = 0; i < n; i++)
		{
			double		one = cc_sqdist(x + i * d, b, d);

			if (memcmp(&one, &out[i], sizeof(double)) != 0)
				same = false;
		}
		set_ctx("sqdist_rows n=%d d=%d", nd[ci][0], d);
		CHECK(same);
		tfree(x);
		tfree(b);
		tfree(out);
	}
	set_ctx("%s", "");
}

/* cc_sqdist_pairs4: four unrelated pairs, each the bits of cc_sqdist. */
static void
test_sqdist_pairs4(void)
{
	static const int dims[] = {1, 2, 3, 5, 17, 40};
	TRand		r;
	size_t		di;

	tr_seed(&r, 67);
	for (di = 0; di < sizeof(dims) / sizeof(dims[0]); di++)
	{
		int			d = dims[di];
		double	   *v = dalloc((size_t) 8 * d);
		const double *a[4];
		const double *b[4];
		double		out[4];
		bool		same = true;
		int			p;
		int			j;

		for (j = 0; j < 8 * d; j++)
			v[j] = 1e3 * tr_normal(&r);
		for (p = 0; p < 4; p++)
		{
			a[p] = v + (size_t) p * d;
			/* the last pair repeats a point, as a short batch does */
			b[p] = v + (size_t) (p == 3 ? 4 : 4 + p) * d;
		}
		cc_sqdist_pairs4(a, b, d, out);
		for (p = 0; p < 4; p++)
		{
			double		one = cc_sqdist(a[p], b[p], d);

			if (memcmp(&one, &out[p], sizeof(double)) != 0)
				same = false;
		}
		set_ctx("sqdist_pairs4 d=%d", d);
		CHECK(same);
		tfree(v);
	}
	set_ctx("%s", "");
}

/* ---------------------------------------------------------------------
 * preprocess
 * ---------------------------------------------------------------------
 */

/* Check the method names parse and print back. */
static void
test_method_names(void)
{
	int			i;

	for (i = 0; i < 4; i++)
	{
		CHECK(cc_impute_parse(cc_impute_name((CcImpute) i)) == i);
		CHECK(cc_scale_parse(cc_scale_name((CcScale) i)) == i);
	}
	CHECK(cc_impute_parse("median") == CC_IMPUTE_MEDIAN);
	CHECK(cc_impute_parse("drop") == CC_IMPUTE_DROP);
	CHECK(cc_scale_parse("robust") == CC_SCALE_ROBUST);
	CHECK(cc_scale_parse("none") == CC_SCALE_NONE);
	CHECK(cc_impute_parse("Median") == -1);
	CHECK(cc_impute_parse("") == -1);
	CHECK(cc_scale_parse("standardize") == -1);
}

/* Check the imputers on small closed-form columns. */
static void
test_impute_closed_form(void)
{
	/* column 0: {3, 1, 2} odd; column 1: {4, 1, 3, 2} even; column 2 full */
	double		x[5 * 3] = {
		3, 4, 10,
		NAN, 1, 20,
		1, NAN, 30,
		2, 3, 40,
		NAN, 2, 50
	};
	double		v[3];

	set_ctx("impute closed form");
	CHECK(cc_impute_fit(x, 5, 3, CC_IMPUTE_MEDIAN, v, A) == -1);
	CHECK(v[0] == 2.0 && v[1] == 2.5 && v[2] == 30.0);
	CHECK(cc_impute_fit(x, 5, 3, CC_IMPUTE_MEAN, v, A) == -1);
	CHECK(v[0] == 2.0 && v[1] == 2.5 && v[2] == 30.0);
	CHECK(cc_impute_fit(x, 5, 3, CC_IMPUTE_ZERO, v, A) == -1);
	CHECK(v[0] == 0.0 && v[1] == 0.0 && v[2] == 0.0);
	CHECK(cc_impute_fit(x, 5, 3, CC_IMPUTE_DROP, v, A) == -1);
	CHECK(isnan(v[0]) && isnan(v[1]) && isnan(v[2]));

	/* a median between values whose sum overflows stays finite */
	{
		double		y[4] = {1.7e308, -1.7e308, 1.7e308, 1.6e308};
		double		z[2] = {-1.7e308, -1.7e308};

		set_ctx("impute median of values whose sum overflows");
		CHECK(cc_impute_fit(y, 2, 1, CC_IMPUTE_MEDIAN, v, A) == -1 && v[0] == 0.0);
		CHECK(cc_impute_fit(y + 2, 2, 1, CC_IMPUTE_MEDIAN, v, A) == -1 &&
			  close_to(v[0], 1.65e308, 1e-15, 0));
		CHECK(cc_impute_fit(z, 2, 1, CC_IMPUTE_MEDIAN, v, A) == -1 &&
			  v[0] == -1.7e308);
		/* below the overflow, the sum halved as before */
		y[0] = y[1] = nextafter(0.0, 1.0);
		CHECK(cc_impute_fit(y, 2, 1, CC_IMPUTE_MEDIAN, v, A) == -1 &&
			  v[0] == y[0]);
		set_ctx("impute closed form");
	}
	/* the mean and median part ways on a skewed column */
	{
		double		y[4] = {1, 2, 3, 100};

		CHECK(cc_impute_fit(y, 4, 1, CC_IMPUTE_MEDIAN, v, A) == -1 && v[0] == 2.5);
		CHECK(cc_impute_fit(y, 4, 1, CC_IMPUTE_MEAN, v, A) == -1 && v[0] == 26.5);
	}
	/* the mean imputer sums with compensation (naive: 0) */
	{
		double		y[6] = {1e16, NAN, 1, 1, 1, -1e16};

		CHECK(cc_impute_fit(y, 6, 1, CC_IMPUTE_MEAN, v, A) == -1 && v[0] == 0.6);
	}

	/* drop: rows 1, 2 and 4 go, rows 0 and 3 move up in order */
	{
		double		expect[2 * 3] = {3, 4, 10, 2, 3, 40};
		size_t		kept = cc_impute_apply(x, 5, 3, CC_IMPUTE_DROP, v);

		CHECK(kept == 2);
		CHECK(memcmp(x, expect, sizeof(expect)) == 0);
	}
	set_ctx("%s", "");
}

/* Check the imputers on random matrices against sorting and long double sums. */
static void
test_impute_random(void)
{
	const size_t n = 301;
	const int	d = 6;
	double	   *x = dalloc(n * d);
	double	   *work = dalloc(n * d);
	double	   *v = dalloc(d);
	TRand		r;
	size_t		i;
	int			j,
				how;

	tr_seed(&r, 4);
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
		{
			/* column j misses about j / 10 of its values; column 5 is even-sized */
			double		val = (j % 2) ? (double) tr_below(&r, 20) : tr_normal(&r) * 50;

			if (tr_unif(&r) < j / 10.0 || (j == 5 && i == 0))
				val = NAN;
			x[i * d + j] = val;
		}

	for (how = CC_IMPUTE_MEDIAN; how <= CC_IMPUTE_DROP; how++)
	{
		size_t		kept;
		bool		ok_fill = true,
					ok_keep = true;

		set_ctx("impute %s", cc_impute_name((CcImpute) how));
		CHECK(cc_impute_fit(x, n, d, (CcImpute) how, v, A) == -1);
		for (j = 0; j < d; j++)
		{
			long double rm,
						rv;

			ref_mean_var(x, n, d, j, &rm, &rv);
			switch (how)
			{
				case CC_IMPUTE_MEDIAN:
					CHECK(v[j] == ref_median_column(x, n, d, j));
					break;
				case CC_IMPUTE_MEAN:
					CHECK(fabsl(v[j] - rm) <= 6e-16L * fabsl(rm) + 1e-300L);
					break;
				case CC_IMPUTE_ZERO:
					CHECK(v[j] == 0.0 && !signbit(v[j]));
					break;
				case CC_IMPUTE_DROP:
					CHECK(isnan(v[j]));
					break;
			}
		}
		memcpy(work, x, n * d * sizeof(double));
		kept = cc_impute_apply(work, n, d, (CcImpute) how, v);
		if (how != CC_IMPUTE_DROP)
		{
			CHECK(kept == n);
			for (i = 0; i < n * d; i++)
			{
				double		want = isnan(x[i]) ? v[i % d] : x[i];

				if (memcmp(&work[i], &want, sizeof(double)) != 0)
					ok_fill = false;
			}
			CHECK(ok_fill);
		}
		else
		{
			size_t		expect = 0;

			for (i = 0; i < n; i++)
			{
				bool		complete = true;

				for (j = 0; j < d; j++)
					if (isnan(x[i * d + j]))
						complete = false;
				if (!complete)
					continue;
				if (expect >= kept ||
					memcmp(work + expect * d, x + i * d, d * sizeof(double)) != 0)
					ok_keep = false;
				expect++;
			}
			CHECK(kept == expect);
			CHECK(ok_keep);
			CHECK(expect > 0 && expect < n);
		}
	}
	set_ctx("%s", "");
	tfree(x);
	tfree(work);
	tfree(v);
}

/* Check that a column without any value is reported by its index. */
static void
test_impute_all_missing(void)
{
	double		x[4 * 4] = {
		1, NAN, 2, NAN,
		2, NAN, NAN, NAN,
		3, NAN, 4, NAN,
		4, NAN, 5, NAN
	};
	double		y[3 * 2] = {1, NAN, 2, NAN, 3, NAN};
	double		v[4];
	int			how;

	for (how = CC_IMPUTE_MEDIAN; how <= CC_IMPUTE_DROP; how++)
	{
		set_ctx("all missing, impute %s", cc_impute_name((CcImpute) how));
		CHECK(cc_impute_fit(x, 4, 4, (CcImpute) how, v, A) == 1);
		CHECK(cc_impute_fit(y, 3, 2, (CcImpute) how, v, A) == 1);
		/* no rows at all: the first column has no value */
		CHECK(cc_impute_fit(y, 0, 2, (CcImpute) how, v, A) == 0);
	}
	/* every row has a missing value: drop keeps none */
	set_ctx("drop everything");
	CHECK(cc_impute_apply(x, 4, 4, CC_IMPUTE_DROP, v) == 0);
	set_ctx("%s", "");
}

/* Return the population mean and standard deviation of column j in long double. */
static void
col_stats(const double *x, size_t n, int d, int j, double *mean, double *sd)
{
	long double m,
				v;

	ref_mean_var(x, n, d, j, &m, &v);
	*mean = (double) m;
	*sd = (double) sqrtl(v);
}

/* Check the scalers: fitted parameters, transformed columns, constant columns. */
static void
test_scalers(void)
{
	const size_t n = 1000;
	const int	d = 5;
	double	   *x = dalloc(n * d);
	double	   *z = dalloc(n * d);
	double	   *col = dalloc(n);
	double		center[5],
				scale[5];
	bool		constant[5];
	TRand		r;
	size_t		i;
	int			j,
				how;

	tr_seed(&r, 5);
	for (i = 0; i < n; i++)
	{
		x[i * d + 0] = 1e4 + 300 * tr_normal(&r);
		x[i * d + 1] = exp(tr_normal(&r));	/* skewed */
		x[i * d + 2] = 7.3;					/* constant */
		x[i * d + 3] = 0.1;					/* constant, mean not exact */
		x[i * d + 4] = 1.0 + 1e-9 * (double) i;	/* tiny but real spread */
	}

	for (how = CC_SCALE_STANDARD; how <= CC_SCALE_NONE; how++)
	{
		set_ctx("scale %s", cc_scale_name((CcScale) how));
		memset(constant, 0x55, sizeof(constant));
		cc_scale_fit(x, n, d, (CcScale) how, center, scale, constant, A);
		memcpy(z, x, n * d * sizeof(double));
		cc_scale_apply(z, n, d, center, scale);

		for (j = 0; j < d; j++)
		{
			bool		is_const = (j == 2 || j == 3);
			double		zm,
						zsd,
						xm,
						xsd;

			set_ctx("scale %s column %d", cc_scale_name((CcScale) how), j);
			col_stats(x, n, d, j, &xm, &xsd);
			col_stats(z, n, d, j, &zm, &zsd);
			for (i = 0; i < n; i++)
				col[i] = x[i * d + j];
			qsort(col, n, sizeof(double), cmp_double);

			switch (how)
			{
				case CC_SCALE_STANDARD:
					CHECK(constant[j] == is_const);
					CHECK(close_to(center[j], xm, 1e-14, 1e-300));
					if (is_const)
					{
						CHECK(scale[j] == 1.0);
						CHECK(fabs(zm) < 1e-12 && zsd < 1e-12);
					}
					else
					{
						CHECK(close_to(scale[j], xsd, 1e-12, 0));
						CHECK(fabs(zm) < 1e-9);
						CHECK(fabs(zsd - 1.0) < 1e-9);
					}
					break;
				case CC_SCALE_MINMAX:
					CHECK(center[j] == col[0]);
					if (j == 2 || j == 3)
					{
						CHECK(constant[j]);
						CHECK(scale[j] == 1.0);
					}
					else
					{
						/* column 4's range 1e-6 is above 10 * DBL_EPSILON */
						CHECK(!constant[j]);
						CHECK(scale[j] == col[n - 1] - col[0]);
					}
					{
						double		lo = z[j],
									hi = z[j];

						for (i = 1; i < n; i++)
						{
							lo = z[i * d + j] < lo ? z[i * d + j] : lo;
							hi = z[i * d + j] > hi ? z[i * d + j] : hi;
						}
						CHECK(lo == 0.0);
						CHECK(hi == (is_const ? 0.0 : 1.0));
					}
					break;
				case CC_SCALE_ROBUST:
					{
						double		med = (col[n / 2 - 1] + col[n / 2]) / 2.0;
						double		iqr = ref_quantile_sorted(col, n, 0.75) -
							ref_quantile_sorted(col, n, 0.25);
						double		zq25,
									zq75;

						CHECK(center[j] == med);
						if (is_const)
						{
							CHECK(constant[j]);
							CHECK(scale[j] == 1.0);
						}
						else
						{
							CHECK(!constant[j]);
							CHECK(scale[j] == iqr);
						}
						for (i = 0; i < n; i++)
							col[i] = z[i * d + j];
						qsort(col, n, sizeof(double), cmp_double);
						zq25 = ref_quantile_sorted(col, n, 0.25);
						zq75 = ref_quantile_sorted(col, n, 0.75);
						CHECK(fabs((col[n / 2 - 1] + col[n / 2]) / 2.0) < 1e-12);
						CHECK(is_const ? (zq75 - zq25 == 0.0) :
							  fabs(zq75 - zq25 - 1.0) < 1e-9);
					}
					break;
				case CC_SCALE_NONE:
					CHECK(center[j] == 0.0 && scale[j] == 1.0 && !constant[j]);
					break;
			}
		}
		if (how == CC_SCALE_NONE)
			CHECK(memcmp(x, z, n * d * sizeof(double)) == 0);

		/* constant may be NULL */
		{
			double		c2[5],
						s2[5];

			cc_scale_fit(x, n, d, (CcScale) how, c2, s2, NULL, A);
			CHECK(memcmp(c2, center, sizeof(c2)) == 0);
			CHECK(memcmp(s2, scale, sizeof(s2)) == 0);
		}
	}

	/*
	 * Constant columns whose computed variance is not exactly zero (the
	 * mean is off by an ulp): scikit-learn's bound still calls them
	 * constant.
	 */
	{
		static const struct
		{
			double		v;
			size_t		n;
		}			cc[] = {{0.1, 3}, {0.7, 3}, {123.456, 10}};
		double		y[10];
		double		c,
					sc,
					mean,
					var;
		bool		k;
		size_t		ci;

		for (ci = 0; ci < sizeof(cc) / sizeof(cc[0]); ci++)
		{
			set_ctx("standard, constant %g x %zu", cc[ci].v, cc[ci].n);
			for (i = 0; i < cc[ci].n; i++)
				y[i] = cc[ci].v;
			cc_column_mean_var(y, cc[ci].n, 1, 0, &mean, &var);
			cc_scale_fit(y, cc[ci].n, 1, CC_SCALE_STANDARD, &c, &sc, &k, A);
			CHECK(k && sc == 1.0);
			/* the point of the bound: this variance is not exactly 0 */
			CHECK(var > 0.0);
			/* and a real spread of one part in 1e7 is not constant */
			y[0] = cc[ci].v * (1.0 + 1e-7);
			cc_scale_fit(y, cc[ci].n, 1, CC_SCALE_STANDARD, &c, &sc, &k, A);
			CHECK(!k && sc < 1e-6 * cc[ci].v);
		}
	}

	/* robust: a column whose interquartile range is zero is "constant" */
	{
		double		y[20];
		double		c,
					s;
		bool		k;

		set_ctx("robust IQR zero");
		for (i = 0; i < 20; i++)
			y[i] = 5.0;
		y[3] = 1;
		y[7] = 2;
		y[11] = 9;
		y[19] = 10;
		cc_scale_fit(y, 20, 1, CC_SCALE_ROBUST, &c, &s, &k, A);
		CHECK(c == 5.0 && s == 1.0 && k);
		/* and numpy's rule on {1..8}: q25 2.75, q75 6.25, median 4.5 */
		for (i = 0; i < 8; i++)
			y[i] = (double) (8 - i);
		cc_scale_fit(y, 8, 1, CC_SCALE_ROBUST, &c, &s, &k, A);
		CHECK(c == 4.5 && s == 3.5 && !k);
		/* standard on {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, population std 2 */
		{
			double		w[8] = {2, 4, 4, 4, 5, 5, 7, 9};

			set_ctx("standard closed form");
			cc_scale_fit(w, 8, 1, CC_SCALE_STANDARD, &c, &s, &k, A);
			CHECK(c == 5.0 && s == 2.0 && !k);
			cc_scale_fit(w, 8, 1, CC_SCALE_MINMAX, &c, &s, &k, A);
			CHECK(c == 2.0 && s == 7.0 && !k);
		}
	}
	set_ctx("%s", "");
	tfree(x);
	tfree(z);
	tfree(col);
}

/* ---------------------------------------------------------------------
 * kmeans
 * ---------------------------------------------------------------------
 */

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

/* Parameters for one cc_kmeans call, everything else zero. */
static CcKmeansParams
km_params(int k, CcInit init, CcAlgorithm algo, uint64_t seed, int n_init,
		  int max_iter, double tol, const double *start)
{
	CcKmeansParams p;

	memset(&p, 0, sizeof(p));
	p.k = k;
	p.init = init;
	p.algorithm = algo;
	p.seed = seed;
	p.n_init = n_init;
	p.max_iter = max_iter;
	p.tol = tol;
	p.init_centroids = start;
	return p;
}

/* Release the arrays of a k-means result. */
static void
km_free(CcKmeansResult *res)
{
	tfree(res->centroids);
	tfree(res->labels);
	tfree(res->sizes);
	tfree(res->sse);
	memset(res, 0, sizeof(*res));
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
 * Regression test: the strict convergence test used to look only at the
 * labels (as scikit-learn 1.2 does), but update_step may have
 * moved an empty cluster's centroid onto a row (and taken that row out of
 * its old cluster's mean) in the same iteration.  The run then returns
 * with the final assignment skipped.  Here, from the start below, step 1
 * relocates empty cluster 5 to 4 while cluster 1 becomes {4, 4} = 4; at
 * step 2 the 4s stay in cluster 1 (tie, lower index), so no label changes,
 * but cluster 5 is empty again and its centroid is moved to row 0 (value
 * 1), cluster 0's becoming (9 - 1) / 5 = 1.6.  Returned: centroid 0 = 1.6
 * although its rows {1, 2, 2, 1, 2, 1} average 1.5, and centroid 5 = 1
 * with size 0 although three rows are at distance 0 from it; scoring the
 * training rows with the model then disagreed with the stored sizes.
 * Now a relocation in the last step means another iteration.
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

/* ---------------------------------------------------------------------
 * metrics
 * ---------------------------------------------------------------------
 */

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

		cc_silhouette(x, d, labels, k, NULL, n, NULL, &score, mean, rows, A,
					  NULL, NULL);
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
		cc_silhouette(x, d, labels, k, sel, m, weight, &score, mean, rows, A,
					  NULL, NULL);
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
		cc_silhouette(x, 1, labels, 2, NULL, 4, NULL, &score, mean, rows, A,
					  NULL, NULL);
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
	double		sil,
				seg[3],
				ch,
				db,
				rmean[3];
	int64_t		srows,
				rrows[3];

	make_data(DATA_BLOBS, 1400, x, labels, n, d, k);

	set_ctx("quality exact");
	cc_quality(x, n, d, labels, k, -1, 1, &sil, &srows, seg, &ch, &db, A, NULL, NULL);
	CHECK(srows == (int64_t) n);
	CHECK(fabs(sil - ref_silhouette(x, n, d, labels, k, NULL, n, NULL, rmean, rrows)) < 1e-12);
	CHECK(fabs(seg[0] - rmean[0]) < 1e-12 && fabs(seg[2] - rmean[2]) < 1e-12);
	CHECK(close_to(ch, ref_calinski_harabasz(x, n, d, labels, k), 1e-9, 0));
	CHECK(close_to(db, ref_davies_bouldin(x, n, d, labels, k), 1e-9, 0));
	/* well separated blobs score high */
	CHECK(sil > 0.8);

	set_ctx("quality without silhouette");
	cc_quality(x, n, d, labels, k, 0, 1, &sil, &srows, seg, &ch, &db, A, NULL, NULL);
	CHECK(isnan(sil) && srows == 0 && isnan(seg[1]));
	CHECK(!isnan(ch) && !isnan(db));

	set_ctx("quality sampled");
	cc_quality(x, n, d, labels, k, 150, 3, &sil, &srows, seg, &ch, &db, A, NULL, NULL);
	CHECK(srows > 0 && srows < (int64_t) n);
	{
		size_t	   *rows = talloc(150 + k * CC_SAMPLE_FLOOR, sizeof(size_t));
		double		w[3];
		size_t		m = cc_stratified_sample(labels, n, k, 150, 3, rows, w, A);

		CHECK((int64_t) m == srows);
		CHECK(fabs(sil - ref_silhouette(x, n, d, labels, k, rows, m, w, rmean, rrows)) < 1e-12);
		tfree(rows);
	}

	set_ctx("quality k=1 and one cluster present");
	/* labels must lie in 0..k-1 */
	memset(labels, 0, n * sizeof(int));
	cc_quality(x, n, d, labels, 1, -1, 1, &sil, &srows, seg, &ch, &db, A, NULL, NULL);
	CHECK(isnan(sil) && srows == 0 && isnan(seg[0]) && isnan(ch) && isnan(db));
	cc_quality(x, n, d, labels, k, -1, 1, &sil, &srows, seg, &ch, &db, A, NULL, NULL);
	CHECK(isnan(sil) && srows == 0 && isnan(ch) && isnan(db));
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

/* ---------------------------------------------------------------------
 * stats
 * ---------------------------------------------------------------------
 */

/* describe() of one column computed here, with the tolerance of its skew. */
typedef struct RefStats
{
	int64_t		count;
	int64_t		missing;
	double		mean;
	double		std;
	double		min;
	double		p25;
	double		median;
	double		p75;
	double		max;
	double		skewness;
	double		skew_tol;		/* allowed |skewness - reference| */
	int64_t		outliers;
} RefStats;

/*
 * describe() of column j by definition: NaN is missing; mean, sample
 * standard deviation and pandas' skew from compensated long double sums of
 * deviations (pandas zeroes |m2|, |m3| < 1e-14, gives 0 when m2 is 0 and
 * NaN below 3 values); min, quartiles and max by numpy's linear rule on a
 * sorted copy; outliers beyond 1.5 IQR from the quartiles.
 *
 * The skew depends on the mean the deviations are taken from: moving it by
 * delta moves m3 by about -3 delta m2, hence skew_tol.  Where |m3| is near
 * pandas' cut, either side of it is right.
 */
static void
ref_describe(const double *x, size_t n, int d, int j, RefStats *r)
{
	double	   *s = dalloc(n ? n : 1);
	size_t		m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + j]))
			s[m++] = x[i * d + j];
	r->count = (int64_t) m;
	r->missing = (int64_t) (n - m);
	r->mean = r->std = r->min = r->p25 = r->median = r->p75 = r->max = NAN;
	r->skewness = NAN;
	r->skew_tol = 0.0;
	r->outliers = 0;
	if (m > 0)
	{
		long double sum[2] = {0.0L, 0.0L},
					q2[2] = {0.0L, 0.0L},
					q3[2] = {0.0L, 0.0L};
		long double mean,
					m2,
					m3;
		double		iqr,
					lo,
					hi;

		qsort(s, m, sizeof(double), cmp_double);
		for (i = 0; i < m; i++)
			ld_sum_add(sum, s[i]);
		mean = (sum[0] + sum[1]) / (long double) m;
		for (i = 0; i < m; i++)
		{
			long double t = s[i] - mean;

			ld_sum_add(q2, t * t);
			ld_sum_add(q3, t * t * t);
		}
		m2 = q2[0] + q2[1];
		m3 = q3[0] + q3[1];
		r->mean = (double) mean;
		if (m >= 2)
			r->std = (double) sqrtl(m2 / (long double) (m - 1));
		if (m >= 3)
		{
			long double nd = (long double) m;
			long double k = nd * sqrtl(nd - 1.0L) / (nd - 2.0L);
			long double delta = 2.0L * DBL_EPSILON * fabsl(mean);
			bool		near_cut = fabsl(m3) < 1e-13L;

			if (fabsl(m2) < 1e-14L)
				m2 = 0.0L;
			if (fabsl(m3) < 1e-14L)
				m3 = 0.0L;
			if (m2 == 0.0L)
				r->skewness = 0.0;
			else
			{
				r->skewness = (double) (k * m3 / powl(m2, 1.5L));
				r->skew_tol = (double) (1e-10L * (1.0L + fabsl(k * m3 / powl(m2, 1.5L))) +
										3.0L * k * delta / sqrtl(m2));
				if (near_cut)
					r->skew_tol += (double) (k * 1e-13L / powl(m2, 1.5L));
			}
		}
		r->min = s[0];
		r->max = s[m - 1];
		r->p25 = ref_quantile_sorted(s, m, 0.25);
		r->median = ref_quantile_sorted(s, m, 0.5);
		r->p75 = ref_quantile_sorted(s, m, 0.75);
		iqr = r->p75 - r->p25;
		lo = r->p25 - 1.5 * iqr;
		hi = r->p75 + 1.5 * iqr;
		for (i = 0; i < m; i++)
			if (s[i] < lo || s[i] > hi)
				r->outliers++;
	}
	tfree(s);
}

/* Whether a and b are the same double or both NaN. */
static bool
same_or_nan(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* Fill column j of x (n x d) with values of the given kind, NaN with probability pnan. */
static void
fill_stats_column(TRand *r, double *x, size_t n, int d, int j, int kind,
				  double pnan)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		v;

		switch (kind)
		{
			case 0:				/* normal */
				v = 10.0 + 3.0 * tr_normal(r);
				break;
			case 1:				/* exponential: skewed, with outliers */
				v = -5.0 * log(1.0 - tr_unif(r));
				break;
			case 2:				/* small integers: ties, quartiles on values */
				v = (double) tr_below(r, 5);
				break;
			case 3:				/* tiny spread around a large offset */
				v = 1e6 + 0.01 * tr_normal(r);
				break;
			case 4:				/* constant whose sum is inexact */
				v = 0.1;
				break;
			default:			/* both signs, a few far values */
				v = 1e3 * tr_normal(r) * (tr_below(r, 10) == 0 ? 100.0 : 1.0);
				break;
		}
		x[i * d + j] = tr_unif(r) < pnan ? NAN : v;
	}
}

/* Check cc_describe_column against ref_describe on varied columns. */
static void
test_describe_random(void)
{
	static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 8, 31, 500};
	static const double pnan[3] = {0.0, 0.25, 0.9};
	const int	d = 3;
	const int	nkinds = 6;
	TRand		r;
	size_t		si;

	tr_seed(&r, 5000);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		int			kind;

		for (kind = 0; kind < nkinds; kind++)
		{
			size_t		n = sizes[si];
			double	   *x = dalloc(n ? n * d : 1);
			double	   *copy = dalloc(n ? n * d : 1);
			int			j;

			for (j = 0; j < d; j++)
				fill_stats_column(&r, x, n, d, j, kind, pnan[j]);
			memcpy(copy, x, n * d * sizeof(double));
			for (j = 0; j < d; j++)
			{
				CcColumnStats s;
				RefStats	e;

				set_ctx("describe n=%zu kind=%d column=%d", n, kind, j);
				cc_describe_column(x, n, d, j, &s, A);
				ref_describe(x, n, d, j, &e);
				CHECK(s.count == e.count && s.missing == e.missing);
				if (e.count == 0)
				{
					CHECK(isnan(s.mean) && isnan(s.std) && isnan(s.min) &&
						  isnan(s.p25) && isnan(s.median) && isnan(s.p75) &&
						  isnan(s.max) && isnan(s.skewness) && s.outliers == 0);
					continue;
				}
				CHECK(fabs(s.mean - e.mean) <= 2.0 * DBL_EPSILON * fabs(e.mean) + 1e-300);
				if (e.count < 2)
					CHECK(isnan(s.std));
				else
					CHECK(fabs(s.std - e.std) <=
						  1e-12 * e.std + 4.0 * DBL_EPSILON * fabs(e.mean));
				CHECK(s.min == e.min && s.max == e.max);
				CHECK(s.p25 == e.p25 && s.median == e.median && s.p75 == e.p75);
				if (e.count < 3)
					CHECK(isnan(s.skewness));
				else
					CHECK(fabs(s.skewness - e.skewness) <= e.skew_tol);
				CHECK(s.outliers == e.outliers);
			}
			set_ctx("describe n=%zu kind=%d leaves its input", n, kind);
			CHECK(memcmp(copy, x, n * d * sizeof(double)) == 0);
			tfree(x);
			tfree(copy);
		}
	}
	set_ctx("%s", "");
}

/*
 * Check cc_describe_column on hand-computed columns, an all-missing column
 * and its allocations.
 */
static void
test_describe_closed_form(void)
{
	/* pandas.Series([1, 2, 3, 4, 100, NaN]).describe() and .skew() */
	double		x[6] = {4, NAN, 100, 1, 3, 2};
	double		none[4] = {NAN, NAN, NAN, NAN};
	CcColumnStats s;
	CountCtx	ctx;
	CcAllocator ca = counting_allocator(&ctx);

	set_ctx("describe closed form");
	cc_describe_column(x, 6, 1, 0, &s, &ca);
	CHECK(s.count == 5 && s.missing == 1);
	CHECK(s.mean == 22.0);
	/* deviations -21, -20, -19, -18, 78: m2 = 7610, m3 = 444600 */
	CHECK(close_to(s.std, sqrt(7610.0 / 4.0), 1e-15, 0));
	CHECK(s.min == 1.0 && s.p25 == 2.0 && s.median == 3.0 && s.p75 == 4.0 &&
		  s.max == 100.0);
	CHECK(close_to(s.skewness, (5.0 * 2.0 / 3.0) * 444600.0 / pow(7610.0, 1.5),
				   1e-14, 0));
	/* fences 2 - 3 = -1 and 4 + 3 = 7 */
	CHECK(s.outliers == 1);
	CHECK(ctx.live == 0 && !ctx.bad_release);

	/* ccseg_describe of a column of -1.7e308 and 1.7e308: median 0 */
	{
		double		y[4] = {1.7e308, -1.7e308, -1.7e308, 1.7e308};

		set_ctx("describe closed form, extreme values");
		cc_describe_column(y, 4, 1, 0, &s, &ca);
		CHECK(s.count == 4 && s.min == -1.7e308 && s.max == 1.7e308);
		CHECK(s.median == 0.0);
		CHECK(s.p25 == -1.7e308 && s.p75 == 1.7e308);
		CHECK(ctx.live == 0 && !ctx.bad_release);
	}
	/* symmetric: skew 0; quartiles between values */
	{
		double		y[4] = {1, 2, 3, 4};

		set_ctx("describe closed form, symmetric");
		cc_describe_column(y, 4, 1, 0, &s, &ca);
		CHECK(s.mean == 2.5 && close_to(s.std, sqrt(5.0 / 3.0), 1e-15, 0));
		CHECK(s.p25 == 1.75 && s.median == 2.5 && s.p75 == 3.25);
		CHECK(s.skewness == 0.0 && s.outliers == 0);
	}
	/* one and two values: std and skew undefined below 2 and 3 values */
	{
		double		y[2] = {7, -3};

		set_ctx("describe closed form, one and two values");
		cc_describe_column(y, 1, 1, 0, &s, &ca);
		CHECK(s.count == 1 && s.mean == 7.0 && isnan(s.std) && isnan(s.skewness));
		CHECK(s.min == 7.0 && s.p25 == 7.0 && s.median == 7.0 && s.max == 7.0);
		cc_describe_column(y, 2, 1, 0, &s, &ca);
		CHECK(s.count == 2 && s.mean == 2.0 && close_to(s.std, sqrt(50.0), 1e-15, 0));
		CHECK(isnan(s.skewness) && s.median == 2.0);
	}
	/* a constant column: std and skew 0 */
	{
		double		y[5] = {2.5, 2.5, 2.5, 2.5, 2.5};

		set_ctx("describe closed form, constant");
		cc_describe_column(y, 5, 1, 0, &s, &ca);
		CHECK(s.mean == 2.5 && s.std == 0.0 && s.skewness == 0.0 && s.outliers == 0);
	}

	/*
	 * pandas' noise cut: {0, 3, 9} * u has deviations -4, -1, 5 times u, m2
	 * = 42 u^2 and m3 = 60 u^3.  With u = 1e-4 / 3, m3 = 2.2e-12 is kept;
	 * with u = 1e-5 / 3, m3 = 2.2e-15 < 1e-14 is zeroed and so is the skew,
	 * m2 = 4.7e-10 being kept.
	 */
	{
		double		y[3] = {0, 1e-4, 3e-4};
		double		z[3] = {0, 1e-5, 3e-5};

		set_ctx("describe closed form, skew near pandas' cut");
		cc_describe_column(y, 3, 1, 0, &s, &ca);
		CHECK(close_to(s.skewness, 3.0 * sqrt(2.0) * 60.0 / pow(42.0, 1.5), 1e-9, 0));
		cc_describe_column(z, 3, 1, 0, &s, &ca);
		CHECK(s.skewness == 0.0);
		CHECK(close_to(s.std, sqrt(42.0 / 2.0) * 1e-5 / 3.0, 1e-12, 0));
	}

	set_ctx("describe all missing");
	cc_describe_column(none, 4, 1, 0, &s, &ca);
	CHECK(s.count == 0 && s.missing == 4 && s.outliers == 0);
	CHECK(isnan(s.mean) && isnan(s.std) && isnan(s.min) && isnan(s.p25) &&
		  isnan(s.median) && isnan(s.p75) && isnan(s.max) && isnan(s.skewness));
	set_ctx("describe no rows");
	cc_describe_column(none, 0, 1, 0, &s, &ca);
	CHECK(s.count == 0 && s.missing == 0 && isnan(s.mean));
	CHECK(ctx.live == 0 && !ctx.bad_release);
	set_ctx("%s", "");
}

/*
 * Check the sample standard deviation of a column of small values.
 *
 * Regression test (fixed core bug): cc_describe_column zeroes m2 when |m2| < 1e-14
 * (pandas' noise cut, which pandas applies to its skew only) before it
 * computes std, so any column whose sum of squared deviations is below
 * 1e-14 gets std = 0: {1e-8, 2e-8, 3e-8} has m2 = 2e-16 and std 1e-8
 * (pandas: 1e-08), cc_describe_column gives 0.  The skew of 0 is right.
 */
static void
test_describe_small_values(void)
{
	double		x[3] = {1e-8, 2e-8, 3e-8};
	CcColumnStats s;

	cc_describe_column(x, 3, 1, 0, &s, A);
	set_ctx("describe small values");
	CHECK(close_to(s.mean, 2e-8, 1e-15, 0));
	CHECK(s.skewness == 0.0);
	set_ctx("describe std of small values zeroed");
	CHECK(close_to(s.std, 1e-8, 1e-12, 0));
	if (!close_to(s.std, 1e-8, 1e-12, 0))
		printf("  std of {1e-8, 2e-8, 3e-8}: %.17g, expected 1e-08\n", s.std);
	set_ctx("%s", "");
}

/*
 * Pearson correlation by definition over the rows where both columns are
 * present, compensated long double sums around the long double means; NaN
 * below two rows or when a column is constant there.
 */
static double
ref_pearson(const double *x, size_t n, int d, int a, int b, int64_t *pairs)
{
	long double sa[2] = {0.0L, 0.0L},
				sb[2] = {0.0L, 0.0L},
				saa[2] = {0.0L, 0.0L},
				sbb[2] = {0.0L, 0.0L},
				sab[2] = {0.0L, 0.0L};
	long double ma,
				mb,
				vaa,
				vbb;
	size_t		m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + a]) && !isnan(x[i * d + b]))
		{
			ld_sum_add(sa, x[i * d + a]);
			ld_sum_add(sb, x[i * d + b]);
			m++;
		}
	*pairs = (int64_t) m;
	if (m < 2)
		return NAN;
	ma = (sa[0] + sa[1]) / (long double) m;
	mb = (sb[0] + sb[1]) / (long double) m;
	for (i = 0; i < n; i++)
		if (!isnan(x[i * d + a]) && !isnan(x[i * d + b]))
		{
			long double ta = x[i * d + a] - ma;
			long double tb = x[i * d + b] - mb;

			ld_sum_add(saa, ta * ta);
			ld_sum_add(sbb, tb * tb);
			ld_sum_add(sab, ta * tb);
		}
	vaa = saa[0] + saa[1];
	vbb = sbb[0] + sbb[1];
	if (vaa == 0.0L || vbb == 0.0L)
		return NAN;
	return (double) ((sab[0] + sab[1]) / (sqrtl(vaa) * sqrtl(vbb)));
}

/* Check cc_pearson against ref_pearson, symmetry and pair counts. */
static void
test_pearson_random(void)
{
	static const size_t sizes[] = {0, 1, 2, 3, 10, 300};
	const int	d = 5;
	TRand		r;
	size_t		si;

	tr_seed(&r, 5100);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		size_t		n = sizes[si];
		double	   *x = dalloc(n ? n * d : 1);
		bool		ok_ref = true,
					ok_pairs = true,
					ok_sym = true,
					ok_range = true;
		size_t		i;
		int			a,
					b;

		for (i = 0; i < n; i++)
		{
			double		z = tr_normal(&r);

			x[i * d + 0] = z;
			x[i * d + 1] = tr_unif(&r) < 0.2 ? NAN : 0.8 * z + 0.6 * tr_normal(&r);
			x[i * d + 2] = 1e6 - 0.01 * z * z + 0.001 * tr_normal(&r);
			x[i * d + 3] = tr_unif(&r) < 0.3 ? NAN : (double) tr_below(&r, 4);
			x[i * d + 4] = -1e4 * z + 50.0 * tr_unif(&r);
		}
		set_ctx("pearson n=%zu", n);
		for (a = 0; a < d; a++)
			for (b = 0; b < d; b++)
			{
				int64_t		pg,
							pr,
							pt;
				double		got = cc_pearson(x, n, d, a, b, &pg);
				double		want = ref_pearson(x, n, d, a, b, &pr);
				double		other = cc_pearson(x, n, d, b, a, &pt);

				if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= 1e-12))
				{
					ok_ref = false;
					printf("  pearson n=%zu (%d, %d): %.17g, expected %.17g\n",
						   n, a, b, got, want);
				}
				if (pg != pr || pt != pr)
					ok_pairs = false;
				if (!same_or_nan(got, other))
					ok_sym = false;
				if (!isnan(got) && !(fabs(got) <= 1.0 + 4.0 * DBL_EPSILON))
					ok_range = false;
			}
		CHECK(ok_ref);
		CHECK(ok_pairs);
		CHECK(ok_sym);
		CHECK(ok_range);
		tfree(x);
	}
	set_ctx("%s", "");
}

/*
 * Check cc_pearson's closed forms: perfectly linear columns, constant
 * columns, fewer than two complete pairs.
 *
 * Regression test (fixed core bug): a constant column gives NaN only
 * when its mean comes out exactly equal to the constant.  cc_pearson
 * divides the compensated sum by the count, and for 0.1 in 3 rows that
 * gives 0.1 + 1.39e-17; the deviations are then 1.39e-17, not 0, the
 * denominator is not 0, and the result is a noise value (-1.8e-16 against
 * a column 0, 0.37, 0.74) instead of NaN.  About 1 in 10 of the
 * (constant, rows) pairs probed behave so (0.1 with 3, 6, 12, 24, 41 rows,
 * 1/3 with 25 rows, ...).  pandas (Welford updates) keeps the mean of a
 * constant column exact and returns NaN.
 */
static void
test_pearson_closed_form(void)
{
	static const double constants[] = {0.0, 2.5, -7.0, 1e6};
	static const size_t rows[] = {2, 3, 10, 57};
	const size_t n = 100;
	double	   *x = dalloc(n * 3);
	TRand		r;
	size_t		i,
				ci,
				ri;
	int64_t		pairs;
	bool		ok_const = true;

	tr_seed(&r, 5200);
	for (i = 0; i < n; i++)
	{
		x[i * 3 + 0] = tr_normal(&r);
		x[i * 3 + 1] = 3.0 * x[i * 3 + 0] + 2.0;
		x[i * 3 + 2] = -0.5 * x[i * 3 + 0] + 1.0;
	}
	set_ctx("pearson perfectly linear");
	CHECK(close_to(cc_pearson(x, n, 3, 0, 1, &pairs), 1.0, 1e-14, 0));
	CHECK(pairs == (int64_t) n);
	CHECK(close_to(cc_pearson(x, n, 3, 0, 2, &pairs), -1.0, 1e-14, 0));
	CHECK(close_to(cc_pearson(x, n, 3, 1, 2, &pairs), -1.0, 1e-14, 0));
	CHECK(close_to(cc_pearson(x, n, 3, 2, 2, &pairs), 1.0, 1e-14, 0));
	/* two rows: always +-1 */
	CHECK(close_to(cc_pearson(x, 2, 3, 0, 2, &pairs), -1.0, 1e-14, 0));
	CHECK(pairs == 2);

	/* constants with an exact mean */
	for (ci = 0; ci < sizeof(constants) / sizeof(constants[0]); ci++)
		for (ri = 0; ri < sizeof(rows) / sizeof(rows[0]); ri++)
		{
			double	   *y = dalloc(rows[ri] * 2);
			double		c1,
						c2;
			int64_t		p1,
						p2;

			for (i = 0; i < rows[ri]; i++)
			{
				y[i * 2 + 0] = constants[ci];
				y[i * 2 + 1] = 0.37 * (double) i;
			}
			c1 = cc_pearson(y, rows[ri], 2, 0, 1, &p1);
			c2 = cc_pearson(y, rows[ri], 2, 0, 0, &p2);
			if (!isnan(c1) || !isnan(c2) || p1 != (int64_t) rows[ri] ||
				p2 != (int64_t) rows[ri])
				ok_const = false;
			tfree(y);
		}
	set_ctx("pearson constant column");
	CHECK(ok_const);

	/* fewer than two complete pairs */
	{
		double		y[10] = {NAN, 1, NAN, 2, NAN, 3, 4, NAN, 5, 6};

		set_ctx("pearson fewer than two pairs");
		CHECK(isnan(cc_pearson(y, 5, 2, 0, 1, &pairs)) && pairs == 1);
		CHECK(isnan(cc_pearson(y, 4, 2, 0, 1, &pairs)) && pairs == 0);
		CHECK(isnan(cc_pearson(y, 0, 2, 0, 1, &pairs)) && pairs == 0);
		CHECK(isnan(cc_pearson(y, 1, 2, 1, 1, &pairs)) && pairs == 1);
		/* rows 3 and 4 complete, (4, 7) and (5, 6): -1 */
		y[6] = 4;
		y[7] = 7;
		CHECK(close_to(cc_pearson(y, 5, 2, 0, 1, &pairs), -1.0, 1e-15, 0) && pairs == 2);
	}

	/* the constant 0.1 in 3 rows: mean 0.1 + 1.39e-17 */
	{
		double		y[6] = {0.1, 0.0, 0.1, 0.37, 0.1, 0.74};
		double		got = cc_pearson(y, 3, 2, 0, 1, &pairs);

		set_ctx("pearson of a constant 0.1 column not NaN");
		CHECK(isnan(got) && pairs == 3);
		if (!isnan(got))
			printf("  pearson of {0.1, 0.1, 0.1} and {0, 0.37, 0.74}: %.17g, "
				   "expected NaN\n", got);
	}
	tfree(x);
	set_ctx("%s", "");
}

/*
 * Count the non-missing values of column j into bins by the rule of
 * stats.h over the given edges (linear search); false when some value falls
 * in no bin.
 */
static bool
ref_histogram_counts(const double *x, size_t n, int d, int j, int bins,
					 const double *edges, int64_t *counts)
{
	bool		ok = true;
	size_t		i;
	int			b;

	memset(counts, 0, bins * sizeof(int64_t));
	for (i = 0; i < n; i++)
	{
		double		v = x[i * d + j];

		if (isnan(v))
			continue;
		for (b = 0; b < bins; b++)
			if (edges[b] <= v &&
				(v < edges[b + 1] || (b == bins - 1 && v <= edges[bins])))
				break;
		if (b == bins)
			ok = false;
		else
			counts[b]++;
	}
	return ok;
}

/*
 * Check cc_histogram on varied columns: count, edges from min to max at
 * equal widths, every value in the bin the rule of stats.h gives.
 */
static void
test_histogram_random(void)
{
	static const size_t sizes[] = {1, 2, 5, 100, 1000};
	static const int bins_list[] = {1, 2, 3, 4, 7, 10, 64};
	TRand		r;
	size_t		si;

	tr_seed(&r, 5300);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		int			kind;

		for (kind = 0; kind < 6; kind++)
		{
			size_t		n = sizes[si];
			double	   *x = dalloc(n * 2);
			size_t		bi;

			fill_stats_column(&r, x, n, 2, 0, kind, 0.0);
			fill_stats_column(&r, x, n, 2, 1, kind, 0.2);
			for (bi = 0; bi < sizeof(bins_list) / sizeof(bins_list[0]); bi++)
			{
				int			bins = bins_list[bi];
				int			j;

				for (j = 0; j < 2; j++)
				{
					double	   *edges = dalloc(bins + 1);
					int64_t    *counts = talloc(bins, sizeof(int64_t));
					int64_t    *want = talloc(bins, sizeof(int64_t));
					double		lo = INFINITY,
								hi = -INFINITY;
					int64_t		m = 0,
								total = 0,
								got;
					size_t		i;
					int			b;
					bool		ok_mono = true,
								ok_width = true;
					long double width;
					double		tol;

					for (i = 0; i < n; i++)
					{
						double		v = x[i * 2 + j];

						if (isnan(v))
							continue;
						lo = v < lo ? v : lo;
						hi = v > hi ? v : hi;
						m++;
					}
					set_ctx("histogram n=%zu kind=%d bins=%d column=%d",
							n, kind, bins, j);
					got = cc_histogram(x, n, 2, j, bins, edges, counts);
					CHECK(got == m);
					if (m == 0)
					{
						tfree(edges);
						tfree(counts);
						tfree(want);
						continue;
					}
					for (b = 0; b < bins; b++)
						total += counts[b];
					CHECK(total == m);
					CHECK(edges[0] == lo && edges[bins] == hi);
					width = ((long double) hi - lo) / bins;
					tol = 4.0 * DBL_EPSILON * (fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi)) +
						1e-12 * (double) width;
					for (b = 0; b < bins; b++)
					{
						if (!(edges[b] <= edges[b + 1]))
							ok_mono = false;
						if (!(fabsl((long double) edges[b + 1] - edges[b] - width) <= tol))
							ok_width = false;
					}
					CHECK(ok_mono);
					CHECK(ok_width);
					CHECK(ref_histogram_counts(x, n, 2, j, bins, edges, want));
					CHECK(memcmp(counts, want, bins * sizeof(int64_t)) == 0);
					tfree(edges);
					tfree(counts);
					tfree(want);
				}
			}
			tfree(x);
		}
	}
	set_ctx("%s", "");
}

/*
 * Check cc_histogram's closed forms: exact edges, one distinct value, one
 * bin, all missing.
 *
 * Regression test (fixed core bug): when max - min overflows (a column
 * holding -1e308 and 1e308), the edges lo + (hi - lo) * b / bins are NaN
 * and +Inf (edges[0] = NaN, not the minimum) and both values land in bin
 * 0, the maximum outside the last bin.  lo * (1 - t) + hi * t, or halving
 * before subtracting, would stay finite.
 */
static void
test_histogram_closed_form(void)
{
	double		x[11] = {8, 0, 1, 2, NAN, 3, 4, 5, 6, 7, NAN};
	double		edges[11];
	int64_t		counts[10];
	int			b;
	bool		ok = true;

	/* numpy.histogram(range(9), 4): edges 0, 2, 4, 6, 8, counts 2, 2, 2, 3 */
	set_ctx("histogram closed form");
	CHECK(cc_histogram(x, 11, 1, 0, 4, edges, counts) == 9);
	CHECK(edges[0] == 0 && edges[1] == 2 && edges[2] == 4 && edges[3] == 6 &&
		  edges[4] == 8);
	CHECK(counts[0] == 2 && counts[1] == 2 && counts[2] == 2 && counts[3] == 3);

	set_ctx("histogram one bin");
	CHECK(cc_histogram(x, 11, 1, 0, 1, edges, counts) == 9);
	CHECK(edges[0] == 0 && edges[1] == 8 && counts[0] == 9);

	/* one distinct value: every edge at it, all in the last bin */
	{
		double		y[5] = {3.7, NAN, 3.7, 3.7, 3.7};

		set_ctx("histogram one distinct value");
		CHECK(cc_histogram(y, 5, 1, 0, 5, edges, counts) == 4);
		for (b = 0; b <= 5; b++)
			if (edges[b] != 3.7)
				ok = false;
		CHECK(ok);
		CHECK(counts[0] == 0 && counts[1] == 0 && counts[2] == 0 &&
			  counts[3] == 0 && counts[4] == 4);
		CHECK(cc_histogram(y, 5, 1, 0, 1, edges, counts) == 4);
		CHECK(edges[0] == 3.7 && edges[1] == 3.7 && counts[0] == 4);
	}

	/* all missing: 0, NaN edges, zero counts */
	{
		double		y[3] = {NAN, NAN, NAN};

		set_ctx("histogram all missing");
		for (b = 0; b < 4; b++)
			counts[b] = 99;
		CHECK(cc_histogram(y, 3, 1, 0, 4, edges, counts) == 0);
		CHECK(isnan(edges[0]) && isnan(edges[1]) && isnan(edges[2]) &&
			  isnan(edges[3]) && isnan(edges[4]));
		CHECK(counts[0] == 0 && counts[1] == 0 && counts[2] == 0 && counts[3] == 0);
		CHECK(cc_histogram(y, 0, 1, 0, 4, edges, counts) == 0);
	}

	/* max - min beyond DBL_MAX */
	{
		double		y[2] = {-1e308, 1e308};
		int64_t		got = cc_histogram(y, 2, 1, 0, 4, edges, counts);

		set_ctx("histogram of a range beyond DBL_MAX");
		CHECK(got == 2 && edges[0] == -1e308 && edges[4] == 1e308 &&
			  isfinite(edges[1]) && isfinite(edges[2]) && isfinite(edges[3]) &&
			  edges[1] < edges[2] && edges[2] < edges[3] &&
			  counts[0] == 1 && counts[3] == 1);
		if (!(edges[0] == -1e308))
			printf("  edges of {-1e308, 1e308} in 4 bins: %g %g %g %g %g, "
				   "counts %d %d %d %d\n", edges[0], edges[1], edges[2],
				   edges[3], edges[4], (int) counts[0], (int) counts[1],
				   (int) counts[2], (int) counts[3]);
	}
	set_ctx("%s", "");
}

/* ---------------------------------------------------------------------
 * linalg
 * ---------------------------------------------------------------------
 */

/* Count a call of a CcCheckFn into the int at arg. */
static void
bump_counter(void *arg)
{
	(*(int *) arg)++;
}

/* Covariance (over n) around the given means by definition, compensated long double sums. */
static void
ref_covariance(const double *x, size_t n, int d, const double *mean,
			   long double *cov)
{
	int			a,
				b;

	for (a = 0; a < d; a++)
		for (b = 0; b < d; b++)
		{
			long double s[2] = {0.0L, 0.0L};
			size_t		i;

			for (i = 0; i < n; i++)
				ld_sum_add(s, ((long double) x[i * d + a] - mean[a]) *
						   ((long double) x[i * d + b] - mean[b]));
			cov[a * d + b] = (s[0] + s[1]) / (long double) n;
		}
}

/* Fill x (n x d) with correlated columns of different scales and offsets. */
static void
make_correlated(TRand *r, double *x, size_t n, int d)
{
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		double		z1 = tr_normal(r),
					z2 = tr_normal(r);

		for (j = 0; j < d; j++)
		{
			double		e = tr_normal(r);

			switch (j % 4)
			{
				case 0:
					x[i * d + j] = z1 + 0.1 * e;
					break;
				case 1:
					x[i * d + j] = 2.0 * z1 - z2 + 0.1 * e;
					break;
				case 2:
					x[i * d + j] = 100.0 + 0.5 * z2 + 0.1 * e;
					break;
				default:
					x[i * d + j] = 0.3 * e;
					break;
			}
		}
	}
}

/* Check cc_covariance against ref_covariance, around the means and around other points. */
static void
test_covariance(void)
{
	static const size_t sizes[] = {1, 2, 7, 300};
	const int	d = 5;
	TRand		r;
	size_t		si;

	tr_seed(&r, 6000);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		size_t		n = sizes[si];
		double	   *x = dalloc(n * d);
		double	   *cov = dalloc((size_t) d * d);
		long double *want = talloc((size_t) d * d, sizeof(long double));
		double		mean[5];
		int			around;

		make_correlated(&r, x, n, d);
		/* the last column: tiny spread around a large offset */
		{
			size_t		i;

			for (i = 0; i < n; i++)
				x[i * d + 4] = 1e6 + 1e-3 * tr_normal(&r);
		}
		for (around = 0; around < 2; around++)
		{
			bool		ok_ref = true,
						ok_sym = true;
			int			calls = 0,
						a,
						b;

			for (a = 0; a < d; a++)
			{
				long double m,
							v;

				ref_mean_var(x, n, d, a, &m, &v);
				mean[a] = around == 0 ? (double) m : (double) m + tr_normal(&r);
			}
			set_ctx("covariance n=%zu around %s", n, around == 0 ? "means" : "other points");
			cc_covariance(x, n, d, mean, cov, bump_counter, &calls);
			ref_covariance(x, n, d, mean, want);
			for (a = 0; a < d; a++)
				for (b = 0; b < d; b++)
				{
					long double scale = sqrtl(want[a * d + a] * want[b * d + b]);

					if (!(fabsl(cov[a * d + b] - want[a * d + b]) <= 1e-13L * scale + 1e-300L))
						ok_ref = false;
					if (cov[a * d + b] != cov[b * d + a])
						ok_sym = false;
				}
			CHECK(ok_ref);
			CHECK(ok_sym);
			CHECK(calls > 0);
		}
		tfree(x);
		tfree(cov);
		tfree(want);
	}
	/* closed form: rows (1, 2), (3, 6) around (2, 4): [[1, 2], [2, 4]] */
	{
		double		y[4] = {1, 2, 3, 6};
		double		m[2] = {2, 4};
		double		c[4];

		set_ctx("covariance closed form");
		cc_covariance(y, 2, 2, m, c, NULL, NULL);
		CHECK(c[0] == 1.0 && c[1] == 2.0 && c[2] == 2.0 && c[3] == 4.0);
	}
	set_ctx("%s", "");
}

/*
 * Check an eigen-decomposition of the symmetric d x d matrix a: A v =
 * lambda v to 1e-10 of the Frobenius norm of A, orthonormal vectors,
 * decreasing values, the largest-magnitude entry of each vector positive,
 * trace and sum of squares preserved.  Failures clear ok[0..4].
 */
static void
check_eigen(const double *a, int d, const double *values,
			const double *vectors, bool *ok)
{
	long double frob2 = 0.0L,
				trace = 0.0L,
				sv = 0.0L,
				sv2 = 0.0L;
	long double frob;
	int			i,
				k,
				c;

	for (i = 0; i < d; i++)
	{
		trace += a[i * d + i];
		for (k = 0; k < d; k++)
			frob2 += (long double) a[i * d + k] * a[i * d + k];
	}
	frob = sqrtl(frob2);
	for (i = 0; i < d; i++)
	{
		const double *v = vectors + (size_t) i * d;
		int			big = 0;

		for (k = 0; k < d; k++)
		{
			long double s = 0.0L,
						dot = 0.0L;

			for (c = 0; c < d; c++)
			{
				s += (long double) a[k * d + c] * v[c];
				dot += (long double) v[c] * vectors[(size_t) k * d + c];
			}
			s -= (long double) values[i] * v[k];
			if (!(fabsl(s) <= 1e-10L * frob))
				ok[0] = false;
			if (!(fabsl(dot - (i == k ? 1.0L : 0.0L)) <= 1e-12L))
				ok[1] = false;
			if (fabs(v[k]) > fabs(v[big]))
				big = k;
		}
		if (i > 0 && !(values[i] <= values[i - 1]))
			ok[2] = false;
		if (!(v[big] > 0.0))
			ok[3] = false;
		sv += values[i];
		sv2 += (long double) values[i] * values[i];
	}
	if (!(fabsl(sv - trace) <= 1e-12L * d * frob + 1e-300L) ||
		!(fabsl(sv2 - frob2) <= 1e-12L * frob2 + 1e-300L))
		ok[4] = false;
}

/* Run cc_symmetric_eigen on a copy of a; values and vectors as it returns them. */
static void
run_eigen(const double *a, int d, double *values, double *vectors,
		  const CcAllocator *alloc)
{
	double	   *work = dalloc((size_t) d * d);

	memcpy(work, a, (size_t) d * d * sizeof(double));
	cc_symmetric_eigen(work, d, values, vectors, alloc);
	tfree(work);
}

/* Check cc_symmetric_eigen on diagonal matrices: the diagonal, sorted, and unit vectors. */
static void
test_eigen_diagonal(void)
{
	static const double diag5[5] = {3, -1, 7, 0, 7};
	static const double sorted5[5] = {7, 7, 3, 0, -1};
	double		a[25],
				values[5],
				vectors[25];
	bool		ok_vec = true,
				seen[5] = {false, false, false, false, false};
	int			i,
				k;

	set_ctx("eigen diagonal");
	memset(a, 0, sizeof(a));
	for (i = 0; i < 5; i++)
		a[i * 5 + i] = diag5[i];
	run_eigen(a, 5, values, vectors, A);
	CHECK(memcmp(values, sorted5, sizeof(sorted5)) == 0);
	/* vector i: the unit vector of a diagonal entry equal to values[i] */
	for (i = 0; i < 5; i++)
	{
		int			at = -1;

		for (k = 0; k < 5; k++)
		{
			double		v = vectors[i * 5 + k];

			if (fabs(v - 1.0) <= 1e-15 && at < 0)
				at = k;
			else if (!(fabs(v) <= 1e-15))
				ok_vec = false;
		}
		if (at < 0 || seen[at] || diag5[at] != values[i])
			ok_vec = false;
		else
			seen[at] = true;
	}
	CHECK(ok_vec);

	/* 1 x 1: the entry, vector +1 */
	{
		double		one = -4.0,
					val,
					vec;

		set_ctx("eigen 1 x 1");
		run_eigen(&one, 1, &val, &vec, A);
		CHECK(val == -4.0 && vec == 1.0);
	}
	/* zero matrix: zero values, an orthonormal basis */
	{
		bool		ok[5] = {true, true, true, true, true};

		set_ctx("eigen zero matrix");
		memset(a, 0, sizeof(a));
		run_eigen(a, 4, values, vectors, A);
		CHECK(values[0] == 0.0 && values[1] == 0.0 && values[2] == 0.0 &&
			  values[3] == 0.0);
		check_eigen(a, 4, values, vectors, ok);
		CHECK(ok[0] && ok[1] && ok[2] && ok[3] && ok[4]);
	}
	set_ctx("%s", "");
}

/*
 * Make a = Q diag(D) Q^T (d x d) with Q the product of two Householder
 * reflections of random vectors: symmetric, eigenvalues D.
 */
static void
make_known_spectrum(TRand *r, const double *D, int d, double *a)
{
	long double *q = talloc((size_t) d * d, sizeof(long double));
	long double *t = talloc((size_t) d * d, sizeof(long double));
	double	   *u = dalloc(d);
	int			refl,
				i,
				k,
				l;

	for (i = 0; i < d; i++)
		for (k = 0; k < d; k++)
			q[i * d + k] = (i == k) ? 1.0L : 0.0L;
	for (refl = 0; refl < 2; refl++)
	{
		long double uu = 0.0L;

		for (i = 0; i < d; i++)
		{
			u[i] = tr_normal(r);
			uu += (long double) u[i] * u[i];
		}
		/* q = q (I - 2 u u^T / u^T u) */
		for (i = 0; i < d; i++)
			for (k = 0; k < d; k++)
			{
				long double s = 0.0L;

				for (l = 0; l < d; l++)
					s += q[i * d + l] * ((l == k ? 1.0L : 0.0L) -
										 2.0L * u[l] * u[k] / uu);
				t[i * d + k] = s;
			}
		memcpy(q, t, (size_t) d * d * sizeof(long double));
	}
	for (i = 0; i < d; i++)
		for (k = i; k < d; k++)
		{
			long double s = 0.0L;

			for (l = 0; l < d; l++)
				s += q[i * d + l] * D[l] * q[k * d + l];
			a[i * d + k] = a[k * d + i] = (double) s;
		}
	tfree(q);
	tfree(t);
	tfree(u);
}

/*
 * Check cc_symmetric_eigen on matrices of known spectrum (repeated, zero,
 * negative and widely spread eigenvalues) and on random symmetric
 * matrices, and that it releases what it allocates.
 */
static void
test_eigen_random(void)
{
	static const struct
	{
		int			d;
		double		D[8];
	}			spectra[] = {
		{1, {5}},
		{2, {2, 1}},
		{2, {-3, -3}},
		{3, {0, 0, 0}},
		{4, {5, 5, 5, 5}},
		{5, {1, 0, 0, 0, -1}},
		{6, {3, 3, 1, -2, -2, 0}},
		{4, {1e6, 1, 1e-6, -1}},
		{8, {8, 7, 6, 5, 4, 3, 2, 1}},
		{8, {1, 1, 1, 1, 1, 1, 1, 2}},
	};
	static const int dims[] = {2, 3, 4, 5, 8, 12};
	double		a[144],
				values[12],
				vectors[144];
	TRand		r;
	size_t		si;
	int			trial;
	CountCtx	ctx;
	CcAllocator ca = counting_allocator(&ctx);

	tr_seed(&r, 6100);
	for (si = 0; si < sizeof(spectra) / sizeof(spectra[0]); si++)
		for (trial = 0; trial < 3; trial++)
		{
			int			d = spectra[si].d;
			double		sorted[8];
			double		big = 0.0;
			bool		ok[5] = {true, true, true, true, true};
			bool		ok_values = true;
			int			i;

			memcpy(sorted, spectra[si].D, d * sizeof(double));
			qsort(sorted, d, sizeof(double), cmp_double);
			for (i = 0; i < d; i++)
				big = fabs(sorted[i]) > big ? fabs(sorted[i]) : big;
			make_known_spectrum(&r, spectra[si].D, d, a);
			run_eigen(a, d, values, vectors, &ca);
			for (i = 0; i < d; i++)
				if (!(fabs(values[i] - sorted[d - 1 - i]) <= 1e-12 * big))
					ok_values = false;
			check_eigen(a, d, values, vectors, ok);
			set_ctx("eigen known spectrum %zu trial %d (d=%d)", si, trial, d);
			CHECK(ok_values);
			CHECK(ok[0]);
			CHECK(ok[1]);
			CHECK(ok[2]);
			CHECK(ok[3]);
			CHECK(ok[4]);
		}

	for (si = 0; si < sizeof(dims) / sizeof(dims[0]); si++)
		for (trial = 0; trial < 6; trial++)
		{
			int			d = dims[si];
			double		scale[12];
			bool		ok[5] = {true, true, true, true, true};
			int			i,
						k;

			/* trials 3..5: rows and columns scaled from 1e-3 to 1e3 */
			for (i = 0; i < d; i++)
				scale[i] = trial < 3 ? 1.0 : pow(10.0, -3.0 + 6.0 * tr_unif(&r));
			for (i = 0; i < d; i++)
				for (k = i; k < d; k++)
					a[i * d + k] = a[k * d + i] = scale[i] * scale[k] * tr_normal(&r);
			run_eigen(a, d, values, vectors, &ca);
			check_eigen(a, d, values, vectors, ok);
			set_ctx("eigen random d=%d trial %d", d, trial);
			CHECK(ok[0]);
			CHECK(ok[1]);
			CHECK(ok[2]);
			CHECK(ok[3]);
			CHECK(ok[4]);
		}
	set_ctx("eigen allocations");
	CHECK(ctx.live == 0 && !ctx.bad_release && ctx.calls > 0);
	set_ctx("%s", "");
}

/*
 * Check cc_symmetric_eigen on 2 x 2 matrices against the closed form:
 * lambda = (a + c) / 2 +- sqrt(((a - c) / 2)^2 + b^2), vector (b, lambda - a).
 */
static void
test_eigen_2x2(void)
{
	static const double abc[][3] = {
		{4, 1, 2}, {1, -3, 2}, {-1, 0.5, -5}, {1e3, 1, -1e3}, {0, 1e-8, 1},
		{7, 0, 3}, {3, 0, 7}, {1, 1e-3, 1.001}, {-2, 5, 1}
	};
	double		values[2],
				vectors[4];
	size_t		ti;

	/* [[2, 2], [2, 5]]: 6 and 1, (1, 2) / sqrt(5) and (2, -1) / sqrt(5) */
	{
		double		a[4] = {2, 2, 2, 5};

		set_ctx("eigen 2 x 2 [[2, 2], [2, 5]]");
		run_eigen(a, 2, values, vectors, A);
		CHECK(close_to(values[0], 6.0, 1e-15, 0) && fabs(values[1] - 1.0) <= 1e-15 * 6.0);
		CHECK(close_to(vectors[0], 1.0 / sqrt(5.0), 1e-14, 0) &&
			  close_to(vectors[1], 2.0 / sqrt(5.0), 1e-14, 0));
		CHECK(close_to(vectors[2], 2.0 / sqrt(5.0), 1e-14, 0) &&
			  close_to(vectors[3], -1.0 / sqrt(5.0), 1e-14, 0));
	}

	for (ti = 0; ti < sizeof(abc) / sizeof(abc[0]); ti++)
	{
		long double a = abc[ti][0],
					b = abc[ti][1],
					c = abc[ti][2];
		long double h = sqrtl((a - c) * (a - c) / 4.0L + b * b);
		long double lam[2] = {(a + c) / 2.0L + h, (a + c) / 2.0L - h};
		double		m[4] = {abc[ti][0], abc[ti][1], abc[ti][1], abc[ti][2]};
		long double scale = fabsl(lam[0]) > fabsl(lam[1]) ? fabsl(lam[0]) : fabsl(lam[1]);
		bool		ok_val = true,
					ok_vec = true;
		int			i;

		run_eigen(m, 2, values, vectors, A);
		for (i = 0; i < 2; i++)
		{
			/* (b, lambda - a) and (lambda - c, b) both solve; take the longer */
			long double v0 = b,
						v1 = lam[i] - a,
						w0 = lam[i] - c,
						w1 = b,
						norm;

			if (w0 * w0 + w1 * w1 > v0 * v0 + v1 * v1)
			{
				v0 = w0;
				v1 = w1;
			}
			norm = sqrtl(v0 * v0 + v1 * v1);
			v0 /= norm;
			v1 /= norm;
			if ((fabsl(v0) >= fabsl(v1) ? v0 : v1) < 0)
			{
				v0 = -v0;
				v1 = -v1;
			}
			if (!(fabsl(values[i] - lam[i]) <= 1e-15L * scale))
				ok_val = false;
			if (!(fabsl(vectors[i * 2] - v0) <= 1e-12L &&
				  fabsl(vectors[i * 2 + 1] - v1) <= 1e-12L))
				ok_vec = false;
		}
		set_ctx("eigen 2 x 2 [[%g, %g], [%g, %g]]", m[0], m[1], m[2], m[3]);
		CHECK(ok_val);
		CHECK(ok_vec);
	}
	set_ctx("%s", "");
}

/*
 * Check cc_pca of x (n x d) with ncomp components against the covariance
 * computed here: ratios non-negative, decreasing, summing to 1; component
 * rows unit-norm, orthogonal, largest loading positive, and eigenvectors
 * of the covariance for ratio * trace; rows beyond d NaN.  Returns the
 * ratios in ratio (d).
 */
static void
check_pca(const double *x, size_t n, int d, int ncomp, double *ratio)
{
	double	   *comp = dalloc((size_t) ncomp * d);
	long double *cov = talloc((size_t) d * d, sizeof(long double));
	double	   *mean = dalloc(d);
	long double trace = 0.0L,
				sum = 0.0L;
	bool		ok_ratio = true,
				ok_unit = true,
				ok_eigen = true,
				ok_sign = true,
				ok_nan = true;
	CountCtx	ctx;
	CcAllocator ca = counting_allocator(&ctx);
	int			calls = 0,
				c,
				j,
				k;

	for (j = 0; j < d; j++)
	{
		long double m,
					v;

		ref_mean_var(x, n, d, j, &m, &v);
		mean[j] = (double) m;
	}
	ref_covariance(x, n, d, mean, cov);
	for (j = 0; j < d; j++)
		trace += cov[j * d + j];

	cc_pca(x, n, d, ncomp, ratio, comp, &ca, bump_counter, &calls);
	for (j = 0; j < d; j++)
	{
		sum += ratio[j];
		if (!(ratio[j] >= 0.0) || (j > 0 && !(ratio[j] <= ratio[j - 1])))
			ok_ratio = false;
	}
	if (!(fabsl(sum - 1.0L) <= 1e-12L))
		ok_ratio = false;
	for (c = 0; c < ncomp; c++)
	{
		const double *v = comp + (size_t) c * d;
		int			big = 0;

		if (c >= d)
		{
			for (j = 0; j < d; j++)
				if (!isnan(v[j]))
					ok_nan = false;
			continue;
		}
		for (k = 0; k <= c; k++)
		{
			long double dot = 0.0L;

			for (j = 0; j < d; j++)
				dot += (long double) v[j] * comp[(size_t) k * d + j];
			if (!(fabsl(dot - (k == c ? 1.0L : 0.0L)) <= 1e-12L))
				ok_unit = false;
		}
		for (j = 0; j < d; j++)
		{
			long double s = 0.0L;

			for (k = 0; k < d; k++)
				s += cov[j * d + k] * v[k];
			s -= (long double) ratio[c] * trace * v[j];
			if (!(fabsl(s) <= 1e-10L * trace))
				ok_eigen = false;
			if (fabs(v[j]) > fabs(v[big]))
				big = j;
		}
		if (!(v[big] > 0.0))
			ok_sign = false;
	}
	CHECK(ok_ratio);
	CHECK(ok_unit);
	CHECK(ok_eigen);
	CHECK(ok_sign);
	CHECK(ok_nan);
	CHECK(calls > 0);
	CHECK(ctx.live == 0 && !ctx.bad_release);
	tfree(comp);
	tfree(cov);
	tfree(mean);
}

/*
 * Check cc_pca on correlated, uniform, two-column (closed form) and
 * rank-deficient (duplicated column) data, with fewer, as many and more
 * components than columns.
 */
static void
test_pca(void)
{
	const size_t n = 400;
	double	   *x = dalloc(n * 6);
	double		ratio[6];
	TRand		r;
	int			d,
				ncomp;
	size_t		i;

	tr_seed(&r, 6200);
	for (d = 1; d <= 6; d++)
	{
		make_correlated(&r, x, n, d);
		for (ncomp = 1; ncomp <= d + 2; ncomp++)
		{
			set_ctx("pca correlated d=%d ncomp=%d", d, ncomp);
			check_pca(x, n, d, ncomp, ratio);
		}
	}
	for (i = 0; i < n * 6; i++)
		x[i] = tr_unif(&r);
	set_ctx("pca uniform d=6");
	check_pca(x, n, 6, 6, ratio);

	/* two columns: ratios from the closed-form eigenvalues */
	{
		long double cov[4],
					h,
					l1,
					l2;
		double		mean[2];
		int			j;

		make_correlated(&r, x, n, 2);
		for (j = 0; j < 2; j++)
		{
			long double m,
						v;

			ref_mean_var(x, n, 2, j, &m, &v);
			mean[j] = (double) m;
		}
		ref_covariance(x, n, 2, mean, cov);
		h = sqrtl((cov[0] - cov[3]) * (cov[0] - cov[3]) / 4.0L + cov[1] * cov[1]);
		l1 = (cov[0] + cov[3]) / 2.0L + h;
		l2 = (cov[0] + cov[3]) / 2.0L - h;
		set_ctx("pca closed form d=2");
		check_pca(x, n, 2, 2, ratio);
		CHECK(fabsl(ratio[0] - l1 / (l1 + l2)) <= 1e-12L);
		CHECK(fabsl(ratio[1] - l2 / (l1 + l2)) <= 1e-12L);
	}

	/* a duplicated column: one ratio ~0 */
	for (d = 3; d <= 4; d++)
	{
		make_correlated(&r, x, n, d);
		for (i = 0; i < n; i++)
			x[i * d + d - 1] = x[i * d + 0];
		set_ctx("pca duplicated column d=%d", d);
		check_pca(x, n, d, d + 1, ratio);
		CHECK(ratio[d - 1] >= 0.0 && ratio[d - 1] <= 1e-12);
		CHECK(ratio[d - 2] > 1e-6);
	}
	tfree(x);
	set_ctx("%s", "");
}

/* ---------------------------------------------------------------------
 * hungarian
 * ---------------------------------------------------------------------
 */

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

/* ---------------------------------------------------------------------
 * model
 * ---------------------------------------------------------------------
 */

/* Replace feature name j of m by a copy of s. */
static void
set_name(CcModel *m, int j, const char *s)
{
	size_t		len = strlen(s);

	cc_release(A, m->features[j]);
	m->features[j] = talloc(len + 1, 1);
	memcpy(m->features[j], s, len + 1);
}

/* Build a valid model of k segments and d features with random contents. */
static void
make_model(CcModel *m, int k, int d, CcImpute imp, CcScale sc, uint64_t seed)
{
	TRand		r;
	int64_t		rows = 0;
	double		inertia = 0.0;
	int			j,
				c;

	tr_seed(&r, seed);
	cc_model_alloc(m, k, d, A);
	m->impute = imp;
	m->scale = sc;
	for (j = 0; j < d; j++)
	{
		char		name[64];

		if (j == 1)
			/* the longest name allowed: 63 bytes */
			snprintf(name, sizeof(name), "%s",
					 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		else if (j == 2)
			snprintf(name, sizeof(name), "%s", "gr\xc3\xb6\xc3\x9f" "e");
		else
			snprintf(name, sizeof(name), "feature_%d", j);
		set_name(m, j, name);
		m->impute_values[j] = imp == CC_IMPUTE_DROP ? NAN : 10.0 * tr_normal(&r);
		m->center[j] = 100.0 * tr_normal(&r);
		m->scale_values[j] = sc == CC_SCALE_NONE ? 1.0 : 0.5 + 3.0 * tr_unif(&r);
		if (sc == CC_SCALE_NONE)
			m->center[j] = 0.0;
	}
	for (c = 0; c < k; c++)
	{
		for (j = 0; j < d; j++)
			m->centroids[(size_t) c * d + j] = tr_normal(&r);
		m->sizes[c] = 1 + (int64_t) tr_below(&r, 1000);
		m->sse[c] = 50.0 * tr_unif(&r);
		m->segment_silhouette[c] = 2.0 * tr_unif(&r) - 1.0;
		rows += m->sizes[c];
		inertia += m->sse[c];
	}
	m->rows = rows;
	m->inertia = inertia;
	m->iterations = 17;
	m->silhouette = 0.25 + 0.5 * tr_unif(&r);
	m->silhouette_rows = rows / 2 + 1;
	m->calinski_harabasz = 1000.0 * tr_unif(&r);
	m->davies_bouldin = 2.0 * tr_unif(&r);
}

/* Check that two models are equal in every field (NaN bits included). */
static void
check_models_equal(const CcModel *a, const CcModel *b)
{
	int			j;
	bool		names = true;
	size_t		kd = (size_t) a->k * a->d;

	CHECK(a->k == b->k);
	CHECK(a->d == b->d);
	if (a->k != b->k || a->d != b->d)
		return;
	CHECK(a->impute == b->impute);
	CHECK(a->scale == b->scale);
	for (j = 0; j < a->d; j++)
		if (strcmp(a->features[j], b->features[j]) != 0)
			names = false;
	CHECK(names);
	CHECK(memcmp(a->impute_values, b->impute_values, a->d * sizeof(double)) == 0);
	CHECK(memcmp(a->center, b->center, a->d * sizeof(double)) == 0);
	CHECK(memcmp(a->scale_values, b->scale_values, a->d * sizeof(double)) == 0);
	CHECK(memcmp(a->centroids, b->centroids, kd * sizeof(double)) == 0);
	CHECK(memcmp(a->sizes, b->sizes, a->k * sizeof(int64_t)) == 0);
	CHECK(memcmp(a->sse, b->sse, a->k * sizeof(double)) == 0);
	CHECK(memcmp(&a->inertia, &b->inertia, sizeof(double)) == 0);
	CHECK(a->iterations == b->iterations);
	CHECK(a->rows == b->rows);
	CHECK(memcmp(&a->silhouette, &b->silhouette, sizeof(double)) == 0);
	CHECK(a->silhouette_rows == b->silhouette_rows);
	CHECK(memcmp(a->segment_silhouette, b->segment_silhouette,
				 a->k * sizeof(double)) == 0);
	CHECK(memcmp(&a->calinski_harabasz, &b->calinski_harabasz, sizeof(double)) == 0);
	CHECK(memcmp(&a->davies_bouldin, &b->davies_bouldin, sizeof(double)) == 0);
}

/* Offset of the first occurrence of the 8 bytes of v in buf, or -1. */
static long
find_double(const char *buf, size_t size, double v)
{
	size_t		i;

	for (i = 0; i + sizeof(double) <= size; i++)
		if (memcmp(buf + i, &v, sizeof(double)) == 0)
			return (long) i;
	return -1;
}

/* Flatten m into a buffer of exactly its flat size. */
static char *
flatten(const CcModel *m, size_t *size)
{
	char	   *buf;

	*size = cc_model_flat_size(m);
	buf = talloc(*size, 1);
	cc_model_flatten(m, buf);
	return buf;
}

/* Unflatten a copy of buf[0..len-1] held in a block of exactly len bytes. */
static const char *
unflatten_exact(const char *buf, size_t len, CcModel *out)
{
	char	   *copy = talloc(len, 1);
	const char *err;

	if (len > 0)
		memcpy(copy, buf, len);
	/* a failed unflatten may leave arrays in out: start from zero, free after */
	memset(out, 0, sizeof(*out));
	err = cc_model_unflatten(copy, len, out, A);
	tfree(copy);
	return err;
}

/* Check flatten -> unflatten round trips, byte for byte and field by field. */
static void
test_model_round_trip(void)
{
	static const struct
	{
		int			k;
		int			d;
		CcImpute	imp;
		CcScale		sc;
	}			cfg[] = {
		{1, 1, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD},
		{3, 4, CC_IMPUTE_MEAN, CC_SCALE_MINMAX},
		{5, 3, CC_IMPUTE_DROP, CC_SCALE_ROBUST},
		{12, 7, CC_IMPUTE_ZERO, CC_SCALE_NONE},
	};
	size_t		ci;

	for (ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++)
	{
		CcModel		m,
					u;
		char	   *buf,
				   *buf2;
		size_t		size,
					size2,
					names = 0;
		const char *err;
		int			j;

		set_ctx("round trip k=%d d=%d", cfg[ci].k, cfg[ci].d);
		make_model(&m, cfg[ci].k, cfg[ci].d, cfg[ci].imp, cfg[ci].sc, 90 + ci);
		if (ci == 0)
		{
			/* k = 1: quality measures undefined, as cc_model_alloc leaves them */
			m.silhouette = NAN;
			m.silhouette_rows = 0;
			m.segment_silhouette[0] = NAN;
			m.calinski_harabasz = NAN;
			m.davies_bouldin = NAN;
		}
		CHECK(cc_model_validate(&m) == NULL);
		buf = flatten(&m, &size);
		/* the flat form ends with the NUL-terminated names, in order */
		{
			size_t		pos;

			for (j = 0; j < m.d; j++)
				names += strlen(m.features[j]) + 1;
			pos = size - names;
			for (j = 0; j < m.d; j++)
			{
				size_t		len = strlen(m.features[j]) + 1;

				CHECK(memcmp(buf + pos, m.features[j], len) == 0);
				pos += len;
			}
		}
		err = unflatten_exact(buf, size, &u);
		CHECK(err == NULL);
		if (err == NULL)
		{
			check_models_equal(&m, &u);
			CHECK(cc_model_validate(&u) == NULL);
			buf2 = flatten(&u, &size2);
			CHECK(size2 == size && memcmp(buf, buf2, size) == 0);
			tfree(buf2);
		}
		else
			printf("  unflatten said: %s\n", err);
		cc_model_free(&u, A);
		tfree(buf);

		/* one more byte in a name is one more byte in the flat form */
		{
			char		longer[80];

			snprintf(longer, sizeof(longer), "%s+", m.features[0]);
			set_name(&m, 0, longer);
			CHECK(cc_model_flat_size(&m) == size + 1);
		}
		cc_model_free(&m, A);
		CHECK(m.features == NULL && m.centroids == NULL);
	}

	/* cc_model_alloc leaves the quality measures undefined */
	{
		CcModel		m;

		set_ctx("model alloc defaults");
		cc_model_alloc(&m, 3, 2, A);
		CHECK(isnan(m.silhouette) && m.silhouette_rows == 0);
		CHECK(isnan(m.segment_silhouette[0]) && isnan(m.segment_silhouette[2]));
		CHECK(isnan(m.calinski_harabasz) && isnan(m.davies_bouldin));
		CHECK(m.features[0] == NULL && m.features[1] == NULL);
		cc_model_free(&m, A);
	}
	set_ctx("%s", "");
}

/* Check that cc_model_validate rejects each kind of broken model. */
static void
test_model_validate(void)
{
	enum
	{
		V_K0, V_KBIG, V_D0, V_DBIG, V_IMPUTE_UNKNOWN, V_SCALE_UNKNOWN,
		V_NAN_CENTROID, V_INF_CENTROID, V_SCALE0, V_SCALE_NEG, V_SCALE_NAN,
		V_CENTER_NAN, V_DUP_NAMES, V_EMPTY_NAME, V_NULL_NAME, V_NAME64,
		V_SIZES_SUM, V_SIZE_NEG, V_SSE_NEG, V_SSE_NAN, V_INERTIA_NEG,
		V_INERTIA_INF, V_ITER_NEG, V_ROWS_NEG, V_DROP_NOT_NAN, V_MEDIAN_NAN,
		V_SIL_HIGH, V_SIL_LOW, V_SIL_NAN_WITH_ROWS, V_SIL_WITHOUT_ROWS,
		V_SIL_ROWS_OVER, V_SIL_ROWS_NEG, V_SEG_SIL, V_SEG_SIL_INF, V_CH_NEG,
		V_CH_INF, V_DB_NEG, V_DB_INF,
		V_COUNT
	};
	int			v;

	for (v = 0; v < V_COUNT; v++)
	{
		CcModel		m;
		bool		drop = (v == V_DROP_NOT_NAN);
		int			saved_k,
					saved_d;

		make_model(&m, 4, 5, drop ? CC_IMPUTE_DROP : CC_IMPUTE_MEDIAN,
				   CC_SCALE_STANDARD, 500 + v);
		set_ctx("validate case %d (valid before)", v);
		CHECK(cc_model_validate(&m) == NULL);
		saved_k = m.k;
		saved_d = m.d;
		switch (v)
		{
			case V_K0:
				m.k = 0;
				break;
			case V_KBIG:
				m.k = CC_MAX_K + 1;
				break;
			case V_D0:
				m.d = 0;
				break;
			case V_DBIG:
				m.d = CC_MAX_FEATURES + 1;
				break;
			case V_IMPUTE_UNKNOWN:
				m.impute = (CcImpute) 4;
				break;
			case V_SCALE_UNKNOWN:
				m.scale = (CcScale) -1;
				break;
			case V_NAN_CENTROID:
				m.centroids[7] = NAN;
				break;
			case V_INF_CENTROID:
				m.centroids[19] = -INFINITY;
				break;
			case V_SCALE0:
				m.scale_values[3] = 0.0;
				break;
			case V_SCALE_NEG:
				m.scale_values[0] = -1.0;
				break;
			case V_SCALE_NAN:
				m.scale_values[4] = NAN;
				break;
			case V_CENTER_NAN:
				m.center[2] = NAN;
				break;
			case V_DUP_NAMES:
				set_name(&m, 4, "feature_0");
				break;
			case V_EMPTY_NAME:
				set_name(&m, 3, "");
				break;
			case V_NULL_NAME:
				cc_release(A, m.features[4]);
				m.features[4] = NULL;
				break;
			case V_NAME64:
				set_name(&m, 0,
						 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_x");
				break;
			case V_SIZES_SUM:
				m.rows += 1;
				break;
			case V_SIZE_NEG:
				/* the total still adds up */
				m.sizes[3] = -1;
				m.rows = m.sizes[0] + m.sizes[1] + m.sizes[2] + m.sizes[3];
				break;
			case V_SSE_NEG:
				m.sse[2] = -0.5;
				break;
			case V_SSE_NAN:
				m.sse[1] = NAN;
				break;
			case V_INERTIA_NEG:
				m.inertia = -1.0;
				break;
			case V_INERTIA_INF:
				m.inertia = INFINITY;
				break;
			case V_ITER_NEG:
				m.iterations = -1;
				break;
			case V_ROWS_NEG:
				m.rows = -5;
				break;
			case V_DROP_NOT_NAN:
				m.impute_values[2] = 0.0;
				break;
			case V_MEDIAN_NAN:
				m.impute_values[1] = NAN;
				break;
			case V_SIL_HIGH:
				m.silhouette = 1.0 + 1e-12;
				break;
			case V_SIL_LOW:
				m.silhouette = -1.5;
				break;
			case V_SIL_NAN_WITH_ROWS:
				m.silhouette = NAN;
				break;
			case V_SIL_WITHOUT_ROWS:
				m.silhouette_rows = 0;
				break;
			case V_SIL_ROWS_OVER:
				m.silhouette_rows = m.rows + 1;
				break;
			case V_SIL_ROWS_NEG:
				m.silhouette_rows = -1;
				m.silhouette = NAN;
				break;
			case V_SEG_SIL:
				m.segment_silhouette[3] = -2.0;
				break;
			case V_SEG_SIL_INF:
				m.segment_silhouette[0] = INFINITY;
				break;
			case V_CH_NEG:
				m.calinski_harabasz = -0.5;
				break;
			case V_CH_INF:
				m.calinski_harabasz = INFINITY;
				break;
			case V_DB_NEG:
				m.davies_bouldin = -1e-9;
				break;
			case V_DB_INF:
				m.davies_bouldin = INFINITY;
				break;
		}
		set_ctx("validate case %d", v);
		CHECK(cc_model_validate(&m) != NULL);
		m.k = saved_k;
		m.d = saved_d;
		cc_model_free(&m, A);
	}

	/* principal components: present, finite and of unit length, or absent */
	{
		CcModel		m;
		int			c,
					j;

		set_ctx("validate principal components");
		make_model(&m, 3, 5, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 598);
		for (j = 0; j < 5; j++)
			m.pca_ratio[j] = 0.2;
		for (c = 0; c < CC_PCA_COMPONENTS; c++)
			for (j = 0; j < 5; j++)
				m.pca_components[c * 5 + j] = (j == c || j == c + 1) ? sqrt(0.5) : 0.0;
		CHECK(cc_model_validate(&m) == NULL);
		m.pca_components[5 + 1] *= 2.0;		/* a longer second axis */
		CHECK(cc_model_validate(&m) != NULL);
		m.pca_components[5 + 1] = sqrt(0.5);
		CHECK(cc_model_validate(&m) == NULL);
		for (j = 0; j < 5; j++)
			m.pca_components[2 * 5 + j] *= 1e-200;	/* a third axis of length ~0 */
		CHECK(cc_model_validate(&m) != NULL);
		for (j = 0; j < 5; j++)
			m.pca_components[2 * 5 + j] = (j == 2 || j == 3) ? -sqrt(0.5) : 0.0;
		CHECK(cc_model_validate(&m) == NULL);
		m.pca_components[0] = 1e300;
		CHECK(cc_model_validate(&m) != NULL);
		cc_model_free(&m, A);
	}

	/* the names checked above really were the boundaries */
	{
		CcModel		m;

		set_ctx("validate boundaries");
		make_model(&m, 2, 3, CC_IMPUTE_DROP, CC_SCALE_ROBUST, 599);
		CHECK(strlen(m.features[1]) == 63);
		CHECK(cc_model_validate(&m) == NULL);
		m.sizes[0] = 0;
		m.rows = m.sizes[1];
		m.sse[0] = 0.0;
		m.inertia = 0.0;
		m.iterations = 0;
		m.silhouette = -1.0;
		m.silhouette_rows = m.rows;
		m.segment_silhouette[0] = NAN;
		m.segment_silhouette[1] = 1.0;
		m.calinski_harabasz = 0.0;
		m.davies_bouldin = 0.0;
		CHECK(cc_model_validate(&m) == NULL);
		m.silhouette = NAN;
		m.silhouette_rows = 0;
		m.calinski_harabasz = NAN;
		m.davies_bouldin = NAN;
		CHECK(cc_model_validate(&m) == NULL);
		cc_model_free(&m, A);
	}
	set_ctx("%s", "");
}

/* Check that unflatten rejects damaged flat forms without reading outside them. */
static void
test_model_unflatten_rejects(void)
{
	CcModel		m,
				u;
	char	   *buf;
	char	   *big;
	size_t		size,
				len;
	bool		all_rejected = true;
	const char *err;
	uint32_t	u32;
	int32_t		i32;

	make_model(&m, 3, 4, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 700);
	buf = flatten(&m, &size);

	/* truncated at every length */
	for (len = 0; len < size; len++)
	{
		err = unflatten_exact(buf, len, &u);
		if (err == NULL)
		{
			all_rejected = false;
			printf("  truncation to %zu of %zu bytes was accepted\n", len, size);
		}
		cc_model_free(&u, A);
	}
	set_ctx("unflatten truncated");
	CHECK(all_rejected);

	/* trailing bytes */
	big = talloc(size + 3, 1);
	memcpy(big, buf, size);
	big[size] = '\0';
	big[size + 1] = 'x';
	big[size + 2] = '\0';
	set_ctx("unflatten trailing bytes");
	CHECK(unflatten_exact(big, size + 1, &u) != NULL);
	cc_model_free(&u, A);
	CHECK(unflatten_exact(big, size + 3, &u) != NULL);
	cc_model_free(&u, A);
	tfree(big);

	/* the original still passes */
	set_ctx("unflatten original");
	CHECK(unflatten_exact(buf, size, &u) == NULL);
	cc_model_free(&u, A);

	/* header damage */
	big = talloc(size, 1);
#define DAMAGED(stmt) \
	(memcpy(big, buf, size), (stmt), unflatten_exact(big, size, &u) != NULL)

	set_ctx("unflatten flipped magic");
	CHECK(DAMAGED(big[0] ^= 0x01));
	cc_model_free(&u, A);
	CHECK(DAMAGED(big[3] ^= (char) 0x80));
	cc_model_free(&u, A);
	memcpy(&u32, buf, 4);
	CHECK(u32 == 0x4D534343);	/* "CCSM" in native order */

	set_ctx("unflatten format version");
	i32 = 2;
	CHECK(DAMAGED(memcpy(big + 4, &i32, 4)));
	cc_model_free(&u, A);
	i32 = 0;
	CHECK(DAMAGED(memcpy(big + 4, &i32, 4)));
	cc_model_free(&u, A);

	set_ctx("unflatten k and d out of range");
	i32 = 0;
	CHECK(DAMAGED(memcpy(big + 8, &i32, 4)));
	cc_model_free(&u, A);
	i32 = -3;
	CHECK(DAMAGED(memcpy(big + 12, &i32, 4)));
	cc_model_free(&u, A);
	i32 = CC_MAX_K + 1;
	CHECK(DAMAGED(memcpy(big + 8, &i32, 4)));
	cc_model_free(&u, A);
	/* k larger than what the bytes hold: truncated */
	i32 = 4;
	CHECK(DAMAGED(memcpy(big + 8, &i32, 4)));
	cc_model_free(&u, A);
	i32 = 5;
	CHECK(DAMAGED(memcpy(big + 12, &i32, 4)));
	cc_model_free(&u, A);

	set_ctx("unflatten unknown methods");
	i32 = 4;
	CHECK(DAMAGED(memcpy(big + 16, &i32, 4)));
	cc_model_free(&u, A);
	i32 = -1;
	CHECK(DAMAGED(memcpy(big + 20, &i32, 4)));
	cc_model_free(&u, A);

	set_ctx("unflatten unterminated last name");
	CHECK(DAMAGED(big[size - 1] = 'z'));
	cc_model_free(&u, A);

	set_ctx("unflatten invalid contents");
	/* a NaN centroid, found by its bytes (its offset is the layout's business) */
	{
		double		nan = NAN;
		long		at = find_double(buf, size, m.centroids[5]);

		CHECK(at > 0);
		if (at > 0)
		{
			CHECK(DAMAGED(memcpy(big + at, &nan, 8)));
			cc_model_free(&u, A);
		}
		at = find_double(buf, size, m.scale_values[2]);
		CHECK(at > 0);
		if (at > 0)
		{
			double		zero = 0.0;

			CHECK(DAMAGED(memcpy(big + at, &zero, 8)));
			cc_model_free(&u, A);
		}
	}
#undef DAMAGED
	tfree(big);

	/* well-formed bytes of invalid models: only validation can catch them */
	{
		CcModel		bad;
		char	   *bb;
		size_t		bs;

		make_model(&bad, 3, 4, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 701);
		set_name(&bad, 2, "");
		bb = flatten(&bad, &bs);
		set_ctx("unflatten empty name");
		CHECK(unflatten_exact(bb, bs, &u) != NULL);
		cc_model_free(&u, A);
		tfree(bb);

		set_name(&bad, 2, "feature_3");
		bb = flatten(&bad, &bs);
		set_ctx("unflatten duplicate names");
		CHECK(unflatten_exact(bb, bs, &u) != NULL);
		cc_model_free(&u, A);
		tfree(bb);

		set_name(&bad, 2, "ok");
		bad.rows++;
		bb = flatten(&bad, &bs);
		set_ctx("unflatten sizes not adding up");
		CHECK(unflatten_exact(bb, bs, &u) != NULL);
		cc_model_free(&u, A);
		tfree(bb);
		cc_model_free(&bad, A);
	}
	set_ctx("%s", "");
	tfree(buf);
	cc_model_free(&m, A);
}

/*
 * Flip random bytes of a flat form: unflatten must either reject it or
 * accept a valid model that flattens back to the same bytes (the reserved
 * header word aside).  Run under ASan or valgrind this also shows that no
 * damaged input makes it read outside the buffer.
 */
static void
test_model_unflatten_fuzz(void)
{
	CcModel		m,
				u;
	char	   *buf,
			   *dam;
	size_t		size;
	TRand		r;
	int			t,
				accepted = 0;
	bool		consistent = true;

	make_model(&m, 2, 3, CC_IMPUTE_DROP, CC_SCALE_MINMAX, 800);
	buf = flatten(&m, &size);
	dam = talloc(size, 1);
	tr_seed(&r, 801);
	for (t = 0; t < 3000; t++)
	{
		int			flips = 1 + (int) tr_below(&r, 3);
		size_t		len = size;
		int			f;
		const char *err;

		memcpy(dam, buf, size);
		for (f = 0; f < flips; f++)
			dam[tr_below(&r, size)] ^= (char) (1 + tr_below(&r, 255));
		if (t % 4 == 0)
			len = size - tr_below(&r, 8);
		err = unflatten_exact(dam, len, &u);
		if (err == NULL)
		{
			size_t		s2;
			char	   *again;

			accepted++;
			if (cc_model_validate(&u) != NULL)
				consistent = false;
			again = flatten(&u, &s2);
			if (s2 != len || memcmp(again, dam, 28) != 0 ||
				memcmp(again + 32, dam + 32, len - 32) != 0)
				consistent = false;
			tfree(again);
		}
		cc_model_free(&u, A);
	}
	set_ctx("unflatten fuzz (%d of 3000 accepted)", accepted);
	CHECK(consistent);
	/* flips in the centroids and sse usually leave a valid model */
	CHECK(accepted > 0);
	set_ctx("%s", "");
	tfree(dam);
	tfree(buf);
	cc_model_free(&m, A);
}

/* Check cc_model_transform against the imputation and scaling formulas (even and odd d). */
static void
test_model_transform(void)
{
	CcImpute	imp;
	int			d;

	for (d = 6; d <= 7; d++)
	{
		for (imp = CC_IMPUTE_MEDIAN; imp <= CC_IMPUTE_DROP; imp++)
		{
			CcModel		m;
			TRand		r;
			double		raw[7],
						z[7];
			int			t,
						j;
			bool		exact = true,
						result_ok = true;

			set_ctx("transform d=%d impute=%s", d, cc_impute_name(imp));
			make_model(&m, 3, d, imp, CC_SCALE_STANDARD, 900 + imp + 10 * d);
			tr_seed(&r, 910 + imp + 10 * d);
			for (t = 0; t < 200; t++)
			{
				bool		has_nan = false;
				bool		ok;

				for (j = 0; j < d; j++)
				{
					raw[j] = tr_unif(&r) < 0.1 ? NAN : 100.0 * tr_normal(&r);
					has_nan = has_nan || isnan(raw[j]);
				}
				ok = cc_model_transform(&m, raw, z);
				if (ok != !(has_nan && imp == CC_IMPUTE_DROP))
					result_ok = false;
				if (!ok)
					continue;
				for (j = 0; j < d; j++)
				{
					double		v = isnan(raw[j]) ? m.impute_values[j] : raw[j];
					double		want = (v - m.center[j]) / m.scale_values[j];

					if (memcmp(&z[j], &want, sizeof(double)) != 0)
						exact = false;
				}
			}
			CHECK(result_ok);
			CHECK(exact);
			cc_model_free(&m, A);
		}
	}
	set_ctx("%s", "");

	/* closed form: impute 3, center 1, scale 2 -> (3 - 1) / 2 = 1 */
	{
		CcModel		m;
		double		raw[2] = {NAN, 9.0};
		double		z[2];

		set_ctx("transform closed form");
		make_model(&m, 1, 2, CC_IMPUTE_ZERO, CC_SCALE_STANDARD, 950);
		m.impute_values[0] = 3.0;
		m.center[0] = 1.0;
		m.scale_values[0] = 2.0;
		m.center[1] = -1.0;
		m.scale_values[1] = 4.0;
		CHECK(cc_model_transform(&m, raw, z));
		CHECK(z[0] == 1.0 && z[1] == 2.5);
		/* the limit: at it is fine, beyond it is not; a missing value to drop comes first */
		set_ctx("transform checked");
		CHECK(cc_model_transform_checked(&m, raw, z, 2.5) == CC_ROW_OK);
		CHECK(cc_model_transform_checked(&m, raw, z, 2.0) == CC_ROW_TOO_LARGE);
		CHECK(z[0] == 1.0 && z[1] == 2.5);
		raw[1] = -1e300;
		CHECK(cc_model_transform_checked(&m, raw, z, 1e150) == CC_ROW_TOO_LARGE);
		m.impute = CC_IMPUTE_DROP;
		CHECK(cc_model_transform_checked(&m, raw, z, 1e150) == CC_ROW_MISSING);
		CHECK(!cc_model_transform(&m, raw, z));
		raw[0] = 5.0;
		CHECK(cc_model_transform_checked(&m, raw, z, 1e150) == CC_ROW_TOO_LARGE);
		CHECK(cc_model_transform(&m, raw, z));
		m.impute = CC_IMPUTE_ZERO;
		cc_model_free(&m, A);
	}
	set_ctx("%s", "");
}

/* Check cc_model_assign and cc_model_centroid_original against brute force. */
static void
test_model_assign(void)
{
	CcModel		m;
	TRand		r;
	double		z[4],
				dist[9],
				dist_t[9],
				ct[9 * 4],
				orig[4],
				back[4];
	int			t,
				c,
				j;
	bool		nearest = true,
				dists = true,
				same = true,
				same_t = true,
				inverse = true;

	make_model(&m, 9, 4, CC_IMPUTE_MEAN, CC_SCALE_STANDARD, 1000);
	tr_seed(&r, 1001);
	for (t = 0; t < 500; t++)
	{
		int			got,
					got2,
					want = 0;
		long double best = INFINITY;

		for (j = 0; j < 4; j++)
			z[j] = 1.5 * tr_normal(&r);
		got = cc_model_assign(&m, z, dist);
		got2 = cc_model_assign(&m, z, NULL);
		/* the transposed form: the same choice and bit-identical distances */
		cc_model_transpose(&m, ct);
		if (cc_model_assign_t(&m, ct, z, dist_t) != got ||
			memcmp(dist, dist_t, sizeof(dist)) != 0)
			same_t = false;
		for (c = 0; c < 9; c++)
		{
			long double dd = ref_sqdist(z, m.centroids + (size_t) c * 4, 4);

			if (dd < best)
			{
				best = dd;
				want = c;
			}
			if (fabsl(dist[c] - dd) > 1e-13L * dd)
				dists = false;
		}
		if (got != want)
			nearest = false;
		if (got2 != got)
			same = false;
	}
	set_ctx("assign");
	CHECK(nearest);
	CHECK(dists);
	CHECK(same);
	CHECK(same_t);

	/* ties go to the lowest index, with and without distances */
	set_ctx("assign ties");
	for (j = 0; j < 4; j++)
	{
		m.centroids[1 * 4 + j] = (j == 0) ? 1.0 : 0.0;
		m.centroids[5 * 4 + j] = (j == 0) ? -1.0 : 0.0;
		m.centroids[2 * 4 + j] = (j == 1) ? 1.0 : 0.0;
		z[j] = 0.0;
	}
	for (c = 0; c < 9; c++)
		if (c != 1 && c != 2 && c != 5)
			for (j = 0; j < 4; j++)
				m.centroids[c * 4 + j] = 50.0 + c;
	CHECK(cc_model_assign(&m, z, NULL) == 1);
	CHECK(cc_model_assign(&m, z, dist) == 1);
	CHECK(dist[1] == 1.0 && dist[2] == 1.0 && dist[5] == 1.0);
	cc_model_transpose(&m, ct);
	CHECK(cc_model_assign_t(&m, ct, z, dist_t) == 1);

	/* centroid_original undoes scaling; transforming it gives the centroid back */
	set_ctx("centroid_original");
	for (c = 0; c < 9; c++)
	{
		cc_model_centroid_original(&m, c, orig);
		CHECK(cc_model_transform(&m, orig, back));
		for (j = 0; j < 4; j++)
		{
			double		want = m.centroids[c * 4 + j];

			if (fabs(back[j] - want) > 1e-12 * (fabs(want) + fabs(m.center[j]) + 1.0))
				inverse = false;
		}
	}
	CHECK(inverse);
	{
		CcModel		m2;
		double		o[2];

		make_model(&m2, 1, 2, CC_IMPUTE_MEDIAN, CC_SCALE_MINMAX, 1002);
		m2.center[0] = 1.0;
		m2.scale_values[0] = 2.0;
		m2.centroids[0] = 0.5;
		m2.center[1] = 2.0;
		m2.scale_values[1] = 4.0;
		m2.centroids[1] = -1.0;
		cc_model_centroid_original(&m2, 0, o);
		CHECK(o[0] == 2.0 && o[1] == -2.0);
		cc_model_free(&m2, A);
	}
	set_ctx("%s", "");
	cc_model_free(&m, A);
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
 * cc_quality_bytes, which the glue counts against ccseg.max_train_memory,
 * covers what cc_quality_threads holds at once: exact and sampled
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
		double		sil,
					ch,
					db;
		int64_t		silrows;
		TrackCtx	tc;
		CcAllocator ta = tracking_allocator(&tc);
		size_t		i;

		set_ctx("quality bytes n=%zu d=%d k=%d sample=%lld threads=%d", n, d, k,
				(long long) cases[ci].sample, cases[ci].threads);
		make_data(DATA_NOISE, 7600 + ci, x, NULL, n, d, k);
		for (i = 0; i < n; i++)
			labels[i] = (int) (i % (size_t) k);
		CHECK(cc_quality_threads(x, n, d, labels, k, cases[ci].sample, 1, &sil,
								 &silrows, segsil, &ch, &db, &ta, NULL, NULL,
								 cases[ci].threads, NULL, NULL));
		CHECK(tc.live == 0);
		CHECK(tc.peak > 0.0 &&
			  tc.peak <= cc_quality_bytes(n, d, k, cases[ci].sample,
										  cases[ci].threads));
		tfree(x);
		tfree(labels);
		tfree(segsil);
	}
	set_ctx("%s", "");
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
		memset(&res, 0, sizeof(res));
		res.centroids = dalloc((size_t) k * d);
		res.labels = talloc(n, sizeof(int));
		res.sizes = talloc(k, sizeof(int64_t));
		res.sse = dalloc(k);
		for (c = 0; c < k; c++)
		{
			for (j = 0; j < d; j++)
				res.centroids[(size_t) c * d + j] = perm[c] < kp ?
					prev.centroids[(size_t) perm[c] * d + j] :
					100.0 + 10.0 * perm[c] + j;
			res.sizes[c] = 0;
			res.sse[c] = 0.0;
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
		cc_align_to_previous(&prev, x, n, d, prev.center, prev.scale_values,
							 &res, k, drift, &changed, &ta, stop_after_check,
							 &counter);
		CHECK(tc.live == 0);
		/* what the glue counts against ccseg.max_train_memory covers it */
		CHECK(tc.peak > 0.0 && tc.peak <= cc_align_bytes(k, kp, d));
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
			cc_align_to_previous(&prev, x, n, d, prev.center, prev.scale_values,
								 &res, k, drift, &changed, &ta,
								 stop_after_check, &stopper);
			CHECK(!"cc_align_to_previous finished despite the stop");
		}
		CHECK(stopper.calls == counter.calls / 2);
		track_release_all(&tc);

		km_free(&res);
		tfree(x);
		tfree(drift);
		tfree(perm);
	}
	CHECK(cc_align_bytes(CC_MAX_K, CC_MAX_K, 1) >= 8e8);
	cc_model_free(&prev, A);
	set_ctx("%s", "");
}

/*
 * Train through the whole pipeline (impute, scale, k-means, model) and
 * check that scoring the training rows with the model gives their labels.
 */
static void
test_pipeline(void)
{
	const size_t n = 1200;
	const int	d = 4;
	const int	k = 5;
	CcImpute	imp;

	for (imp = CC_IMPUTE_MEDIAN; imp <= CC_IMPUTE_DROP; imp++)
	{
		double	   *raw = dalloc(n * d);
		double	   *x = dalloc(n * d);
		double	   *z = dalloc(d);
		CcModel		m;
		CcKmeansParams p;
		CcKmeansResult res;
		TRand		r;
		size_t		i,
					rows,
					kept_i = 0;
		int			j;
		bool		scores = true,
					transform_ok = true;
		char	   *buf;
		size_t		size;
		CcModel		u;

		set_ctx("pipeline impute=%s", cc_impute_name(imp));
		make_data(DATA_BLOBS, 1100 + imp, raw, NULL, n, d, k);
		tr_seed(&r, 1110 + imp);
		for (i = 0; i < n; i++)
			for (j = 0; j < d; j++)
			{
				raw[i * d + j] = raw[i * d + j] * (j + 1) + 10.0 * j;
				if (tr_unif(&r) < 0.03)
					raw[i * d + j] = NAN;
			}
		memcpy(x, raw, n * d * sizeof(double));
		cc_model_alloc(&m, k, d, A);
		m.impute = imp;
		m.scale = (CcScale) (imp % 3);	/* standard, minmax, robust, standard */
		for (j = 0; j < d; j++)
		{
			char		name[16];

			snprintf(name, sizeof(name), "x%d", j);
			set_name(&m, j, name);
		}
		CHECK(cc_impute_fit(x, n, d, imp, m.impute_values, A) == -1);
		rows = cc_impute_apply(x, n, d, imp, m.impute_values);
		cc_scale_fit(x, rows, d, m.scale, m.center, m.scale_values, NULL, A);
		cc_scale_apply(x, rows, d, m.center, m.scale_values);
		p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_AUTO, 3, 3, 300, 0.0, NULL);
		cc_kmeans(x, rows, d, &p, &res, A);
		cc_kmeans_sort_by_size(&res, rows, k, d, A);
		memcpy(m.centroids, res.centroids, (size_t) k * d * sizeof(double));
		memcpy(m.sizes, res.sizes, k * sizeof(int64_t));
		memcpy(m.sse, res.sse, k * sizeof(double));
		m.inertia = res.inertia;
		m.iterations = res.iterations;
		m.rows = (int64_t) rows;
		CHECK(cc_model_validate(&m) == NULL);

		/* score the raw rows through the flat form */
		buf = flatten(&m, &size);
		CHECK(unflatten_exact(buf, size, &u) == NULL);
		for (i = 0; i < n; i++)
		{
			bool		ok = cc_model_transform(&u, raw + i * d, z);

			if (!ok)
				continue;
			if (kept_i >= rows ||
				memcmp(z, x + kept_i * d, d * sizeof(double)) != 0)
				transform_ok = false;
			else if (cc_model_assign(&u, z, NULL) != res.labels[kept_i])
				scores = false;
			kept_i++;
		}
		CHECK(kept_i == rows);
		CHECK(transform_ok);
		CHECK(scores);
		if (imp == CC_IMPUTE_DROP)
			CHECK(rows < n);
		else
			CHECK(rows == n);
		cc_model_free(&u, A);
		tfree(buf);
		km_free(&res);
		cc_model_free(&m, A);
		tfree(raw);
		tfree(x);
		tfree(z);
	}
	set_ctx("%s", "");
}

/* ---------------------------------------------------------------------
 * main
 * ---------------------------------------------------------------------
 */

/* Run every test and report the totals. */

/* Flag polled by the threaded runs; set to stop them. */
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
		double		s1,
					s3,
					m1[6],
					m3[6];
		int64_t		r1[6],
					r3[6];

		cc_kmeans(x, n, d, &p, &res, A);
		set_ctx("threaded silhouette");
		CHECK(cc_silhouette_threads(x, d, res.labels, k, NULL, n, NULL, &s1, m1, r1,
									A, NULL, NULL, 1, NULL, NULL));
		CHECK(cc_silhouette_threads(x, d, res.labels, k, NULL, n, NULL, &s3, m3, r3,
									A, NULL, NULL, 3, NULL, NULL));
		CHECK(memcmp(&s1, &s3, sizeof(double)) == 0);
		CHECK(memcmp(m1, m3, sizeof(m1)) == 0);
		CHECK(memcmp(r1, r3, sizeof(r1)) == 0);
		CHECK(!cc_silhouette_threads(x, d, res.labels, k, NULL, n, NULL, &s3, m3, r3,
									 A, NULL, NULL, 3, stop_always, NULL));
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
 * Check the binary form: a round trip gives the same model, every shorter
 * buffer and a trailing byte are refused, and a flipped byte is refused or
 * gives a valid model.
 */
static void
test_model_wire(void)
{
	CcModel		m;
	int			trial;

	for (trial = 0; trial < 4; trial++)
	{
		size_t		size,
					len;
		unsigned char *buf;
		CcModel		back;

		make_model(&m, 1 + trial * 2, 1 + trial, (CcImpute) (trial % 4),
				   (CcScale) (trial % 4), 900 + trial);
		size = cc_model_wire_size(&m);
		buf = talloc(size + 1, 1);
		cc_model_to_wire(&m, buf);
		set_ctx("wire round trip, trial %d", trial);
		CHECK(cc_model_from_wire(buf, size, &back, A) == NULL);
		check_models_equal(&m, &back);
		cc_model_free(&back, A);
		for (len = 0; len < size; len++)
		{
			CHECK(cc_model_from_wire(buf, len, &back, A) != NULL);
			cc_model_free(&back, A);
		}
		buf[size] = 0;
		CHECK(cc_model_from_wire(buf, size + 1, &back, A) != NULL);
		cc_model_free(&back, A);
		for (len = 0; len < size; len += 7)
		{
			const char *bad;

			buf[len] ^= 0x5a;
			bad = cc_model_from_wire(buf, size, &back, A);
			CHECK(bad != NULL || cc_model_validate(&back) == NULL);
			cc_model_free(&back, A);
			buf[len] ^= 0x5a;
		}
		tfree(buf);
		cc_model_free(&m, A);
	}
}

/* Check the JSON reader on a valid text and on many broken ones. */
static void
test_model_json(void)
{
	static const char *valid =
	"{\"format\": 1, \"k\": 2, \"features\": [\"a\\u00e9\", \"b\\\"q\"], "
	"\"impute\": \"mean\", \"scale\": \"minmax\", \"impute_values\": [1, 2], "
	"\"scale_center\": [0, 1e-3], \"scale_scale\": [2, 0.5], "
	"\"centroids\": [[-1, 0.25], [1, -0.25]], \"sizes\": [3, 4], \"sse\": [1.5, 2.5], "
	"\"inertia\": 4, \"iterations\": 9, \"rows\": 7, \"silhouette\": null, "
	"\"silhouette_rows\": 0, \"segment_silhouette\": [null, null], "
	"\"calinski_harabasz\": 12.5, \"davies_bouldin\": null, \"feature_mean\": [1, 2], "
	"\"feature_std\": [0.5, 0], \"pca_ratio\": [0.75, 0.25], "
	"\"pca_components\": [[1, 0], [0, 1], [null, null]], \"changed_share\": 0.5, "
	"\"segment_drift\": [0, null]}";
	static const struct
	{
		const char *from;
		const char *to;
	}			breaks[] = {
		{"\"k\": 2", "\"k\": 2.5"}, {"\"k\": 2", "\"k\": 0"}, {"\"k\": 2", "\"k\": \"2\""},
		{"[\"a\\u00e9\"", "[\"a\\ud800\""}, {"\"mean\"", "\"average\""},
		{"[1, 2], \"scale_center\"", "[1], \"scale_center\""},
		{"\"inertia\": 4", "\"inertia\": 1e999"}, {"\"rows\": 7", "\"rows\": 8"},
		{"\"format\": 1", "\"format\": 2"}, {"\"iterations\": 9", "\"iterations\": -9"},
		{"\"silhouette\": null", "\"silhouette\": 2"}, {"[0, null]}", "[0, null]} x"},
		{"\"sse\"", "\"sse2\""}, {"\"changed_share\": 0.5", "\"changed_share\": 0.5, \"changed_share\": 0.5"},
		{"[[1, 0]", "[[1, 0x]"}, {"\"b\\\"q\"", "\"b\\q\""}, {"12.5", "012"},
	};
	CcModel		m;
	char		err[256];
	size_t		i,
				len = strlen(valid);

	set_ctx("json valid");
	CHECK(cc_model_from_json(valid, len, &m, A, err, sizeof(err)) == NULL);
	CHECK(m.k == 2 && m.d == 2);
	CHECK(strcmp(m.features[0], "a\xc3\xa9") == 0 && strcmp(m.features[1], "b\"q") == 0);
	CHECK(m.impute == CC_IMPUTE_MEAN && m.scale == CC_SCALE_MINMAX);
	CHECK(m.center[1] == 1e-3 && m.centroids[3] == -0.25 && m.sizes[1] == 4);
	CHECK(isnan(m.silhouette) && isnan(m.davies_bouldin) && m.changed_share == 0.5);
	cc_model_free(&m, A);
	/* every prefix is refused */
	for (i = 0; i < len; i++)
	{
		set_ctx("json prefix of %zu bytes", i);
		CHECK(cc_model_from_json(valid, i, &m, A, err, sizeof(err)) != NULL);
		cc_model_free(&m, A);
	}
	for (i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++)
	{
		const char *at = strstr(valid, breaks[i].from);
		char		text[2048];

		set_ctx("json broken: %s", breaks[i].to);
		CHECK(at != NULL);
		if (at == NULL)
			continue;
		snprintf(text, sizeof(text), "%.*s%s%s", (int) (at - valid), valid,
				 breaks[i].to, at + strlen(breaks[i].from));
		CHECK(cc_model_from_json(text, strlen(text), &m, A, err, sizeof(err)) != NULL);
		cc_model_free(&m, A);
	}
	{
		char		deep[64];

		memset(deep, '[', 40);
		memset(deep + 40, ']', 20);
		set_ctx("json nested too deeply");
		CHECK(cc_model_from_json(deep, 60, &m, A, err, sizeof(err)) != NULL);
		cc_model_free(&m, A);
	}
}

/*
 * Build base-10000 digits for the decimal integer string ds times 10^e10,
 * at an odd address when unaligned; returns the digit count, *weight set.
 */
static int
decimal_digits(const char *ds, int e10, unsigned char *buf, bool unaligned, int *weight)
{
	int			len = (int) strlen(ds);
	int			pmax = e10 + len - 1;
	int			gmax = (pmax >= 0) ? pmax / 4 : -((-pmax + 3) / 4);
	int			gmin = (e10 >= 0) ? e10 / 4 : -((-e10 + 3) / 4);
	int			n = gmax - gmin + 1;
	int			i;

	for (i = 0; i < n; i++)
	{
		int			g = gmax - i;
		int			v = 0;
		int			q;
		int16_t		dg;

		for (q = 3; q >= 0; q--)
		{
			int			pw = 4 * g + q;
			int			idx = pmax - pw;	/* index in ds */

			v = v * 10 + ((idx >= 0 && idx < len) ? ds[idx] - '0' : 0);
		}
		dg = (int16_t) v;
		memcpy(buf + (unaligned ? 1 : 0) + 2 * i, &dg, sizeof(dg));
	}
	*weight = gmax;
	return n;
}

/* cc_decimal_to_double against strtod on random decimals: bit-identical when it answers. */
static void
test_decimal_to_double(void)
{
	TRand		r;
	unsigned char buf[64];
	char		ds[32],
				text[64];
	int			t;
	int			answered = 0,
				short_ones = 0,
				short_answered = 0;
	bool		exact = true;

	set_ctx("decimal random");
	tr_seed(&r, 77);
	for (t = 0; t < 200000; t++)
	{
		int			len = 1 + (int) (tr_next(&r) % 19);
		int			e10 = (int) (tr_next(&r) % 61) - 30;
		bool		neg = (tr_next(&r) & 1) != 0;
		bool		unaligned = (tr_next(&r) & 1) != 0;
		int			i,
					n,
					weight;
		double		got,
					want;

		for (i = 0; i < len; i++)
			ds[i] = (char) ('0' + (int) (tr_next(&r) % 10));
		if (ds[0] == '0')
			ds[0] = '1';
		/* some trailing zeros, as in money amounts */
		if (tr_next(&r) % 4 == 0)
			for (i = (len + 1) / 2; i < len; i++)
				ds[i] = '0';
		ds[len] = '\0';
		snprintf(text, sizeof(text), "%s%se%d", neg ? "-" : "", ds, e10);
		want = strtod(text, NULL);
		n = decimal_digits(ds, e10, buf, unaligned, &weight);
		if (cc_decimal_to_double(neg, weight, buf + (unaligned ? 1 : 0), n, &got))
		{
			answered++;
			if (memcmp(&got, &want, sizeof(double)) != 0)
			{
				if (exact)
					fprintf(stderr, "  decimal %s: got %.17g, strtod %.17g\n", text, got, want);
				exact = false;
			}
		}
		/* up to 15 digits and a small exponent must take the fast path */
		if (len <= 15 && e10 >= -22 && e10 + len <= 22)
		{
			short_ones++;
			if (cc_decimal_to_double(neg, weight, buf + (unaligned ? 1 : 0), n, &got))
				short_answered++;
		}
	}
	CHECK(exact);
	CHECK(answered > 50000);
	CHECK(short_ones > 10000 && short_answered == short_ones);

	set_ctx("decimal special cases");
	{
		int16_t		d[5] = {0, 0, 0, 0, 0};
		double		v = -1.0;

		/* zero, with or without digits, is +0 */
		CHECK(cc_decimal_to_double(true, 0, d, 0, &v) && v == 0.0 && !signbit(v));
		CHECK(cc_decimal_to_double(true, 3, d, 2, &v) && v == 0.0 && !signbit(v));
		/* leading and trailing zero digits are ignored: 0012.3400 */
		d[0] = 0;
		d[1] = 12;
		d[2] = 3400;
		d[3] = 0;
		CHECK(cc_decimal_to_double(false, 1, d, 4, &v) && v == 12.34);
		/* a digit out of range is refused */
		d[1] = 10000;
		CHECK(!cc_decimal_to_double(false, 1, d, 4, &v));
		d[1] = -1;
		CHECK(!cc_decimal_to_double(false, 1, d, 4, &v));
		/* five significant digits groups are too many */
		d[0] = 1;
		d[1] = 2;
		d[2] = 3;
		d[3] = 4;
		d[4] = 5;
		CHECK(!cc_decimal_to_double(false, 0, d, 5, &v));
		/* 10^22 exactly, 10^23 through the mantissa, 10^-22, and too small */
		d[0] = 1;
		CHECK(cc_decimal_to_double(false, 5, d, 1, &v) && v == 1e20);
		d[0] = 100;
		CHECK(cc_decimal_to_double(false, 5, d, 1, &v) && v == 1e22);
		d[0] = 1000;
		CHECK(cc_decimal_to_double(false, 5, d, 1, &v) && v == 1e23);
		d[0] = 100;
		CHECK(cc_decimal_to_double(false, -6, d, 1, &v) && v == 1e-22);
		d[0] = 1;
		CHECK(!cc_decimal_to_double(false, -7, d, 1, &v));
		/* 2^53 + 1 = 9007 1992 5474 0993 needs more than a double's mantissa */
		d[0] = 9007;
		d[1] = 1992;
		d[2] = 5474;
		d[3] = 993;
		CHECK(!cc_decimal_to_double(false, 3, d, 4, &v));
		d[3] = 992;				/* 2^53 itself is not below the limit either */
		CHECK(!cc_decimal_to_double(false, 3, d, 4, &v));
		d[3] = 991;
		CHECK(cc_decimal_to_double(false, 3, d, 4, &v) && v == 9007199254740991.0);
	}
}

/*
 * cc_columns_mean_var and cc_covariance read the matrix row by row, in
 * blocks of columns; both must give the bits of a pass down each column
 * (or column pair), for widths around the block sizes.
 */
static void
test_blocked_column_passes(void)
{
	TRand		r;
	int			widths[] = {1, 2, 15, 16, 17, 31, 32, 33, 40, 70};
	int			wi;
	bool		same_moments = true,
				same_cov = true;

	set_ctx("blocked column passes");
	tr_seed(&r, 4242);
	for (wi = 0; wi < (int) (sizeof(widths) / sizeof(widths[0])); wi++)
	{
		int			d = widths[wi];
		size_t		n = 50 + (size_t) (tr_next(&r) % 200);
		double	   *x = malloc(sizeof(double) * n * d);
		double	   *mean = malloc(sizeof(double) * d);
		double	   *var = malloc(sizeof(double) * d);
		double	   *cov = malloc(sizeof(double) * d * d);
		size_t		i;
		int			a,
					b;

		for (i = 0; i < n * (size_t) d; i++)
			x[i] = 1e3 * tr_normal(&r) + (double) (i % 7);
		cc_columns_mean_var(x, n, d, 0, d, mean, var);
		cc_covariance(x, n, d, mean, cov, NULL, NULL);
		for (a = 0; a < d; a++)
		{
			double		m1,
						v1;

			cc_column_mean_var(x, n, d, a, &m1, &v1);
			if (memcmp(&m1, &mean[a], sizeof(double)) != 0 ||
				memcmp(&v1, &var[a], sizeof(double)) != 0)
				same_moments = false;
			for (b = 0; b < d; b++)
			{
				CcSum		s = {0, 0};
				double		want;

				for (i = 0; i < n; i++)
					cc_sum_add(&s, (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]));
				want = cc_sum_value(&s) / (double) n;
				/* the upper triangle is summed as (a, b), the lower mirrors it */
				if (a > b)
				{
					CcSum		t = {0, 0};

					for (i = 0; i < n; i++)
						cc_sum_add(&t, (x[i * d + b] - mean[b]) * (x[i * d + a] - mean[a]));
					want = cc_sum_value(&t) / (double) n;
				}
				if (memcmp(&want, &cov[a * d + b], sizeof(double)) != 0)
					same_cov = false;
			}
		}
		/* a column range in the middle gives the same as the whole */
		if (d > 3)
		{
			double		m2[2],
						v2[2];

			cc_columns_mean_var(x, n, d, d / 2, 2, m2, v2);
			if (memcmp(m2, mean + d / 2, sizeof(m2)) != 0 || memcmp(v2, var + d / 2, sizeof(v2)) != 0)
				same_moments = false;
		}
		free(x);
		free(mean);
		free(var);
		free(cov);
	}
	CHECK(same_moments);
	CHECK(same_cov);
}

/* One random term for the exact-sum tests: mixed signs, 1e-300 .. 1e300. */
static double
xsum_term(TRand *r)
{
	double		m = tr_unif(r) * 2.0 - 1.0;
	int			kind = (int) (tr_next(r) % 4);

	if (kind == 0)
		return m * pow(10.0, (double) ((int) (tr_next(r) % 601) - 300));
	if (kind == 1)
		return m * 1e3;
	if (kind == 2)
		return (double) (int64_t) (tr_next(r) % 1000000) - 500000.0;
	return m;
}

/* Neumaier's step, which cc_sum_add replaced: the reference for its bits. */
static void
neumaier_add(CcSum *s, double v)
{
	double		t = s->sum + v;

	if (fabs(s->sum) >= fabs(v))
		s->comp += (s->sum - t) + v;
	else
		s->comp += (v - t) + s->sum;
	s->sum = t;
}

/*
 * The compensated sum: each step adds the exact rounding error of the
 * addition, so it gives the bits of Neumaier's step (which finds the same
 * exact error by comparing magnitudes), lane by lane cc_sum4_add gives the
 * bits of cc_sum_add, and the value is within the compensated sum's error
 * bound of the exact sum (CcXsum).
 */
static void
test_compensated_sum(void)
{
	TRand		r;
	int			seq;
	bool		same_neumaier = true,
				same_lanes = true,
				within_bound = true;

	tr_seed(&r, 8080);
	for (seq = 0; seq < 40; seq++)
	{
		int			n = 1 + (int) (tr_next(&r) % 3000);
		CcSum		s = {0, 0},
					ref = {0, 0};
		CcXsum		exact;
		double		abs_sum = 0.0;
		int			i;

		cc_xsum_init(&exact);
		for (i = 0; i < n; i++)
		{
			/* mixed signs and magnitudes, kept far from overflow */
			double		v = xsum_term(&r);

			if (fabs(v) > 1e200)
				v *= 1e-200;
			cc_sum_add(&s, v);
			neumaier_add(&ref, v);
			if (memcmp(&s, &ref, sizeof(s)) != 0)
				same_neumaier = false;
			cc_xsum_add(&exact, v);
			abs_sum += fabs(v);
		}
		{
			double		want = cc_xsum_value(&exact);
			double		got = cc_sum_value(&s);

			if (!(fabs(got - want) <= 2.0 * DBL_EPSILON * fabs(want) +
				  (double) n * DBL_EPSILON * DBL_EPSILON * abs_sum))
				within_bound = false;
		}
	}
#if defined(__GNUC__)
	for (seq = 0; seq < 20; seq++)
	{
		CcV4d		sum = {0, 0, 0, 0},
					comp = {0, 0, 0, 0};
		CcSum		lanes[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
		int			i,
					l;

		for (i = 0; i < 1000; i++)
		{
			CcV4d		v;

			for (l = 0; l < 4; l++)
			{
				v[l] = xsum_term(&r);
				if (fabs(v[l]) > 1e200)
					v[l] *= 1e-200;
				cc_sum_add(&lanes[l], v[l]);
			}
			cc_sum4_add(&sum, &comp, &v);
		}
		for (l = 0; l < 4; l++)
			if (memcmp(&lanes[l].sum, &sum[l], sizeof(double)) != 0 ||
				memcmp(&lanes[l].comp, &comp[l], sizeof(double)) != 0)
				same_lanes = false;
	}
#endif
	set_ctx("compensated sum");
	CHECK(same_neumaier);
	CHECK(same_lanes);
	CHECK(within_bound);
	set_ctx("%s", "");
}

/*
 * CcXsum: the same bits in any order and any partition merged, exact where
 * a double sum is not, carries after many additions, the range ends.
 */
static void
test_exact_sum(void)
{
	TRand		r;
	enum
	{
		N = 5000
	};
	static double terms[N];
	CcXsum		a,
				b,
				parts[3];
	double		forward,
				v;
	int			i,
				t;
	bool		same = true;

	set_ctx("exact sum order");
	tr_seed(&r, 99);
	for (i = 0; i < N; i++)
		terms[i] = xsum_term(&r);
	cc_xsum_init(&a);
	for (i = 0; i < N; i++)
		cc_xsum_add(&a, terms[i]);
	forward = cc_xsum_value(&a);
	for (t = 0; t < 20; t++)
	{
		/* shuffle, then sum in three parts of random sizes, merged */
		for (i = N - 1; i > 0; i--)
		{
			int			j = (int) (tr_next(&r) % (uint64_t) (i + 1));
			double		x = terms[i];

			terms[i] = terms[j];
			terms[j] = x;
		}
		for (i = 0; i < 3; i++)
			cc_xsum_init(&parts[i]);
		for (i = 0; i < N; i++)
			cc_xsum_add(&parts[tr_next(&r) % 3], terms[i]);
		cc_xsum_merge(&parts[0], &parts[2]);
		cc_xsum_merge(&parts[1], &parts[0]);
		v = cc_xsum_value(&parts[1]);
		if (memcmp(&v, &forward, sizeof(double)) != 0)
			same = false;
	}
	CHECK(same);

	set_ctx("exact sum values");
	cc_xsum_init(&a);
	cc_xsum_add(&a, 1e16);
	cc_xsum_add(&a, 1.0);
	cc_xsum_add(&a, -1e16);
	CHECK(cc_xsum_value(&a) == 1.0);
	cc_xsum_init(&a);
	for (i = 1; i <= 100000; i++)
		cc_xsum_add(&a, (double) i);
	CHECK(cc_xsum_value(&a) == 5000050000.0);
	cc_xsum_init(&a);
	cc_xsum_add(&a, 0.1);
	cc_xsum_add(&a, 0.2);
	CHECK(cc_xsum_value(&a) == 0.30000000000000004);	/* exact sum, rounded once */
	cc_xsum_add(&a, -0.1);
	cc_xsum_add(&a, -0.2);
	CHECK(cc_xsum_value(&a) == 0.0);
	cc_xsum_init(&a);
	cc_xsum_add(&a, -2.5);
	cc_xsum_add(&a, 1e-10);
	CHECK(cc_xsum_value(&a) == -2.5 + 1e-10);
	/* the ends of the range */
	cc_xsum_init(&a);
	cc_xsum_add(&a, 1e300);
	cc_xsum_add(&a, 1e300);
	CHECK(cc_xsum_value(&a) == 2e300);
	cc_xsum_add(&a, DBL_MAX);
	cc_xsum_add(&a, DBL_MAX);
	CHECK(isinf(cc_xsum_value(&a)));
	cc_xsum_init(&a);
	cc_xsum_add(&a, 1e-200);	/* below 2^-544: dropped */
	cc_xsum_add(&a, 4.9e-324);
	CHECK(cc_xsum_value(&a) == 0.0);
	cc_xsum_add(&a, ldexp(1.0, -500));
	CHECK(cc_xsum_value(&a) == ldexp(1.0, -500));
	cc_xsum_add(&a, 0.0);
	cc_xsum_add(&a, -0.0);
	CHECK(cc_xsum_value(&a) == ldexp(1.0, -500));

	/* carries: start just below the carry point, add past it */
	set_ctx("exact sum carries");
	cc_xsum_init(&a);
	cc_xsum_init(&b);
	a.adds = (1 << 30) - 5;
	for (i = 0; i < 12; i++)
	{
		cc_xsum_add(&a, 4294967295.0);
		cc_xsum_add(&b, 4294967295.0);
	}
	CHECK(a.adds < 10);
	CHECK(cc_xsum_value(&a) == 12.0 * 4294967295.0 && cc_xsum_value(&b) == cc_xsum_value(&a));
	/* a sum that cancels to a negative value across many digits */
	cc_xsum_init(&a);
	cc_xsum_add(&a, 1e200);
	cc_xsum_add(&a, -1e200);
	cc_xsum_add(&a, -3.0);
	cc_xsum_add(&a, 1e-100);
	CHECK(cc_xsum_value(&a) == -3.0 + 1e-100);
}

/*
 * CcPass: the labels, counts and (to rounding) sums of cc_kmeans_accumulate;
 * any split merged gives the same bits; the flat form round-trips and is
 * checked when read back.
 */
static void
test_pass(void)
{
	enum
	{
		n = 3000, d = 5, k = 4
	};
	TRand		r;
	double	   *x = dalloc((size_t) n * d);
	double		cent[k * d],
				ct[k * d],
				dist[k];
	double		ref_sums[k * d],
				ref_sse[k],
				sums[k * d],
				sse[k],
				sums2[k * d],
				sse2[k];
	int64_t		ref_counts[k],
				counts[k],
				counts2[k];
	int			ref_labels[n];
	CcPass		all,
				parts[3],
				back;
	size_t		i;
	int			c;
	bool		labels_same = true,
				close = true;
	char	   *flat;
	size_t		flat_len = cc_pass_flat_size(k, d);

	set_ctx("pass");
	tr_seed(&r, 5150);
	for (i = 0; i < (size_t) n * d; i++)
		x[i] = tr_normal(&r) + (double) (i % 3);
	for (i = 0; i < (size_t) k * d; i++)
		cent[i] = tr_normal(&r);
	cc_transpose(cent, k, d, ct);
	memset(ref_sums, 0, sizeof(ref_sums));
	memset(ref_counts, 0, sizeof(ref_counts));
	memset(ref_sse, 0, sizeof(ref_sse));
	cc_kmeans_accumulate(x, n, d, cent, k, ref_sums, ref_counts, ref_sse, ref_labels);

	cc_pass_init(&all, k, d, A);
	for (i = 0; i < 3; i++)
		cc_pass_init(&parts[i], k, d, A);
	for (i = 0; i < n; i++)
	{
		if (cc_pass_add(&all, x + i * d, ct, dist) != ref_labels[i])
			labels_same = false;
		cc_pass_add(&parts[tr_next(&r) % 3], x + i * d, ct, dist);
	}
	CHECK(labels_same);
	CHECK(all.rows == n);
	cc_pass_result(&all, sums, counts, sse);
	for (c = 0; c < k; c++)
	{
		int			j;

		if (counts[c] != ref_counts[c] || fabs(sse[c] - ref_sse[c]) > 1e-10 * ref_sse[c])
			close = false;
		for (j = 0; j < d; j++)
			if (fabs(sums[c * d + j] - ref_sums[c * d + j]) > 1e-10 * (fabs(ref_sums[c * d + j]) + 1.0))
				close = false;
	}
	CHECK(close);

	/* three parts merged: the same bits */
	cc_pass_merge(&parts[1], &parts[2]);
	cc_pass_merge(&parts[0], &parts[1]);
	cc_pass_result(&parts[0], sums2, counts2, sse2);
	CHECK(parts[0].rows == n);
	CHECK(memcmp(sums, sums2, sizeof(sums)) == 0 && memcmp(sse, sse2, sizeof(sse)) == 0 &&
		  memcmp(counts, counts2, sizeof(counts)) == 0);

	/* the flat form */
	set_ctx("pass flat form");
	flat = malloc(flat_len);
	cc_pass_flatten(&parts[0], flat);
	CHECK(cc_pass_unflatten(flat, flat_len, &back, A) == NULL);
	cc_pass_result(&back, sums2, counts2, sse2);
	CHECK(back.rows == n && memcmp(sums, sums2, sizeof(sums)) == 0 &&
		  memcmp(sse, sse2, sizeof(sse)) == 0 && memcmp(counts, counts2, sizeof(counts)) == 0);
	cc_pass_release(&back, A);
	CHECK(cc_pass_unflatten(flat, flat_len - 1, &back, A) != NULL);
	cc_pass_release(&back, A);
	{
		int64_t		v;
		size_t		at;

		/* a count that no longer adds up to the rows */
		at = 24;
		memcpy(&v, flat + at, sizeof(v));
		v++;
		memcpy(flat + at, &v, sizeof(v));
		CHECK(cc_pass_unflatten(flat, flat_len, &back, A) != NULL);
		cc_pass_release(&back, A);
		v--;
		memcpy(flat + at, &v, sizeof(v));
		/* a limb outside its digit range */
		at = 24 + sizeof(int64_t) * k;
		v = -1;
		memcpy(flat + at, &v, sizeof(v));
		CHECK(cc_pass_unflatten(flat, flat_len, &back, A) != NULL);
		cc_pass_release(&back, A);
		/* another magic */
		flat[0] ^= 1;
		CHECK(cc_pass_unflatten(flat, flat_len, &back, A) != NULL);
		cc_pass_release(&back, A);
	}
	free(flat);
	cc_pass_release(&all, A);
	for (i = 0; i < 3; i++)
		cc_pass_release(&parts[i], A);
	free(x);
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
print_simd_digest(void)
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
			double		score;
			double	   *mean = dalloc(k);
			int64_t    *rows = talloc(k, sizeof(int64_t));

			cc_kmeans(x, n, d, &p, &res, A);
			h = fnv_bytes(h, res.centroids, (size_t) k * d * sizeof(double));
			h = fnv_bytes(h, res.labels, n * sizeof(int));
			h = fnv_bytes(h, &res.inertia, sizeof(double));
			cc_silhouette(x, d, res.labels, k, NULL, n, NULL, &score, mean, rows, A,
						  NULL, NULL);
			h = fnv_bytes(h, &score, sizeof(double));
			h = fnv_bytes(h, mean, k * sizeof(double));
			km_free(&res);
			tfree(mean);
			tfree(rows);
		}
	tfree(x);
	printf("digest: %016llx\n", (unsigned long long) h);
}

int
main(void)
{
	test_rng_reference();
	test_rng_streams();
	test_rng_uniform();
	test_rng_below();

	test_select();
	test_quantile();
	test_column_mean_var();
	test_small_kernels();
	test_sqdist_many();
	test_sqdist_rows();
	test_sqdist_block();
	test_sqdist_pairs4();

	test_method_names();
	test_impute_closed_form();
	test_impute_random();
	test_impute_all_missing();
	test_scalers();

	test_kmeans_bounds_equal_lloyd();
	test_kmeans_ties();
	test_kmeans_relocation_at_convergence();
	test_kmeans_row_order();
	test_kmeans_threads();
	test_model_wire();
	test_model_json();
	test_kmeans_determinism();
	test_decimal_to_double();
	test_blocked_column_passes();
	test_compensated_sum();
	test_seed_cache();
	test_exact_sum();
	test_pass();
	test_kmeans_blobs();
	test_kmeans_accumulate();
	test_kmeans_edge_cases();
	test_kmeans_max_iter();
	test_kmeans_sort_by_size();
	test_kmeans_tolerance();
	test_kmeanspp();
	test_kmeanspp_greedy();
	test_kmeans_callbacks();
	test_kmeans_allocations();

	test_silhouette();
	test_ch_db();
	test_ch_db_empty_cluster();
	test_stratified_sample();
	test_quality();
	test_kneedle();

	test_describe_random();
	test_describe_closed_form();
	test_describe_small_values();
	test_pearson_random();
	test_pearson_closed_form();
	test_histogram_random();
	test_histogram_closed_form();

	test_covariance();
	test_eigen_diagonal();
	test_eigen_random();
	test_eigen_2x2();
	test_pca();

	test_hungarian_brute();
	test_hungarian_small();
	test_hungarian_large();
	test_hungarian_check();

	test_model_round_trip();
	test_model_validate();
	test_model_unflatten_rejects();
	test_model_unflatten_fuzz();
	test_model_transform();
	test_model_assign();
	test_quality_bytes();
	test_align();
	test_pipeline();

	print_simd_digest();
	printf("unit: %d passed, %d failed\n", n_passed, n_failed);
	return n_failed > 0 ? 1 : 0;
}
