/*
 * harness.c
 *		The shared part of the unit tests: check counting, test allocators,
 *		the test data generator and reference computations.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---------------------------------------------------------------------
 * Check machinery
 * ---------------------------------------------------------------------
 */

#define MAX_PRINTED_FAILURES 200

int			n_passed = 0;
int			n_failed = 0;
static char ctx_buf[256] = "";

/* Describe what the following checks are about; printed with failures. */
void
set_ctx(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(ctx_buf, sizeof(ctx_buf), fmt, ap);
	va_end(ap);
}

/* Count one check; print it when it failed. */
bool
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

/* ---------------------------------------------------------------------
 * Memory
 * ---------------------------------------------------------------------
 */

const CcAllocator *const A = &cc_malloc_allocator;

/* Allocate n elements of size bytes through the malloc allocator or die. */
void *
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
double *
dalloc(size_t n)
{
	return talloc(n, sizeof(double));
}

/* Release memory from talloc. */
void
tfree(void *p)
{
	cc_release(A, p);
}

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
CcAllocator
counting_allocator(CountCtx *ctx)
{
	CcAllocator a;

	memset(ctx, 0, sizeof(*ctx));
	a.alloc = count_alloc;
	a.release = count_release;
	a.ctx = ctx;
	return a;
}

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
CcAllocator
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
long
track_release_all(TrackCtx *ctx)
{
	long		n = ctx->live;

	while (ctx->head.next != &ctx->head)
		track_release(ctx, ctx->head.next + 1);
	return n;
}

/* ---------------------------------------------------------------------
 * Test data: a generator of our own (splitmix64), independent of rng.c
 * ---------------------------------------------------------------------
 */

/* Seed the test generator. */
void
tr_seed(TRand *r, uint64_t seed)
{
	r->s = seed;
}

/* Return 64 random bits. */
uint64_t
tr_next(TRand *r)
{
	uint64_t	z = (r->s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Return a double uniform in [0, 1). */
double
tr_unif(TRand *r)
{
	return (double) (tr_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Return an integer in [0, n) (slight modulo bias is fine for test data). */
size_t
tr_below(TRand *r, size_t n)
{
	return (size_t) (tr_next(r) % n);
}

/* Return a standard normal deviate (Box-Muller). */
double
tr_normal(TRand *r)
{
	double		u1 = 1.0 - tr_unif(r);	/* (0, 1] */
	double		u2 = tr_unif(r);

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Names of the DataKind values, for messages. */
const char *const kind_names[] = {"blobs", "noise", "grid", "offset"};

/*
 * Fill x (n x d) with k Gaussian blobs (standard deviation sd) whose centers
 * are at least sep apart; truth[i] gets the blob of row i (may be NULL).
 */
void
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
void
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

/* One random term for the sum tests: mixed signs, 1e-300 .. 1e300. */
double
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

/* ---------------------------------------------------------------------
 * Reference computations
 * ---------------------------------------------------------------------
 */

/* qsort comparison of doubles (no NaN). */
int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Squared distance in long double. */
long double
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
bool
close_to(double a, double b, double rel, double floor_)
{
	double		m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	if (m < floor_)
		m = floor_;
	return fabs(a - b) <= rel * m;
}

/* numpy's default ("linear") quantile of a sorted array, numpy's lerp. */
double
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

/* Add v to a Neumaier sum kept in long double (s[0] sum, s[1] correction). */
void
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
void
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
 * k-means runs and models
 * ---------------------------------------------------------------------
 */

/* Parameters for one cc_kmeans call, everything else zero. */
CcKmeansParams
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

/* The arrays of a k-means result of n rows, k segments, d features, zeroed. */
void
km_alloc(CcKmeansResult *res, size_t n, int k, int d)
{
	memset(res, 0, sizeof(*res));
	res->centroids = dalloc((size_t) k * d);
	res->labels = talloc(n, sizeof(int));
	res->sizes = talloc(k, sizeof(int64_t));
	res->sse = dalloc(k);
	memset(res->sizes, 0, sizeof(int64_t) * k);
	memset(res->sse, 0, sizeof(double) * k);
}

/* Release the arrays of a k-means result. */
void
km_free(CcKmeansResult *res)
{
	tfree(res->centroids);
	tfree(res->labels);
	tfree(res->sizes);
	tfree(res->sse);
	memset(res, 0, sizeof(*res));
}

/* Replace feature name j of m by a copy of s. */
void
set_name(CcModel *m, int j, const char *s)
{
	size_t		len = strlen(s);

	cc_release(A, m->features[j]);
	m->features[j] = talloc(len + 1, 1);
	memcpy(m->features[j], s, len + 1);
}

/* Build a valid model of k segments and d features with random contents. */
void
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
