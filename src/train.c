/*
 * train.c
 *		ccseg_build_model(): read a relation, impute, scale and cluster it,
 *		and return the model value.  Storing it is the catalog's business
 *		(ccseg_train in the install script).
 */
#include "ccseg.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "kmeans.h"

PG_FUNCTION_INFO_V1(ccseg_build_model);

/* Arguments of ccseg_build_model, in order. */
enum
{
	ARG_SOURCE, ARG_K, ARG_FEATURES, ARG_ID_COLUMN, ARG_IMPUTE, ARG_SCALE,
	ARG_INIT, ARG_INIT_CENTROIDS, ARG_N_INIT, ARG_MAX_ITER, ARG_TOL, ARG_SEED,
	ARG_ALGORITHM, ARG_VERBOSE
};

typedef struct TrainOptions
{
	Oid			relid;
	int			k;
	ArrayType  *features;
	char	   *id_column;
	CcImpute	impute;
	CcScale		scale;
	CcInit		init;
	ArrayType  *init_centroids;
	int			n_init;
	int			max_iter;
	double		tol;
	int64		seed;
	CcAlgorithm algorithm;
	bool		verbose;
} TrainOptions;

static void
require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/* Read and check the arguments before any data is touched. */
static void
parse_options(FunctionCallInfo fcinfo, TrainOptions *o)
{
	char	   *word;
	int			how;

	require_arg(fcinfo, ARG_SOURCE, "source");
	require_arg(fcinfo, ARG_K, "k");
	require_arg(fcinfo, ARG_N_INIT, "n_init");
	require_arg(fcinfo, ARG_MAX_ITER, "max_iter");
	require_arg(fcinfo, ARG_TOL, "tol");
	require_arg(fcinfo, ARG_SEED, "seed");
	require_arg(fcinfo, ARG_VERBOSE, "verbose");

	o->relid = PG_GETARG_OID(ARG_SOURCE);
	o->k = PG_GETARG_INT32(ARG_K);
	o->features = PG_ARGISNULL(ARG_FEATURES) ? NULL : PG_GETARG_ARRAYTYPE_P(ARG_FEATURES);
	o->id_column = PG_ARGISNULL(ARG_ID_COLUMN) ? NULL :
		text_to_cstring(PG_GETARG_TEXT_PP(ARG_ID_COLUMN));
	o->init_centroids = PG_ARGISNULL(ARG_INIT_CENTROIDS) ? NULL :
		PG_GETARG_ARRAYTYPE_P(ARG_INIT_CENTROIDS);
	o->n_init = PG_GETARG_INT32(ARG_N_INIT);
	o->max_iter = PG_GETARG_INT32(ARG_MAX_ITER);
	o->tol = PG_GETARG_FLOAT8(ARG_TOL);
	o->seed = PG_GETARG_INT64(ARG_SEED);
	o->verbose = PG_GETARG_BOOL(ARG_VERBOSE);

	if (o->k < 1 || o->k > CC_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 1 and %d", CC_MAX_K)));
	if (o->n_init < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n_init must be at least 1")));
	if (o->max_iter < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_iter must be at least 1")));
	if (!(o->tol >= 0.0) || isinf(o->tol))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tol must be a finite number of at least 0")));

	word = ccseg_text_arg(fcinfo, ARG_IMPUTE, "impute");
	if ((how = cc_impute_parse(word)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown imputation method \"%s\"", word),
				 errhint("Use one of median, mean, zero or drop.")));
	o->impute = (CcImpute) how;

	word = ccseg_text_arg(fcinfo, ARG_SCALE, "scale");
	if ((how = cc_scale_parse(word)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown scaling method \"%s\"", word),
				 errhint("Use one of standard, minmax, robust or none.")));
	o->scale = (CcScale) how;

	word = ccseg_text_arg(fcinfo, ARG_INIT, "init");
	if (strcmp(word, "k-means++") == 0)
		o->init = CC_INIT_KMEANSPP;
	else if (strcmp(word, "random") == 0)
		o->init = CC_INIT_RANDOM;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown initialization method \"%s\"", word),
				 errhint("Use k-means++ or random, or pass init_centroids.")));
	if (o->init_centroids != NULL)
		o->init = CC_INIT_GIVEN;

	word = ccseg_text_arg(fcinfo, ARG_ALGORITHM, "algorithm");
	if (strcmp(word, "auto") == 0)
		o->algorithm = CC_ALGO_AUTO;
	else if (strcmp(word, "lloyd") == 0)
		o->algorithm = CC_ALGO_LLOYD;
	else if (strcmp(word, "hamerly") == 0)
		o->algorithm = CC_ALGO_HAMERLY;
	else if (strcmp(word, "elkan") == 0)
		o->algorithm = CC_ALGO_ELKAN;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown k-means algorithm \"%s\"", word),
				 errhint("Use one of auto, lloyd, hamerly or elkan; all give the same result.")));
}

/* Check init_centroids against k and d and return them as a k x d matrix. */
static double *
given_centroids(ArrayType *arr, int k, int d)
{
	int			ndim = ARR_NDIM(arr);
	int		   *dims = ARR_DIMS(arr);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	double	   *c;
	int			i;

	if (ndim != 2 || dims[0] != k || dims[1] != d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("init_centroids must be a %d x %d array, one row per segment and one column per feature",
						k, d)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	c = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("init_centroids must not contain null elements")));
		c[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(c[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("init_centroids must not contain NaN or infinity")));
	}
	return c;
}

