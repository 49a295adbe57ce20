/*
 * harness.h
 *		The shared part of the unit tests of the numeric core (src/core).
 *
 * CHECK counts passes and failures and prints every failure with file:line
 * and the context set by set_ctx.  The allocators, the test data generator
 * (TRand, a splitmix64 of its own, independent of rng.c), the data makers
 * and the reference computations here serve tests of several modules;
 * helpers of one module's tests live in that module's test file.
 *
 * Each test file test_<module>.c registers its tests in a UnitModule that
 * main.c runs.
 */
#ifndef CC_TEST_HARNESS_H
#define CC_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cc_common.h"
#include "kmeans.h"
#include "model.h"

#define lengthof(array) (sizeof(array) / sizeof((array)[0]))

/* ---------------------------------------------------------------------
 * Registration
 * ---------------------------------------------------------------------
 */

typedef struct UnitTest
{
	const char *name;			/* the test function's name without "test_" */
	void		(*fn) (void);
	int			order;			/* tests run by ascending order */
} UnitTest;

/* A table entry: UNIT_TEST(kneedle, 470) registers test_kneedle. */
#define UNIT_TEST(name, order) {#name, test_##name, order}

typedef struct UnitModule
{
	const char *name;			/* the core module under test */
	const UnitTest *tests;
	size_t		ntests;
} UnitModule;

/* The registration tables, one per test file */
extern const UnitModule rng_module;
extern const UnitModule matrix_module;
extern const UnitModule preprocess_module;
extern const UnitModule kmeans_module;
extern const UnitModule metrics_module;
extern const UnitModule stats_module;
extern const UnitModule linalg_module;
extern const UnitModule align_module;
extern const UnitModule model_module;
extern const UnitModule model_format_module;
extern const UnitModule decimal_module;
extern const UnitModule exactsum_module;
extern const UnitModule pass_module;
extern const UnitModule category_module;

/* ---------------------------------------------------------------------
 * Check machinery
 * ---------------------------------------------------------------------
 */

extern int	n_passed;
extern int	n_failed;

extern void set_ctx(const char *fmt,...);
extern bool check_at(bool ok, const char *expr, const char *file, int line);

#define CHECK(cond) check_at((cond) ? true : false, #cond, __FILE__, __LINE__)

/* ---------------------------------------------------------------------
 * Memory
 * ---------------------------------------------------------------------
 */

/* The malloc allocator of the core, and allocation that dies on failure */
extern const CcAllocator *const A;
extern void *talloc(size_t n, size_t size);
extern double *dalloc(size_t n);
extern void tfree(void *p);

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

extern CcAllocator counting_allocator(CountCtx *ctx);

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

extern CcAllocator tracking_allocator(TrackCtx *ctx);
extern long track_release_all(TrackCtx *ctx);

/* ---------------------------------------------------------------------
 * Test data: a generator of our own (splitmix64), independent of rng.c
 * ---------------------------------------------------------------------
 */

typedef struct TRand
{
	uint64_t	s;
} TRand;

extern void tr_seed(TRand *r, uint64_t seed);
extern uint64_t tr_next(TRand *r);
extern double tr_unif(TRand *r);
extern size_t tr_below(TRand *r, size_t n);
extern double tr_normal(TRand *r);

typedef enum DataKind
{
	DATA_BLOBS,					/* well separated Gaussian blobs */
	DATA_NOISE,					/* uniform in the unit cube */
	DATA_GRID,					/* small integers: many duplicates and ties */
	DATA_OFFSET					/* noise of spread 1e-3 around 1e6 */
} DataKind;

extern const char *const kind_names[];

extern void make_blobs(TRand *r, double *x, int *truth, size_t n, int d, int k,
					   double sep, double sd);
extern void make_data(DataKind kind, uint64_t seed, double *x, int *truth,
					  size_t n, int d, int k);
extern double xsum_term(TRand *r);

/* ---------------------------------------------------------------------
 * Reference computations
 * ---------------------------------------------------------------------
 */

extern int	cmp_double(const void *a, const void *b);
extern long double ref_sqdist(const double *a, const double *b, int d);
extern bool close_to(double a, double b, double rel, double floor_);
extern double ref_quantile_sorted(const double *s, size_t n, double q);
extern void ld_sum_add(long double *s, long double v);
extern void ref_mean_var(const double *x, size_t n, int d, int j,
						 long double *mean, long double *var);

/* ---------------------------------------------------------------------
 * k-means runs and models
 * ---------------------------------------------------------------------
 */

extern CcKmeansParams km_params(int k, CcInit init, CcAlgorithm algo,
								uint64_t seed, int n_init, int max_iter,
								double tol, const double *start);
extern void km_alloc(CcKmeansResult *res, size_t n, int k, int d);
extern void km_free(CcKmeansResult *res);
extern void set_name(CcModel *m, int j, const char *s);
extern void make_model(CcModel *m, int k, int d, CcImpute imp, CcScale sc,
					   uint64_t seed);

#endif							/* CC_TEST_HARNESS_H */