/* verbose: one INFO line per restart. */
static void
report_run(void *arg, int run, int iterations, double inertia, bool converged)
{
	const TrainOptions *o = arg;

	CHECK_FOR_INTERRUPTS();
	ereport(INFO,
			(errmsg("restart %d of %d: %d iterations, inertia %.6f%s",
					run + 1, o->init == CC_INIT_GIVEN ? 1 : o->n_init,
					iterations, inertia,
					converged ? "" : " (did not converge within max_iter)")));
}

/* Train a model from a relation; see the install script for the arguments. */
Datum
ccseg_build_model(PG_FUNCTION_ARGS)
{
	TrainOptions o;
	CcsegFeatures f;
	MemoryContext cxt;
	MemoryContext old;
	CcAllocator alloc;
	char	   *relname;
	double	   *x;
	size_t		n_read;
	size_t		n;
	int			d;
	int			bad;
	bool	   *constant;
	CcModel		m;
	CcKmeansParams kp;
	CcKmeansResult kr;
	double	   *init = NULL;
	Datum		result;
	int			j;

	parse_options(fcinfo, &o);
	relname = get_rel_name(o.relid);
	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", o.relid)));
	ccseg_resolve_features(o.relid, o.features, o.id_column, &f);
	d = f.d;
	if (o.init == CC_INIT_GIVEN)
		init = given_centroids(o.init_centroids, o.k, d);

	/* all training memory lives here and goes at once, even on cancel */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg training",
								ALLOCSET_DEFAULT_SIZES);
	ccseg_allocator_init(&alloc, cxt);
	x = ccseg_read_matrix(o.relid, &f, o.id_column, cxt, &n_read);
	if (n_read == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation \"%s\" has no rows to train on", relname)));

	old = MemoryContextSwitchTo(cxt);
	cc_model_alloc(&m, o.k, d, &alloc);
	for (j = 0; j < d; j++)
		m.features[j] = f.names[j];
	m.impute = o.impute;
	m.scale = o.scale;

	bad = cc_impute_fit(x, n_read, d, o.impute, m.impute_values, &alloc);
	if (bad >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("column \"%s\" of relation \"%s\" is null in every row",
						f.names[bad], relname),
				 errhint("Leave it out of features.")));
	n = cc_impute_apply(x, n_read, d, o.impute, m.impute_values);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("every row of relation \"%s\" has a missing feature value",
						relname),
				 errhint("Use another imputation method than drop.")));
	if ((size_t) o.k > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k (%d) is greater than the number of usable rows (%zu)",
						o.k, n)));

	constant = palloc(sizeof(bool) * d);
	cc_scale_fit(x, n, d, o.scale, m.center, m.scale_values, constant, &alloc);
	for (j = 0; j < d; j++)
		if (constant[j] && o.scale != CC_SCALE_NONE)
			ereport(NOTICE,
					(errmsg("feature \"%s\" has %s of 0; its scale is set to 1",
							f.names[j],
							o.scale == CC_SCALE_ROBUST ? "an interquartile range" :
							o.scale == CC_SCALE_MINMAX ? "a range" :
							"a standard deviation"),
					 o.scale == CC_SCALE_ROBUST ? 0 :
					 errdetail("A feature with the same value in every row does not influence the segments.")));
	cc_scale_apply(x, n, d, m.center, m.scale_values);
	if (init != NULL)
		cc_scale_apply(init, o.k, d, m.center, m.scale_values);

	memset(&kp, 0, sizeof(kp));
	kp.k = o.k;
	kp.n_init = o.n_init;
	kp.max_iter = o.max_iter;
	kp.tol = cc_kmeans_tolerance(x, n, d, o.tol);
	kp.seed = (uint64_t) o.seed;
	kp.init = o.init;
	kp.algorithm = o.algorithm;
	kp.init_centroids = init;
	kp.check = ccseg_check_interrupts;
	kp.report = o.verbose ? report_run : NULL;
	kp.cb_arg = &o;
	cc_kmeans(x, n, d, &kp, &kr, &alloc);
	cc_kmeans_sort_by_size(&kr, n, o.k, d, &alloc);

	memcpy(m.centroids, kr.centroids, sizeof(double) * o.k * d);
	memcpy(m.sizes, kr.sizes, sizeof(int64_t) * o.k);
	memcpy(m.sse, kr.sse, sizeof(double) * o.k);
	m.inertia = kr.inertia;
	m.iterations = kr.iterations;
	m.rows = (int64_t) n;
	if (!kr.converged)
		ereport(NOTICE,
				(errmsg_plural("k-means did not converge within %d iteration",
							   "k-means did not converge within %d iterations",
							   o.max_iter, o.max_iter),
				 errhint("Raise max_iter or tol.")));

	MemoryContextSwitchTo(old);
	result = ccseg_model_datum(&m);
	MemoryContextDelete(cxt);
	PG_RETURN_DATUM(result);
}
